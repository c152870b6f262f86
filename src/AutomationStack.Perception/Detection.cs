namespace AutomationStack.Perception;

/// <summary>Object classes of the lidar detector; the value is the heat-map channel index.</summary>
public enum DetectionClass
{
    Car = 0,
    Truck = 1,
    Agv = 2,
}

/// <summary>
/// An oriented box on the ground plane in the vehicle frame: centre (X forward, Y left), m; Length along the box
/// heading and Width across it, m; Yaw = heading of the length axis from the vehicle x axis (counter-clockwise), rad.
/// </summary>
public readonly record struct BevBox(DetectionClass Class, double X, double Y, double Length, double Width, double Yaw);

/// <summary>
/// One detected object in the vehicle frame: box as <see cref="BevBox"/>, Score = detector confidence in [0, 1].
/// </summary>
public readonly record struct Detection(DetectionClass Class, double X, double Y, double Length, double Width, double Yaw, double Score)
{
    /// <summary>Number of classes (heat-map channels).</summary>
    public const int ClassCount = 3;

    /// <summary>The box without the score.</summary>
    public BevBox Box => new(Class, X, Y, Length, Width, Yaw);
}
