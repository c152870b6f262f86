using AutomationStack.Contracts;

namespace AutomationStack.Control;

/// <summary>
/// One ACC step's inputs: own speed m/s; set speed m/s (driver's, before the offset); lead (when HasLead): gap
/// bumper-to-rear m, speed m/s, acceleration m/s²; driver brake-pedal deceleration m/s² (0 = none); step length s;
/// a time gap s that replaces the configured one for this step (0 = the configured one; e.g. a platoon's ACC fallback).
/// </summary>
public readonly record struct AccInput(
    double Speed,
    double SetSpeed,
    bool HasLead,
    double Gap,
    double LeadSpeed,
    double LeadAcceleration,
    double DriverBrakeDeceleration,
    double Dt,
    double TimeGap = 0);

/// <summary>Which law produced the request.</summary>
public enum AccRegime
{
    Cruise = 0,
    Follow = 1,
    CollisionAvoidance = 2,
    DriverBrake = 3,
}

/// <summary>Acceleration request m/s², the regime that produced it, and the desired gap m (NaN-free; 0 without lead).</summary>
public readonly record struct AccOutput(double Acceleration, AccRegime Regime, double DesiredGap);

/// <summary>
/// Constant time-gap adaptive cruise control.
/// a_cruise = clamp(k_cruise·(v_set − v)); a_follow = k_gap·(gap − (s0 + h·v)) + k_speed·(v_lead − v) + k_acc·a_lead;
/// a = min(a_cruise, a_follow) limited to the comfort band and jerk-limited. Collision avoidance: when closing, the
/// kinematic deceleration d = (v − v_lead)² / (2·(gap − MinimumGap)) (MaxDeceleration once inside MinimumGap); if d exceeds
/// CollisionAvoidanceActivation (so a vanishing closing speed cannot freeze the approach) and −d is below the law's demand the request is −d, limited only by the truck's MaxDeceleration, without jerk limit. The
/// driver's brake pedal overrides: a = min(a, −BrakeDeceleration). Non-finite inputs give a non-finite request for the
/// <see cref="CommandGuard"/> to replace.
/// </summary>
public sealed class AccController
{
    private const double MinimumMargin = 0.1;

    private readonly AccOptions _options;
    private readonly double _maxDeceleration;
    private double _last;

    public AccController(AccOptions options, TruckParameters truck)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(truck);
        _options = options;
        _maxDeceleration = truck.MaxDeceleration;
    }

    /// <summary>Last request, m/s² (the jerk limiter's reference).</summary>
    public double LastAcceleration => _last;

    /// <summary>Sets the jerk limiter's reference, e.g. to the measured acceleration on engagement.</summary>
    public void Reset(double acceleration) => _last = double.IsFinite(acceleration) ? acceleration : 0.0;

    public AccOutput Step(in AccInput input)
    {
        var o = _options;
        var v = input.Speed;
        var setSpeed = input.SetSpeed + o.SetSpeedOffset;
        var law = Math.Clamp(o.CruiseGain * (setSpeed - v), -o.ComfortDeceleration, o.ComfortAcceleration);
        var regime = AccRegime.Cruise;
        var desiredGap = 0.0;
        var avoidance = 0.0;

        if (input.HasLead)
        {
            var timeGap = input.TimeGap > 0 ? input.TimeGap : o.TimeGap;
            desiredGap = o.StandstillGap + (timeGap * Math.Max(v, 0.0));
            var follow = (o.GapGain * (input.Gap - desiredGap))
                + (o.SpeedGain * (input.LeadSpeed - v))
                + (o.LeadAccelerationGain * input.LeadAcceleration);
            if (follow < law)
            {
                law = follow;
                regime = AccRegime.Follow;
            }

            var closing = v - input.LeadSpeed;
            if (closing > 0)
            {
                var margin = input.Gap - o.MinimumGap;
                avoidance = margin > MinimumMargin ? closing * closing / (2.0 * margin) : _maxDeceleration;
            }
        }

        law = Math.Clamp(law, -o.ComfortDeceleration, o.ComfortAcceleration);
        if (input.Dt > 0)
        {
            law = Math.Clamp(law, _last - (o.MaxBrakeJerk * input.Dt), _last + (o.MaxJerk * input.Dt));
        }

        var a = law;
        if (avoidance > o.CollisionAvoidanceActivation && -avoidance < law)
        {
            a = -Math.Min(avoidance, _maxDeceleration);
            regime = AccRegime.CollisionAvoidance;
        }

        var pedal = input.DriverBrakeDeceleration;
        if (pedal > 0 && -pedal < a)
        {
            a = -Math.Min(pedal, _maxDeceleration);
            regime = AccRegime.DriverBrake;
        }

        if (double.IsFinite(a))
        {
            _last = a;
        }

        return new AccOutput(a, regime, desiredGap);
    }
}
