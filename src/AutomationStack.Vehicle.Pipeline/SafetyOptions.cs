namespace AutomationStack.Vehicle.Pipeline;

/// <summary>Supervision and fallback behaviour of <see cref="VehiclePipeline"/>. SI units.</summary>
public sealed record SafetyOptions
{
    /// <summary>Deceleration of the guard's safe command that replaces a non-finite request, m/s².</summary>
    public double SafeStopDeceleration { get; init; } = 3.0;

    /// <summary>Deceleration requested in Initializing and Degraded (gentle stop), m/s².</summary>
    public double DegradedDeceleration { get; init; } = 1.5;

    /// <summary>Deceleration requested in MinimalRisk (brake to standstill), m/s².</summary>
    public double MinimalRiskDeceleration { get; init; } = 3.0;

    /// <summary>How long the estimate may stay invalid in Active before EstimateLost, s.</summary>
    public double EstimateLossTolerance { get; init; } = 0.5;

    /// <summary>Time in Degraded before DegradedTimeout (→ MinimalRisk), s.</summary>
    public double DegradedTimeout { get; init; } = 10.0;

    /// <summary>Healthy time (valid estimate, fresh inputs, no fault) in Degraded before Recovered, s.</summary>
    public double RecoveryTime { get; init; } = 1.0;

    /// <summary>Ego measurements older than this relative to the frame stamp are stale, s.</summary>
    public double MaxMeasurementAge { get; init; } = 0.25;

    /// <summary>
    /// Deceleration requested while the radar is down (or back for less than <see cref="RecoveryTime"/>) and no other
    /// source (lidar perception, a fresh predecessor PCM) tells what is ahead: an empty road is not assumed, m/s².
    /// </summary>
    public double SensorLossDeceleration { get; init; } = 1.0;

    /// <summary>
    /// How fast the ACC time gap opens while the radar is replaced by V2V or is just back (from the gap in force when
    /// the fallback began to <c>acc.time_gap</c>), s per s.
    /// </summary>
    public double FallbackGapRate { get; init; } = 0.1;

    public static SafetyOptions Default { get; } = new();
}
