using System.Collections.ObjectModel;
using System.Diagnostics.CodeAnalysis;
using AutomationStack.Contracts;
using AutomationStack.Geometry;
using AutomationStack.RoadMap;
using AutomationStack.Simulation.Camera;

namespace AutomationStack.Simulation;

/// <summary>
/// The embedded simulator: ground-truth vehicles on a road network, stepped with a fixed physics step, with
/// noisy ego, radar and V2X models. Deterministic: the same seed and the same sequence of calls give bit-identical
/// states and measurements. Not thread-safe. Models and units are documented in the project README.
/// </summary>
public sealed class World
{
    /// <summary>Pure-pursuit lookahead time of the minimal-risk stop, s.</summary>
    private const double FallbackLookaheadTime = 0.8;

    /// <summary>Smallest pure-pursuit lookahead distance, m.</summary>
    private const double FallbackMinimumLookahead = 6.0;

    /// <summary>Below this heading change per step the chord factor uses its series expansion, rad.</summary>
    private const double SmallTurnAngle = 1e-4;

    /// <summary>Series coefficient of sin(x/2)/(x/2) ≈ 1 − x²/24.</summary>
    private const double ChordSeriesDivisor = 24.0;

    private const double Half = 0.5;

    /// <summary>Speed floor for the heading of a lane change at (near) standstill, m/s.</summary>
    private const double LaneChangeMinimumSpeed = 1.0;

    private readonly List<SimVehicle> _vehicles = [];
    private readonly ReadOnlyCollection<SimVehicle> _vehiclesView;
    private readonly Dictionary<string, SimVehicle> _byId = new(StringComparer.Ordinal);
    private readonly CollisionDetector _collisions = new();
    private readonly RadarModel _radar = new();
    private LidarModel? _lidar;
    private RoadPost[]? _posts;
    private CameraModel? _camera;
    private readonly ISignalProgram?[] _signalPrograms;
    private readonly List<SignalHead> _heads = [];
    private readonly V2xChannel _v2x;
    private readonly List<RoadsideStation> _stations = [];
    private readonly List<SignalController> _controllers = [];
    private LaneOccupant[] _occupants = [];
    private readonly ulong _seed;
    private readonly double _dt;
    private readonly long _stepNs;
    private uint _nextStationId = 1;

    /// <summary>Background vehicles stop this far before a stop line, m.</summary>
    private const double StopLineMargin = 1.0;

    /// <summary>Background vehicles look this far ahead for stop lines, m.</summary>
    private const double SignalLookahead = 250.0;

    private readonly Dictionary<string, List<(SignalController Controller, int Group, double S)>> _stopLines = new(StringComparer.Ordinal);

    public World(RoadNetwork map, WorldOptions options, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(map);
        ArgumentNullException.ThrowIfNull(options);
        if (!(options.StepLength > 0) || double.IsInfinity(options.StepLength))
        {
            throw new ArgumentOutOfRangeException(nameof(options), "StepLength must be a positive finite number of seconds.");
        }

        Map = map;
        Options = options;
        _seed = seed;
        _dt = options.StepLength;
        _stepNs = Units.SecondsToNanoseconds(options.StepLength);
        if (_stepNs <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "StepLength must be at least one nanosecond.");
        }

        V2xOptions = options.V2x;
        _v2x = new V2xChannel(_dt, _stepNs);
        _vehiclesView = _vehicles.AsReadOnly();
        _signalPrograms = new ISignalProgram?[map.SignalHeads.Count];
        CameraLighting = options.Camera.RandomLighting ? DrawLighting(seed) : options.Camera.Lighting;
    }

    /// <summary>The camera's lighting in this run: the options' or, with <see cref="CameraOptions.RandomLighting"/>, the seeded draw.</summary>
    public Lighting CameraLighting { get; }

    public RoadNetwork Map { get; }

    public WorldOptions Options { get; }

    /// <summary>Physics steps taken.</summary>
    public long Frame { get; private set; }

    /// <summary>Simulated time, ns: Frame × step (step rounded to whole ns once).</summary>
    public long StampNs => Frame * _stepNs;

    /// <summary>The physics step rounded to whole nanoseconds.</summary>
    public long StepNs => _stepNs;

    /// <summary>The V2X channel in force now: <see cref="WorldOptions.V2x"/> unless a scenario event changed it.</summary>
    public V2xChannelOptions V2xOptions { get; private set; }

    /// <summary>What the V2X channel did with the messages sent so far.</summary>
    public V2xChannelStats V2xStats => _v2x.Stats;

    /// <summary>Replaces the V2X channel model from now on (messages in flight keep their delivery frame).</summary>
    public void SetV2xChannel(V2xChannelOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        V2xOptions = options;
    }

    /// <summary>Roadside stations (fixed V2X stations) in the order they were added.</summary>
    public IReadOnlyList<RoadsideStation> RoadsideStations => _stations;

    /// <summary>Signal controllers in the order they were added; stepped at the end of every <see cref="Step"/>.</summary>
    public IReadOnlyList<SignalController> SignalControllers => _controllers;

    /// <summary>
    /// Adds a fixed V2X station at (<paramref name="x"/>, <paramref name="y"/>): it hears vehicles in range and they hear
    /// it (<see cref="SendV2xFromStation"/>, <see cref="ReceiveV2xAtStation"/>).
    /// </summary>
    /// <exception cref="ArgumentException">The station id is below <see cref="RoadsideStation.MinStationId"/> (vehicles' range) or already used.</exception>
    public RoadsideStation AddRoadsideStation(uint stationId, double x, double y)
    {
        if (stationId < RoadsideStation.MinStationId || _stations.Exists(s => s.StationId == stationId))
        {
            throw new ArgumentException($"Station id {stationId} is below {RoadsideStation.MinStationId} (the vehicles' range) or already used.", nameof(stationId));
        }

        if (!double.IsFinite(x) || !double.IsFinite(y))
        {
            throw new ArgumentOutOfRangeException(nameof(x), "A station's position must be finite.");
        }

        var station = new RoadsideStation(stationId, x, y, _seed);
        _stations.Add(station);
        return station;
    }

    /// <summary>
    /// Adds a signal controller: the heads of its groups show its state from now on, and it is stepped with every
    /// vehicle's lane position (all vehicles, background included) at the end of every <see cref="Step"/>.
    /// </summary>
    public void AddSignalController(SignalController controller)
    {
        ArgumentNullException.ThrowIfNull(controller);
        if (controller.NowNs != StampNs)
        {
            throw new ArgumentException($"The controller is at {controller.NowNs} ns, the world at {StampNs} ns.", nameof(controller));
        }

        foreach (var group in controller.Intersection.SignalGroups)
        {
            foreach (var head in group.HeadIds)
            {
                SetSignalProgram(head, new ControlledSignalHead(controller, group.Id));
            }
        }

        _controllers.Add(controller);
        foreach (var group in controller.Intersection.SignalGroups)
        {
            foreach (var ingress in group.Ingress)
            {
                if (!_stopLines.TryGetValue(ingress.LaneId, out var list))
                {
                    list = [];
                    _stopLines[ingress.LaneId] = list;
                }

                list.Add((controller, group.Id, ingress.StopLineS));
            }
        }
    }

    /// <summary>Broadcasts <paramref name="payload"/> (copied) from roadside station <paramref name="stationId"/> to the vehicles in range.</summary>
    public void SendV2xFromStation(uint stationId, ReadOnlyMemory<byte> payload) =>
        _v2x.Send(GetStation(stationId), _vehicles, V2xOptions, Frame, payload);

    /// <summary>Clears <paramref name="output"/> and moves into it the messages delivered to the station by now, oldest first.</summary>
    public void ReceiveV2xAtStation(uint stationId, List<V2xMessage> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var station = GetStation(stationId);
        output.Clear();
        var n = 0;
        while (n < station.Inbox.Count && station.Inbox[n].DeliverFrame <= Frame)
        {
            output.Add(station.Inbox[n++].Message);
        }

        station.Inbox.RemoveRange(0, n);
    }

    private RoadsideStation GetStation(uint stationId) =>
        _stations.Find(s => s.StationId == stationId) ?? throw new ArgumentException($"Unknown roadside station {stationId}.", nameof(stationId));

    /// <summary>Steps every signal controller to the current time with the vehicles' lane positions (rear and front).</summary>
    private void StepSignalControllers()
    {
        if (_controllers.Count == 0)
        {
            return;
        }

        if (_occupants.Length < _vehicles.Count)
        {
            _occupants = new LaneOccupant[_vehicles.Count * 2];
        }

        for (var i = 0; i < _vehicles.Count; i++)
        {
            var v = _vehicles[i];
            var half = v.Body.Length * Half;
            _occupants[i] = new LaneOccupant(v.LaneId, v.S - half, v.S + half);
        }

        var span = _occupants.AsSpan(0, _vehicles.Count);
        foreach (var controller in _controllers)
        {
            controller.Step(StampNs, span);
        }
    }

    /// <summary>Vehicles in spawn order.</summary>
    public IReadOnlyList<SimVehicle> Vehicles => _vehiclesView;

    /// <summary>Pairs whose boxes started overlapping on the last step (ordinal id order within and between pairs).</summary>
    public IReadOnlyList<(string First, string Second)> NewCollisions => _collisions.NewCollisions;

    /// <summary>Distinct collision starts so far.</summary>
    public int CollisionCount => _collisions.Count;

    /// <summary>
    /// Spawns a truck under external control with its centre on the centreline of <paramref name="laneId"/> at arc
    /// length <paramref name="s"/>, heading along the lane. Initial command: hold speed (acceleration 0) and the
    /// steering angle of the lane's local curvature.
    /// </summary>
    public SimVehicle AddTruck(string id, TruckParameters body, string laneId, double s, double speed)
    {
        var lane = ValidateSpawn(id, body, laneId, s, speed);
        var v = new SimVehicle(id, VehicleRole.StackTruck, body, ControlSource.External, _nextStationId, lane, _seed)
        {
            Speed = speed,
            LagFactor = Longitudinal.LagFactor(_dt, body.ActuatorTimeConstant),
        };
        PlaceOnLane(v, lane, s);
        var steer = Math.Clamp(
            Math.Atan(body.Wheelbase * LaneGeometry.CurvatureAt(lane.Centreline, s)),
            -body.MaxSteeringAngle,
            body.MaxSteeringAngle);
        v.SteeringRequest = steer;
        v.SteeringAngle = steer;
        Register(v);
        v.ActuatorForce = Longitudinal.Resistance(body, Options.AirDensity, v.DragReduction, speed, v.Grade);
        return v;
    }

    /// <summary>Spawns a background vehicle driven by the IDM exactly along <paramref name="laneId"/>'s centreline.</summary>
    public SimVehicle AddBackground(string id, TruckParameters body, IdmParameters idm, string laneId, double s, double speed)
    {
        ArgumentNullException.ThrowIfNull(idm);
        if (!(idm.DesiredSpeed > 0) || !(idm.MaxAcceleration > 0) || !(idm.ComfortDeceleration > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(idm), "IDM desired speed, acceleration and deceleration must be positive.");
        }

        var lane = ValidateSpawn(id, body, laneId, s, speed);
        var v = new SimVehicle(id, VehicleRole.Background, body, ControlSource.CarFollowing, _nextStationId, lane, _seed)
        {
            Idm = idm,
            Speed = speed,
            LagFactor = Longitudinal.LagFactor(_dt, body.ActuatorTimeConstant),
        };
        PlaceOnLane(v, lane, s);
        Register(v);
        return v;
    }

    /// <summary>
    /// Adds a background vehicle that another simulator moves (<see cref="ControlSource.Mirrored"/>): centre
    /// (<paramref name="x"/>, <paramref name="y"/>) m, <paramref name="heading"/> rad, <paramref name="speed"/> m/s; it is
    /// located on the nearest lane of the map.
    /// </summary>
    /// <exception cref="ArgumentException">a duplicate id, or a non-finite pose.</exception>
    public SimVehicle AddMirrored(string id, TruckParameters body, double x, double y, double heading, double speed)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentNullException.ThrowIfNull(body);
        if (_byId.ContainsKey(id))
        {
            throw new ArgumentException($"Vehicle '{id}' already exists.", nameof(id));
        }

        if (!double.IsFinite(x) || !double.IsFinite(y) || !double.IsFinite(heading) || !double.IsFinite(speed))
        {
            throw new ArgumentException($"Vehicle '{id}': pose and speed must be finite.", nameof(id));
        }

        var lane = Map.TryLocate(new Vec2(x, y), out var position) ? Map.GetLane(position.LaneId) : Map.Lanes[0];
        var v = new SimVehicle(id, VehicleRole.Background, body, ControlSource.Mirrored, _nextStationId, lane, _seed)
        {
            LagFactor = Longitudinal.LagFactor(_dt, body.ActuatorTimeConstant),
        };
        v.SegmentHint = lane.Centreline.SegmentAt(Math.Clamp(position.S, 0, lane.Centreline.Length));
        Pose(v, x, y, heading, speed, 0.0);
        UpdateLanePosition(v);
        Register(v);
        return v;
    }

    /// <summary>
    /// Sets the pose of a mirrored vehicle (see <see cref="AddMirrored"/>) for the current step: centre m, heading rad,
    /// speed m/s, acceleration m/s². Non-finite values are ignored (the vehicle keeps its last pose).
    /// </summary>
    /// <exception cref="ArgumentException">the vehicle is not mirrored.</exception>
    public void SetMirroredState(string id, double x, double y, double heading, double speed, double acceleration)
    {
        var v = Get(id);
        if (v.Control != ControlSource.Mirrored)
        {
            throw new ArgumentException($"Vehicle '{id}' is not mirrored from another simulator.", nameof(id));
        }

        if (!double.IsFinite(x) || !double.IsFinite(y) || !double.IsFinite(heading) || !double.IsFinite(speed))
        {
            return;
        }

        var turn = Angles.Normalize(heading - v.Heading);
        Pose(v, x, y, heading, speed, double.IsFinite(acceleration) ? acceleration : 0.0);
        v.YawRate = turn / _dt;
        UpdateLanePosition(v);
    }

    private static void Pose(SimVehicle v, double x, double y, double heading, double speed, double acceleration)
    {
        v.X = x;
        v.Y = y;
        v.Yaw = heading;
        v.Heading = Angles.Normalize(heading);
        v.Speed = Math.Max(0.0, speed);
        v.Acceleration = acceleration;
        v.RearX = x - (v.Body.RearAxleToCentre * Math.Cos(heading));
        v.RearY = y - (v.Body.RearAxleToCentre * Math.Sin(heading));
    }

    public bool Remove(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        if (!_byId.Remove(id, out var v))
        {
            return false;
        }

        _vehicles.Remove(v);
        RefreshLeaders();
        return true;
    }

    public bool TryGet(string id, [MaybeNullWhen(false)] out SimVehicle vehicle)
    {
        ArgumentNullException.ThrowIfNull(id);
        return _byId.TryGetValue(id, out vehicle);
    }

    /// <summary>Sets the held acceleration request (m/s²) and steering angle command (rad) of an externally controlled vehicle.</summary>
    public void SetCommand(string id, ActuationCommand command)
    {
        var v = GetExternal(id);
        if (v is null)
        {
            return;
        }

        v.UsePedals = false;
        v.AccelerationRequest = FiniteOrZero(command.Acceleration);
        v.SteeringRequest = FiniteOrZero(command.SteeringAngle);
    }

    /// <summary>Sets held pedal positions (0..1, clamped) and a steering angle command (rad).</summary>
    public void SetPedals(string id, double throttle, double brake, double steeringAngle)
    {
        var v = GetExternal(id);
        if (v is null)
        {
            return;
        }

        v.UsePedals = true;
        v.Throttle = Math.Clamp(FiniteOrZero(throttle), 0.0, 1.0);
        v.Brake = Math.Clamp(FiniteOrZero(brake), 0.0, 1.0);
        v.SteeringRequest = FiniteOrZero(steeringAngle);
    }

    /// <summary>
    /// Starts a lane change of a background vehicle into <paramref name="laneId"/>: from now on the vehicle belongs to
    /// the target lane (its car-following model follows the target lane's traffic, its arc length is along the target
    /// lane) and its lateral offset from the target centreline goes from the current offset to 0 over
    /// <paramref name="duration"/> s with the quintic profile 1 − (10τ³ − 15τ⁴ + 6τ⁵), zero lateral speed and
    /// acceleration at both ends; the heading follows the lateral motion. Other vehicles count it as in the target lane
    /// once its centre is within half a lane width of the centreline. A change that is running is replaced, starting
    /// from where the vehicle is. Deterministic (no random draws).
    /// </summary>
    /// <exception cref="ArgumentException">unknown lane, a vehicle that is not background traffic, or a position
    /// outside the target lane's arc-length range.</exception>
    public void StartLaneChange(string id, string laneId, double duration)
    {
        ArgumentNullException.ThrowIfNull(laneId);
        var v = Get(id);
        if (v.Role != VehicleRole.Background)
        {
            throw new ArgumentException($"Vehicle '{id}' is not background traffic; only background vehicles change lanes on command.", nameof(id));
        }

        if (!(duration > 0) || double.IsInfinity(duration))
        {
            throw new ArgumentOutOfRangeException(nameof(duration), duration, "A lane change needs a positive finite duration.");
        }

        if (!Map.TryGetLane(laneId, out var target))
        {
            throw new ArgumentException($"Unknown lane '{laneId}'.", nameof(laneId));
        }

        var p = target.Centreline.Project(new Vec2(v.X, v.Y));
        if (p.S < 0 || p.S > target.Centreline.Length)
        {
            throw new ArgumentException($"Vehicle '{id}' (s = {v.S:0.##} m on {v.LaneId}) is outside lane '{laneId}'.", nameof(laneId));
        }

        v.SetLane(target);
        v.S = p.S;
        v.Offset = p.Offset;
        v.SegmentHint = p.Segment;
        v.LaneChangeStartOffset = p.Offset;
        v.LaneChangeElapsed = 0;
        v.LaneChangeDuration = duration;
        RefreshLeaders();
    }

    /// <summary>
    /// Switches a truck to its minimal-risk stop: brake at min(Options.MinimalRiskDeceleration, body.MaxDeceleration)
    /// to standstill following the centreline of its current nearest lane; external commands are ignored from now on.
    /// </summary>
    public void StartMinimalRiskStop(string id)
    {
        var v = Get(id);
        if (v.Role != VehicleRole.StackTruck || v.Control == ControlSource.MinimalRiskStop)
        {
            return;
        }

        v.Control = ControlSource.MinimalRiskStop;
        v.UsePedals = false;
        v.FallbackLane = v.Lane;
        v.FallbackHint = -1;
    }

    /// <summary>Advances the world by one physics step of Options.StepLength.</summary>
    public void Step()
    {
        for (var i = 0; i < _vehicles.Count; i++)
        {
            var v = _vehicles[i];
            if (v.Control == ControlSource.Mirrored)
            {
                continue; // posed from outside (SetMirroredState)
            }

            if (v.Role == VehicleRole.Background)
            {
                AdvanceBackground(v);
            }
            else
            {
                AdvanceTruck(v);
            }
        }

        Frame++;
        for (var i = 0; i < _vehicles.Count; i++)
        {
            var v = _vehicles[i];
            if (v.Role == VehicleRole.StackTruck)
            {
                UpdateLanePosition(v);
            }
        }

        RefreshLeaders();
        _collisions.Update(_vehicles);
        StepSignalControllers();
    }

    /// <summary>Noisy GNSS/IMU/odometry measurement of the vehicle's current state (see README).</summary>
    public EgoMeasurement MeasureEgo(string id)
    {
        var v = Get(id);
        var o = Options.Ego;
        var rng = v.EgoNoise;

        // Fixed draw order, always all draws, so the stream stays aligned whatever the outcomes.
        var dropout = rng.NextDouble() < o.GnssDropoutProbability;
        var nx = rng.NextGaussian(o.GnssPositionNoise);
        var ny = rng.NextGaussian(o.GnssPositionNoise);
        var nh = rng.NextGaussian(o.GnssHeadingNoise);
        var nv = rng.NextGaussian(o.OdometrySpeedNoise);
        var na = rng.NextGaussian(o.ImuAccelerationNoise);
        var nr = rng.NextGaussian(o.ImuYawRateNoise);
        return new EgoMeasurement(
            StampNs,
            dropout ? 0.0 : v.X + nx,
            dropout ? 0.0 : v.Y + ny,
            dropout ? 0.0 : Angles.Normalize(v.Heading + nh),
            Math.Max(0.0, v.Speed + nv),
            v.Acceleration + na,
            v.YawRate + nr,
            !dropout);
    }

    /// <summary>Clears <paramref name="output"/> and fills it with this vehicle's forward-radar detections, sorted by range.</summary>
    public void MeasureRadar(string id, List<RadarDetection> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        _radar.Measure(Get(id), _vehicles, Options.Radar, output);
    }

    /// <summary>
    /// One lidar scan (<see cref="WorldOptions.Lidar"/>, whether or not it is enabled) from this vehicle's sensor
    /// mount at the current state: points in the sensor frame. The scan's point buffer belongs to the world and is
    /// overwritten by the next call; copy what must outlive it. Draws from the vehicle's own "lidar" noise stream.
    /// </summary>
    public LidarScan MeasureLidar(string id)
    {
        var v = Get(id);
        _lidar ??= new LidarModel(Options.Lidar);
        return _lidar.Scan(v, _vehicles, RoadPostArray, Frame, StampNs);
    }

    /// <summary>Mounting of the lidar on this vehicle's body (vehicle frame: centre on the ground, x forward, z up).</summary>
    public LidarPose LidarPoseOf(string id) => LidarModel.PoseOf(Get(id).Body, Options.Lidar);

    /// <summary>The posts along the road edges that the lidar sees, generated from the map on first use.</summary>
    public IReadOnlyList<RoadPost> RoadPosts => RoadPostArray;

    private RoadPost[] RoadPostArray => _posts ??= RoadFurniture.Posts(Map);

    /// <summary>
    /// One front-camera image (<see cref="WorldOptions.Camera"/>, whether or not it is enabled) from this vehicle's
    /// camera at the current state. The image's pixel buffer belongs to the world and is overwritten by the next call;
    /// copy what must outlive it. The pixel noise is seeded from the world seed, the vehicle id and the frame number
    /// (stream "camera"), so an image does not depend on which other images were rendered before.
    /// </summary>
    public CameraImage MeasureCamera(string id)
    {
        var v = Get(id);
        _camera ??= new CameraModel(Options.Camera, Map, CameraLighting);
        return _camera.Capture(v, _vehicles, RoadPostArray, CurrentHeads(), Frame, StampNs, CameraNoiseSeed(id, Frame));
    }

    /// <summary>Mounting of the front camera on this vehicle's body (vehicle frame: centre on the ground, x forward, z up).</summary>
    public CameraMount CameraMountOf(string id) => CameraModel.MountOf(Get(id).Body, Options.Camera);

    /// <summary>The world pose (with image size and field of view) of this vehicle's camera now.</summary>
    public CameraPose CameraPoseOf(string id)
    {
        var v = Get(id);
        _camera ??= new CameraModel(Options.Camera, Map, CameraLighting);
        return _camera.PoseOf(v);
    }

    /// <summary>The map's signal heads (<see cref="RoadNetwork.SignalHeads"/>), in map order.</summary>
    public IReadOnlyList<SignalHeadSite> SignalHeads => Map.SignalHeads;

    /// <summary>
    /// Gives head <paramref name="headId"/> a program (null: dark again). Heads without a program are
    /// <see cref="SignalLamp.Off"/>.
    /// </summary>
    /// <exception cref="ArgumentException">the map has no such head.</exception>
    public void SetSignalProgram(string headId, ISignalProgram? program)
    {
        ArgumentNullException.ThrowIfNull(headId);
        var heads = Map.SignalHeads;
        for (var i = 0; i < heads.Count; i++)
        {
            if (string.Equals(heads[i].Id, headId, StringComparison.Ordinal))
            {
                _signalPrograms[i] = program;
                return;
            }
        }

        throw new ArgumentException($"Unknown signal head '{headId}'.", nameof(headId));
    }

    /// <summary>The lamp head <paramref name="index"/> (map order) shows now: its program's at <see cref="StampNs"/>, or Off.</summary>
    public SignalLamp SignalLampOf(int index) => _signalPrograms[index]?.LampAt(StampNs) ?? SignalLamp.Off;

    private List<SignalHead> CurrentHeads()
    {
        var sites = Map.SignalHeads;
        _heads.Clear();
        for (var i = 0; i < sites.Count; i++)
        {
            var h = sites[i];
            _heads.Add(new SignalHead(h.X, h.Y, h.Height, h.Heading, SignalLampOf(i)));
        }

        return _heads;
    }

    /// <summary>Pixel-noise seed of one image: SplitMix64 of seed ⊕ FNV-1a(id, "camera") ⊕ frame · 2⁶⁴/φ.</summary>
    private ulong CameraNoiseSeed(string id, long frame)
    {
        var state = _seed ^ Fnv1a64.Hash(id, CameraStreamName) ^ unchecked((ulong)frame * 0x9E3779B97F4A7C15UL);
        return SplitMix64.Next(ref state);
    }

    private const string CameraStreamName = "camera";

    /// <summary>
    /// One lighting per run from the world seed (stream "camera-lighting" of the id "world"): sun azimuth uniform in
    /// [−π, π), elevation in [0.1, 1.2] rad, ambient in [0.3, 0.6], exposure in [0.75, 1.25], glare in [0, 0.6].
    /// </summary>
    private static Lighting DrawLighting(ulong seed)
    {
        var rng = DeterministicRandom.ForStream(seed, "world", "camera-lighting");
        var azimuth = -Math.PI + (2 * Math.PI * rng.NextDouble());
        var elevation = 0.1 + (1.1 * rng.NextDouble());
        var ambient = 0.3 + (0.3 * rng.NextDouble());
        var exposure = 0.75 + (0.5 * rng.NextDouble());
        var glare = 0.6 * rng.NextDouble();
        return new Lighting(azimuth, elevation, ambient, exposure, glare);
    }

    /// <summary>
    /// Broadcasts <paramref name="payload"/> (copied) from <paramref name="fromId"/> over the channel model in force
    /// (<see cref="V2xOptions"/>): every other vehicle within range at send time receives it after airtime, medium
    /// wait and latency, rounded up to whole steps (at least one), unless its link loses it.
    /// </summary>
    public void SendV2x(string fromId, ReadOnlyMemory<byte> payload) => _v2x.Send(Get(fromId), _vehicles, _stations, V2xOptions, Frame, payload);

    /// <summary>Clears <paramref name="output"/> and moves into it the messages delivered to this vehicle by now, oldest first.</summary>
    public void ReceiveV2x(string toId, List<V2xMessage> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var v = Get(toId);
        output.Clear();
        var n = 0;
        while (n < v.Inbox.Count && v.Inbox[n].DeliverFrame <= Frame)
        {
            output.Add(v.Inbox[n++].Message);
        }

        v.Inbox.RemoveRange(0, n);
    }

    /// <summary>Station id of a vehicle: 1, 2, … in spawn order, never reused within this world.</summary>
    public uint StationIdOf(string id) => Get(id).StationId;

    // ---- internals ----------------------------------------------------------------------------------------------

    private SimVehicle Get(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        return _byId.TryGetValue(id, out var v) ? v : throw new KeyNotFoundException($"Unknown vehicle '{id}'.");
    }

    /// <summary>The vehicle if it takes external commands; null (command ignored) under IDM or minimal-risk stop.</summary>
    private SimVehicle? GetExternal(string id)
    {
        var v = Get(id);
        return v.Control == ControlSource.External ? v : null;
    }

    private static double FiniteOrZero(double value) => double.IsFinite(value) ? value : 0.0;

    private Lane ValidateSpawn(string id, TruckParameters body, string laneId, double s, double speed)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(laneId);
        if (_byId.ContainsKey(id))
        {
            throw new ArgumentException($"Vehicle '{id}' already exists.", nameof(id));
        }

        if (!Map.TryGetLane(laneId, out var lane))
        {
            throw new ArgumentException($"Unknown lane '{laneId}'.", nameof(laneId));
        }

        if (!double.IsFinite(s))
        {
            throw new ArgumentOutOfRangeException(nameof(s), "Arc length must be finite.");
        }

        if (!(speed >= 0) || double.IsInfinity(speed))
        {
            throw new ArgumentOutOfRangeException(nameof(speed), "Speed must be finite and non-negative.");
        }

        if (!(body.Mass > 0) || !(body.Length > 0) || !(body.Width > 0) || !(body.Wheelbase > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(body), "Mass, length, width and wheelbase must be positive.");
        }

        return lane;
    }

    private void Register(SimVehicle v)
    {
        _nextStationId++;
        _vehicles.Add(v);
        _byId.Add(v.Id, v);
        RefreshLeaders();
    }

    /// <summary>Puts the centre on the lane centreline at s (extended straight beyond the ends), heading along the lane.</summary>
    private static void PlaceOnLane(SimVehicle v, Lane lane, double s)
    {
        var (point, heading) = LaneGeometry.PointAt(lane.Centreline, s);
        v.X = point.X;
        v.Y = point.Y;
        v.Yaw = heading;
        v.Heading = Angles.Normalize(heading);
        v.S = s;
        v.Offset = 0;
        v.SegmentHint = lane.Centreline.SegmentAt(s);
        v.Z = lane.Elevation.HeightAt(s);
        v.Grade = lane.Elevation.GradeAt(s);
        v.RearX = point.X - (v.Body.RearAxleToCentre * Math.Cos(heading));
        v.RearY = point.Y - (v.Body.RearAxleToCentre * Math.Sin(heading));
    }

    private void AdvanceTruck(SimVehicle v)
    {
        var body = v.Body;
        var speed = v.Speed;
        var resistance = Longitudinal.Resistance(body, Options.AirDensity, v.DragReduction, speed, v.Grade);
        double demand;
        double steeringCommand;
        if (v.Control == ControlSource.MinimalRiskStop)
        {
            var deceleration = Math.Min(Options.MinimalRiskDeceleration, body.MaxDeceleration);
            demand = Longitudinal.ForceDemand(body, -deceleration, resistance, speed);
            steeringCommand = FallbackSteering(v);
        }
        else if (v.UsePedals)
        {
            demand = Longitudinal.PedalDemand(body, v.Throttle, v.Brake, resistance, speed);
            steeringCommand = v.SteeringRequest;
        }
        else
        {
            demand = Longitudinal.ForceDemand(body, v.AccelerationRequest, resistance, speed);
            steeringCommand = v.SteeringRequest;
        }

        // Actuator: exact first-order lag toward the demand; the engine never exceeds its power.
        var force = v.ActuatorForce + (v.LagFactor * (demand - v.ActuatorForce));
        force = Math.Min(force, Longitudinal.PowerLimitedForce(body, speed));
        v.ActuatorForce = force;

        var acceleration = (force - resistance) / body.Mass;
        // Energy at the wheels: positive drive work, and the aerodynamic work drafting saved (drag without the
        // reduction minus drag with it), both over this step at the speed it started with.
        v.TractionEnergy += Math.Max(0.0, force) * speed * _dt;
        var saved = Longitudinal.Resistance(body, Options.AirDensity, 0.0, speed, v.Grade) - resistance;
        v.DraftingEnergySaved += Math.Max(0.0, saved) * speed * _dt;
        var distance = Longitudinal.Integrate(ref speed, ref acceleration, _dt);
        v.Speed = speed;
        v.Acceleration = acceleration;

        // Steering actuator: command clamped to ±δmax, angle slews at most δ̇max·dt per step.
        var target = Math.Clamp(steeringCommand, -body.MaxSteeringAngle, body.MaxSteeringAngle);
        var maxChange = body.MaxSteeringRate * _dt;
        var delta = v.SteeringAngle + Math.Clamp(target - v.SteeringAngle, -maxChange, maxChange);
        v.SteeringAngle = delta;

        // Kinematic bicycle at the rear axle, integrated exactly along the arc of constant curvature tan δ / L.
        var turn = distance * Math.Tan(delta) / body.Wheelbase;
        var chord = Math.Abs(turn) < SmallTurnAngle
            ? 1.0 - (turn * turn / ChordSeriesDivisor)
            : Math.Sin(Half * turn) / (Half * turn);
        var direction = v.Yaw + (Half * turn);
        v.RearX += distance * chord * Math.Cos(direction);
        v.RearY += distance * chord * Math.Sin(direction);
        v.Yaw += turn;
        v.YawRate = turn / _dt;
        v.Heading = Angles.Normalize(v.Yaw);
        v.X = v.RearX + (body.RearAxleToCentre * Math.Cos(v.Yaw));
        v.Y = v.RearY + (body.RearAxleToCentre * Math.Sin(v.Yaw));
    }

    /// <summary>Pure pursuit on the ground-truth rear axle toward the fallback lane's centreline.</summary>
    private double FallbackSteering(SimVehicle v)
    {
        var lane = v.FallbackLane ?? v.Lane;
        var rear = new Vec2(v.RearX, v.RearY);
        var projection = lane.Centreline.Project(rear, v.FallbackHint);
        v.FallbackHint = projection.Segment;
        var lookahead = Math.Max(FallbackMinimumLookahead, FallbackLookaheadTime * v.Speed);
        var (point, _) = LaneGeometry.PointAt(lane.Centreline, projection.S + lookahead);
        var d = point - rear;
        var forward = Vec2.FromHeading(v.Yaw);
        var lateral = Vec2.Dot(d, forward.Normal);
        var curvature = 2.0 * lateral / d.LengthSquared;
        return Math.Atan(v.Body.Wheelbase * curvature);
    }

    /// <summary>
    /// The IDM acceleration towards the nearest stop line ahead on the vehicle's lane whose group shows red, or amber
    /// when the vehicle can still stop within its comfortable deceleration; +∞ when none binds.
    /// </summary>
    private double SignalAcceleration(SimVehicle v, IdmParameters idm)
    {
        if (!idm.ObeySignals || !_stopLines.TryGetValue(v.LaneId, out var lines))
        {
            return double.PositiveInfinity;
        }

        var front = v.S + (Half * v.Body.Length);
        var result = double.PositiveInfinity;
        foreach (var (controller, group, stopS) in lines)
        {
            var gap = stopS - StopLineMargin - front;
            if (stopS < front || gap > SignalLookahead)
            {
                continue;
            }

            var state = controller.StateOf(group);
            var stop = state == SignalGroupState.Red
                || (state == SignalGroupState.Amber && v.Speed * v.Speed <= 2 * idm.ComfortDeceleration * Math.Max(gap, 0));
            if (stop)
            {
                result = Math.Min(result, gap <= 0 ? -v.Body.MaxDeceleration : Idm.Acceleration(idm, v.Speed, true, gap, 0));
            }
        }

        return result;
    }

    private void AdvanceBackground(SimVehicle v)
    {
        var body = v.Body;
        var idm = v.Idm!;
        var speed = v.Speed;
        var acceleration = Math.Clamp(
            Math.Min(Idm.Acceleration(idm, speed, v.Leader is not null, v.LeaderGap, v.LeaderSpeed), SignalAcceleration(v, idm)),
            -body.MaxDeceleration,
            body.MaxAcceleration);
        var distance = Longitudinal.Integrate(ref speed, ref acceleration, _dt);
        v.Speed = speed;
        v.Acceleration = acceleration;

        var lane = v.Lane;
        var s = v.S + distance;
        var segment = v.SegmentHint;
        if (idm.Loop && !v.ChangingLane && s + (Half * body.Length) > lane.Centreline.Length)
        {
            // A shuttle: back to the start of its lane, the same distance past the start as it went past the end.
            s -= lane.Centreline.Length - body.Length;
            segment = -1;
        }

        var (point, heading) = LaneGeometry.PointAt(lane.Centreline, s, ref segment);
        var offset = 0.0;
        if (v.ChangingLane)
        {
            // Quintic lateral profile towards the target centreline; the heading turns with the lateral velocity.
            v.LaneChangeElapsed += _dt;
            // Ends on the step nearest to the duration (summed step lengths carry rounding).
            var tau = v.LaneChangeElapsed + (Half * _dt) >= v.LaneChangeDuration ? 1.0 : v.LaneChangeElapsed / v.LaneChangeDuration;
            var tau3 = tau * tau * tau;
            var progress = tau3 * (10.0 - (15.0 * tau) + (6.0 * tau * tau));
            var rate = 30.0 * tau * tau * (1.0 - tau) * (1.0 - tau) / v.LaneChangeDuration;
            offset = v.LaneChangeStartOffset * (1.0 - progress);
            var lateralSpeed = -v.LaneChangeStartOffset * rate;
            var normal = new Vec2(-Math.Sin(heading), Math.Cos(heading));
            point += normal * offset;
            heading += Math.Atan2(lateralSpeed, Math.Max(speed, LaneChangeMinimumSpeed));
            if (tau >= 1.0)
            {
                offset = 0.0;
                v.LaneChangeDuration = 0;
                v.LaneChangeElapsed = 0;
                v.LaneChangeStartOffset = 0;
            }
        }

        var turn = heading - v.Heading;
        if (turn != 0)
        {
            turn = Angles.Normalize(turn);
            v.Heading = Angles.Normalize(heading);
        }

        v.Yaw += turn;
        v.YawRate = turn / _dt;
        v.X = point.X;
        v.Y = point.Y;
        v.S = s;
        v.Offset = offset;
        v.SegmentHint = segment;
        v.RearX = point.X - (body.RearAxleToCentre * Math.Cos(heading));
        v.RearY = point.Y - (body.RearAxleToCentre * Math.Sin(heading));
        v.Z = lane.Elevation.HeightAt(s);
        v.Grade = lane.Elevation.GradeAt(s);
    }

    /// <summary>Re-projects a truck's centre onto its lane (hinted); relocates among all lanes when it left the lane.</summary>
    private void UpdateLanePosition(SimVehicle v)
    {
        var centre = new Vec2(v.X, v.Y);
        var lane = v.Lane;
        var p = lane.Centreline.Project(centre, v.SegmentHint);
        if (Math.Abs(p.Offset) > Half * lane.Width || p.S < 0 || p.S > lane.Centreline.Length)
        {
            lane = Locate(centre, lane, ref p);
            if (!ReferenceEquals(lane, v.Lane))
            {
                v.SetLane(lane);
            }
        }

        v.S = p.S;
        v.Offset = p.Offset;
        v.SegmentHint = p.Segment;
        v.Z = lane.Elevation.HeightAt(p.S);
        v.Grade = lane.Elevation.GradeAt(p.S);
    }

    /// <summary>
    /// Same rule as <see cref="RoadNetwork.TryLocate"/> (nearest centreline among lanes whose arc-length range holds
    /// the point) without its enumerator allocation. Keeps <paramref name="current"/> when nothing is nearer.
    /// </summary>
    private Lane Locate(Vec2 p, Lane current, ref PolylineProjection projection)
    {
        const double OutsidePenalty = 1e6;
        var best = current;
        var bestScore = Score(current, projection);
        var lanes = Map.Lanes;
        for (var i = 0; i < lanes.Count; i++)
        {
            var lane = lanes[i];
            if (ReferenceEquals(lane, current))
            {
                continue;
            }

            var candidate = lane.Centreline.Project(p);
            var score = Score(lane, candidate);
            if (score < bestScore)
            {
                best = lane;
                bestScore = score;
                projection = candidate;
            }
        }

        return best;

        static double Score(Lane lane, PolylineProjection q) =>
            Math.Abs(q.Offset) + (q.S < 0 || q.S > lane.Centreline.Length ? OutsidePenalty : 0.0);
    }

    /// <summary>
    /// For every vehicle: the nearest vehicle ahead on the same lane (members only: |offset| &lt; width/2), the bumper
    /// gap, the leader's speed now, and the drafting drag reduction r = r_max·clamp(1 − gap/range, 0, 1).
    /// </summary>
    private void RefreshLeaders()
    {
        var maxReduction = Options.DraftingMaxReduction;
        var range = Options.DraftingRange;
        var n = _vehicles.Count;
        // The leader of a vehicle is the nearest vehicle ahead on its lane (smallest S above its own, the earlier one in
        // the vehicle list on a tie) whose centre is within the lane: sort by (lane, S, list index) and look forward.
        if (_leaderOrder.Length < n)
        {
            _leaderOrder = new int[n * 2];
        }

        var order = _leaderOrder.AsSpan(0, n);
        for (var i = 0; i < n; i++)
        {
            order[i] = i;
        }

        order.Sort(_leaderComparison ??= CompareForLeaders);
        for (var p = 0; p < n; p++)
        {
            var v = _vehicles[order[p]];
            SimVehicle? leader = null;
            for (var q = p + 1; q < n; q++)
            {
                var o = _vehicles[order[q]];
                if (!ReferenceEquals(o.Lane, v.Lane))
                {
                    break;
                }

                if (o.S > v.S && Math.Abs(o.Offset) < Half * o.Lane.Width)
                {
                    leader = o;
                    break;
                }
            }

            v.Leader = leader;
            if (leader is null)
            {
                v.LeaderGap = 0;
                v.LeaderSpeed = 0;
                v.DragReduction = 0;
                continue;
            }

            var gap = leader.S - v.S - (Half * (leader.Body.Length + v.Body.Length));
            v.LeaderGap = gap;
            v.LeaderSpeed = leader.Speed;
            v.DragReduction = range > 0 ? maxReduction * Math.Clamp(1.0 - (gap / range), 0.0, 1.0) : 0.0;
        }
    }

    private int[] _leaderOrder = [];
    private Comparison<int>? _leaderComparison;
    private Dictionary<Lane, int>? _laneOrdinals;

    private int CompareForLeaders(int a, int b)
    {
        var va = _vehicles[a];
        var vb = _vehicles[b];
        if (!ReferenceEquals(va.Lane, vb.Lane))
        {
            var lanes = _laneOrdinals ??= BuildLaneOrdinals();
            return lanes[va.Lane].CompareTo(lanes[vb.Lane]);
        }

        var c = va.S.CompareTo(vb.S);
        return c != 0 ? c : a.CompareTo(b);
    }

    private Dictionary<Lane, int> BuildLaneOrdinals()
    {
        var result = new Dictionary<Lane, int>(ReferenceEqualityComparer.Instance);
        for (var i = 0; i < Map.Lanes.Count; i++)
        {
            result[Map.Lanes[i]] = i;
        }

        return result;
    }
}
