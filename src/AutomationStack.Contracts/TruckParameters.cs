namespace AutomationStack.Contracts;

/// <summary>What kind of road user a body is: the class a perception model detects and the ground truth labels.</summary>
public enum VehicleCategory
{
    /// <summary>Passenger car.</summary>
    Car,

    /// <summary>Truck (tractor with semi-trailer, rigid truck).</summary>
    Truck,

    /// <summary>Automated guided vehicle (port terminal container carrier).</summary>
    Agv,
}

/// <summary>
/// A vehicle blueprint (SI units). Used by the simulator's dynamics and by the vehicle process's controllers
/// (limits and geometry). Defaults are a 40 t articulated truck (ENSEMBLE partner model where it gives a value).
/// </summary>
public sealed record TruckParameters
{
    /// <summary>Mass, kg.</summary>
    public double Mass { get; init; } = 26_450;

    /// <summary>Overall length, m.</summary>
    public double Length { get; init; } = 16.5;

    /// <summary>Overall width, m.</summary>
    public double Width { get; init; } = 2.55;

    /// <summary>Overall height above the ground, m (the lidar sees the body as a box from the ground to this height).</summary>
    public double Height { get; init; } = 4.0;

    /// <summary>What kind of road user the body is.</summary>
    public VehicleCategory Category { get; init; } = VehicleCategory.Truck;

    /// <summary>Wheelbase used by the kinematic bicycle model, m.</summary>
    public double Wheelbase { get; init; } = 5.9;

    /// <summary>Distance from the rear axle (reference point of the bicycle model) to the vehicle's geometric centre, m (positive = centre ahead of axle).</summary>
    public double RearAxleToCentre { get; init; } = 2.0;

    /// <summary>Largest acceleration the powertrain may be asked for, m/s².</summary>
    public double MaxAcceleration { get; init; } = 2.0;

    /// <summary>Largest deceleration the brakes can deliver (positive), m/s².</summary>
    public double MaxDeceleration { get; init; } = 6.0;

    /// <summary>First-order lag of powertrain and brakes, s.</summary>
    public double ActuatorTimeConstant { get; init; } = 0.3;

    /// <summary>Maximum road-wheel steering angle, rad.</summary>
    public double MaxSteeringAngle { get; init; } = 0.6;

    /// <summary>Maximum steering rate, rad/s.</summary>
    public double MaxSteeringRate { get; init; } = 0.4;

    /// <summary>Frontal area for aerodynamic drag, m².</summary>
    public double FrontalArea { get; init; } = 10.0;

    /// <summary>Aerodynamic drag coefficient (dimensionless).</summary>
    public double DragCoefficient { get; init; } = 0.6;

    /// <summary>Rolling-resistance coefficient (dimensionless).</summary>
    public double RollingResistance { get; init; } = 0.006;

    /// <summary>Maximum engine power at the wheels, W.</summary>
    public double MaxPower { get; init; } = 330_000;

    public static TruckParameters Default { get; } = new();
}
