using AutomationStack.Contracts;

namespace AutomationStack.Control;

/// <summary>Guarded command, whether a non-finite request was replaced, and whether any limit was applied.</summary>
public readonly record struct GuardResult(ActuationCommand Command, bool NonFinite, bool Limited);

/// <summary>
/// Last line before the actuators. Clamps acceleration to [−MaxDeceleration, MaxAcceleration], steering to
/// ±MaxSteeringAngle, and rate-limits steering by MaxSteeringRate·dt (a non-positive or non-finite dt holds the
/// steering). A non-finite acceleration or steering request is replaced by the safe command (acceleration
/// −SafeStopDeceleration, steering = last good) and reported.
/// </summary>
public sealed class CommandGuard
{
    private readonly TruckParameters _truck;
    private readonly double _safeStopDeceleration;
    private double _lastSteering;

    /// <param name="truck">Limits.</param>
    /// <param name="safeStopDeceleration">Deceleration of the safe command (positive), m/s².</param>
    public CommandGuard(TruckParameters truck, double safeStopDeceleration)
    {
        ArgumentNullException.ThrowIfNull(truck);
        _truck = truck;
        _safeStopDeceleration = Math.Min(Math.Abs(safeStopDeceleration), truck.MaxDeceleration);
    }

    /// <summary>Last steering angle sent, rad.</summary>
    public double LastSteering => _lastSteering;

    public GuardResult Step(in ActuationCommand requested, double dt)
    {
        var nonFinite = !double.IsFinite(requested.Acceleration) || !double.IsFinite(requested.SteeringAngle);
        double acceleration;
        double steering;
        var limited = false;
        if (nonFinite)
        {
            acceleration = -_safeStopDeceleration;
            steering = _lastSteering;
        }
        else
        {
            acceleration = Math.Clamp(requested.Acceleration, -_truck.MaxDeceleration, _truck.MaxAcceleration);
            steering = Math.Clamp(requested.SteeringAngle, -_truck.MaxSteeringAngle, _truck.MaxSteeringAngle);
            limited = acceleration != requested.Acceleration || steering != requested.SteeringAngle;
        }

        var maxStep = dt > 0 && double.IsFinite(dt) ? _truck.MaxSteeringRate * dt : 0.0;
        var rateLimited = Math.Clamp(steering, _lastSteering - maxStep, _lastSteering + maxStep);
        limited |= !nonFinite && rateLimited != steering;
        _lastSteering = rateLimited;
        return new GuardResult(new ActuationCommand(acceleration, rateLimited), nonFinite, limited);
    }
}
