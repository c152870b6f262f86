namespace AutomationStack.Control;

/// <summary>
/// Tuning of <see cref="AccController"/> (constant time-gap policy). Default gains: k_gap = 0.2 s⁻², k_speed = 0.7 s⁻¹,
/// k_acc = 0.3. For a truck with first-order actuator lag τ = 0.3 s and time gap h = 1.5 s the linear
/// lead-to-follower transfer function G(s) = (k_acc s² + k_speed s + k_gap) / (τ s³ + s² + (k_speed + k_gap h) s + k_gap)
/// satisfies |G(jω)| ≤ 1 for all ω (string stable): the conditions are
/// 2·h·k_speed + k_gap·h² ≥ 2·(1 − k_acc) and 1 − k_acc² ≥ 2·τ·(k_speed + k_gap·h) (sufficient);
/// with the defaults 2.55 ≥ 1.4 and 0.91 ≥ 0.6.
/// </summary>
public sealed record AccOptions
{
    /// <summary>Time gap h of the spacing policy, s.</summary>
    public double TimeGap { get; init; } = 1.5;

    /// <summary>Gap kept at standstill s0, m (bumper to rear).</summary>
    public double StandstillGap { get; init; } = 5.0;

    /// <summary>Gap the collision-avoidance term protects, m.</summary>
    public double MinimumGap { get; init; } = 2.0;

    /// <summary>The collision-avoidance term takes over only when its kinematic deceleration exceeds this, m/s².</summary>
    public double CollisionAvoidanceActivation { get; init; } = 0.5;

    /// <summary>Added to the driver's set speed, m/s.</summary>
    public double SetSpeedOffset { get; init; }

    /// <summary>k_gap: acceleration per metre of gap error, 1/s².</summary>
    public double GapGain { get; init; } = 0.2;

    /// <summary>k_speed: acceleration per m/s of speed difference to the lead, 1/s.</summary>
    public double SpeedGain { get; init; } = 0.7;

    /// <summary>k_acc: feed-forward of the lead's acceleration (dimensionless).</summary>
    public double LeadAccelerationGain { get; init; } = 0.3;

    /// <summary>Cruise P gain: acceleration per m/s of set-speed error, 1/s.</summary>
    public double CruiseGain { get; init; } = 0.3;

    /// <summary>Comfort acceleration limit outside emergencies, m/s².</summary>
    public double ComfortAcceleration { get; init; } = 1.2;

    /// <summary>Comfort deceleration limit outside emergencies (positive), m/s².</summary>
    public double ComfortDeceleration { get; init; } = 3.0;

    /// <summary>Jerk limit when the request rises (less braking / more throttle), m/s³.</summary>
    public double MaxJerk { get; init; } = 2.5;

    /// <summary>Jerk limit when the request falls (more braking), m/s³. Not applied in collision avoidance.</summary>
    public double MaxBrakeJerk { get; init; } = 5.0;

    public static AccOptions Default { get; } = new();
}
