using System.Globalization;
using AutomationStack.Control;
using AutomationStack.Localization;
using AutomationStack.Tracking;

namespace AutomationStack.Vehicle.Pipeline;

/// <summary>All tuning of <see cref="VehiclePipeline"/>, with defaults. Bind from session parameters with <see cref="FromParameters"/>.</summary>
public sealed record PipelineOptions
{
    public AccOptions Acc { get; init; } = AccOptions.Default;

    public LaneKeepingOptions LaneKeeping { get; init; } = LaneKeepingOptions.Default;

    public TrackerOptions Tracker { get; init; } = TrackerOptions.Default;

    public LeadSelectorOptions Lead { get; init; } = LeadSelectorOptions.Default;

    public EstimatorOptions Estimator { get; init; } = EstimatorOptions.Default;

    public SafetyOptions Safety { get; init; } = SafetyOptions.Default;

    public PlatooningSettings Platooning { get; init; } = PlatooningSettings.Default;

    public CaccOptions Cacc { get; init; } = CaccOptions.Default;

    public PerceptionOptions Perception { get; init; } = PerceptionOptions.Default;

    public SignalOptions Signals { get; init; } = SignalOptions.Default;

    public static PipelineOptions Default { get; } = new();

    /// <summary>Every accepted parameter key with its unit and allowed range (inclusive).</summary>
    public static IReadOnlyList<ParameterSpec> Parameters => ParameterTable.All;

    /// <summary>
    /// Defaults overridden by <paramref name="parameters"/> (keys like "acc.time_gap"; see README). An unknown key, a value
    /// outside its range (NaN included), a non-integer value for a count, or inconsistent pairs (min/max lookahead,
    /// confirmation hits/window, minimum/standstill gap) throw <see cref="ArgumentException"/> naming the key and the range.
    /// </summary>
    public static PipelineOptions FromParameters(IReadOnlyDictionary<string, double> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var options = Default;
        foreach (var (key, value) in parameters)
        {
            var spec = ParameterTable.Find(key) ?? throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"Unknown parameter key '{key}'. Known keys: {string.Join(", ", ParameterTable.Keys)}."),
                nameof(parameters));
            spec.Check(value);
            options = spec.Set(options, value);
        }

        options.Validate();
        return options;
    }

    /// <summary>Checks every bound value against its range and the cross-field rules; throws <see cref="ArgumentException"/>.</summary>
    public void Validate()
    {
        foreach (var spec in ParameterTable.All)
        {
            spec.Check(spec.Get(this));
        }

        if (LaneKeeping.MinLookahead > LaneKeeping.MaxLookahead)
        {
            throw new ArgumentException("Parameter 'lane_keeping.min_lookahead' must not exceed 'lane_keeping.max_lookahead'.");
        }

        if (Tracker.ConfirmationHits > Tracker.ConfirmationWindow)
        {
            throw new ArgumentException("Parameter 'tracker.confirm_hits' must not exceed 'tracker.confirm_window'.");
        }

        if (Signals.StopLine.ComfortDeceleration > Signals.StopLine.MaxDeceleration)
        {
            throw new ArgumentException("Parameter 'signals.comfort_deceleration' must not exceed 'signals.max_deceleration'.");
        }

        if (Acc.MinimumGap >= Acc.StandstillGap)
        {
            throw new ArgumentException("Parameter 'acc.minimum_gap' must be below 'acc.standstill_gap'.");
        }

        if (!Platooning.Paf && Platooning.TimeGap < PlatooningSettings.MinPsfTimeGap)
        {
            throw new ArgumentException($"Parameter 'platoon.time_gap' = {Platooning.TimeGap.ToString(CultureInfo.InvariantCulture)} needs 'platoon.level' = 1 (PAF): PSF gaps are at least {PlatooningSettings.MinPsfTimeGap.ToString(CultureInfo.InvariantCulture)} s.");
        }

        if (Platooning.FormedId == 0 && Platooning.FormedIndex != 0)
        {
            throw new ArgumentException("Parameter 'platoon.formed_index' needs 'platoon.formed_id'.");
        }
    }
}

/// <summary>One parameter key: unit, default-independent inclusive range, whether it must be an integer.</summary>
public sealed record ParameterSpec(
    string Key,
    string Unit,
    double Min,
    double Max,
    bool Integer,
    Func<PipelineOptions, double> Get,
    Func<PipelineOptions, double, PipelineOptions> Set)
{
    internal void Check(double value)
    {
        if (!(value >= Min && value <= Max) || (Integer && Math.Round(value) != value))
        {
            throw new ArgumentException(string.Create(
                CultureInfo.InvariantCulture,
                $"Parameter '{Key}' = {value} is out of range: expected {(Integer ? "an integer " : string.Empty)}in [{Min}, {Max}] {Unit}."));
        }
    }
}

internal static class ParameterTable
{
    public static readonly ParameterSpec[] All =
    [
        new("acc.time_gap", "s", 0.5, 4.0, false, o => o.Acc.TimeGap, (o, v) => o with { Acc = o.Acc with { TimeGap = v } }),
        new("acc.standstill_gap", "m", 1.0, 30.0, false, o => o.Acc.StandstillGap, (o, v) => o with { Acc = o.Acc with { StandstillGap = v } }),
        new("acc.minimum_gap", "m", 0.5, 20.0, false, o => o.Acc.MinimumGap, (o, v) => o with { Acc = o.Acc with { MinimumGap = v } }),
        new("acc.collision_avoidance_activation", "m/s²", 0.0, 3.0, false, o => o.Acc.CollisionAvoidanceActivation, (o, v) => o with { Acc = o.Acc with { CollisionAvoidanceActivation = v } }),
        new("acc.set_speed_offset", "m/s", -10.0, 10.0, false, o => o.Acc.SetSpeedOffset, (o, v) => o with { Acc = o.Acc with { SetSpeedOffset = v } }),
        new("acc.gap_gain", "1/s²", 0.01, 2.0, false, o => o.Acc.GapGain, (o, v) => o with { Acc = o.Acc with { GapGain = v } }),
        new("acc.speed_gain", "1/s", 0.05, 3.0, false, o => o.Acc.SpeedGain, (o, v) => o with { Acc = o.Acc with { SpeedGain = v } }),
        new("acc.lead_acceleration_gain", "-", 0.0, 1.0, false, o => o.Acc.LeadAccelerationGain, (o, v) => o with { Acc = o.Acc with { LeadAccelerationGain = v } }),
        new("acc.cruise_gain", "1/s", 0.05, 2.0, false, o => o.Acc.CruiseGain, (o, v) => o with { Acc = o.Acc with { CruiseGain = v } }),
        new("acc.comfort_acceleration", "m/s²", 0.1, 3.0, false, o => o.Acc.ComfortAcceleration, (o, v) => o with { Acc = o.Acc with { ComfortAcceleration = v } }),
        new("acc.comfort_deceleration", "m/s²", 0.5, 6.0, false, o => o.Acc.ComfortDeceleration, (o, v) => o with { Acc = o.Acc with { ComfortDeceleration = v } }),
        new("acc.max_jerk", "m/s³", 0.5, 20.0, false, o => o.Acc.MaxJerk, (o, v) => o with { Acc = o.Acc with { MaxJerk = v } }),
        new("acc.max_brake_jerk", "m/s³", 0.5, 50.0, false, o => o.Acc.MaxBrakeJerk, (o, v) => o with { Acc = o.Acc with { MaxBrakeJerk = v } }),
        new("lane_keeping.lookahead_gain", "s", 0.1, 5.0, false, o => o.LaneKeeping.LookaheadGain, (o, v) => o with { LaneKeeping = o.LaneKeeping with { LookaheadGain = v } }),
        new("lane_keeping.min_lookahead", "m", 1.0, 50.0, false, o => o.LaneKeeping.MinLookahead, (o, v) => o with { LaneKeeping = o.LaneKeeping with { MinLookahead = v } }),
        new("lane_keeping.max_lookahead", "m", 5.0, 200.0, false, o => o.LaneKeeping.MaxLookahead, (o, v) => o with { LaneKeeping = o.LaneKeeping with { MaxLookahead = v } }),
        new("lead.lane_margin", "m", 0.0, 3.0, false, o => o.Lead.LaneMargin, (o, v) => o with { Lead = o.Lead with { LaneMargin = v } }),
        new("lead.max_gap", "m", 10.0, 300.0, false, o => o.Lead.MaxGap, (o, v) => o with { Lead = o.Lead with { MaxGap = v } }),
        new("tracker.range_std", "m", 0.01, 10.0, false, o => o.Tracker.RangeStdDev, (o, v) => o with { Tracker = o.Tracker with { RangeStdDev = v } }),
        new("tracker.range_rate_std", "m/s", 0.01, 5.0, false, o => o.Tracker.RangeRateStdDev, (o, v) => o with { Tracker = o.Tracker with { RangeRateStdDev = v } }),
        new("tracker.azimuth_std", "rad", 0.0001, 0.2, false, o => o.Tracker.AzimuthStdDev, (o, v) => o with { Tracker = o.Tracker with { AzimuthStdDev = v } }),
        new("tracker.gate", "χ²", 1.0, 100.0, false, o => o.Tracker.GateThreshold, (o, v) => o with { Tracker = o.Tracker with { GateThreshold = v } }),
        new("tracker.confirm_hits", "frames", 1, 32, true, o => o.Tracker.ConfirmationHits, (o, v) => o with { Tracker = o.Tracker with { ConfirmationHits = (int)v } }),
        new("tracker.confirm_window", "frames", 1, 32, true, o => o.Tracker.ConfirmationWindow, (o, v) => o with { Tracker = o.Tracker with { ConfirmationWindow = (int)v } }),
        new("tracker.max_misses", "frames", 1, 100, true, o => o.Tracker.MaxConsecutiveMisses, (o, v) => o with { Tracker = o.Tracker with { MaxConsecutiveMisses = (int)v } }),
        new("tracker.tentative_max_misses", "frames", 1, 32, true, o => o.Tracker.TentativeMaxMisses, (o, v) => o with { Tracker = o.Tracker with { TentativeMaxMisses = (int)v } }),
        new("tracker.max_range", "m", 10.0, 500.0, false, o => o.Tracker.MaxRange, (o, v) => o with { Tracker = o.Tracker with { MaxRange = v } }),
        new("tracker.jerk_noise", "m²/s⁵", 0.001, 100.0, false, o => o.Tracker.JerkNoise, (o, v) => o with { Tracker = o.Tracker with { JerkNoise = v } }),
        new("estimator.gnss_position_std", "m", 0.01, 20.0, false, o => o.Estimator.GnssPositionStdDev, (o, v) => o with { Estimator = o.Estimator with { GnssPositionStdDev = v } }),
        new("estimator.gnss_heading_std", "rad", 0.001, 0.5, false, o => o.Estimator.GnssHeadingStdDev, (o, v) => o with { Estimator = o.Estimator with { GnssHeadingStdDev = v } }),
        new("estimator.speed_std", "m/s", 0.001, 5.0, false, o => o.Estimator.SpeedStdDev, (o, v) => o with { Estimator = o.Estimator with { SpeedStdDev = v } }),
        new("estimator.acceleration_std", "m/s²", 0.001, 5.0, false, o => o.Estimator.AccelerationStdDev, (o, v) => o with { Estimator = o.Estimator with { AccelerationStdDev = v } }),
        new("estimator.max_position_std", "m", 0.5, 100.0, false, o => o.Estimator.MaxPositionStdDev, (o, v) => o with { Estimator = o.Estimator with { MaxPositionStdDev = v } }),
        new("safety.safe_stop_deceleration", "m/s²", 0.5, 10.0, false, o => o.Safety.SafeStopDeceleration, (o, v) => o with { Safety = o.Safety with { SafeStopDeceleration = v } }),
        new("safety.degraded_deceleration", "m/s²", 0.2, 5.0, false, o => o.Safety.DegradedDeceleration, (o, v) => o with { Safety = o.Safety with { DegradedDeceleration = v } }),
        new("safety.minimal_risk_deceleration", "m/s²", 0.5, 10.0, false, o => o.Safety.MinimalRiskDeceleration, (o, v) => o with { Safety = o.Safety with { MinimalRiskDeceleration = v } }),
        new("safety.estimate_loss_tolerance", "s", 0.0, 5.0, false, o => o.Safety.EstimateLossTolerance, (o, v) => o with { Safety = o.Safety with { EstimateLossTolerance = v } }),
        new("safety.degraded_timeout", "s", 0.5, 120.0, false, o => o.Safety.DegradedTimeout, (o, v) => o with { Safety = o.Safety with { DegradedTimeout = v } }),
        new("safety.recovery_time", "s", 0.0, 30.0, false, o => o.Safety.RecoveryTime, (o, v) => o with { Safety = o.Safety with { RecoveryTime = v } }),
        new("safety.sensor_loss_deceleration", "m/s²", 0.2, 5.0, false, o => o.Safety.SensorLossDeceleration, (o, v) => o with { Safety = o.Safety with { SensorLossDeceleration = v } }),
        new("safety.fallback_gap_rate", "s/s", 0.01, 10.0, false, o => o.Safety.FallbackGapRate, (o, v) => o with { Safety = o.Safety with { FallbackGapRate = v } }),
        new("safety.max_measurement_age", "s", 0.01, 5.0, false, o => o.Safety.MaxMeasurementAge, (o, v) => o with { Safety = o.Safety with { MaxMeasurementAge = v } }),
        new("platoon.enabled", "-", 0, 1, true, o => o.Platooning.Enabled ? 1 : 0, (o, v) => o with { Platooning = o.Platooning with { Enabled = v != 0 } }),
        new("platoon.level", "-", 0, 1, true, o => o.Platooning.Paf ? 1 : 0, (o, v) => o with { Platooning = o.Platooning with { Paf = v != 0 } }),
        new("platoon.time_gap", "s", 0.3, 4.0, false, o => o.Platooning.TimeGap, (o, v) => o with { Platooning = o.Platooning with { TimeGap = v } }),
        new("platoon.formed_id", "-", 0, int.MaxValue, true, o => o.Platooning.FormedId, (o, v) => o with { Platooning = o.Platooning with { FormedId = (uint)v } }),
        new("platoon.encrypt_pcm", "-", 0, 1, true, o => o.Platooning.EncryptPcm ? 1 : 0, (o, v) => o with { Platooning = o.Platooning with { EncryptPcm = v != 0 } }),
        new("platoon.formed_index", "-", 0, 6, true, o => o.Platooning.FormedIndex, (o, v) => o with { Platooning = o.Platooning with { FormedIndex = (int)v } }),
        new("perception.lidar", "-", 0, 1, true, o => o.Perception.Lidar ? 1 : 0, (o, v) => o with { Perception = o.Perception with { Lidar = v != 0 } }),
        new("perception.camera_lights", "-", 0, 1, true, o => o.Perception.CameraLights ? 1 : 0, (o, v) => o with { Perception = o.Perception with { CameraLights = v != 0 } }),
        new("perception.light_range", "m", 10.0, 200.0, false, o => o.Perception.LightRange, (o, v) => o with { Perception = o.Perception with { LightRange = v } }),
        new("perception.score_threshold", "-", 0.05, 0.95, false, o => o.Perception.ScoreThreshold, (o, v) => o with { Perception = o.Perception with { ScoreThreshold = v } }),
        new("perception.fallback_time_gap", "s", 0.5, 6.0, false, o => o.Perception.FallbackTimeGap, (o, v) => o with { Perception = o.Perception with { FallbackTimeGap = v } }),
        new("perception.max_scan_age", "s", 0.05, 5.0, false, o => o.Perception.MaxScanAge, (o, v) => o with { Perception = o.Perception with { MaxScanAge = v } }),
        new("perception.recovery_scans", "scans", 1, 100, true, o => o.Perception.RecoveryScans, (o, v) => o with { Perception = o.Perception with { RecoveryScans = (int)v } }),
        new("perception.min_lead_age", "scans", 1, 100, true, o => o.Perception.MinLeadAge, (o, v) => o with { Perception = o.Perception with { MinLeadAge = (int)v } }),
        new("perception.deadline", "s", 0.0, 1.0, false, o => o.Perception.Deadline, (o, v) => o with { Perception = o.Perception with { Deadline = v } }),
        new("perception.lidar_range", "m", 10.0, 200.0, false, o => o.Perception.LidarRange, (o, v) => o with { Perception = o.Perception with { LidarRange = v } }),
        new("perception.fusion_gap_gate", "m", 0.5, 20.0, false, o => o.Perception.FusionGapGate, (o, v) => o with { Perception = o.Perception with { FusionGapGate = v } }),
        new("perception.fusion_speed_gate", "m/s", 0.1, 10.0, false, o => o.Perception.FusionSpeedGate, (o, v) => o with { Perception = o.Perception with { FusionSpeedGate = v } }),
        new("signals.stop_lines", "-", 0, 1, true, o => o.Signals.StopLines ? 1 : 0, (o, v) => o with { Signals = o.Signals with { StopLines = v != 0 } }),
        new("signals.glosa", "-", 0, 1, true, o => o.Signals.Glosa ? 1 : 0, (o, v) => o with { Signals = o.Signals with { Glosa = v != 0 } }),
        new("signals.platoon_crossing", "-", 0, 1, true, o => o.Signals.PlatoonCrossing ? 1 : 0, (o, v) => o with { Signals = o.Signals with { PlatoonCrossing = v != 0 } }),
        new("signals.comfort_deceleration", "m/s²", 0.5, 4.0, false, o => o.Signals.StopLine.ComfortDeceleration, (o, v) => o with { Signals = o.Signals with { StopLine = o.Signals.StopLine with { ComfortDeceleration = v }, Crossing = o.Signals.Crossing with { ComfortDeceleration = v } } }),
        new("signals.max_deceleration", "m/s²", 1.0, 8.0, false, o => o.Signals.StopLine.MaxDeceleration, (o, v) => o with { Signals = o.Signals with { StopLine = o.Signals.StopLine with { MaxDeceleration = v } } }),
        new("signals.stop_margin", "m", 0.0, 10.0, false, o => o.Signals.StopLine.StopMargin, (o, v) => o with { Signals = o.Signals with { StopLine = o.Signals.StopLine with { StopMargin = v }, Crossing = o.Signals.Crossing with { StopMargin = v } } }),
        new("signals.glosa_min_speed", "m/s", 0.5, 20.0, false, o => o.Signals.GlosaAdvice.MinimumSpeed, (o, v) => o with { Signals = o.Signals with { GlosaAdvice = o.Signals.GlosaAdvice with { MinimumSpeed = v } } }),
        new("signals.green_margin", "s", 0.0, 5.0, false, o => o.Signals.Crossing.GreenMargin, (o, v) => o with { Signals = o.Signals with { Crossing = o.Signals.Crossing with { GreenMargin = v } } }),
        new("cacc.gap_gain", "1/s²", 0.01, 2.0, false, o => o.Cacc.GapGain, (o, v) => o with { Cacc = o.Cacc with { GapGain = v } }),
        new("cacc.gap_rate_gain", "1/s", 0.05, 3.0, false, o => o.Cacc.GapRateGain, (o, v) => o with { Cacc = o.Cacc with { GapRateGain = v } }),
        new("cacc.time_gap_rate", "s/s", 0.01, 1.0, false, o => o.Cacc.TimeGapRate, (o, v) => o with { Cacc = o.Cacc with { TimeGapRate = v } }),
    ];

    private static readonly Dictionary<string, ParameterSpec> ByKey = All.ToDictionary(s => s.Key, StringComparer.Ordinal);

    public static IEnumerable<string> Keys => ByKey.Keys;

    public static ParameterSpec? Find(string key) => ByKey.GetValueOrDefault(key);
}

/// <summary>
/// Platooning of this truck: off by default. <see cref="TimeGap"/> is the platoon's time gap (PSF: at least
/// <see cref="MinPsfTimeGap"/> s; PAF down to 0.3 s). A truck with <see cref="FormedId"/> starts the run already in that
/// platoon at <see cref="FormedIndex"/> (0 = leader), as if the platoon had formed before the scenario began.
/// </summary>
public sealed record PlatooningSettings
{
    /// <summary>Smallest PSF time gap accepted, s. Shorter gaps need PAF (automated followers).</summary>
    public const double MinPsfTimeGap = 0.5;

    public bool Enabled { get; init; }

    /// <summary>PAF (automated followers, gaps down to 0.3 s, at most two followers) instead of PSF.</summary>
    public bool Paf { get; init; }

    public double TimeGap { get; init; } = 1.4;

    public uint FormedId { get; init; }

    public int FormedIndex { get; init; }

    /// <summary>
    /// Encrypt PCM payloads with the platoon's AES-GCM group key: the leader issues a key, hands it over wrapped in
    /// the JoinResponse and renews it (KeyUpdate to every member) whenever membership changes.
    /// </summary>
    public bool EncryptPcm { get; init; }

    public static PlatooningSettings Default { get; } = new();
}
