namespace AutomationStack.Planning;

/// <summary>The state of a signal group as the vehicle believes it (SPaT, camera, or both fused).</summary>
public enum SignalPhase
{
    /// <summary>No usable information (no SPaT, head not seen or classified unknown).</summary>
    Unknown = 0,
    Red = 1,
    Amber = 2,
    Green = 3,
}

/// <summary>
/// A signal group's current phase and when it ends, in simulated seconds since the start of the run, as SPaT gives
/// them: the earliest (<see cref="MinEnd"/>), the latest (<see cref="MaxEnd"/>) and the likely end
/// (<see cref="LikelyEnd"/>, with <see cref="Confidence"/> in [0, 1]). An end that is not known is +∞.
/// </summary>
public readonly record struct SignalTiming(SignalPhase Phase, double MinEnd, double MaxEnd, double LikelyEnd, double Confidence)
{
    /// <summary>A phase with no end-time information (e.g. the camera's reading alone).</summary>
    public static SignalTiming Untimed(SignalPhase phase) =>
        new(phase, double.PositiveInfinity, double.PositiveInfinity, double.PositiveInfinity, 0);

    /// <summary>True when the end times are usable: finite, ordered min ≤ likely ≤ max.</summary>
    public bool HasEndTimes =>
        double.IsFinite(MinEnd) && double.IsFinite(MaxEnd) && double.IsFinite(LikelyEnd)
        && MinEnd <= LikelyEnd && LikelyEnd <= MaxEnd;
}
