using AutomationStack.Platooning.Protocol;

namespace AutomationStack.Platooning;

/// <summary>Platooning parameters (SI units: s, m, m/s²; timers in simulated ms).</summary>
public sealed record PlatoonConfig
{
    public PlatooningLevel Level { get; init; } = PlatooningLevel.Psf;

    /// <summary>PSF target time gap, s.</summary>
    public double TimeGap { get; init; } = 1.4;

    /// <summary>PAF target (and minimum) time gap, s.</summary>
    public double PafMinTimeGap { get; init; } = 0.3;

    public double SplitGapFactor { get; init; } = 3;

    public int MaxPlatoonSize { get; init; } = 7;

    /// <summary>PAF: at most this many followers behind the leader.</summary>
    public int PafMaxFollowers { get; init; } = 2;

    public double MaxJoinDistance { get; init; } = 100;

    /// <summary>String-stable ACC time gap used on comm loss, cut-in and leave; never below 1.4 s in effect.</summary>
    public double AccFallbackTimeGap { get; init; } = 1.4;

    /// <summary>Gap at standstill of the gap policy gap = StandstillGap + h·v (matches the CACC controller).</summary>
    public double StandstillGap { get; init; } = 5;

    public double VehicleLength { get; init; } = 16.5;

    public double MaxDeceleration { get; init; } = 6;

    public double EmergencyDecelerationThreshold { get; init; } = 4;

    /// <summary>Brake request above which the PCM Braking bit is set, m/s².</summary>
    public double BrakingStatusThreshold { get; init; } = 0.5;

    public int PcmPeriodMs { get; init; } = 50;

    public int PamPeriodMs { get; init; } = 500;

    public int PmmRetryMs { get; init; } = 100;

    public int PmmMaxRetries { get; init; } = 10;

    public int CommLossFallbackMs { get; init; } = 300;

    public int CommLossLeaveMs { get; init; } = 2000;

    public int RecoveryMs { get; init; } = 1000;

    public int JoinTimeoutMs { get; init; } = 60000;

    public double JoinGapTolerance { get; init; } = 0.5;

    public bool Joinable { get; init; } = true;

    /// <summary>Cut-in: the radar gap is shorter than the PCM gap by more than margin + fraction × PCM gap.</summary>
    public double CutInGapMargin { get; init; } = 5;

    public double CutInGapFraction { get; init; } = 0.2;

    public int CutInDetectMs { get; init; } = 200;

    public int CutInClearMs { get; init; } = 1000;

    /// <summary>Emergency ends this long after the last emergency indication (own request or predecessor's flag/PMM).</summary>
    public int EmergencyHoldMs { get; init; } = 500;

    /// <summary>Target time gap of the platoon for the configured level.</summary>
    public double PlatoonTimeGap => Level == PlatooningLevel.Paf ? PafMinTimeGap : TimeGap;

    /// <summary>Smallest time gap a GapChange may set for the level.</summary>
    public double MinTimeGap => Level == PlatooningLevel.Paf ? PafMinTimeGap : TimeGap;

    /// <summary>Largest platoon (leader included) for the level.</summary>
    public int EffectiveMaxPlatoonSize => Level == PlatooningLevel.Paf ? Math.Min(MaxPlatoonSize, PafMaxFollowers + 1) : MaxPlatoonSize;

    /// <summary>ACC time gap used whenever CACC is not engaged behind a predecessor.</summary>
    public double SafeAccTimeGap => Math.Max(1.4, AccFallbackTimeGap);

    internal void Validate()
    {
        Positive(TimeGap, nameof(TimeGap));
        Positive(PafMinTimeGap, nameof(PafMinTimeGap));
        Positive(SplitGapFactor, nameof(SplitGapFactor));
        Positive(MaxJoinDistance, nameof(MaxJoinDistance));
        Positive(AccFallbackTimeGap, nameof(AccFallbackTimeGap));
        Positive(VehicleLength, nameof(VehicleLength));
        Positive(MaxDeceleration, nameof(MaxDeceleration));
        Positive(EmergencyDecelerationThreshold, nameof(EmergencyDecelerationThreshold));
        Positive(JoinGapTolerance, nameof(JoinGapTolerance));
        if (!(StandstillGap >= 0) || !(CutInGapMargin >= 0) || !(CutInGapFraction >= 0))
        {
            throw new ArgumentOutOfRangeException(nameof(StandstillGap), "StandstillGap, CutInGapMargin and CutInGapFraction must be non-negative.");
        }

        if (MaxPlatoonSize is < 2 or > 255 || PafMaxFollowers < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxPlatoonSize), "MaxPlatoonSize must be in [2, 255] and PafMaxFollowers ≥ 1.");
        }

        if (PcmPeriodMs <= 0 || PamPeriodMs <= 0 || PmmRetryMs <= 0 || PmmMaxRetries < 0 || CommLossFallbackMs <= 0
            || CommLossLeaveMs < CommLossFallbackMs || RecoveryMs <= 0 || JoinTimeoutMs <= 0 || CutInDetectMs < 0
            || CutInClearMs < 0 || EmergencyHoldMs < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(PcmPeriodMs), "Timers must be positive and CommLossLeaveMs ≥ CommLossFallbackMs.");
        }
    }

    private static void Positive(double value, string name)
    {
        if (!(value > 0) || double.IsInfinity(value))
        {
            throw new ArgumentOutOfRangeException(name, value, name + " must be positive and finite.");
        }
    }
}
