namespace AutomationStack.Planning;

/// <summary>What the advice is for.</summary>
public enum GlosaCase
{
    /// <summary>No advice: no timing, amber, or too far.</summary>
    None = 0,

    /// <summary>The truck reaches the line in the green window at the speed limit: no need to slow.</summary>
    PassAtLimit = 1,

    /// <summary>Slow down so as to reach the line when the green window opens instead of stopping at red.</summary>
    SlowToArriveOnGreen = 2,

    /// <summary>Even at the minimum advisory speed the truck arrives before the window opens: approach slowly, a short stop follows.</summary>
    ApproachSlowly = 3,

    /// <summary>The window closes before the truck can reach the line even at the limit: a stop is expected.</summary>
    StopExpected = 4,
}

/// <summary>Green light optimal speed advisory: the speed to hold (a cap on the set speed), and the window it aims at (simulated s).</summary>
public readonly record struct GlosaAdvice(GlosaCase Case, double Speed, double WindowOpen, double WindowClose)
{
    /// <summary>True when <see cref="Speed"/> is a cap the controller should apply.</summary>
    public bool HasAdvice => Case is GlosaCase.PassAtLimit or GlosaCase.SlowToArriveOnGreen or GlosaCase.ApproachSlowly;

    public static GlosaAdvice NoAdvice(GlosaCase reason = GlosaCase.None) => new(reason, double.PositiveInfinity, double.NaN, double.NaN);
}

/// <summary>GLOSA parameters.</summary>
public sealed record GlosaOptions
{
    /// <summary>The lowest speed advised, m/s (below it the truck might as well stop).</summary>
    public double MinimumSpeed { get; init; } = 4.0;

    /// <summary>Acceleration used to model a speed increase, m/s².</summary>
    public double Acceleration { get; init; } = 0.5;

    /// <summary>Deceleration used to model a speed decrease, m/s² (the ACC's comfort band).</summary>
    public double Deceleration { get; init; } = 1.0;

    /// <summary>Arrive this long after the window opens and before it closes, s.</summary>
    public double ArrivalMargin { get; init; } = 1.0;

    /// <summary>Length of the next green when SPaT only says when the red ends, s.</summary>
    public double AssumedGreen { get; init; } = 6.0;

    /// <summary>No advice beyond this distance to the stop line, m.</summary>
    public double MaxDistance { get; init; } = 600.0;

    /// <summary>Confidence from which SPaT's likely end time is used instead of the conservative bound.</summary>
    public double LikelyConfidence { get; init; } = 0.5;
}

/// <summary>
/// GLOSA on the fused signal: from the SPaT end times, the window in which the front may reach the stop line (now until
/// the green ends; or from the end of the red for <see cref="GlosaOptions.AssumedGreen"/>), then the highest speed up to
/// the limit whose arrival time (the speed change modelled at constant acceleration/deceleration, then constant speed)
/// falls inside it with margins. The advice caps the set speed; the stop-line planner still decides whether to stop.
/// Pure.
/// </summary>
public static class GlosaAdvisor
{
    private const int Iterations = 50;

    public static GlosaAdvice Advise(double distance, double speed, double speedLimit, double now, SignalTiming timing, GlosaOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!(distance > 0) || distance > options.MaxDistance || !double.IsFinite(speed) || !(speedLimit > 0) || !timing.HasEndTimes)
        {
            return GlosaAdvice.NoAdvice();
        }

        var useLikely = timing.Confidence >= options.LikelyConfidence;
        double open, close;
        switch (timing.Phase)
        {
            case SignalPhase.Green:
                open = now;
                close = (useLikely ? timing.LikelyEnd : timing.MinEnd) - options.ArrivalMargin;
                break;
            case SignalPhase.Red:
                open = (useLikely ? timing.LikelyEnd : timing.MaxEnd) + options.ArrivalMargin;
                close = open + options.AssumedGreen - (2 * options.ArrivalMargin);
                break;
            default:
                return GlosaAdvice.NoAdvice();
        }

        var v0 = Math.Max(speed, 0.0);
        var fastest = now + ArrivalTime(distance, v0, speedLimit, options);
        if (fastest > close)
        {
            return new GlosaAdvice(GlosaCase.StopExpected, double.PositiveInfinity, open, close);
        }

        if (fastest >= open)
        {
            return new GlosaAdvice(GlosaCase.PassAtLimit, speedLimit, open, close);
        }

        var minimum = Math.Min(options.MinimumSpeed, speedLimit);
        if (now + ArrivalTime(distance, v0, minimum, options) < open)
        {
            return new GlosaAdvice(GlosaCase.ApproachSlowly, minimum, open, close);
        }

        // Arrival time falls as the target speed rises: bisect for the speed that arrives as the window opens.
        double lo = minimum, hi = speedLimit;
        for (var i = 0; i < Iterations; i++)
        {
            var mid = 0.5 * (lo + hi);
            if (now + ArrivalTime(distance, v0, mid, options) >= open)
            {
                lo = mid;
            }
            else
            {
                hi = mid;
            }
        }

        return new GlosaAdvice(GlosaCase.SlowToArriveOnGreen, lo, open, close);
    }

    /// <summary>
    /// The advice as an acceleration limit (m/s², +∞ = none) that lets the truck coast rather than brake: the constant
    /// acceleration that brings the front to the line exactly as the window opens, a = 2·(d − v·T) / T², applied only
    /// when it is negative (never below −<see cref="GlosaOptions.Deceleration"/>) and while the speed is above the
    /// minimum advisory speed. The truck's drag does most of it; capping the set speed instead would make the ACC brake
    /// to the advised speed at once and drive slowly for longer.
    /// </summary>
    public static double AccelerationLimit(GlosaAdvice advice, double distance, double speed, double now, GlosaOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (advice.Case is not (GlosaCase.SlowToArriveOnGreen or GlosaCase.ApproachSlowly) || !(distance > 0) || speed <= options.MinimumSpeed)
        {
            return double.PositiveInfinity;
        }

        var t = advice.WindowOpen - now;
        if (!(t > 0))
        {
            return double.PositiveInfinity;
        }

        var a = 2 * (distance - (speed * t)) / (t * t);
        return a < 0 ? Math.Max(a, -options.Deceleration) : double.PositiveInfinity;
    }

    /// <summary>Time to cover <paramref name="distance"/> starting at <paramref name="v0"/> and changing to <paramref name="target"/> at the modelled rates, s.</summary>
    public static double ArrivalTime(double distance, double v0, double target, GlosaOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var rate = target >= v0 ? options.Acceleration : -options.Deceleration;
        var change = Math.Abs(target - v0) / Math.Abs(rate);
        var changeDistance = 0.5 * (v0 + target) * change;
        if (changeDistance >= distance)
        {
            // The line comes during the speed change: distance = v0·t + rate·t²/2.
            var disc = (v0 * v0) + (2 * rate * distance);
            return disc <= 0 ? double.PositiveInfinity : (-v0 + Math.Sqrt(disc)) / rate;
        }

        return target <= 0 ? double.PositiveInfinity : change + ((distance - changeDistance) / target);
    }
}
