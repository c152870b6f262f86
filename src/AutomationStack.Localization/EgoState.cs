namespace AutomationStack.Localization;

/// <summary>
/// Fused ego state. Position (m, map frame) is the vehicle's geometric centre; heading rad (0 = +x, CCW positive);
/// speed m/s; longitudinal acceleration m/s²; yaw rate rad/s. <see cref="Valid"/> says whether the pose
/// (X, Y, Heading) may be used; the motion fields (Speed, Acceleration, YawRate) are filled whenever odometry/IMU
/// values have been received. <see cref="PositionStdDev"/> is the 1-sigma horizontal position uncertainty, m.
/// </summary>
public readonly record struct EgoState(
    long StampNs,
    double X,
    double Y,
    double Heading,
    double Speed,
    double Acceleration,
    double YawRate,
    bool Valid,
    double PositionStdDev);
