namespace AutomationStack.Contracts;

/// <summary>
/// Ego measurements as a GNSS/IMU/odometry unit reports them (noisy). Position in map coordinates (m),
/// heading rad (0 = +x, counter-clockwise), speed m/s from wheel odometry, acceleration m/s² and yaw rate rad/s
/// from the IMU.
/// </summary>
public readonly record struct EgoMeasurement(
    long StampNs,
    double X,
    double Y,
    double Heading,
    double Speed,
    double LongitudinalAcceleration,
    double YawRate,
    bool GnssValid);

/// <summary>One forward-radar detection: range m, range rate m/s (negative = closing), azimuth rad (left positive).</summary>
public readonly record struct RadarDetection(double Range, double RangeRate, double Azimuth);

/// <summary>
/// What the driver (or the mission layer) asks for: cruise set speed m/s, a brake-pedal deceleration (m/s², 0 = none)
/// that overrides automation, and the latest platooning request (HMI), which the vehicle acts on once per new
/// <see cref="PlatoonRequest.Sequence"/>.
/// </summary>
public readonly record struct DriverInput(double SetSpeed, double BrakeDeceleration, PlatoonRequest Platoon = default);

/// <summary>What a platooning request asks for.</summary>
public enum PlatoonCommand
{
    None = 0,

    /// <summary>Become the leader of a new platoon with <see cref="PlatoonRequest.PlatoonId"/>.</summary>
    Create = 1,

    /// <summary>Join the platoon <see cref="PlatoonRequest.PlatoonId"/> (0 = the nearest joinable one ahead) at the back.</summary>
    Join = 2,

    /// <summary>Leave the platoon.</summary>
    Leave = 3,

    /// <summary>Leader: split the platoon before index <see cref="PlatoonRequest.Index"/>.</summary>
    Split = 4,

    /// <summary>Leader of the rear platoon: merge with the platoon ahead.</summary>
    Merge = 5,

    /// <summary>Leader: change the platoon's time gap to <see cref="PlatoonRequest.TimeGap"/> s.</summary>
    ChangeGap = 6,
}

/// <summary>
/// A platooning request from the driver or the mission layer. <see cref="Sequence"/> numbers requests (0 = none yet):
/// the request stays in every frame until the next one, and the vehicle acts on each sequence number once.
/// </summary>
public readonly record struct PlatoonRequest(PlatoonCommand Command, uint PlatoonId, int Index, double TimeGap, int Sequence);

/// <summary>A V2X message as received or to be sent. Payload is opaque at this layer.</summary>
public sealed record V2xMessage(uint SenderStationId, long StampNs, ReadOnlyMemory<byte> Payload);

/// <summary>
/// Mounting of a lidar relative to the vehicle's geometric centre on the ground (vehicle frame: x forward, y left,
/// z up; m), and its yaw about z (rad, left positive). The sensor frame has the same axis convention.
/// </summary>
public readonly record struct LidarPose(double X, double Y, double Z, double Yaw);

/// <summary>
/// One lidar sweep. <see cref="Points"/> holds <see cref="PointCount"/> points interleaved as x, y, z, intensity
/// (float32; x, y, z in m in the sensor frame: x forward, y left, z up; intensity 0 … 1); entries beyond
/// 4 × PointCount are unused. <see cref="Pose"/> is the sensor's mounting in the vehicle frame.
/// </summary>
public sealed record LidarScan(long FrameNumber, long StampNs, LidarPose Pose, float[] Points, int PointCount)
{
    /// <summary>Floats per point: x, y, z, intensity.</summary>
    public const int Stride = 4;

    /// <summary>Resolution of x, y, z as sensed (and packed on the wire and in logs): 1 cm.</summary>
    public const float PositionResolution = 0.01f;

    /// <summary>Largest |x|, |y|, |z| a packed point holds (int16 centimetres), m.</summary>
    public const float MaxPackedCoordinate = short.MaxValue * PositionResolution;

    /// <summary>The used part of <see cref="Points"/>: 4 × <see cref="PointCount"/> floats.</summary>
    public ReadOnlySpan<float> PointData => Points.AsSpan(0, PointCount * Stride);

    /// <summary>A coordinate as whole centimetres (rounded, saturated to int16).</summary>
    public static short ToCentimetres(double value) =>
        (short)Math.Clamp(Math.Round(value / PositionResolution), short.MinValue, short.MaxValue);

    /// <summary>The coordinate of <paramref name="centimetres"/>, m (the one float the sensor, the wire and the log agree on).</summary>
    public static float FromCentimetres(short centimetres) => centimetres * PositionResolution;

    /// <summary>An intensity 0 … 1 as a byte (rounded, saturated).</summary>
    public static byte ToIntensityByte(double intensity) => (byte)Math.Clamp(Math.Round(intensity * 255.0), 0, 255);

    /// <summary>The intensity of <paramref name="value"/>, 0 … 1.</summary>
    public static float FromIntensityByte(byte value) => value / 255f;
}

/// <summary>
/// Mounting of a camera relative to the vehicle's geometric centre on the ground (vehicle frame: x forward, y left,
/// z up; m), its yaw about z (rad, left positive) and its pitch (rad, positive looks down). The camera frame has x
/// along the optical axis, y left, z up.
/// </summary>
public readonly record struct CameraMount(double X, double Y, double Z, double Yaw, double Pitch);

/// <summary>
/// One front-camera image: <see cref="Width"/> × <see cref="Height"/> pixels, RGB8, row-major from the top-left
/// (<see cref="Rgb"/> holds exactly 3 × Width × Height bytes). Pinhole intrinsics in pixels: a point (x, y, z) of
/// the camera frame (x forward, y left, z up) lands at u = Cx − Fx·y/x, v = Cy − Fy·z/x, pixel (i, j) covering
/// [i, i+1) × [j, j+1), so the image centre is (Width/2, Height/2). <see cref="Pose"/> is the camera's mounting in
/// the vehicle frame.
/// </summary>
public sealed record CameraImage(
    long FrameNumber,
    long StampNs,
    CameraMount Pose,
    double Fx,
    double Fy,
    double Cx,
    double Cy,
    int Width,
    int Height,
    ReadOnlyMemory<byte> Rgb)
{
    /// <summary>Bytes per pixel: R, G, B.</summary>
    public const int Channels = 3;
}

/// <summary>
/// Everything the vehicle receives in one frame. FrameNumber counts physics steps since start (CARLA-style);
/// StampNs is simulated time in nanoseconds. <see cref="Lidar"/> is null when the vehicle has no lidar or no scan is
/// due in this frame; <see cref="Camera"/> likewise for the front camera. <see cref="Unavailable"/> names the sensors
/// whose data is missing from this frame because the sensor is down (its health signal, as a real truck's sensor
/// drivers report it): an unavailable radar's empty detection list does not mean a free road.
/// </summary>
public sealed record SensorFrame(
    long FrameNumber,
    long StampNs,
    EgoMeasurement Ego,
    IReadOnlyList<RadarDetection> Radar,
    IReadOnlyList<V2xMessage> V2x,
    DriverInput Driver,
    string TargetLaneId,
    LidarScan? Lidar = null,
    CameraImage? Camera = null,
    SensorSet Unavailable = SensorSet.None);

/// <summary>
/// A set of the truck's sensors (bit values are the wire's <c>Frame.unavailable_sensors</c> bits). Ego measurement
/// fields of an unavailable GNSS, IMU or odometry are not usable (GNSS: <see cref="EgoMeasurement.GnssValid"/> false;
/// IMU and odometry: NaN).
/// </summary>
[Flags]
public enum SensorSet
{
    None = 0,
    Radar = 1 << 0,
    Lidar = 1 << 1,
    Camera = 1 << 2,
    Gnss = 1 << 3,
    Imu = 1 << 4,
    Odometry = 1 << 5,
}

/// <summary>The actuation the vehicle asks for: longitudinal acceleration m/s², road-wheel steering angle rad (left positive).</summary>
public readonly record struct ActuationCommand(double Acceleration, double SteeringAngle);

/// <summary>Severity of a vehicle log line.</summary>
public enum LogLevel
{
    Debug = 0,
    Info = 1,
    Warning = 2,
    Error = 3,
}

/// <summary>A log line produced by the vehicle pipeline, stamped with simulated time; recorded by the bridge.</summary>
public readonly record struct VehicleLogLine(long StampNs, LogLevel Level, string Text);

/// <summary>
/// What the vehicle produces in answer to one frame: the command, V2X messages to send, log lines,
/// and a few diagnostic values that are recorded (mode, lead gap as perceived).
/// </summary>
public sealed record VehicleOutput(
    long FrameNumber,
    ActuationCommand Command,
    IReadOnlyList<V2xMessage> V2xToSend,
    IReadOnlyList<VehicleLogLine> Log,
    VehicleDiagnostics Diagnostics);

/// <summary>Vehicle-side view recorded for review: engagement mode and the perceived lead (NaN-free: HasLead says whether the lead fields mean anything).</summary>
public readonly record struct VehicleDiagnostics(
    string Mode,
    bool HasLead,
    double LeadGap,
    double LeadSpeed,
    double EstimatedSpeed,
    double AccelerationRequest,
    int Faults,
    PlatoonDiagnostics Platoon = default,
    PerceptionDiagnostics Perception = default,
    SignalDiagnostics Signal = default);

/// <summary>
/// The camera's view of the signal head that controls the ego's lane (parameter perception.camera_lights; all default
/// when off or when no such head is in view): HeadId from the map, State "red", "amber", "green" or "unknown" (as
/// classified; green only when confident), Confidence the classifier's probability of that state, Distance to the head
/// along the ego's heading, m; HeadsClassified and ClassifierFaults count since start.
/// </summary>
public readonly record struct SignalDiagnostics(
    string HeadId,
    string State,
    double Confidence,
    double Distance,
    long HeadsClassified,
    long ClassifierFaults);

/// <summary>
/// The lidar perception stage's view (all default when it is off): State "starting", "nominal" or "degraded";
/// LeadSource "radar" (starting, degraded, or a lead beyond the lidar's range), "lidar", "lidar+radar" (the radar's
/// lead is the same vehicle: its speed and acceleration are used) or either with "+v2v" (associated with the
/// predecessor's PCM sender, whose communicated acceleration is used), empty when there is no lead; Detections in the last processed scan;
/// ConfirmedTracks now; DetectorFaults and ScanTimeouts counted since start; CutIns predicted since start.
/// </summary>
public readonly record struct PerceptionDiagnostics(
    string State,
    string LeadSource,
    int Detections,
    int ConfirmedTracks,
    long DetectorFaults,
    long ScanTimeouts,
    long CutIns,
    IReadOnlyList<PerceivedObject>? Tracks = null);

/// <summary>
/// A confirmed lidar track as the vehicle sees it, for review against the ground truth: centre X forward, Y left of
/// the ego's geometric centre (ego frame), m; box Length × Width, m; Yaw of its length axis in the ego frame, rad;
/// Speed over ground, m/s; Category "car", "truck" or "agv". Published in the output of the frame whose scan was
/// processed (10 Hz), empty otherwise.
/// </summary>
public readonly record struct PerceivedObject(int Id, string Category, double X, double Y, double Length, double Width, double Yaw, double Speed);

/// <summary>
/// The platooning layer's view, recorded for review and KPIs: state, role and longitudinal mode as text (empty when
/// platooning is off), platoon id and index, the time gap in force s and the controller's desired gap m, the
/// predecessor's station id (0 = none), and V2X counters (messages accepted and dropped so far; accepted and sent
/// encrypted under a platoon group key; group keys installed).
/// </summary>
public readonly record struct PlatoonDiagnostics(
    string State,
    string Role,
    string LongitudinalMode,
    uint PlatoonId,
    int Index,
    double TimeGap,
    double DesiredGap,
    uint PredecessorStationId,
    long V2xAccepted,
    long V2xDropped,
    IReadOnlyDictionary<string, long>? V2xDropsByReason = null,
    long V2xEncryptedAccepted = 0,
    long V2xEncryptedSent = 0,
    long GroupKeysInstalled = 0);
