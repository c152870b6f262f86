using AutomationStack.Contracts;
using AutomationStack.RoadMap;

namespace AutomationStack.Simulation;

/// <summary>What a vehicle is in the world: a truck driven by the stack, or scenery traffic.</summary>
public enum VehicleRole
{
    StackTruck,
    Background,
}

/// <summary>Who decides a vehicle's motion right now.</summary>
public enum ControlSource
{
    /// <summary>Acceleration/steering commands or pedals set through <see cref="World"/>.</summary>
    External,

    /// <summary>Intelligent driver model along its lane (background traffic).</summary>
    CarFollowing,

    /// <summary>The truck's own fallback: brake to standstill in its lane, external commands ignored.</summary>
    MinimalRiskStop,

    /// <summary>
    /// Another simulator moves it (SUMO background traffic): its pose and speed are set each step through
    /// <see cref="World.SetMirroredState"/>; the world only locates it on the map, senses it and checks collisions.
    /// </summary>
    Mirrored,
}

/// <summary>
/// Read-only view of one vehicle's ground truth. Mutated only inside <see cref="World"/>. Position is the
/// geometric centre of the body box in map coordinates (m); heading rad (0 = +x, counter-clockwise).
/// </summary>
public sealed class SimVehicle
{
    /// <summary>Below this speed a vehicle counts as stopped, m/s.</summary>
    public const double StoppedSpeedThreshold = 0.05;

    private const double Half = 0.5;
    private const string EgoStreamName = "ego";
    private const string RadarStreamName = "radar";
    private const string V2xStreamName = "v2x";
    private const string LidarStreamName = "lidar";

    internal SimVehicle(
        string id,
        VehicleRole role,
        TruckParameters body,
        ControlSource control,
        uint stationId,
        Lane lane,
        ulong worldSeed)
    {
        Id = id;
        Role = role;
        Body = body;
        Control = control;
        StationId = stationId;
        Lane = lane;
        LaneId = lane.Id;
        BoundingRadius = Half * Math.Sqrt((body.Length * body.Length) + (body.Width * body.Width));
        EgoNoise = DeterministicRandom.ForStream(worldSeed, id, EgoStreamName);
        RadarNoise = DeterministicRandom.ForStream(worldSeed, id, RadarStreamName);
        V2xLinks = DeterministicRandom.ForStream(worldSeed, id, V2xStreamName);
        LidarNoise = DeterministicRandom.ForStream(worldSeed, id, LidarStreamName);
    }

    public string Id { get; }

    public VehicleRole Role { get; }

    public TruckParameters Body { get; }

    public ControlSource Control { get; internal set; }

    /// <summary>Geometric centre x, m.</summary>
    public double X { get; internal set; }

    /// <summary>Geometric centre y, m.</summary>
    public double Y { get; internal set; }

    /// <summary>Heading, rad in (−π, π].</summary>
    public double Heading { get; internal set; }

    /// <summary>Longitudinal speed at the rear axle, m/s (never negative).</summary>
    public double Speed { get; internal set; }

    /// <summary>Net longitudinal acceleration over the last step, m/s².</summary>
    public double Acceleration { get; internal set; }

    /// <summary>Road-wheel steering angle, rad (left positive).</summary>
    public double SteeringAngle { get; internal set; }

    /// <summary>Yaw rate over the last step, rad/s.</summary>
    public double YawRate { get; internal set; }

    /// <summary>Road height at the vehicle's lane position, m.</summary>
    public double Z { get; internal set; }

    /// <summary>Road grade dz/ds at the vehicle's lane position (0.03 = 3 % uphill).</summary>
    public double Grade { get; internal set; }

    /// <summary>Fraction of aerodynamic drag removed by drafting behind a leader, 0..1.</summary>
    public double DragReduction { get; internal set; }

    /// <summary>Drive work at the wheels so far (positive traction force × speed, integrated), J. Trucks only.</summary>
    public double TractionEnergy { get; internal set; }

    /// <summary>Aerodynamic work saved by drafting so far (drag reduction × nominal drag × speed, integrated), J.</summary>
    public double DraftingEnergySaved { get; internal set; }

    /// <summary>Nearest lane of the centre.</summary>
    public string LaneId { get; private set; }

    /// <summary>Arc length of the centre along <see cref="LaneId"/>, m.</summary>
    public double S { get; internal set; }

    /// <summary>Signed lateral offset of the centre from the lane centreline, m (left positive).</summary>
    public double Offset { get; internal set; }

    public bool Stopped => Speed < StoppedSpeedThreshold;

    // ---- World-internal state -------------------------------------------------------------------------------

    internal uint StationId { get; }

    internal Lane Lane { get; private set; }

    /// <summary>Half the body diagonal: radius of the circle around the centre that holds the box, m.</summary>
    internal double BoundingRadius { get; }

    internal int SegmentHint { get; set; }

    /// <summary>Rear-axle reference point of the bicycle model, m.</summary>
    internal double RearX { get; set; }

    internal double RearY { get; set; }

    /// <summary>Unwrapped heading used for integration, rad.</summary>
    internal double Yaw { get; set; }

    /// <summary>Actuator (wheel) force after the first-order lag, N (negative = braking).</summary>
    internal double ActuatorForce { get; set; }

    /// <summary>α = 1 − exp(−dt/τ) of this body's actuator lag.</summary>
    internal double LagFactor { get; set; }

    internal bool UsePedals { get; set; }

    internal double AccelerationRequest { get; set; }

    internal double SteeringRequest { get; set; }

    internal double Throttle { get; set; }

    internal double Brake { get; set; }

    internal IdmParameters? Idm { get; init; }

    /// <summary>Lateral offset from the target lane's centreline when the running lane change started, m (left positive).</summary>
    internal double LaneChangeStartOffset { get; set; }

    /// <summary>Length of the running lane change, s; 0 when none is running.</summary>
    internal double LaneChangeDuration { get; set; }

    /// <summary>Time since the running lane change started, s.</summary>
    internal double LaneChangeElapsed { get; set; }

    /// <summary>True while a background vehicle moves laterally into its (new) lane.</summary>
    public bool ChangingLane => LaneChangeDuration > 0;

    /// <summary>Lane followed by the minimal-risk stop (the nearest lane when it started).</summary>
    internal Lane? FallbackLane { get; set; }

    internal int FallbackHint { get; set; }

    /// <summary>Nearest vehicle ahead in the same lane, refreshed after every step; null when none.</summary>
    internal SimVehicle? Leader { get; set; }

    /// <summary>Bumper-to-bumper gap to <see cref="Leader"/>, m (may be negative when overlapping).</summary>
    internal double LeaderGap { get; set; }

    /// <summary>Leader speed captured before the step, m/s.</summary>
    internal double LeaderSpeed { get; set; }

    /// <summary>Noise stream of the ego GNSS/IMU/odometry unit.</summary>
    internal DeterministicRandom EgoNoise { get; }

    /// <summary>Detection and noise stream of the forward radar.</summary>
    internal DeterministicRandom RadarNoise { get; }

    /// <summary>Dropout, range and intensity noise stream of the lidar.</summary>
    internal DeterministicRandom LidarNoise { get; }

    /// <summary>Per-link loss draws for messages this vehicle sends.</summary>
    internal DeterministicRandom V2xLinks { get; }

    /// <summary>Received messages waiting for their delivery frame, ordered by it (ties in arrival order).</summary>
    internal List<PendingV2x> Inbox { get; } = [];

    /// <summary>Gilbert–Elliott state (true = bad) of each directed link from this vehicle, by receiver station id.</summary>
    internal Dictionary<uint, bool> BurstState { get; } = [];

    /// <summary>Queues a message for delivery, keeping <see cref="Inbox"/> ordered by delivery frame.</summary>
    internal void Deliver(PendingV2x pending)
    {
        var i = Inbox.Count;
        while (i > 0 && Inbox[i - 1].DeliverFrame > pending.DeliverFrame)
        {
            i--;
        }

        Inbox.Insert(i, pending);
    }

    internal void SetLane(Lane lane)
    {
        Lane = lane;
        LaneId = lane.Id;
    }
}

/// <summary>A V2X message waiting in a receiver's inbox until its delivery frame.</summary>
internal readonly record struct PendingV2x(long DeliverFrame, V2xMessage Message);
