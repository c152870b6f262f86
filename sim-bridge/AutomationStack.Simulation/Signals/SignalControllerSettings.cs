namespace AutomationStack.Simulation;

/// <summary>How a <see cref="SignalController"/> ends a stage's green.</summary>
public enum SignalControlMode
{
    /// <summary>Every stage's green lasts its <see cref="SignalStage.MinGreen"/> (= its fixed green); detectors are not used.</summary>
    FixedTime,

    /// <summary>
    /// Vehicle-actuated: a green lasts at least <see cref="SignalStage.MinGreen"/> and at most
    /// <see cref="SignalStage.MaxGreen"/>, and ends earlier (gap-out) once no vehicle has occupied the stage's detectors
    /// for <see cref="SignalStage.Passage"/>.
    /// </summary>
    Actuated,

    /// <summary>
    /// Another simulator runs the program (SUMO's traffic-light logic): states and SPaT timings are set from outside
    /// each step (<see cref="SignalController.SetExternalTiming"/>); no priority. Not a scenario choice.
    /// </summary>
    External,
}

/// <summary>
/// One stage of a signal cycle: the signal groups that are green together. Durations in s. Fixed-time:
/// <paramref name="MinGreen"/> is the green; <paramref name="MaxGreen"/> (≥ it) bounds a priority extension only.
/// Actuated: minimum green, maximum green and passage time (gap-out).
/// </summary>
public sealed record SignalStage(IReadOnlyList<int> Groups, double MinGreen, double MaxGreen, double Passage);

/// <summary>
/// The parameters of one intersection's controller (scenario <c>signal_controllers</c>). Durations in s, distances in m.
/// </summary>
public sealed record SignalControllerSettings
{
    /// <summary>Default amber (yellow) time, s.</summary>
    public const double DefaultAmber = 3.0;

    /// <summary>Default all-red clearance between stages, s.</summary>
    public const double DefaultAllRed = 2.0;

    /// <summary>Default distance of a detector's downstream edge upstream of the stop line, m.</summary>
    public const double DefaultDetectorDistance = 40.0;

    /// <summary>Default detector (loop) length along the lane, m.</summary>
    public const double DefaultDetectorLength = 2.0;

    /// <summary>Fixed-time or actuated.</summary>
    public SignalControlMode Mode { get; init; } = SignalControlMode.FixedTime;

    /// <summary>The cycle's stages in order (at least two).</summary>
    public IReadOnlyList<SignalStage> Stages { get; init; } = [];

    /// <summary>Amber after every green, s.</summary>
    public double Amber { get; init; } = DefaultAmber;

    /// <summary>All-red after every amber, s.</summary>
    public double AllRed { get; init; } = DefaultAllRed;

    /// <summary>Distance from the stop line upstream to the detector's downstream edge, m (actuated).</summary>
    public double DetectorDistance { get; init; } = DefaultDetectorDistance;

    /// <summary>Detector length along the lane, m (actuated).</summary>
    public double DetectorLength { get; init; } = DefaultDetectorLength;

    /// <summary>Whether priority requests are considered (otherwise every request is rejected as disabled).</summary>
    public bool Priority { get; init; } = true;
}
