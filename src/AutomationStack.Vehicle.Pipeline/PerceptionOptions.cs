using AutomationStack.Tracking;

namespace AutomationStack.Vehicle.Pipeline;

/// <summary>
/// The lidar perception stage (off by default): with <see cref="Lidar"/> the lead comes from the ONNX object detector's
/// boxes, tracked by <see cref="MultiObjectTracker"/> and selected in the ego lane; the radar tracker keeps running as
/// the fallback. A detector fault or no scan for <see cref="MaxScanAge"/> degrades to radar-only ACC with at least
/// <see cref="FallbackTimeGap"/>; <see cref="RecoveryScans"/> good scans in a row restore it.
/// </summary>
public sealed record PerceptionOptions
{
    /// <summary>Lead from the lidar detector and tracker instead of the radar.</summary>
    public bool Lidar { get; init; }

    /// <summary>Classify the map's signal heads in the front camera's images (needs the camera and a classifier from the host).</summary>
    public bool CameraLights { get; init; }

    /// <summary>Heads farther ahead than this are not classified, m.</summary>
    public double LightRange { get; init; } = 90.0;

    /// <summary>Detections below this score are not passed to the tracker (the detector's operating point).</summary>
    public double ScoreThreshold { get; init; } = 0.3;

    /// <summary>Smallest ACC time gap while perception is degraded (radar only), s.</summary>
    public double FallbackTimeGap { get; init; } = 2.5;

    /// <summary>A scan older than this (no new scan) is a perception fault, s.</summary>
    public double MaxScanAge { get; init; } = 0.35;

    /// <summary>Good scans in a row that end a degradation (and the start-up), scans.</summary>
    public int RecoveryScans { get; init; } = 10;

    /// <summary>Scans a lidar track must have been tracked before it can be the lead without radar support, scans.</summary>
    public int MinLeadAge { get; init; } = 6;

    /// <summary>Largest wall-clock time of one inference, s; 0 = none. Only for real trucks: a deadline read from the
    /// wall clock makes a simulated run depend on the machine whenever it is missed.</summary>
    public double Deadline { get; init; }

    /// <summary>Gap beyond which the lidar grid cannot see a lead (its x range ends 80 m ahead of the centre), so a
    /// radar lead further away is used when the lidar has none, m.</summary>
    public double LidarRange { get; init; } = 65.0;

    /// <summary>The lidar track ↔ predecessor PCM association gate: |gap difference| ≤ this + 15 % of the PCM gap, m.</summary>
    public double FusionGapGate { get; init; } = 3.0;

    /// <summary>The association's speed gate, m/s.</summary>
    public double FusionSpeedGate { get; init; } = 3.0;

    /// <summary>The lidar object tracker: 3 of 4 scans confirm a track (a detector's one-off false box never becomes a lead).</summary>
    public ObjectTrackerOptions Tracker { get; init; } = ObjectTrackerOptions.Default with { ConfirmationHits = 3, ConfirmationWindow = 4 };

    public CutInOptions CutIn { get; init; } = CutInOptions.Default;

    public static PerceptionOptions Default { get; } = new();
}
