namespace AutomationStack.Planning;

/// <summary>Where the stop-line planner is on the current approach.</summary>
public enum StopLineState
{
    /// <summary>No stop planned: the light lets the truck through (or nothing binds yet).</summary>
    Free = 0,

    /// <summary>Stopping at the stop line (red, amber when able, unknown, or a green that ends before arrival).</summary>
    Stopping = 1,

    /// <summary>Committed to pass on amber: too close to stop, early enough to clear before red. Never revoked.</summary>
    Committed = 2,

    /// <summary>Standing at the stop line.</summary>
    Holding = 3,

    /// <summary>The front bumper is past the stop line: this approach is over.</summary>
    Passed = 4,
}

/// <summary>Why the planner is in its state (logged; the dilemma cases are counted).</summary>
public enum StopLineReason
{
    None = 0,
    Green = 1,
    Red = 2,
    AmberAbleToStop = 3,
    AmberCommitted = 4,
    DilemmaStop = 5,
    DilemmaGo = 6,
    UnknownSignal = 7,
    GreenEndsBeforeArrival = 8,
    CannotStopForRed = 9,
    PassedStopLine = 10,
}

/// <summary>Limits of the stop-line planner. Decelerations are positive magnitudes, m/s².</summary>
public sealed record StopLineOptions
{
    /// <summary>Deceleration of a planned stop: amber is a stop when it needs no more than this.</summary>
    public double ComfortDeceleration { get; init; } = 2.0;

    /// <summary>The hardest braking for a light (dilemma zone, red): beyond it the truck passes rather than stops in the junction.</summary>
    public double MaxDeceleration { get; init; } = 4.0;

    /// <summary>Distance before the stop line at which the front bumper stops, m.</summary>
    public double StopMargin { get; init; } = 1.0;

    /// <summary>Actuation latency counted against stopping, s (the truck travels this long at its speed before braking bites).</summary>
    public double ReactionTime { get; init; } = 0.3;

    /// <summary>The front must reach the stop line this long before red starts to count as passing, s.</summary>
    public double PassMargin { get; init; } = 0.3;

    /// <summary>A planned stop starts braking once the constant deceleration to the line reaches this, m/s² (before that the truck rolls on).</summary>
    public double BrakeOnset { get; init; } = 1.2;

    /// <summary>Amber duration assumed when SPaT gives no end time (camera only), s.</summary>
    public double AssumedAmber { get; init; } = 3.0;

    /// <summary>Deceleration that holds a stopped truck at the line, m/s².</summary>
    public double HoldDeceleration { get; init; } = 0.5;

    /// <summary>
    /// Speed from which a green that SPaT says ends before arrival is treated as a coming red, m/s. Below it a green is
    /// a go: a truck pulling away from the line must not be held by an arrival-time estimate made at crawling speed.
    /// </summary>
    public double AnticipationSpeed { get; init; } = 5.0;

    /// <summary>Speed under which a truck stopping near the line counts as standing, m/s.</summary>
    public double StandstillSpeed { get; init; } = 0.1;
}

/// <summary>
/// One step's input: distance from the front bumper to the stop line along the lane, m (negative once past); speed,
/// m/s; simulated time, s; the fused signal of the lane's signal group.
/// </summary>
public readonly record struct StopLineInput(double DistanceToStopLine, double Speed, double Now, FusedSignal Signal);

/// <summary>
/// The planner's state and reason, the acceleration limit it imposes (m/s²; +∞ when it imposes none: the controller's
/// request is min(request, limit)), and the constant deceleration that would stop the truck at the line from here
/// (reaction time included; +∞ when it cannot).
/// </summary>
public readonly record struct StopLineDecision(StopLineState State, StopLineReason Reason, double AccelerationLimit, double RequiredDeceleration)
{
    public bool Constrains => double.IsFinite(AccelerationLimit);
}

/// <summary>
/// Stop-line behaviour for one approach to a signalised stop line: stop for red; stop for amber when able within the
/// comfortable deceleration, pass when too close to stop and early enough to clear before red; in the dilemma zone
/// (neither) stop if the truck can within <see cref="StopLineOptions.MaxDeceleration"/>, otherwise pass. A green that
/// SPaT says ends before the truck can arrive is treated as a coming red (a planned stop that starts braking at
/// <see cref="StopLineOptions.BrakeOnset"/>), and an unknown signal is a stop (fail closed). Explicit state machine
/// (<see cref="StopLineState"/>); a commitment to pass is never revoked, a stop is released only by green. One instance
/// per approach: <see cref="Reset"/> when the matched approach changes. Pure: no clock, no randomness.
/// </summary>
public sealed class StopLinePlanner
{
    private const double Epsilon = 1e-3;

    private readonly StopLineOptions _options;
    private SignalPhase _lastPhase = SignalPhase.Unknown;
    private double _amberSeenAt = double.NaN;

    public StopLinePlanner(StopLineOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
    }

    public StopLineState State { get; private set; } = StopLineState.Free;

    public StopLineReason Reason { get; private set; } = StopLineReason.None;

    /// <summary>Forgets the approach (a new stop line, or none).</summary>
    public void Reset()
    {
        State = StopLineState.Free;
        Reason = StopLineReason.None;
        _lastPhase = SignalPhase.Unknown;
        _amberSeenAt = double.NaN;
    }

    public StopLineDecision Step(in StopLineInput input)
    {
        var o = _options;
        var v = Math.Max(input.Speed, 0.0);
        var d = input.DistanceToStopLine;
        var phase = input.Signal.Phase;
        if (phase == SignalPhase.Amber && _lastPhase != SignalPhase.Amber)
        {
            _amberSeenAt = input.Now;
        }

        _lastPhase = phase;
        var required = RequiredDeceleration(d, v);

        if (!double.IsFinite(d) || !double.IsFinite(v))
        {
            // Garbage in: fail closed with the hardest planned braking.
            return Decide(StopLineState.Stopping, StopLineReason.UnknownSignal, -o.MaxDeceleration, required);
        }

        if (d <= 0 || State == StopLineState.Passed)
        {
            return Decide(StopLineState.Passed, StopLineReason.PassedStopLine, double.PositiveInfinity, required);
        }

        if (State == StopLineState.Committed && phase != SignalPhase.Green)
        {
            // Committed on amber: keep going (a red now means the estimate was off; stopping in the junction is worse).
            return Decide(StopLineState.Committed, Reason, double.PositiveInfinity, required);
        }

        switch (phase)
        {
            case SignalPhase.Green:
                if (GreenEndsBeforeArrival(input, v) && required <= o.ComfortDeceleration && State != StopLineState.Committed)
                {
                    return Stop(StopLineReason.GreenEndsBeforeArrival, d, v, required);
                }

                return Decide(StopLineState.Free, StopLineReason.Green, double.PositiveInfinity, required);

            case SignalPhase.Amber:
                if (State is StopLineState.Stopping or StopLineState.Holding)
                {
                    return Stop(Reason == StopLineReason.GreenEndsBeforeArrival ? StopLineReason.AmberAbleToStop : Reason, d, v, required);
                }

                if (required <= o.ComfortDeceleration)
                {
                    return Stop(StopLineReason.AmberAbleToStop, d, v, required);
                }

                if (CanPassBeforeRed(input, v))
                {
                    return Decide(StopLineState.Committed, StopLineReason.AmberCommitted, double.PositiveInfinity, required);
                }

                return required <= o.MaxDeceleration
                    ? Stop(StopLineReason.DilemmaStop, d, v, required)
                    : Decide(StopLineState.Committed, StopLineReason.DilemmaGo, double.PositiveInfinity, required);

            case SignalPhase.Red:
                if (required > o.MaxDeceleration && State != StopLineState.Stopping && State != StopLineState.Holding)
                {
                    return Decide(StopLineState.Committed, StopLineReason.CannotStopForRed, double.PositiveInfinity, required);
                }

                return Stop(StopLineReason.Red, d, v, required);

            default:
                return Stop(StopLineReason.UnknownSignal, d, v, required);
        }
    }

    /// <summary>Constant deceleration that stops the front at the stop line minus the margin after the reaction time; +∞ when it cannot.</summary>
    public double RequiredDeceleration(double distance, double speed)
    {
        var v = Math.Max(speed, 0.0);
        if (v < _options.StandstillSpeed)
        {
            return distance - _options.StopMargin > -Epsilon ? 0.0 : double.PositiveInfinity;
        }

        var room = distance - _options.StopMargin - (v * _options.ReactionTime);
        return room <= Epsilon ? double.PositiveInfinity : v * v / (2 * room);
    }

    private StopLineDecision Stop(StopLineReason reason, double d, double v, double required)
    {
        var o = _options;
        var room = d - o.StopMargin;
        if (v < o.StandstillSpeed && room < 2.0)
        {
            return Decide(StopLineState.Holding, reason, -o.HoldDeceleration, required);
        }

        // The control law: the constant deceleration that stops at the line from here (no reaction term: the command
        // is applied now), applied once it reaches the onset; before that nothing binds (the truck drives on as a
        // driver would; slowing early to catch the green is GLOSA's business).
        double limit;
        if (room <= Epsilon)
        {
            limit = -o.MaxDeceleration;
        }
        else
        {
            var a = v * v / (2 * room);
            limit = a >= o.BrakeOnset ? -Math.Min(a, o.MaxDeceleration) : double.PositiveInfinity;
        }

        return Decide(StopLineState.Stopping, reason, limit, required);
    }

    private bool GreenEndsBeforeArrival(in StopLineInput input, double v)
    {
        var t = input.Signal.Timing;
        if (!t.HasEndTimes || v < _options.AnticipationSpeed)
        {
            return false;
        }

        // Only a green that certainly ends before arrival is a planned stop: the latest end (an actuated green is
        // extended by the approaching trucks themselves, and a platoon leader may hold it with a priority request). A
        // green that ends earlier than that turns amber in front of the truck, and the amber rule decides.
        var redStart = t.MaxEnd + _options.AssumedAmber;
        return input.Now + ArrivalTime(input.DistanceToStopLine, v) > redStart - _options.PassMargin;
    }

    private bool CanPassBeforeRed(in StopLineInput input, double v)
    {
        var t = input.Signal.Timing;
        var redStart = t.HasEndTimes
            ? t.MinEnd
            : (double.IsNaN(_amberSeenAt) ? input.Now : _amberSeenAt) + _options.AssumedAmber;
        return input.Now + ArrivalTime(input.DistanceToStopLine, v) <= redStart - _options.PassMargin;
    }

    private static double ArrivalTime(double distance, double v) => v > Epsilon ? distance / v : double.PositiveInfinity;

    private StopLineDecision Decide(StopLineState state, StopLineReason reason, double limit, double required)
    {
        State = state;
        Reason = reason;
        return new StopLineDecision(state, reason, limit, required);
    }
}
