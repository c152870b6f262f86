using AutomationStack.Contracts;
using AutomationStack.Simulation.Camera;

namespace AutomationStack.Simulation;

/// <summary>Noise and availability of the ego GNSS/IMU/odometry unit (1-σ values, SI units).</summary>
public sealed record EgoSensorOptions
{
    /// <summary>GNSS horizontal position noise per axis, m.</summary>
    public double GnssPositionNoise { get; init; } = 0.3;

    /// <summary>GNSS/INS heading noise, rad.</summary>
    public double GnssHeadingNoise { get; init; } = 0.005;

    /// <summary>Probability that a frame has no GNSS fix (GnssValid = false).</summary>
    public double GnssDropoutProbability { get; init; }

    /// <summary>Wheel-odometry speed noise, m/s.</summary>
    public double OdometrySpeedNoise { get; init; } = 0.05;

    /// <summary>IMU longitudinal acceleration noise, m/s².</summary>
    public double ImuAccelerationNoise { get; init; } = 0.05;

    /// <summary>IMU yaw-rate noise, rad/s.</summary>
    public double ImuYawRateNoise { get; init; } = 0.002;
}

/// <summary>Forward radar model, mounted at the front bumper on the centreline.</summary>
public sealed record RadarOptions
{
    /// <summary>Maximum range, m.</summary>
    public double MaxRange { get; init; } = 200;

    /// <summary>Half of the horizontal field of view, rad.</summary>
    public double HalfFieldOfView { get; init; } = 0.16;

    /// <summary>Range noise, m (1 σ).</summary>
    public double RangeNoise { get; init; } = 0.15;

    /// <summary>Range-rate noise, m/s (1 σ).</summary>
    public double RangeRateNoise { get; init; } = 0.1;

    /// <summary>Azimuth noise, rad (1 σ).</summary>
    public double AzimuthNoise { get; init; } = 0.002;

    /// <summary>Probability that a visible object is detected in a given frame.</summary>
    public double DetectionProbability { get; init; } = 0.95;
}

/// <summary>
/// Rotating lidar on the cab roof of each stack truck (when <see cref="Enabled"/>): <see cref="Beams"/> beams with
/// elevations spaced linearly from <see cref="MinElevation"/> to <see cref="MaxElevation"/>, a full 360° sweep in
/// steps of <see cref="AzimuthResolution"/>, one scan every <see cref="PeriodSteps"/> physics steps. Mounted
/// <see cref="MountBehindFront"/> behind the front of the body on its centreline, <see cref="MountAboveRoof"/>
/// above its height. Angles rad, lengths m.
/// </summary>
public sealed record LidarOptions
{
    /// <summary>Whether stack trucks carry the lidar; off by default so existing scenarios and logs are unchanged.</summary>
    public bool Enabled { get; init; }

    /// <summary>Number of beams (rows), at least 1.</summary>
    public int Beams { get; init; } = 32;

    /// <summary>Elevation of the lowest beam, rad (negative = down).</summary>
    public double MinElevation { get; init; } = -15.0 * Math.PI / 180.0;

    /// <summary>Elevation of the highest beam, rad.</summary>
    public double MaxElevation { get; init; } = 5.0 * Math.PI / 180.0;

    /// <summary>Azimuth step, rad; the sweep has round(2π / step) columns.</summary>
    public double AzimuthResolution { get; init; } = 0.4 * Math.PI / 180.0;

    /// <summary>Largest range that returns a point, m.</summary>
    public double MaxRange { get; init; } = 120;

    /// <summary>Range noise, m (1 σ, Gaussian).</summary>
    public double RangeNoise { get; init; } = 0.02;

    /// <summary>Probability that a ray's return is lost.</summary>
    public double Dropout { get; init; } = 0.01;

    /// <summary>A scan every this many physics steps (10 = 10 Hz at the default 10 ms step).</summary>
    public int PeriodSteps { get; init; } = 10;

    /// <summary>Distance of the sensor behind the front of the body, m.</summary>
    public double MountBehindFront { get; init; } = 1.0;

    /// <summary>Height of the sensor above the body's height, m.</summary>
    public double MountAboveRoof { get; init; } = 0.3;

    /// <summary>
    /// Record every this many scans of a truck in the log (1 = all, 0 = none; default 10 = one a second at 10 Hz): a
    /// scan is about 130 kB packed, 10 Hz for three trucks would be about 4 MB per simulated second. The vehicles
    /// always get every scan.
    /// </summary>
    public int RecordEvery { get; init; } = 10;
}

/// <summary>
/// Front camera behind the windscreen of each stack truck (when <see cref="Enabled"/>): a pinhole camera of
/// <see cref="Width"/> × <see cref="Height"/> pixels and <see cref="HorizontalFov"/>, looking along the vehicle's
/// heading, <see cref="MountBehindFront"/> behind the front of the body on its centreline, <see cref="MountHeight"/>
/// above the ground, pitched down by <see cref="Pitch"/>; one image every <see cref="PeriodSteps"/> physics steps,
/// rendered by <see cref="CameraRenderer"/>. Angles rad, lengths m.
/// </summary>
public sealed record CameraOptions
{
    /// <summary>Whether stack trucks carry the camera; off by default so existing scenarios and logs are unchanged.</summary>
    public bool Enabled { get; init; }

    /// <summary>Image width, pixels.</summary>
    public int Width { get; init; } = 800;

    /// <summary>Image height, pixels.</summary>
    public int Height { get; init; } = 450;

    /// <summary>
    /// Horizontal field of view, rad. 45° at 800 px gives a focal length of 966 px: a signal head's 1 m housing is
    /// 12 px tall at 80 m (the smallest crop the classifier's data set keeps) and 48 px at 20 m.
    /// </summary>
    public double HorizontalFov { get; init; } = 45.0 * Math.PI / 180.0;

    /// <summary>An image every this many physics steps (10 = 10 Hz at the default 10 ms step).</summary>
    public int PeriodSteps { get; init; } = 10;

    /// <summary>Distance of the camera behind the front of the body, m.</summary>
    public double MountBehindFront { get; init; } = 0.3;

    /// <summary>Height of the camera above the ground, m.</summary>
    public double MountHeight { get; init; } = 2.5;

    /// <summary>Pitch of the optical axis, rad (positive looks down).</summary>
    public double Pitch { get; init; }

    /// <summary>Gaussian pixel noise, standard deviation on the 0–255 scale.</summary>
    public double NoiseSigma { get; init; } = 2.0;

    /// <summary>Sun, ambient light, exposure and glare.</summary>
    public Lighting Lighting { get; init; } = Lighting.Default;

    /// <summary>
    /// Replace <see cref="Lighting"/> by one seeded draw per run (from the world seed): sun azimuth and elevation,
    /// ambient, exposure and glare (ranges in the README).
    /// </summary>
    public bool RandomLighting { get; init; }

    /// <summary>Vehicles, posts and heads farther than this from the camera are not drawn, m.</summary>
    public double MaxDistance { get; init; } = 300;

    /// <summary>
    /// The bridge records every this many images per truck (1 = all, 0 = none); the default keeps one image per
    /// second at 10 Hz. Not used by the world.
    /// </summary>
    public int RecordEvery { get; init; } = 10;
}

/// <summary>
/// V2X channel model: single-hop broadcast on one shared medium. A message from a sender reaches every other vehicle
/// within <see cref="Range"/> at send time unless its link loses it (independent loss, and Gilbert–Elliott burst
/// loss per directed link). It arrives after <see cref="Latency"/> (an idle channel's end-to-end latency) plus a
/// jitter drawn per link plus the time it waits for the medium behind earlier messages (one message on the air at a
/// time, airtime = (payload + overhead) × 8 / data rate), rounded up to whole physics steps (≥ 1).
/// </summary>
public sealed record V2xChannelOptions
{
    /// <summary>ITS-G5 default data rate, bit/s.</summary>
    public const double ItsG5DataRate = 6e6;

    /// <summary>Communication range, m (per link: sender to receiver distance at send time).</summary>
    public double Range { get; init; } = 300;

    /// <summary>End-to-end latency on an idle channel, s (access, airtime of the message, processing), before jitter.</summary>
    public double Latency { get; init; } = 0.02;

    /// <summary>Latency jitter, s: the width of a uniform, or the mean of an exponential, added to <see cref="Latency"/>.</summary>
    public double LatencyJitter { get; init; }

    /// <summary>How the jitter is drawn.</summary>
    public JitterDistribution JitterDistribution { get; init; } = JitterDistribution.Uniform;

    /// <summary>Independent per-link loss probability (on top of burst loss).</summary>
    public double LossProbability { get; init; }

    /// <summary>Burst loss per directed link, null for none.</summary>
    public GilbertElliott? Burst { get; init; }

    /// <summary>Channel data rate, bit/s.</summary>
    public double DataRate { get; init; } = ItsG5DataRate;

    /// <summary>Bytes added to every payload on the air (MAC/PHY headers, security trailer not included).</summary>
    public int OverheadBytes { get; init; } = 50;
}

/// <summary>How V2X latency jitter is drawn.</summary>
public enum JitterDistribution
{
    /// <summary>Uniform in [0, jitter].</summary>
    Uniform,

    /// <summary>Exponential with mean jitter.</summary>
    Exponential,
}

/// <summary>
/// Gilbert–Elliott two-state burst-loss model of one directed link: before each message the link moves Good→Bad
/// with <see cref="GoodToBad"/> and Bad→Good with <see cref="BadToGood"/>; the message is lost with
/// <see cref="LossInGood"/> or <see cref="LossInBad"/>. Mean burst length = 1 / BadToGood messages.
/// </summary>
public sealed record GilbertElliott(double GoodToBad, double BadToGood, double LossInGood = 0, double LossInBad = 1);

/// <summary>Intelligent-driver-model parameters for background vehicles.</summary>
public sealed record IdmParameters
{
    /// <summary>Desired speed, m/s.</summary>
    public double DesiredSpeed { get; init; } = 30;

    /// <summary>Safe time headway, s.</summary>
    public double TimeHeadway { get; init; } = 1.5;

    /// <summary>Minimum gap at standstill, m.</summary>
    public double MinimumGap { get; init; } = 2.0;

    /// <summary>Maximum acceleration, m/s².</summary>
    public double MaxAcceleration { get; init; } = 1.5;

    /// <summary>Comfortable deceleration (positive), m/s².</summary>
    public double ComfortDeceleration { get; init; } = 2.0;

    /// <summary>Acceleration exponent (dimensionless).</summary>
    public double Exponent { get; init; } = 4.0;

    /// <summary>
    /// Stop at the stop lines of signal controllers on its lane: red, or amber when it can stop within
    /// <see cref="ComfortDeceleration"/> (the stop line is a standing leader, 1 m before it).
    /// </summary>
    public bool ObeySignals { get; init; } = true;

    /// <summary>At the end of its lane the vehicle re-enters at the lane's start (a shuttle, e.g. an AGV on its lane).</summary>
    public bool Loop { get; init; }
}

/// <summary>World-wide simulation options.</summary>
public sealed record WorldOptions
{
    /// <summary>Physics step, s.</summary>
    public double StepLength { get; init; } = 0.01;

    public EgoSensorOptions Ego { get; init; } = new();

    public RadarOptions Radar { get; init; } = new();

    public V2xChannelOptions V2x { get; init; } = new();

    public LidarOptions Lidar { get; init; } = new();

    public CameraOptions Camera { get; init; } = new();

    /// <summary>Deceleration of the minimal-risk stop the bridge performs for a truck whose vehicle process failed, m/s².</summary>
    public double MinimalRiskDeceleration { get; init; } = 3.0;

    /// <summary>Air density for drag, kg/m³.</summary>
    public double AirDensity { get; init; } = 1.2;

    /// <summary>Drag reduction of a follower at zero bumper gap (dimensionless, 0..1); see the README drafting model.</summary>
    public double DraftingMaxReduction { get; init; } = 0.35;

    /// <summary>Bumper gap beyond which drafting has no effect, m.</summary>
    public double DraftingRange { get; init; } = 40;
}

/// <summary>Body of a background vehicle (a passenger car by default).</summary>
public static class BackgroundBodies
{
    public static TruckParameters Car { get; } = new()
    {
        Mass = 1500,
        Length = 4.6,
        Width = 1.9,
        Height = 1.5,
        Category = VehicleCategory.Car,
        Wheelbase = 2.8,
        RearAxleToCentre = 1.4,
        MaxAcceleration = 3.0,
        MaxDeceleration = 8.0,
        ActuatorTimeConstant = 0.2,
        MaxSteeringAngle = 0.6,
        MaxSteeringRate = 0.8,
        FrontalArea = 2.2,
        DragCoefficient = 0.3,
        RollingResistance = 0.01,
        MaxPower = 100_000,
    };

    /// <summary>
    /// Port automated guided vehicle (container carrier, empty platform): 14.8 m × 3.0 m × 2.0 m, 25 t, electric,
    /// slow (about 6 m/s top speed by its power and resistance), gentle acceleration and braking.
    /// </summary>
    public static TruckParameters Agv { get; } = new()
    {
        Mass = 25_000,
        Length = 14.8,
        Width = 3.0,
        Height = 2.0,
        Category = VehicleCategory.Agv,
        Wheelbase = 8.0,
        RearAxleToCentre = 0.0,
        MaxAcceleration = 0.5,
        MaxDeceleration = 2.5,
        ActuatorTimeConstant = 0.4,
        MaxSteeringAngle = 0.5,
        MaxSteeringRate = 0.3,
        FrontalArea = 6.0,
        DragCoefficient = 0.8,
        RollingResistance = 0.01,
        MaxPower = 16_000,
    };
}
