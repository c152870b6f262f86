namespace AutomationStack.Localization;

/// <summary>Tuning of <see cref="EgoStateEstimator"/>. All values SI (m, s, rad).</summary>
public sealed record EstimatorOptions
{
    /// <summary>GNSS horizontal position noise (1 sigma, per axis), m.</summary>
    public double GnssPositionStdDev { get; init; } = 0.5;

    /// <summary>GNSS heading noise (1 sigma), rad.</summary>
    public double GnssHeadingStdDev { get; init; } = 0.02;

    /// <summary>Wheel-odometry speed noise (1 sigma), m/s.</summary>
    public double SpeedStdDev { get; init; } = 0.1;

    /// <summary>IMU longitudinal acceleration noise (1 sigma), m/s².</summary>
    public double AccelerationStdDev { get; init; } = 0.3;

    /// <summary>Position random-walk process noise (spectral density), m²/s. Covers slip and model errors.</summary>
    public double PositionProcessNoise { get; init; } = 0.05;

    /// <summary>Heading random-walk process noise (spectral density), rad²/s. Covers yaw-rate bias.</summary>
    public double HeadingProcessNoise { get; init; } = 1e-4;

    /// <summary>Jerk process noise for the speed/acceleration filter (spectral density), m²/s⁵.</summary>
    public double JerkProcessNoise { get; init; } = 2.0;

    /// <summary>Time constant of the yaw-rate low-pass filter, s.</summary>
    public double YawRateTimeConstant { get; init; } = 0.1;

    /// <summary>Above this 1-sigma position uncertainty (dead reckoning without GNSS) the pose is reported invalid, m.</summary>
    public double MaxPositionStdDev { get; init; } = 5.0;

    /// <summary>Largest accepted interval between two frames; longer gaps re-initialise the filter, s.</summary>
    public double MaxFrameInterval { get; init; } = 1.0;

    public static EstimatorOptions Default { get; } = new();
}
