namespace AutomationStack.Tracking;

/// <summary>Tuning of <see cref="RadarTracker"/>. SI units (m, s, rad).</summary>
public sealed record TrackerOptions
{
    /// <summary>Radar range noise (1 sigma), m.</summary>
    public double RangeStdDev { get; init; } = 0.5;

    /// <summary>Radar range-rate noise (1 sigma), m/s.</summary>
    public double RangeRateStdDev { get; init; } = 0.2;

    /// <summary>Radar azimuth noise (1 sigma), rad.</summary>
    public double AzimuthStdDev { get; init; } = 0.005;

    /// <summary>Association gate on the squared Mahalanobis distance of (range, azimuth, range rate); 11.34 = χ²(3 dof, 99 %).</summary>
    public double GateThreshold { get; init; } = 11.34;

    /// <summary>M of the M-of-N confirmation rule: hits needed within the window.</summary>
    public int ConfirmationHits { get; init; } = 3;

    /// <summary>N of the M-of-N confirmation rule: window length, frames (1..32).</summary>
    public int ConfirmationWindow { get; init; } = 5;

    /// <summary>A confirmed track is deleted after this many consecutive misses.</summary>
    public int MaxConsecutiveMisses { get; init; } = 5;

    /// <summary>A tentative track is deleted after this many consecutive misses.</summary>
    public int TentativeMaxMisses { get; init; } = 2;

    /// <summary>Capacity of the track pool; detections that would open more tracks are dropped.</summary>
    public int MaxTracks { get; init; } = 32;

    /// <summary>Detections per frame beyond this count are dropped (counted).</summary>
    public int MaxDetections { get; init; } = 64;

    /// <summary>Detections beyond this range are rejected, m.</summary>
    public double MaxRange { get; init; } = 250.0;

    /// <summary>Longitudinal jerk process noise (spectral density), m²/s⁵.</summary>
    public double JerkNoise { get; init; } = 1.0;

    /// <summary>Lateral acceleration process noise (spectral density), m²/s³.</summary>
    public double LateralAccelerationNoise { get; init; } = 0.2;

    /// <summary>Correlation time of the target acceleration (Singer model): it decays toward 0 with this time constant, s.</summary>
    public double AccelerationTimeConstant { get; init; } = 3.0;

    /// <summary>Initial uncertainty of a new track's absolute speed beyond the range-rate noise (1 sigma), m/s.</summary>
    public double InitialSpeedStdDev { get; init; } = 1.0;

    /// <summary>Initial uncertainty of a new track's acceleration (1 sigma), m/s².</summary>
    public double InitialAccelerationStdDev { get; init; } = 1.5;

    /// <summary>Initial uncertainty of a new track's lateral speed (1 sigma), m/s.</summary>
    public double InitialLateralSpeedStdDev { get; init; } = 1.0;

    /// <summary>Frame intervals ≤ 0 or above this drop all tracks, s.</summary>
    public double MaxFrameInterval { get; init; } = 1.0;

    public static TrackerOptions Default { get; } = new();
}
