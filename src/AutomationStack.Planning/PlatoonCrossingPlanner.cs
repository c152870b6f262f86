namespace AutomationStack.Planning;

/// <summary>A follower as the leader sees it: its station id, the distance from the leader's front bumper back to the follower's front bumper (m, > 0), and its length, m.</summary>
public readonly record struct PlatoonMemberOffset(uint StationId, double Offset, double Length);

/// <summary>The platoon-level decision at a signalised stop line.</summary>
public enum PlatoonCrossingDecision
{
    /// <summary>No timing to plan with (no SPaT, or amber): each truck's own stop-line planner decides.</summary>
    None = 0,

    /// <summary>Every member's front reaches the line before the green ends (with the margin): pass intact.</summary>
    PassIntact = 1,

    /// <summary>Not within the green's planned end, but within its maximum: ask the controller to hold the green.</summary>
    RequestPriority = 2,

    /// <summary>The members from <see cref="PlatoonCrossingPlan.SplitIndex"/> on cannot pass: split in front of that member before the line.</summary>
    Split = 3,

    /// <summary>The leader itself will not make the green (or the signal is red): the platoon stops together.</summary>
    StopTogether = 4,
}

/// <summary>
/// The plan: the decision; for <see cref="PlatoonCrossingDecision.Split"/> the index into the followers of the first
/// one that stops (−1 otherwise); when the last member's front is predicted to reach the line (simulated s); and for
/// <see cref="PlatoonCrossingDecision.RequestPriority"/> the green end the platoon needs (s).
/// </summary>
public readonly record struct PlatoonCrossingPlan(PlatoonCrossingDecision Decision, int SplitIndex, double RearArrival, double RequiredGreenEnd);

/// <summary>Parameters of the platoon crossing decision.</summary>
public sealed record PlatoonCrossingOptions
{
    /// <summary>Each member's front must reach the line this long before the green ends, s.</summary>
    public double GreenMargin { get; init; } = 1.0;

    /// <summary>A follower asked to stop must be able to within this deceleration, m/s² (else it passes on amber and the split moves back).</summary>
    public double ComfortDeceleration { get; init; } = 2.0;

    /// <summary>Amber after the green, s: a follower that cannot stop must clear the line within it.</summary>
    public double Amber { get; init; } = 3.0;

    /// <summary>Distance before the line where a stopping truck's front stops, m.</summary>
    public double StopMargin { get; init; } = 1.0;

    /// <summary>Speed below which arrival times are not predicted (the platoon is crawling, standing or pulling away: constant-speed arrival times would be meaningless), m/s.</summary>
    public double MinimumSpeed { get; init; } = 5.0;
}

/// <summary>
/// The leader's decision for its platoon at a signalised stop line, from the fused signal (SPaT timing), the leader's
/// distance to the line and speed, and the followers' offsets (constant speed: the platoon holds its speed in CACC).
/// Pass intact when every front arrives before the planned green end; ask for priority when they would within the
/// green's maximum (or the granted end is enough); otherwise split in front of the first follower that would not make
/// it — moved back past any follower too close to stop comfortably, which then clears on amber — so that no follower
/// meets red. Each follower's own stop-line planner stays on as the safety net. Pure.
/// </summary>
public static class PlatoonCrossingPlanner
{
    public static PlatoonCrossingPlan Plan(
        double now,
        double distanceToStopLine,
        double speed,
        IReadOnlyList<PlatoonMemberOffset> followers,
        SignalTiming timing,
        bool priorityAvailable,
        double grantedGreenEnd,
        PlatoonCrossingOptions options)
    {
        ArgumentNullException.ThrowIfNull(followers);
        ArgumentNullException.ThrowIfNull(options);
        var none = new PlatoonCrossingPlan(PlatoonCrossingDecision.None, -1, double.NaN, double.NaN);
        if (!(distanceToStopLine > 0) || !double.IsFinite(speed))
        {
            return none;
        }

        if (timing.Phase == SignalPhase.Red)
        {
            return new PlatoonCrossingPlan(PlatoonCrossingDecision.StopTogether, -1, double.NaN, double.NaN);
        }

        if (timing.Phase != SignalPhase.Green || !timing.HasEndTimes || speed < options.MinimumSpeed)
        {
            return none;
        }

        var planned = timing.Confidence >= 0.5 ? timing.LikelyEnd : timing.MinEnd;
        if (double.IsFinite(grantedGreenEnd))
        {
            planned = Math.Max(planned, Math.Min(grantedGreenEnd, timing.MaxEnd));
        }

        var leaderArrival = now + (distanceToStopLine / speed);
        var rearOffset = followers.Count == 0 ? 0.0 : followers[^1].Offset;
        var rearArrival = now + ((distanceToStopLine + rearOffset) / speed);
        if (rearArrival <= planned - options.GreenMargin)
        {
            return new PlatoonCrossingPlan(PlatoonCrossingDecision.PassIntact, -1, rearArrival, double.NaN);
        }

        // The planned end is too early for the rear (or even the leader): the green can run to its maximum, so ask
        // for it to be held for the whole platoon.
        // Ask for twice the margin, so that small speed changes after the grant do not undo the plan.
        var needed = rearArrival + (2 * options.GreenMargin);
        if (priorityAvailable && needed <= timing.MaxEnd && !double.IsFinite(grantedGreenEnd))
        {
            return new PlatoonCrossingPlan(PlatoonCrossingDecision.RequestPriority, -1, rearArrival, needed);
        }

        if (leaderArrival > planned - options.GreenMargin)
        {
            return new PlatoonCrossingPlan(PlatoonCrossingDecision.StopTogether, -1, rearArrival, double.NaN);
        }

        // Split: the first follower that misses the planned end, moved back past followers too close to stop
        // comfortably (they clear on amber if they can; if one can neither stop nor clear, its own planner brakes).
        for (var i = 0; i < followers.Count; i++)
        {
            var distance = distanceToStopLine + followers[i].Offset;
            var arrival = now + (distance / speed);
            if (arrival <= planned - options.GreenMargin)
            {
                continue;
            }

            var room = distance - options.StopMargin;
            var canStop = room > 0 && speed * speed / (2 * room) <= options.ComfortDeceleration;
            if (canStop)
            {
                return new PlatoonCrossingPlan(PlatoonCrossingDecision.Split, i, rearArrival, needed);
            }
        }

        // Every late follower is too close to stop comfortably: they clear on amber.
        return new PlatoonCrossingPlan(PlatoonCrossingDecision.PassIntact, -1, rearArrival, needed);
    }
}
