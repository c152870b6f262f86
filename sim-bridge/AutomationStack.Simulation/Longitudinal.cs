using AutomationStack.Contracts;

namespace AutomationStack.Simulation;

/// <summary>
/// Longitudinal force model shared by trucks: resistances, the low-level controller's force demand and its limits,
/// and the speed integration that never lets a vehicle roll backwards. Forces in N, speeds m/s, accelerations m/s².
/// </summary>
internal static class Longitudinal
{
    /// <summary>Standard gravity, m/s².</summary>
    public const double Gravity = 9.80665;

    /// <summary>Speed below which the power limit is evaluated at this speed instead (avoids P/0), m/s.</summary>
    public const double MinimumPowerSpeed = 1.0;

    private const double Half = 0.5;

    /// <summary>F_aero + F_roll + F_grade at <paramref name="speed"/> on <paramref name="grade"/>, N.</summary>
    public static double Resistance(TruckParameters body, double airDensity, double dragReduction, double speed, double grade)
    {
        // θ = atan(grade): cos θ = 1/√(1+g²), sin θ = g/√(1+g²).
        var secant = Math.Sqrt(1.0 + (grade * grade));
        var weight = body.Mass * Gravity;
        var aero = Half * airDensity * body.DragCoefficient * (1.0 - dragReduction) * body.FrontalArea * speed * speed;
        var roll = body.RollingResistance * weight / secant;
        var slope = weight * grade / secant;
        return aero + roll + slope;
    }

    /// <summary>Largest drive force: min(m·a_max + resistance, P_max / max(v, 1 m/s)), never negative, N.</summary>
    public static double MaxDriveForce(TruckParameters body, double resistance, double speed) =>
        Math.Max(0.0, Math.Min((body.Mass * body.MaxAcceleration) + resistance, PowerLimitedForce(body, speed)));

    /// <summary>P_max / max(v, 1 m/s), N.</summary>
    public static double PowerLimitedForce(TruckParameters body, double speed) =>
        body.MaxPower / Math.Max(speed, MinimumPowerSpeed);

    /// <summary>Largest brake force (positive), N.</summary>
    public static double MaxBrakeForce(TruckParameters body) => body.Mass * body.MaxDeceleration;

    /// <summary>
    /// Force demand of the truck's low-level controller for an acceleration request: the request is clamped to
    /// [−a_dec,max, a_max], resistances are compensated, and the result is limited to the drive/brake capability.
    /// </summary>
    public static double ForceDemand(TruckParameters body, double accelerationRequest, double resistance, double speed)
    {
        var a = Math.Clamp(accelerationRequest, -body.MaxDeceleration, body.MaxAcceleration);
        var demand = (body.Mass * a) + resistance;
        return Math.Clamp(demand, -MaxBrakeForce(body), MaxDriveForce(body, resistance, speed));
    }

    /// <summary>Force demand from pedals: throttle × available drive force − brake × maximum brake force.</summary>
    public static double PedalDemand(TruckParameters body, double throttle, double brake, double resistance, double speed) =>
        (throttle * MaxDriveForce(body, resistance, speed)) - (brake * MaxBrakeForce(body));

    /// <summary>First-order lag factor α = 1 − exp(−dt/τ) (exact discretisation); 1 for τ ≤ 0.</summary>
    public static double LagFactor(double stepLength, double timeConstant) =>
        timeConstant > 0 ? 1.0 - Math.Exp(-stepLength / timeConstant) : 1.0;

    /// <summary>
    /// Advances speed over one step with constant acceleration <paramref name="acceleration"/>. A vehicle at rest
    /// that is not pushed forward stays at rest; one that would reverse stops exactly where v reaches zero.
    /// </summary>
    /// <returns>Distance travelled (m); <paramref name="speed"/> and <paramref name="acceleration"/> are updated to the
    /// new speed and the acceleration actually realised (0 while held at rest).</returns>
    public static double Integrate(ref double speed, ref double acceleration, double dt)
    {
        var v = speed;
        var a = acceleration;
        if (v <= 0 && a <= 0)
        {
            speed = 0;
            acceleration = 0;
            return 0;
        }

        var next = v + (a * dt);
        if (next < 0)
        {
            speed = 0;
            return v * v / (-2.0 * a);
        }

        speed = next;
        return (v * dt) + (Half * a * dt * dt);
    }
}

/// <summary>Intelligent driver model (Treiber, Hennecke, Helbing 2000).</summary>
internal static class Idm
{
    /// <summary>Gap used when the bumper gap is (nearly) zero or negative, m; gives the strongest braking.</summary>
    public const double MinimumGap = 0.1;

    /// <summary>The usual acceleration exponent δ = 4, evaluated by multiplication instead of Math.Pow.</summary>
    private const double DefaultExponent = 4.0;

    /// <summary>
    /// a = a_max[1 − (v/v0)^δ − (s*/s)²], s* = s0 + vT + vΔv/(2√(a_max·b)); the interaction term is dropped when
    /// there is no leader. Not clamped here.
    /// </summary>
    public static double Acceleration(IdmParameters p, double speed, bool hasLeader, double gap, double leaderSpeed)
    {
        var ratioToDesired = speed / p.DesiredSpeed;
        var free = 1.0 - (p.Exponent == DefaultExponent
            ? ratioToDesired * ratioToDesired * ratioToDesired * ratioToDesired
            : Math.Pow(ratioToDesired, p.Exponent));
        if (!hasLeader)
        {
            return p.MaxAcceleration * free;
        }

        var closing = speed - leaderSpeed;
        var desiredGap = p.MinimumGap + Math.Max(
            0.0,
            (speed * p.TimeHeadway) + (speed * closing / (2.0 * Math.Sqrt(p.MaxAcceleration * p.ComfortDeceleration))));
        var s = Math.Max(gap, MinimumGap);
        var ratio = desiredGap / s;
        return p.MaxAcceleration * (free - (ratio * ratio));
    }
}
