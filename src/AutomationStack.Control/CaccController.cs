using AutomationStack.Contracts;

namespace AutomationStack.Control;

/// <summary>Tuning of <see cref="CaccController"/>.</summary>
public sealed record CaccOptions
{
    /// <summary>Time gap h of the spacing policy, s (PSF default 1.4 s; PAF down to 0.3 s).</summary>
    public double TimeGap { get; init; } = 1.4;

    /// <summary>Standstill distance r, m (bumper to rear).</summary>
    public double StandstillGap { get; init; } = 5.0;

    /// <summary>k_p: gain on the spacing error, 1/s².</summary>
    public double GapGain { get; init; } = 0.2;

    /// <summary>k_d: gain on the spacing-error rate, 1/s.</summary>
    public double GapRateGain { get; init; } = 0.7;

    /// <summary>Comfort acceleration limit, m/s².</summary>
    public double ComfortAcceleration { get; init; } = 1.5;

    /// <summary>Deceleration limit of normal platooning (positive), m/s²; emergency braking bypasses it.</summary>
    public double ComfortDeceleration { get; init; } = 3.5;

    /// <summary>Jerk limit when the request rises, m/s³.</summary>
    public double MaxJerk { get; init; } = 2.5;

    /// <summary>Jerk limit when the request falls (more braking), m/s³.</summary>
    public double MaxBrakeJerk { get; init; } = 10.0;

    /// <summary>
    /// How far the positive feed-forward may exceed the predecessor's measured acceleration, m/s². A predecessor that
    /// wants to accelerate but cannot (engine power on a grade, its own limits) would otherwise pull the follower
    /// closer than the spacing policy; braking feed-forward is never limited.
    /// </summary>
    public double FeedForwardExcess { get; init; } = 0.3;

    /// <summary>How fast the time-gap reference moves when the target changes (opening or closing a gap), s per s.</summary>
    public double TimeGapRate { get; init; } = 0.1;

    public static CaccOptions Default { get; } = new();
}

/// <summary>
/// One CACC step's inputs: own speed m/s and measured acceleration m/s²; gap to the predecessor (radar, bumper to rear)
/// m; predecessor speed m/s (radar range rate + own speed, or its PCM); the predecessor's communicated desired
/// acceleration m/s² (its PCM feed-forward); step length s; the predecessor's measured acceleration m/s² (its PCM's
/// actual acceleration; NaN = unknown, the feed-forward is then used as it is).
/// </summary>
public readonly record struct CaccInput(
    double Speed,
    double Acceleration,
    double Gap,
    double PredecessorSpeed,
    double PredecessorDesiredAcceleration,
    double Dt,
    double PredecessorAcceleration = double.NaN);

/// <summary>
/// The request m/s² (limited), the controller's desired acceleration u m/s² (unlimited law output, what this truck
/// communicates to its follower), the desired gap m, and the time gap in force s.
/// </summary>
public readonly record struct CaccOutput(double Acceleration, double DesiredAcceleration, double DesiredGap, double TimeGap);

/// <summary>
/// Cooperative ACC after Ploeg et al. (2011): spacing error e = d − (r + h·v), its rate ė = v_pred − v − h·a, and a
/// controller state u (the desired acceleration) with u̇ = (−u + k_p·e + k_d·ė + u_pred) / h, discretised with the
/// step length. The predecessor's communicated desired acceleration u_pred is the feed-forward that makes short gaps
/// string-stable. The request is u limited to the comfort band and jerk-limited. The time-gap reference moves to a
/// new target at <see cref="CaccOptions.TimeGapRate"/>, so opening (split, cut-in) and closing (join) follow a smooth
/// profile. Steady state: u = u_pred = 0, so e = 0 and the gap is r + h·v. Pure; no clock.
/// </summary>
public sealed class CaccController
{
    private readonly CaccOptions _options;
    private double _u;
    private double _last;

    public CaccController(CaccOptions options, TruckParameters truck)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(truck);
        if (!(options.TimeGap > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(options), "TimeGap must be positive.");
        }

        _options = options;
        TimeGap = options.TimeGap;
        TargetTimeGap = options.TimeGap;
    }

    /// <summary>The time gap in force, s (moves towards <see cref="TargetTimeGap"/>).</summary>
    public double TimeGap { get; private set; }

    /// <summary>The time gap the reference is moving to, s.</summary>
    public double TargetTimeGap { get; private set; }

    /// <summary>Standstill distance r of the spacing policy, m.</summary>
    public double StandstillGap => _options.StandstillGap;

    /// <summary>The controller state u, m/s².</summary>
    public double DesiredAcceleration => _u;

    /// <summary>Sets a new target time gap; the reference ramps to it.</summary>
    public void SetTargetTimeGap(double timeGap)
    {
        if (!(timeGap > 0) || !double.IsFinite(timeGap))
        {
            throw new ArgumentOutOfRangeException(nameof(timeGap), timeGap, "a time gap must be positive and finite");
        }

        TargetTimeGap = timeGap;
    }

    /// <summary>
    /// Starts from the current situation (bumpless transfer from ACC): u and the jerk reference take the current
    /// acceleration request, and the time gap in force starts at the gap actually held (limited to
    /// [target, 4 × target]) so engaging with a wide gap closes it along the ramp instead of with a jump.
    /// </summary>
    public void Reset(double acceleration, double gap, double speed)
    {
        _u = double.IsFinite(acceleration) ? acceleration : 0.0;
        _last = _u;
        if (speed > 1.0 && double.IsFinite(gap))
        {
            var held = (gap - _options.StandstillGap) / speed;
            TimeGap = Math.Clamp(held, TargetTimeGap, 4 * TargetTimeGap);
        }
        else
        {
            TimeGap = TargetTimeGap;
        }
    }

    public CaccOutput Step(in CaccInput input)
    {
        var o = _options;
        var dt = input.Dt;
        if (dt > 0)
        {
            var maxChange = o.TimeGapRate * dt;
            TimeGap += Math.Clamp(TargetTimeGap - TimeGap, -maxChange, maxChange);
        }

        var h = TimeGap;
        var v = Math.Max(input.Speed, 0.0);
        var desiredGap = o.StandstillGap + (h * v);
        var e = input.Gap - desiredGap;
        var eDot = input.PredecessorSpeed - input.Speed - (h * input.Acceleration);
        var uDot = (-_u + (o.GapGain * e) + (o.GapRateGain * eDot) + FeedForward(input)) / h;
        if (dt > 0 && double.IsFinite(uDot))
        {
            _u += uDot * dt;
            // Anti-windup: the state never strays far outside what the truck may be asked to do.
            _u = Math.Clamp(_u, -2 * o.ComfortDeceleration, 2 * o.ComfortAcceleration);
        }

        var a = Math.Clamp(_u, -o.ComfortDeceleration, o.ComfortAcceleration);
        if (dt > 0)
        {
            a = Math.Clamp(a, _last - (o.MaxBrakeJerk * dt), _last + (o.MaxJerk * dt));
        }

        if (!double.IsFinite(input.Gap) || !double.IsFinite(input.PredecessorSpeed) || !double.IsFinite(input.PredecessorDesiredAcceleration))
        {
            // Non-finite inputs give a non-finite request for the CommandGuard to replace.
            return new CaccOutput(double.NaN, _u, desiredGap, h);
        }

        _last = a;
        return new CaccOutput(a, _u, desiredGap, h);
    }

    /// <summary>
    /// The predecessor's desired acceleration, its positive part limited to its measured acceleration +
    /// <see cref="CaccOptions.FeedForwardExcess"/>: a predecessor that cannot accelerate as it wishes does not pull
    /// this truck into its gap.
    /// </summary>
    private double FeedForward(in CaccInput input)
    {
        var desired = input.PredecessorDesiredAcceleration;
        var actual = input.PredecessorAcceleration;
        return desired > 0 && double.IsFinite(actual) ? Math.Min(desired, Math.Max(actual, 0.0) + _options.FeedForwardExcess) : desired;
    }
}
