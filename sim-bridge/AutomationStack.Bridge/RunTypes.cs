using AutomationStack.Bridge.Protocol;

namespace AutomationStack.Bridge;

/// <summary>How a run is hosted. Wall-clock values here never reach the recording.</summary>
public sealed record BridgeRunOptions
{
    /// <summary>Where the MCAP recording goes; the run writes and finishes it but does not close it.</summary>
    public required Stream Recording { get; init; }

    /// <summary>Called about every <see cref="ProgressInterval"/> of wall time from the step loop.</summary>
    public Action<RunProgress>? Progress { get; init; }

    public TimeSpan ProgressInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Human-readable notices (attach, failure). Not recorded; the recording gets /events instead.</summary>
    public Action<string>? Notice { get; init; }

    /// <summary>Extra metadata written into the recording (must be deterministic for a deterministic log).</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    /// <summary>
    /// Where a SUMO-backed run keeps SUMO's network, routes and logs (kept after the run); null: a temporary folder,
    /// deleted afterwards.
    /// </summary>
    public string? SumoWorkFolder { get; init; }
}

/// <summary>The simulator backend could not start or failed during the run (SUMO missing, dead, or answering garbage).</summary>
public sealed class SimulatorBackendException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>Progress of a run in simulated and wall time.</summary>
public readonly record struct RunProgress(long Frame, double SimulatedTime, double Duration, double RealTimeFactor);

/// <summary>Connection facts of one stack truck (wall-clock dependent: reported in kpi.json, not in the log).</summary>
public sealed record VehicleRunStats(
    string VehicleId,
    bool Failed,
    string FailureReason,
    double FailureTime,
    int MissedFrames,
    int LateFrames,
    int StaleCommands,
    long FramesAnswered);

/// <summary>Where the loop's wall time went, per physics step and per vehicle frame, µs.</summary>
public sealed record StepTimings(
    double LoopPerStep,
    double PhysicsPerStep,
    double RecordingPerStep,
    double ExchangePerVehicleFrame,
    double BridgeOverheadPerVehicleStep,
    long VehicleFrames,
    long Steps,
    double LidarPerScan = 0,
    long LidarScans = 0,
    double CameraPerImage = 0,
    long CameraImages = 0,
    long CameraImagesRecorded = 0);

/// <summary>Everything a finished run reports.</summary>
public sealed record RunResult(
    KpiSummary Kpi,
    IReadOnlyList<VehicleRunStats> Vehicles,
    double WallSeconds,
    double RealTimeFactor,
    StepTimings Timings,
    long RecordedMessages,
    bool Cancelled)
{
    /// <summary>StreamGroundTruth subscriptions during the run (the vehicle processes never open one).</summary>
    public int GroundTruthSubscriptions { get; init; }

    /// <summary>
    /// Why writing the log failed (the run stopped there; the file holds what was written before, readable up to its
    /// last complete chunk, without a summary: <c>recover</c> rebuilds it); null otherwise.
    /// </summary>
    public string? RecordingFailure { get; init; }

    /// <summary>Why the run stopped early because its simulator backend failed; null otherwise.</summary>
    public string? BackendFailure { get; init; }

    /// <summary>The SUMO coupling's counters (backend sumo), else null.</summary>
    public Sumo.SumoCouplingStats? Sumo { get; init; }
}
