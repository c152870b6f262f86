namespace AutomationStack.Tracking;

/// <summary>
/// One object detection for <see cref="MultiObjectTracker"/>, in the ego (vehicle) frame: centre X forward, Y left
/// relative to the ego's geometric centre, m; box Length × Width, m; Yaw of the length axis, rad; Score ∈ [0, 1].
/// Category is the detector's class index (Perception's <c>DetectionClass</c> value: 0 Car, 1 Truck, 2 Agv),
/// 0 ≤ Category &lt; <see cref="MultiObjectTracker.MaxCategories"/>.
/// </summary>
public readonly record struct ObjectDetection(int Category, double X, double Y, double Length, double Width, double Yaw, double Score);

/// <summary>
/// One object track, all in the current ego frame (x forward, y left, origin at the ego's geometric centre).
/// X, Y: filtered centre, m. Vx, Vy: the object's velocity over ground expressed in the ego frame, m/s.
/// RelativeVx, RelativeVy: (Vx − ego speed, Vy) — translational relative velocity (the −ω×r term of the rotating frame
/// is not included), m/s. Length, Width, Yaw: smoothed box. Category: the class with the highest accumulated detection
/// score. Age: frames since the track was opened (0 on its first frame). Confirmed: passed the M-of-N rule (sticky).
/// </summary>
public readonly record struct ObjectTrack(
    int Id,
    int Category,
    double X,
    double Y,
    double Vx,
    double Vy,
    double RelativeVx,
    double RelativeVy,
    double Length,
    double Width,
    double Yaw,
    int Age,
    bool Confirmed)
{
    /// <summary>Speed over ground, m/s.</summary>
    public double Speed => Math.Sqrt((Vx * Vx) + (Vy * Vy));

    /// <summary>Half the box's extent along the ego x axis, m.</summary>
    public double HalfExtentX => (Math.Abs(Math.Cos(Yaw)) * Length / 2) + (Math.Abs(Math.Sin(Yaw)) * Width / 2);
}
