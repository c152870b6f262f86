using System.Diagnostics;
using System.Globalization;
using AutomationStack.Contracts;
using AutomationStack.Geometry;
using AutomationStack.RoadMap;
using AutomationStack.Scenarios;
using AutomationStack.Simulation;
using AutomationStack.Traci;

namespace AutomationStack.Sumo;

/// <summary>What the coupling did over a run.</summary>
public sealed record SumoCouplingStats(
    long SumoSteps,
    long Departed,
    long Arrived,
    int MaxMirrored,
    double TraciSeconds,
    string SumoVersion);

/// <summary>
/// Couples a <see cref="World"/> to SUMO over TraCI, one SUMO step every <see cref="SumoSettings.StepLength"/> s of
/// world time (docs/sumo-backend.md):
/// <list type="number">
/// <item>push: each stack truck's pose, predicted one SUMO step ahead, moves its SUMO twin (moveToXY), so SUMO's
/// traffic reacts to the trucks while SUMO never decides their motion; each world signal controller's group states
/// set the SUMO traffic light of the same intersection (SetTrafficLightState) when they change;</item>
/// <item>SUMO steps;</item>
/// <item>pull: subscribed position, angle, speed and acceleration of every SUMO background vehicle; departed
/// vehicles are subscribed and added to the world as <see cref="ControlSource.Mirrored"/> vehicles, arrived ones are
/// removed;</item>
/// <item>between SUMO steps the world's mirrored vehicles move along the straight line between SUMO's last two
/// states (poses are set before the world's step, so collisions and sensors see trucks and traffic at the same time).</item>
/// </list>
/// The same calls go out in the same order every run; with SUMO's fixed seed the log is the same byte for byte.
/// </summary>
public sealed class SumoCoupling : IDisposable
{
    /// <summary>moveToXY's keepRoute bits: 1 = stay on the route's edges.</summary>
    private const int KeepRoute = 1;

    private static readonly byte[] Variables =
        [VehicleVariable.Position, VehicleVariable.Angle, VehicleVariable.Speed, VehicleVariable.Acceleration];

    private readonly World _world;
    private readonly SumoProcess _sumo;
    private readonly SumoSettings _settings;
    private readonly int _ratio;
    private readonly double _stepLength;
    private readonly IReadOnlyList<SumoEdgePiece> _edges;
    private readonly (SimVehicle Truck, SumoEdgePiece[] Pieces)[] _trucks;
    private readonly HashSet<string> _truckIds = new(StringComparer.Ordinal);
    private readonly (SignalController Controller, string TlsId, SumoSignalGroups Groups, int LinkCount)[] _lights;
    private readonly string?[] _lastLightState;
    private readonly SumoGroupState[] _groupStates = new SumoGroupState[64];
    private readonly Dictionary<string, Mirror> _mirrors = new(StringComparer.Ordinal);
    private readonly List<Mirror> _order = [];
    private readonly List<string> _gone = [];
    private readonly TraciBatch _push = new();
    private readonly TraciBatch _pull = new();
    private readonly ExternalLight[] _external;
    private long _sumoSteps;
    private long _departed;
    private long _arrived;
    private int _maxMirrored;
    private long _traciTicks;
    private bool _disposed;

    private SumoCoupling(World world, SumoProcess sumo, SumoSettings settings, IReadOnlyList<SumoEdgePiece> edges,
        (SimVehicle, SumoEdgePiece[])[] trucks, (SignalController, string, SumoSignalGroups, int)[] lights, ExternalLight[] external)
    {
        _external = external;
        _world = world;
        _sumo = sumo;
        _settings = settings;
        _edges = edges;
        _stepLength = settings.StepLength;
        _ratio = Math.Max(1, (int)Math.Round(settings.StepLength / world.Options.StepLength));
        _trucks = trucks;
        foreach (var (truck, _) in trucks)
        {
            _truckIds.Add(truck.Id);
        }

        _lights = lights;
        _lastLightState = new string?[lights.Length];
    }

    /// <summary>The SUMO process (its output tail explains failures).</summary>
    public SumoProcess Process => _sumo;

    /// <summary>Background vehicles currently mirrored into the world.</summary>
    public int MirroredCount => _mirrors.Count;

    /// <summary>The coupling's counters so far.</summary>
    public SumoCouplingStats Stats => new(
        _sumoSteps,
        _departed,
        _arrived,
        _maxMirrored,
        _traciTicks / (double)Stopwatch.Frequency,
        _sumo.Version.Software);

    /// <summary>
    /// Exports the scenario's map to a SUMO network, writes the routes, starts SUMO (its files and log in
    /// <paramref name="workFolder"/>) and adds a SUMO twin for every stack truck already in <paramref name="world"/>,
    /// and traffic lights for the world's signal controllers.
    /// </summary>
    /// <exception cref="InvalidOperationException">netconvert fails, the routes do not fit, or the network and the map disagree.</exception>
    /// <exception cref="TraciException">SUMO does not start or answer.</exception>
    public static SumoCoupling Start(Scenario scenario, World world, string workFolder)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        ArgumentNullException.ThrowIfNull(world);
        ArgumentNullException.ThrowIfNull(workFolder);
        var settings = scenario.Sumo ?? throw new ArgumentException("The scenario has no SUMO settings (backend: sumo).", nameof(scenario));
        Directory.CreateDirectory(workFolder);
        var name = string.IsNullOrWhiteSpace(scenario.Map.Name) ? "map" : scenario.Map.Name;
        var network = SumoNetworkExport.Export(scenario.Map, workFolder, name);

        var trucks = new List<(SimVehicle, SumoEdgePiece[])>();
        var footprints = new List<TruckFootprint>();
        foreach (var v in world.Vehicles)
        {
            if (v.Role != Simulation.VehicleRole.StackTruck)
            {
                continue;
            }

            var lane = world.Map.GetLane(v.LaneId);
            var pieces = network.Edges.Where(e => e.RoadId == lane.RoadId).OrderBy(e => e.StartS).ToArray();
            trucks.Add((v, pieces));
            footprints.Add(new TruckFootprint(v.Id, lane.RoadId, v.S, v.Body));
        }

        var routes = SumoRoutes.Build(settings, network.Edges, footprints, scenario.Duration, scenario.Seed);
        var routeFile = Path.Combine(workFolder, name + ".rou.xml");
        File.WriteAllText(routeFile, routes);

        var sumo = SumoProcess.Start(new SumoOptions
        {
            NetFile = network.NetFile,
            RouteFiles = routeFile,
            StepLength = settings.StepLength,
            Seed = settings.Seed,
            NoWarnings = true,
            WorkingDirectory = workFolder,
            ExtraArguments =
            [
                "--begin", "0",
                "--collision.action", "warn",
                "--time-to-teleport", "-1",
                "--eager-insert", "true",
                "--error-log", Path.Combine(workFolder, "sumo-errors.log"),
            ],
        });
        try
        {
            var client = sumo.Client;
            foreach (var (truck, pieces) in trucks)
            {
                var lane = world.Map.GetLane(truck.LaneId);
                var piece = PieceAt(pieces, truck.S);
                var typeId = SumoRoutes.StackTypeId(truck.Id);
                client.AddRoute("route_" + truck.Id, [.. pieces.Where(p => p.StartS >= piece.StartS).Select(p => p.EdgeId)]);
                client.AddVehicle(
                    truck.Id,
                    "route_" + truck.Id,
                    typeId,
                    "now",
                    lane.Index.ToString(CultureInfo.InvariantCulture),
                    Math.Max(truck.Body.Length, truck.S - piece.StartS + (0.5 * truck.Body.Length)).ToString("0.###", CultureInfo.InvariantCulture),
                    truck.Speed.ToString("0.###", CultureInfo.InvariantCulture));
                client.SetVehicleSpeedMode(truck.Id, 0);
                client.SetVehicleLaneChangeMode(truck.Id, 0);
            }

            var lights = new List<(SignalController, string, SumoSignalGroups, int)>();
            var external = new List<ExternalLight>();
            var tls = network.TrafficLightIds.ToHashSet(StringComparer.Ordinal);
            foreach (var controller in world.SignalControllers)
            {
                var id = controller.Intersection.Id.ToString(CultureInfo.InvariantCulture);
                if (!tls.Contains(id))
                {
                    throw new InvalidOperationException($"intersection {id}: the exported SUMO network has no traffic light there (traffic lights: {string.Join(", ", tls)})");
                }

                var links = client.GetTrafficLightControlledLinks(id)
                    .Select(l => (IReadOnlyList<(string, string)>)[.. l.Select(x => (x.IncomingLane, x.OutgoingLane))]).ToList();
                var groups = SumoSignalGroups.Build(controller.Intersection, links, network.Edges);
                if (controller.Settings.Mode == SignalControlMode.External)
                {
                    // SUMO's own program runs this light: its phases give the SPaT end times.
                    var program = client.GetTrafficLightProgram(id);
                    var logic = client.GetTrafficLightPrograms(id).FirstOrDefault(p => p.ProgramId == program)
                        ?? throw new InvalidOperationException($"intersection {id}: SUMO reports no definition of its running program '{program}'");
                    external.Add(new ExternalLight(controller, id, groups, logic.Type, [.. logic.Phases.Select(p => (p.Duration, p.State))], [.. logic.Phases.Select(p => (p.MinDuration, p.MaxDuration))]));
                }
                else
                {
                    lights.Add((controller, id, groups, links.Count));
                }
            }

            return new SumoCoupling(world, sumo, settings, network.Edges, [.. trucks], [.. lights], [.. external]);
        }
        catch
        {
            sumo.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Call before every <see cref="World.Step"/>: on a SUMO step boundary pushes trucks and lights and steps SUMO,
    /// then poses the mirrored vehicles for the world's next frame.
    /// </summary>
    /// <exception cref="TraciException">SUMO failed or answered garbage (the message names the command).</exception>
    public void BeforeWorldStep()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var frame = _world.Frame;
        if (frame % _ratio == 0)
        {
            var t0 = Stopwatch.GetTimestamp();
            StepSumo();
            _traciTicks += Stopwatch.GetTimestamp() - t0;
        }

        var alpha = ((frame % _ratio) + 1) / (double)_ratio;
        foreach (var m in _order)
        {
            var x = m.X0 + (alpha * (m.X1 - m.X0));
            var y = m.Y0 + (alpha * (m.Y1 - m.Y0));
            var heading = m.H0 + (alpha * Angles.Normalize(m.H1 - m.H0));
            var speed = m.V0 + (alpha * (m.V1 - m.V0));
            _world.SetMirroredState(m.Id, x, y, heading, speed, m.A1);
        }
    }

    private void StepSumo()
    {
        var client = _sumo.Client;
        _push.Clear();
        foreach (var (truck, pieces) in _trucks)
        {
            if (!_world.TryGet(truck.Id, out var v))
            {
                continue;
            }

            // Where the truck will be at the end of the SUMO step: SUMO places it there (front bumper, nautical angle).
            var ahead = (v.Speed * _stepLength) + (0.5 * v.Acceleration * _stepLength * _stepLength);
            ahead = Math.Max(0.0, ahead);
            var cos = Math.Cos(v.Heading);
            var sin = Math.Sin(v.Heading);
            var front = (0.5 * v.Body.Length) + ahead;
            var lane = _world.Map.GetLane(v.LaneId);
            var piece = lane.RoadId == pieces[0].RoadId ? PieceAt(pieces, v.S) : null;
            _push.AddMoveVehicleToXY(
                truck.Id,
                piece?.EdgeId ?? string.Empty,
                piece is null ? -1 : lane.Index,
                v.X + (front * cos),
                v.Y + (front * sin),
                NauticalDegrees(v.Heading),
                KeepRoute);
        }

        for (var i = 0; i < _lights.Length; i++)
        {
            var (controller, id, groups, linkCount) = _lights[i];
            var n = controller.Intersection.SignalGroups.Count;
            for (var g = 0; g < n; g++)
            {
                _groupStates[g] = controller.StateOf(controller.Intersection.SignalGroups[g].Id) switch
                {
                    SignalGroupState.Green => SumoGroupState.Green,
                    SignalGroupState.Amber => SumoGroupState.Amber,
                    SignalGroupState.Red => SumoGroupState.Red,
                    _ => SumoGroupState.Dark,
                };
            }

            var state = groups.StateString(linkCount, new ArraySegment<SumoGroupState>(_groupStates, 0, n));
            if (state != _lastLightState[i])
            {
                _push.AddSetTrafficLightState(id, state);
                _lastLightState[i] = state;
            }
        }

        if (_push.Count > 0)
        {
            client.Execute(_push);
        }

        client.SimulationStep();
        _sumoSteps++;

        // One message after the step: who departed, and the state of every light SUMO's own program runs.
        _pull.Clear();
        var departedIndex = _pull.AddSimulationGet(SimulationVariable.DepartedIds);
        foreach (var light in _external)
        {
            light.StateIndex = _pull.AddTrafficLightGet(TrafficLightVariable.State, light.Id);
            light.PhaseIndex = _pull.AddTrafficLightGet(TrafficLightVariable.Phase, light.Id);
            light.NextSwitchIndex = _pull.AddTrafficLightGet(TrafficLightVariable.NextSwitch, light.Id);
        }

        client.Execute(_pull);
        foreach (var light in _external)
        {
            light.Apply(_pull[light.StateIndex].AsString(), _pull[light.PhaseIndex].AsInt(), _pull[light.NextSwitchIndex].AsDouble());
        }

        // Departures: subscribe (SUMO's order) and mirror; the trucks' twins are not mirrored.
        var departed = _pull[departedIndex].AsStringList();
        var subscribe = new List<string>(departed.Count);
        foreach (var id in departed)
        {
            if (!_truckIds.Contains(id))
            {
                subscribe.Add(id);
            }
        }

        client.SubscribeVehicles(subscribe, Variables);
        foreach (var m in _order)
        {
            m.Seen = false;
            m.X0 = m.X1;
            m.Y0 = m.Y1;
            m.H0 = m.H1;
            m.V0 = m.V1;
        }

        foreach (var result in client.VehicleSubscriptions.Current)
        {
            if (_truckIds.Contains(result.Id))
            {
                continue;
            }

            var position = result.GetPosition(VehicleVariable.Position);
            var heading = HeadingOf(result.GetDouble(VehicleVariable.Angle));
            var speed = result.GetDouble(VehicleVariable.Speed);
            var acceleration = result.GetDouble(VehicleVariable.Acceleration);
            if (!_mirrors.TryGetValue(result.Id, out var m))
            {
                var body = BodyOf(result.Id);
                m = new Mirror(result.Id, body);
                var (cx, cy) = Centre(position.X, position.Y, heading, body.Length);
                m.Set(cx, cy, heading, speed, acceleration);
                m.X0 = m.X1;
                m.Y0 = m.Y1;
                m.H0 = m.H1;
                m.V0 = m.V1;
                _world.AddMirrored(m.Id, body, cx, cy, heading, speed);
                _mirrors.Add(m.Id, m);
                _order.Add(m);
                _departed++;
            }
            else
            {
                var (cx, cy) = Centre(position.X, position.Y, heading, m.Body.Length);
                m.Set(cx, cy, heading, speed, acceleration);
            }

            m.Seen = true;
        }

        // Arrivals (and anything SUMO no longer reports) leave the world.
        _gone.Clear();
        foreach (var m in _order)
        {
            if (!m.Seen)
            {
                _gone.Add(m.Id);
            }
        }

        if (_gone.Count > 0)
        {
            foreach (var id in _gone)
            {
                _world.Remove(id);
                _mirrors.Remove(id);
                _arrived++;
            }

            _order.RemoveAll(m => !m.Seen);
        }

        _maxMirrored = Math.Max(_maxMirrored, _mirrors.Count);
    }

    private TruckParameters BodyOf(string id)
    {
        var k = SumoRoutes.StreamOf(id);
        return k >= 0 && k < _settings.Traffic.Count ? _settings.Traffic[k].Body : BackgroundBodies.Car;
    }

    private static SumoEdgePiece PieceAt(SumoEdgePiece[] pieces, double s)
    {
        var result = pieces[0];
        foreach (var p in pieces)
        {
            if (p.StartS <= s)
            {
                result = p;
            }
        }

        return result;
    }

    /// <summary>SUMO's angle (degrees, 0 = north, clockwise) of a map heading (rad, 0 = +x, counter-clockwise).</summary>
    public static double NauticalDegrees(double heading)
    {
        var deg = 90.0 - (heading * 180.0 / Math.PI);
        deg %= 360.0;
        return deg < 0 ? deg + 360.0 : deg;
    }

    /// <summary>The map heading (rad) of SUMO's angle (degrees, 0 = north, clockwise).</summary>
    public static double HeadingOf(double nauticalDegrees) => Angles.Normalize((90.0 - nauticalDegrees) * Math.PI / 180.0);

    /// <summary>The body centre from SUMO's position (the front bumper's centre).</summary>
    private static (double X, double Y) Centre(double frontX, double frontY, double heading, double length) =>
        (frontX - (0.5 * length * Math.Cos(heading)), frontY - (0.5 * length * Math.Sin(heading)));

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _push.Dispose();
        _pull.Dispose();
        try
        {
            _sumo.Client.Close();
        }
        catch (TraciException)
        {
            // SUMO already gone: nothing left to close.
        }

        _sumo.Dispose();
    }

    /// <summary>
    /// A light SUMO's own program runs: after each SUMO step its state string, phase and next switch become the
    /// external controller's group states and SPaT end times. Static programs: min = max = likely end, confidence 1.
    /// Actuated programs: the running phase may end between its minimum and maximum duration, later phases are taken at
    /// their durations; confidence 0.5.
    /// </summary>
    private sealed class ExternalLight(
        SignalController controller,
        string id,
        SumoSignalGroups groups,
        int programType,
        (double Duration, string State)[] phases,
        (double Min, double Max)[] bounds)
    {
        private const int StaticProgram = 0;
        private const double ActuatedConfidence = 0.5;

        /// <summary>A state that does not change within the program's cycle is announced to end this long after the next switch, s.</summary>
        private const double StateNeverEnds = 3600.0;

        public string Id { get; } = id;

        public int StateIndex { get; set; }

        public int PhaseIndex { get; set; }

        public int NextSwitchIndex { get; set; }

        public void Apply(string state, int phase, double nextSwitch)
        {
            var intersection = controller.Intersection;
            for (var g = 0; g < intersection.SignalGroups.Count; g++)
            {
                var groupState = groups.StateOf(g, state) switch
                {
                    SumoGroupState.Green => SignalGroupState.Green,
                    SumoGroupState.Amber => SignalGroupState.Amber,
                    SumoGroupState.Red => SignalGroupState.Red,
                    _ => SignalGroupState.Dark,
                };
                var likely = groups.StateEnd(g, phases, phase, nextSwitch);
                if (!double.IsFinite(likely))
                {
                    likely = nextSwitch + StateNeverEnds;
                }

                var likelyNs = ToNs(likely);
                long minNs = likelyNs, maxNs = likelyNs;
                var confidence = 1.0;
                if (programType != StaticProgram && phase >= 0 && phase < bounds.Length)
                {
                    // The running phase may still end anywhere within its minimum and maximum duration.
                    var (min, max) = bounds[phase];
                    var started = nextSwitch - phases[phase].Duration;
                    minNs = ToNs(Math.Min(likely, likely - nextSwitch + started + min));
                    maxNs = ToNs(Math.Max(likely, likely - nextSwitch + started + max));
                    confidence = ActuatedConfidence;
                }

                controller.SetExternalTiming(intersection.SignalGroups[g].Id, groupState, minNs, maxNs, likelyNs, groupState == SignalGroupState.Dark ? 0 : confidence);
            }
        }

        private static long ToNs(double seconds) => (long)Math.Round(seconds * 1e9);
    }

    private sealed class Mirror(string id, TruckParameters body)
    {
        public string Id { get; } = id;

        public TruckParameters Body { get; } = body;

        public bool Seen { get; set; }

        public double X0 { get; set; }

        public double Y0 { get; set; }

        public double H0 { get; set; }

        public double V0 { get; set; }

        public double X1 { get; private set; }

        public double Y1 { get; private set; }

        public double H1 { get; private set; }

        public double V1 { get; private set; }

        public double A1 { get; private set; }

        public void Set(double x, double y, double heading, double speed, double acceleration)
        {
            X1 = x;
            Y1 = y;
            H1 = heading;
            V1 = speed;
            A1 = acceleration;
        }
    }
}
