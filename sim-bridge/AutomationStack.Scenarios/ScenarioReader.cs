using AutomationStack.Configuration;
using AutomationStack.Contracts;
using AutomationStack.Geometry;
using AutomationStack.RoadMap;
using AutomationStack.Simulation;

namespace AutomationStack.Scenarios;

/// <summary>Reads one scenario document; see <see cref="ScenarioLoader"/>.</summary>
internal sealed class ScenarioReader
{
    public const string TruckBlueprint = "truck-40t";
    public const string CarBlueprint = "car";
    public const string AgvBlueprint = "agv";

    /// <summary>Largest lidar beam count.</summary>
    public const int MaxLidarBeams = 256;
    public const double DefaultStep = 0.01;
    public const double MaxStep = 0.1;
    public const ulong DefaultSeed = 1;
    public const double DefaultVehicleTimeout = 5.0;
    public const double DefaultAttachTimeout = 60.0;
    public const int DefaultControlPeriodSteps = 2;
    public const int MaxControlPeriodSteps = 100;
    public const double MaxSpeedKph = 250.0;
    public const double MaxDecelerationCap = 15.0;
    public const double DefaultBrakeMaxDuration = 30.0;

    /// <summary>Default duration of a background vehicle's lane change, s.</summary>
    public const double DefaultLaneChangeDuration = 4.0;

    /// <summary>Longest lane change, s.</summary>
    public const double MaxLaneChangeDuration = 30.0;

    public const double MaxDuration = 86_400.0;

    private static readonly KeyValuePair<string, ScenarioMode>[] Modes =
        [new("lockstep", ScenarioMode.Lockstep), new("realtime", ScenarioMode.Realtime)];

    private static readonly KeyValuePair<string, VehicleRole>[] Roles =
        [new("stack", VehicleRole.Stack), new("background", VehicleRole.Background)];

    private static readonly KeyValuePair<string, EventType>[] EventTypes =
        [new("set_speed", EventType.SetSpeed), new("ramp", EventType.Ramp), new("sinusoid", EventType.Sinusoid), new("brake", EventType.Brake), new("v2x", EventType.V2x), new("platoon", EventType.Platoon), new("lane_change", EventType.LaneChange), new("sensor_dropout", EventType.SensorDropout)];

    private static readonly KeyValuePair<string, PlatoonCommand>[] PlatoonActions =
        [new("create", PlatoonCommand.Create), new("join", PlatoonCommand.Join), new("leave", PlatoonCommand.Leave), new("split", PlatoonCommand.Split), new("merge", PlatoonCommand.Merge), new("change_gap", PlatoonCommand.ChangeGap)];

    private static readonly KeyValuePair<string, JitterDistribution>[] JitterDistributions =
        [new("uniform", JitterDistribution.Uniform), new("exponential", JitterDistribution.Exponential)];

    private static readonly string[] StackOnlyFields = ["set_speed_kph", "control_period_steps", "parameters"];
    private static readonly string[] BackgroundOnlyFields = ["car_following"];

    private static readonly NumberRange SpeedKph = NumberRange.Between(0, MaxSpeedKph, $"a speed in km/h from 0 to {MaxSpeedKph}");
    private static readonly NumberRange PositiveSpeedKph =
        new($"a speed in km/h above 0 and at most {MaxSpeedKph}", 0, MaxSpeedKph, MinExclusive: true);
    private static readonly NumberRange Deceleration =
        new($"a deceleration in m/s² above 0 and at most {MaxDecelerationCap}", 0, MaxDecelerationCap, MinExclusive: true);

    private readonly ConfigDocument _doc;
    private readonly Dictionary<string, VehicleRole> _declaredRoles = new(StringComparer.Ordinal);
    private readonly string _displayPath;
    private readonly Dictionary<string, TruckParameters> _blueprints = new(StringComparer.Ordinal)
    {
        [TruckBlueprint] = TruckParameters.Default,
        [CarBlueprint] = BackgroundBodies.Car,
        [AgvBlueprint] = BackgroundBodies.Agv,
    };

    private static readonly KeyValuePair<string, VehicleCategory>[] Categories =
        [new("car", VehicleCategory.Car), new("truck", VehicleCategory.Truck), new("agv", VehicleCategory.Agv)];

    public ScenarioReader(ConfigDocument doc, string displayPath)
    {
        _doc = doc;
        _displayPath = displayPath;
    }

    private enum EventType
    {
        SetSpeed,
        Ramp,
        Sinusoid,
        Brake,
        V2x,
        Platoon,
        LaneChange,
        SensorDropout,
    }

    private static readonly KeyValuePair<string, SensorSet>[] Sensors =
        [new("radar", SensorSet.Radar), new("lidar", SensorSet.Lidar), new("camera", SensorSet.Camera), new("gnss", SensorSet.Gnss), new("imu", SensorSet.Imu), new("odometry", SensorSet.Odometry)];

    public Scenario Read()
    {
        var root = _doc.Root;
        var format = root.RequiredString("format", $"'{ScenarioLoader.FormatId}'");
        if (format is not null && format != ScenarioLoader.FormatId)
        {
            root.Get("format")!.Reject($"'{ScenarioLoader.FormatId}'");
        }

        var name = root.RequiredString("name", "a scenario name") ?? string.Empty;
        var description = root.Get("description")?.AsString("a description", allowEmpty: true) ?? string.Empty;
        var (mapPath, map) = ReadMap(root);
        var duration = root.RequiredNumber("duration", new NumberRange($"a positive number of seconds (at most {MaxDuration})", 0, MaxDuration, MinExclusive: true));
        var step = root.Number("step", new NumberRange($"a positive number of seconds, at most {MaxStep}", 0, MaxStep, MinExclusive: true)) ?? DefaultStep;
        var seed = root.UInt64("seed", "an unsigned 64-bit integer") ?? DefaultSeed;
        var mode = root.Choice("mode", Modes) ?? ScenarioMode.Lockstep;
        var vehicleTimeout = root.Number("vehicle_timeout", NumberRange.Positive("a positive number of seconds")) ?? DefaultVehicleTimeout;
        var attachTimeout = root.Number("attach_timeout", NumberRange.Positive("a positive number of seconds")) ?? DefaultAttachTimeout;
        var world = ReadWorld(root, step);
        ReadBlueprints(root);
        var vehicles = ReadVehicles(root, map);
        var events = ReadEvents(root, duration, world, map);
        var pass = ReadPassCriteria(root);
        var attacker = ReadAttacker(root, duration);
        var signals = ReadSignals(root, map);
        var controllers = ReadSignalControllers(root, map, signals);
        var backend = root.Choice("backend", Backends) ?? SimulationBackend.Embedded;
        var sumo = ReadSumo(root, backend, step, seed, map, vehicles);
        var recording = root.Mapping("recording", "a mapping with recording settings (ground_truth_every, foxglove)");
        var groundTruthEvery = (int?)recording?.Integer("ground_truth_every", 1, 1000, "a whole number of world steps from 1 (every step) to 1000") ?? 1;
        var foxglove = recording?.Boolean("foxglove") ?? true;
        recording?.RejectUnknownFields();
        root.RejectUnknownFields();
        _doc.ThrowIfErrors();

        return new Scenario(
            name,
            description,
            _doc.FullPath ?? Path.GetFullPath(_displayPath),
            mapPath!,
            map!,
            duration!.Value,
            step,
            seed,
            mode,
            vehicleTimeout,
            attachTimeout,
            world,
            vehicles.Select(v => v.Vehicle).ToArray(),
            events,
            pass)
        {
            Attacker = attacker,
            Signals = signals,
            SignalControllers = controllers,
            Backend = backend,
            Sumo = sumo,
            GroundTruthEvery = groundTruthEvery,
            FoxgloveTopics = foxglove,
        };
    }

    private static readonly KeyValuePair<string, SimulationBackend>[] Backends =
        [new("embedded", SimulationBackend.Embedded), new("sumo", SimulationBackend.Sumo)];

    /// <summary>Default SUMO step length, s.</summary>
    public const double DefaultSumoStep = 0.1;

    /// <summary>Most initial SUMO vehicles per traffic stream.</summary>
    public const int MaxInitialSumoVehicles = 5000;

    /// <summary>Highest inflow of one SUMO traffic stream, vehicles per hour.</summary>
    public const double MaxSumoVehiclesPerHour = 20_000;

    /// <summary>
    /// The `sumo` mapping (required with `backend: sumo`, rejected otherwise): step_length, seed, truck_clearance and the
    /// `traffic` streams. Background vehicles then come from SUMO only: `vehicles` holds the stack trucks.
    /// </summary>
    private SumoSettings? ReadSumo(ConfigMapping root, SimulationBackend backend, double step, ulong seed, RoadNetwork? map, List<VehicleEntry> vehicles)
    {
        if (backend != SimulationBackend.Sumo)
        {
            if (root.Get("sumo") is { } stray)
            {
                stray.Error("'sumo' settings need 'backend: sumo'");
            }

            return null;
        }

        foreach (var entry in vehicles)
        {
            if (entry.Vehicle.Role == VehicleRole.Background)
            {
                root.Get("backend")!.Error($"with backend sumo, background traffic comes from sumo.traffic; vehicle '{entry.Vehicle.Id}' is a background vehicle");
            }
        }

        var node = root.RequiredMapping("sumo", "a mapping with the SUMO coupling (step_length, seed, traffic)");
        if (node is null)
        {
            return null;
        }

        var sumoStep = node.Number("step_length", NumberRange.Between(step, 1.0, $"a step in seconds from the world step {step:0.###} to 1")) ?? DefaultSumoStep;
        var ratio = sumoStep / step;
        if (Math.Abs(ratio - Math.Round(ratio)) > 1e-6)
        {
            node.Get("step_length")?.Error($"expected a whole multiple of the world step {step:0.###} s, got {sumoStep:0.####}");
        }

        var sumoSeed = (int?)node.Integer("seed", 0, int.MaxValue, "a SUMO random seed from 0 to 2147483647") ?? (int)(seed % int.MaxValue);
        var clearance = node.Number("truck_clearance", NumberRange.Between(0, 1000, "a distance in metres from 0 to 1000")) ?? 30.0;
        var roads = map?.Lanes.Select(l => l.RoadId).ToHashSet(StringComparer.Ordinal) ?? [];
        var roadList = string.Join(", ", roads.Order(StringComparer.Ordinal));
        var streams = new List<SumoTrafficStream>();
        var list = node.Sequence("traffic", "a list of traffic streams {from, to, blueprint, initial, per_hour, max_speed_kph}");
        foreach (var item in list?.Items ?? [])
        {
            var t = item.AsMapping("a traffic stream (a mapping with from, to, blueprint, initial, per_hour, max_speed_kph)");
            if (t is null)
            {
                continue;
            }

            var from = t.RequiredString("from", $"a road of the map ({roadList})");
            if (from is not null && map is not null && !roads.Contains(from))
            {
                t.Get("from")!.Reject($"a road of the map ({roadList})");
                from = null;
            }

            var to = t.String("to", $"a road of the map ({roadList})") ?? from;
            if (to is not null && map is not null && !roads.Contains(to))
            {
                t.Get("to")!.Reject($"a road of the map ({roadList})");
                to = null;
            }

            var blueprint = t.String("blueprint", "a blueprint name") ?? CarBlueprint;
            if (!_blueprints.TryGetValue(blueprint, out var body))
            {
                t.Get("blueprint")!.Reject($"one of the blueprints {string.Join(", ", _blueprints.Keys)}");
            }

            var initial = (int?)t.Integer("initial", 0, MaxInitialSumoVehicles, $"a number of vehicles from 0 to {MaxInitialSumoVehicles}") ?? 0;
            var perHour = t.Number("per_hour", NumberRange.Between(0, MaxSumoVehiclesPerHour, $"vehicles per hour from 0 to {MaxSumoVehiclesPerHour}")) ?? 0;
            var maxSpeed = t.Number("max_speed_kph", PositiveSpeedKph) ?? 130;
            t.RejectUnknownFields();
            if (from is not null && to is not null && body is not null)
            {
                streams.Add(new SumoTrafficStream(from, to, blueprint, body, initial, perHour, maxSpeed / 3.6));
            }
        }

        node.RejectUnknownFields();
        return new SumoSettings(sumoStep, sumoSeed, streams, clearance);
    }

    private static readonly KeyValuePair<string, SignalControlMode>[] ControlModes =
        [new("fixed_time", SignalControlMode.FixedTime), new("actuated", SignalControlMode.Actuated)];

    /// <summary>Longest detector distance upstream of a stop line, m.</summary>
    public const double MaxDetectorDistance = 500.0;

    /// <summary>
    /// The optional `signal_controllers` list: one controller per map intersection, fixed-time or actuated. A head
    /// driven by a controller may not also have a `signals` program.
    /// </summary>
    private static List<ScenarioSignalController> ReadSignalControllers(ConfigMapping root, RoadNetwork? map, List<ScenarioSignal> signals)
    {
        var controllers = new List<ScenarioSignalController>();
        var list = root.Sequence("signal_controllers", "a list of signal controllers {intersection, mode, stages, …}");
        if (list is null)
        {
            return controllers;
        }

        var seen = new HashSet<long>();
        var phase = NumberRange.Between(0, MaxSignalTime, $"a duration in seconds from 0 to {MaxSignalTime}");
        var positivePhase = new NumberRange($"a duration in seconds above 0 and at most {MaxSignalTime}", 0, MaxSignalTime, MinExclusive: true);
        foreach (var item in list.Items)
        {
            var node = item.AsMapping("a signal controller {intersection, mode, stages, amber, all_red, detector_distance, detector_length, priority}");
            if (node is null)
            {
                continue;
            }

            var ok = true;
            var idNode = node.GetRequired("intersection", "the id of an intersection of the map");
            var id = idNode?.AsInteger(1, RoadMap.Intersection.MaxId, $"an intersection id from 1 to {RoadMap.Intersection.MaxId}");
            RoadMap.Intersection? intersection = null;
            if (idNode is not null && id is not null && map is not null)
            {
                intersection = map.Intersections.FirstOrDefault(x => x.Id == id.Value);
                if (intersection is null)
                {
                    idNode.Reject(map.Intersections.Count == 0
                        ? $"the id of an intersection of the map, but map '{map.Name}' has no intersections"
                        : $"the id of an intersection of map '{map.Name}' ({string.Join(", ", map.Intersections.Select(x => x.Id).Take(12))})");
                }
                else if (!seen.Add(id.Value))
                {
                    idNode.Error($"duplicate controller for intersection {id.Value} (expected one per intersection)");
                    intersection = null;
                }
            }

            var mode = node.RequiredChoice("mode", ControlModes);
            var amber = node.Number("amber", phase) ?? SignalControllerSettings.DefaultAmber;
            var allRed = node.Number("all_red", phase) ?? SignalControllerSettings.DefaultAllRed;
            var detectorDistance = node.Number(
                "detector_distance", NumberRange.Between(0, MaxDetectorDistance, $"a distance in metres from 0 to {MaxDetectorDistance} upstream of the stop line"))
                ?? SignalControllerSettings.DefaultDetectorDistance;
            var detectorLength = node.Number("detector_length", new NumberRange("a detector length in metres above 0 and at most 50", 0, 50, MinExclusive: true))
                ?? SignalControllerSettings.DefaultDetectorLength;
            var priority = node.Boolean("priority") ?? true;
            if (mode == SignalControlMode.FixedTime)
            {
                foreach (var key in new[] { "detector_distance", "detector_length" })
                {
                    if (node.Contains(key))
                    {
                        node.Get(key)!.Error($"'{key}' applies to mode 'actuated' only (a fixed-time controller has no detectors)");
                        ok = false;
                    }
                }
            }

            var stagesNode = node.RequiredSequence("stages", "a list of stages {groups, …}");
            var stages = new List<SignalStage>();
            if (stagesNode is { Count: < 2 })
            {
                stagesNode.Error($"expected at least two stages, got {stagesNode.Count}");
                ok = false;
            }

            foreach (var stageItem in stagesNode?.Items ?? [])
            {
                var stage = ReadStage(stageItem, mode, intersection, positivePhase, phase);
                ok &= stage is not null;
                if (stage is not null)
                {
                    stages.Add(stage);
                }
            }

            node.RejectUnknownFields();
            if (!ok || intersection is null || mode is null || stagesNode is null)
            {
                continue;
            }

            var settings = new SignalControllerSettings
            {
                Mode = mode.Value,
                Stages = stages,
                Amber = amber,
                AllRed = allRed,
                DetectorDistance = detectorDistance,
                DetectorLength = detectorLength,
                Priority = priority,
            };
            if (MapMessageProblem(intersection) is { } tooBig)
            {
                idNode!.Error($"intersection {intersection.Id} cannot be described in one MAP message for its roadside unit: {tooBig}");
                continue;
            }

            var problem = SignalController.Validate(intersection, settings);
            if (problem is not null)
            {
                stagesNode.Error($"expected stages that fit intersection {intersection.Id}: {problem}");
                continue;
            }

            foreach (var group in intersection.SignalGroups)
            {
                foreach (var head in group.HeadIds)
                {
                    if (signals.Any(p => string.Equals(p.HeadId, head, StringComparison.Ordinal)))
                    {
                        idNode!.Error($"signal head '{head}' of intersection {intersection.Id} has a fixed program in 'signals' too (a head has one driver)");
                        ok = false;
                    }
                }
            }

            if (ok)
            {
                controllers.Add(new ScenarioSignalController(intersection.Id, settings));
            }
        }

        return controllers;
    }

    /// <summary>Why the roadside unit could not describe <paramref name="intersection"/> in one MAP message, or null.</summary>
    private static string? MapMessageProblem(RoadMap.Intersection intersection)
    {
        if (intersection.SignalGroups.Count > Platooning.Protocol.V2xLimits.MaxSignalGroups)
        {
            return $"its {intersection.SignalGroups.Count} signal groups exceed the {Platooning.Protocol.V2xLimits.MaxSignalGroups} a SPaT/MAP carries";
        }

        foreach (var group in intersection.SignalGroups)
        {
            if (group.Ingress.Count > Platooning.Protocol.V2xLimits.MaxIngressLanesPerGroup)
            {
                return $"group {group.Id} has {group.Ingress.Count} ingress lanes, a MAP carries {Platooning.Protocol.V2xLimits.MaxIngressLanesPerGroup}";
            }

            foreach (var lane in group.Ingress)
            {
                if (lane.EgressLaneIds.Count > Platooning.Protocol.V2xLimits.MaxEgressLanesPerIngress)
                {
                    return $"ingress lane '{lane.LaneId}' has {lane.EgressLaneIds.Count} egress lanes, a MAP carries {Platooning.Protocol.V2xLimits.MaxEgressLanesPerIngress}";
                }

                foreach (var id in lane.EgressLaneIds.Prepend(lane.LaneId))
                {
                    if (System.Text.Encoding.UTF8.GetByteCount(id) > Platooning.Protocol.V2xLimits.MaxMapLaneIdBytes)
                    {
                        return $"lane id '{id}' is longer than the {Platooning.Protocol.V2xLimits.MaxMapLaneIdBytes} UTF-8 bytes a MAP carries";
                    }
                }
            }
        }

        return null;
    }

    private static SignalStage? ReadStage(ConfigNode item, SignalControlMode? mode, RoadMap.Intersection? intersection, NumberRange positivePhase, NumberRange phase)
    {
        var node = item.AsMapping(mode == SignalControlMode.Actuated
            ? "a stage {groups, min_green, max_green, passage}"
            : "a stage {groups, green, max_green}");
        if (node is null)
        {
            return null;
        }

        var ok = true;
        var groups = new List<int>();
        var groupsNode = node.RequiredSequence("groups", "a list of the signal group ids green in this stage");
        if (groupsNode is { Count: 0 })
        {
            groupsNode.Error("expected at least one signal group, got an empty list");
            ok = false;
        }

        foreach (var g in groupsNode?.Items ?? [])
        {
            var groupId = g.AsInteger(1, RoadMap.SignalGroup.MaxId, $"a signal group id from 1 to {RoadMap.SignalGroup.MaxId}");
            if (groupId is null)
            {
                ok = false;
                continue;
            }

            if (intersection is not null && intersection.FindGroup((int)groupId.Value) is null)
            {
                g.Reject($"a signal group of intersection {intersection.Id} ({string.Join(", ", intersection.SignalGroups.Select(x => x.Id))})");
                ok = false;
                continue;
            }

            if (groups.Contains((int)groupId.Value))
            {
                g.Error($"duplicate signal group {groupId.Value} in the stage");
                ok = false;
                continue;
            }

            groups.Add((int)groupId.Value);
        }

        double? minGreen;
        double? maxGreen;
        double? passage;
        if (mode is null)
        {
            // The mode is unreadable (reported there): check the numbers only, not which belong to which mode.
            foreach (var key in new[] { "green", "min_green", "max_green", "passage" })
            {
                node.Number(key, phase);
            }

            node.RejectUnknownFields();
            return null;
        }

        if (mode == SignalControlMode.Actuated)
        {
            minGreen = node.RequiredNumber("min_green", positivePhase);
            maxGreen = node.RequiredNumber("max_green", positivePhase);
            passage = node.RequiredNumber("passage", phase);
            if (node.Contains("green"))
            {
                node.Get("green")!.Error("'green' applies to mode 'fixed_time' (an actuated stage has min_green, max_green and passage)");
                ok = false;
            }
        }
        else
        {
            minGreen = node.RequiredNumber("green", positivePhase);
            maxGreen = node.Number("max_green", positivePhase) ?? minGreen;
            passage = 0;
            foreach (var key in new[] { "min_green", "passage" })
            {
                if (node.Contains(key))
                {
                    node.Get(key)!.Error($"'{key}' applies to mode 'actuated' (a fixed-time stage has green and max_green)");
                    ok = false;
                }
            }
        }

        if (minGreen is not null && maxGreen is not null && maxGreen < minGreen)
        {
            node.Get("max_green")!.Reject($"a maximum green of at least the {(mode == SignalControlMode.Actuated ? "minimum " : string.Empty)}green {minGreen.Value} s");
            ok = false;
        }

        node.RejectUnknownFields();
        return ok && minGreen is not null && maxGreen is not null && passage is not null ? new SignalStage(groups, minGreen.Value, maxGreen.Value, passage.Value) : null;
    }

    /// <summary>Longest signal phase or offset, s.</summary>
    public const double MaxSignalTime = 3600.0;

    /// <summary>The optional `signals` list: one fixed-time program per map signal head.</summary>
    private static List<ScenarioSignal> ReadSignals(ConfigMapping root, RoadNetwork? map)
    {
        var signals = new List<ScenarioSignal>();
        var list = root.Sequence("signals", "a list of signal programs {head, green, amber, red, offset}");
        if (list is null)
        {
            return signals;
        }

        var phase = NumberRange.Between(0, MaxSignalTime, $"a duration in seconds from 0 to {MaxSignalTime}");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in list.Items)
        {
            var node = item.AsMapping("a signal program {head, green, amber, red, offset}");
            if (node is null)
            {
                continue;
            }

            var headNode = node.GetRequired("head", "the id of a signal head of the map");
            var head = headNode?.AsString("the id of a signal head of the map");
            if (headNode is not null && head is not null && map is not null && !map.SignalHeads.Any(h => string.Equals(h.Id, head, StringComparison.Ordinal)))
            {
                headNode.Reject(map.SignalHeads.Count == 0
                    ? $"the id of a signal head of the map, but map '{map.Name}' has no signal_heads"
                    : $"the id of a signal head of map '{map.Name}' ({string.Join(", ", map.SignalHeads.Select(h => h.Id).Take(12))})");
                head = null;
            }
            else if (headNode is not null && head is not null && !seen.Add(head))
            {
                headNode.Error($"duplicate program for signal head '{head}' (expected one program per head)");
                head = null;
            }

            var green = node.RequiredNumber("green", phase);
            var amber = node.RequiredNumber("amber", phase);
            var red = node.RequiredNumber("red", phase);
            var offset = node.Number("offset", NumberRange.Between(0, MaxSignalTime, $"a time in seconds from 0 to {MaxSignalTime} (when a green phase starts)")) ?? 0;
            if (green is not null && amber is not null && red is not null && green + amber + red <= 0)
            {
                node.Get("red")!.Error("expected green + amber + red above 0 s, got a cycle of 0 s");
                red = null;
            }

            node.RejectUnknownFields();
            if (head is not null && green is not null && amber is not null && red is not null)
            {
                signals.Add(new ScenarioSignal(head, green.Value, amber.Value, red.Value, offset));
            }
        }

        return signals;
    }

    /// <summary>Attack kinds a `v2x_attacker` may cycle through.</summary>
    public static readonly string[] AttackKinds =
        ["forged", "untrusted_root", "expired_certificate", "missing_permission", "impersonation", "replay", "stale", "future_dated", "truncated", "bit_flipped", "flood"];

    private V2xAttackerSettings? ReadAttacker(ConfigMapping root, double? duration)
    {
        var node = root.Mapping("v2x_attacker", "a mapping describing a V2V attacker (vehicle, from, period, kinds)");
        if (node is null)
        {
            return null;
        }

        var vehicleNode = node.GetRequired("vehicle", "the id of a background vehicle that carries the attacker");
        var vehicle = vehicleNode?.AsString("the id of a background vehicle that carries the attacker");
        if (vehicleNode is not null && vehicle is not null && (!_declaredRoles.TryGetValue(vehicle, out var role) || role != VehicleRole.Background))
        {
            vehicleNode.Reject($"the id of a background vehicle ({string.Join(", ", _declaredRoles.Where(r => r.Value == VehicleRole.Background).Select(r => r.Key))})");
            vehicle = null;
        }

        var from = node.Number("from", duration is { } d ? new NumberRange($"a time in seconds from 0 to below the duration {d:0.###}", 0, d, MaxExclusive: true) : NumberRange.NonNegative("a time in seconds (≥ 0)")) ?? 0;
        var period = node.Number("period", NumberRange.Between(0.01, 10, "a period in seconds from 0.01 to 10")) ?? 0.1;
        var kinds = new List<string>();
        var list = node.Sequence("kinds", "a list of attack kinds");
        if (list is null)
        {
            kinds.AddRange(AttackKinds);
        }
        else
        {
            foreach (var item in list.Items)
            {
                var kind = item.AsString($"one of {string.Join(", ", AttackKinds)}");
                if (kind is null)
                {
                    continue;
                }

                if (Array.IndexOf(AttackKinds, kind) < 0)
                {
                    item.Reject($"one of {string.Join(", ", AttackKinds)}");
                    continue;
                }

                kinds.Add(kind);
            }
        }

        node.RejectUnknownFields();
        return vehicle is null || kinds.Count == 0 ? null : new V2xAttackerSettings(vehicle, from, period, kinds);
    }

    private (string? Path, RoadNetwork? Map) ReadMap(ConfigMapping root)
    {
        var node = root.GetRequired("map", "a path to a map file, relative to the scenario file");
        var relative = node?.AsString("a path to a map file, relative to the scenario file");
        if (node is null || relative is null)
        {
            return (null, null);
        }

        var baseDirectory = Path.GetDirectoryName(_doc.FullPath ?? Path.GetFullPath(_displayPath)) ?? Directory.GetCurrentDirectory();
        string fullPath;
        try
        {
            fullPath = Path.GetFullPath(Path.Combine(baseDirectory, relative));
        }
        catch (ArgumentException)
        {
            node.Reject("a path to a map file, relative to the scenario file");
            return (null, null);
        }

        if (!File.Exists(fullPath))
        {
            node.Error($"map file not found: {fullPath} (expected a path to an existing map file, relative to the scenario file, got {ConfigNode.Describe(node.Node)})");
            return (null, null);
        }

        try
        {
            return (fullPath, MapFile.Load(DisplayPath(fullPath)));
        }
        catch (ConfigurationException ex)
        {
            _doc.AddErrors(ex.Errors);
            return (null, null);
        }
    }

    private static string DisplayPath(string fullPath)
    {
        var relative = Path.GetRelativePath(Directory.GetCurrentDirectory(), fullPath);
        return relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative) ? fullPath : relative;
    }

    private static WorldOptions ReadWorld(ConfigMapping root, double step)
    {
        var world = new WorldOptions { StepLength = step };
        var sensors = root.Mapping("sensors", "a mapping of sensor options");
        if (sensors is not null)
        {
            var ego = world.Ego;
            ego = ego with { GnssPositionNoise = sensors.Number("gnss_position_noise", NumberRange.NonNegative("a standard deviation in metres (≥ 0)")) ?? ego.GnssPositionNoise };
            ego = ego with { GnssHeadingNoise = Deg(sensors.Number("gnss_heading_noise_deg", NumberRange.NonNegative("a standard deviation in degrees (≥ 0)"))) ?? ego.GnssHeadingNoise };
            ego = ego with { GnssDropoutProbability = sensors.Number("gnss_dropout_probability", NumberRange.Probability()) ?? ego.GnssDropoutProbability };
            ego = ego with { OdometrySpeedNoise = sensors.Number("odometry_speed_noise", NumberRange.NonNegative("a standard deviation in m/s (≥ 0)")) ?? ego.OdometrySpeedNoise };
            ego = ego with { ImuAccelerationNoise = sensors.Number("imu_acceleration_noise", NumberRange.NonNegative("a standard deviation in m/s² (≥ 0)")) ?? ego.ImuAccelerationNoise };
            ego = ego with { ImuYawRateNoise = Deg(sensors.Number("imu_yaw_rate_noise_deg_per_s", NumberRange.NonNegative("a standard deviation in degrees per second (≥ 0)"))) ?? ego.ImuYawRateNoise };

            var radar = world.Radar;
            var radarNode = sensors.Mapping("radar", "a mapping of radar options");
            if (radarNode is not null)
            {
                radar = radar with { MaxRange = radarNode.Number("max_range", NumberRange.Positive("a positive range in metres")) ?? radar.MaxRange };
                radar = radar with { HalfFieldOfView = Deg(radarNode.Number("half_fov_deg", new NumberRange("an angle in degrees above 0 and below 90", 0, 90, MinExclusive: true, MaxExclusive: true))) ?? radar.HalfFieldOfView };
                radar = radar with { RangeNoise = radarNode.Number("range_noise", NumberRange.NonNegative("a standard deviation in metres (≥ 0)")) ?? radar.RangeNoise };
                radar = radar with { RangeRateNoise = radarNode.Number("range_rate_noise", NumberRange.NonNegative("a standard deviation in m/s (≥ 0)")) ?? radar.RangeRateNoise };
                radar = radar with { AzimuthNoise = Deg(radarNode.Number("azimuth_noise_deg", NumberRange.NonNegative("a standard deviation in degrees (≥ 0)"))) ?? radar.AzimuthNoise };
                radar = radar with { DetectionProbability = radarNode.Number("detection_probability", NumberRange.Probability()) ?? radar.DetectionProbability };
                radarNode.RejectUnknownFields();
            }

            var lidar = ReadLidar(sensors, world.Lidar, step);
            var camera = ReadCamera(sensors, world.Camera, step);
            sensors.RejectUnknownFields();
            world = world with { Ego = ego, Radar = radar, Lidar = lidar, Camera = camera };
        }

        var v2xNode = root.Mapping("v2x", "a mapping of V2X channel options");
        if (v2xNode is not null)
        {
            world = world with { V2x = ReadV2xChannel(v2xNode, world.V2x) };
        }

        world = world with
        {
            MinimalRiskDeceleration = root.Number("minimal_risk_deceleration", Deceleration) ?? world.MinimalRiskDeceleration,
            AirDensity = root.Number("air_density", NumberRange.Positive("a positive density in kg/m³")) ?? world.AirDensity,
        };
        return world;
    }

    /// <summary>
    /// A sensor's <c>rate_hz</c> as a period in whole physics steps: the given rate (0 &lt; Hz ≤ 100, its period a whole
    /// number of steps, otherwise an error naming the nearest rate that is), 10 Hz rounded to whole steps when the
    /// field is absent; null only after an error was reported.
    /// </summary>
    private static int? ReadPeriodSteps(ConfigMapping node, double step, string what)
    {
        var rateNode = node.Get("rate_hz");
        if (rateNode is null)
        {
            // Default 10 Hz, kept a whole number of steps for any step length.
            return Math.Max(1, (int)Math.Round(0.1 / step));
        }

        if (rateNode.AsNumber(new NumberRange($"a {what} rate in Hz above 0 and at most 100", 0, 100, MinExclusive: true)) is not { } hz)
        {
            return null;
        }

        // The period must be a whole number of physics steps.
        var steps = 1.0 / (hz * step);
        var whole = Math.Round(steps);
        if (whole < 1 || Math.Abs(steps - whole) > 1e-6 * Math.Max(1.0, whole))
        {
            rateNode.Error(string.Create(
                System.Globalization.CultureInfo.InvariantCulture,
                $"expected a {what} rate whose period is a whole number of physics steps of {step:0.####} s (e.g. {1.0 / (step * Math.Max(1.0, Math.Round(steps))):0.###} Hz), got {hz:0.####} Hz = {steps:0.###} steps"));
            return null;
        }

        return (int)whole;
    }

    private static LidarOptions ReadLidar(ConfigMapping sensors, LidarOptions lidar, double step)
    {
        var node = sensors.Mapping("lidar", "a mapping of lidar options");
        if (node is null)
        {
            return lidar;
        }

        var elevation = new NumberRange("an angle in degrees above -90 and below 90", -90, 90, MinExclusive: true, MaxExclusive: true);
        lidar = lidar with { Enabled = node.Boolean("enabled") ?? lidar.Enabled };
        lidar = lidar with { Beams = (int?)node.Integer("beams", 1, MaxLidarBeams, $"a whole number of beams from 1 to {MaxLidarBeams}") ?? lidar.Beams };
        lidar = lidar with { MinElevation = Deg(node.Number("min_elevation_deg", elevation)) ?? lidar.MinElevation };
        lidar = lidar with { MaxElevation = Deg(node.Number("max_elevation_deg", elevation)) ?? lidar.MaxElevation };
        lidar = lidar with { AzimuthResolution = Deg(node.Number("azimuth_resolution_deg", new NumberRange("an angle in degrees from 0.05 to 10", 0.05, 10))) ?? lidar.AzimuthResolution };
        lidar = lidar with { MaxRange = node.Number("max_range", new NumberRange("a range in metres above 0 and at most 300 (points travel as int16 centimetres)", 0, 300, MinExclusive: true)) ?? lidar.MaxRange };
        lidar = lidar with { RangeNoise = node.Number("range_noise", NumberRange.Between(0, 1, "a standard deviation in metres from 0 to 1")) ?? lidar.RangeNoise };
        lidar = lidar with { Dropout = node.Number("dropout", NumberRange.Probability()) ?? lidar.Dropout };
        if (lidar.Beams > 1 && !(lidar.MaxElevation > lidar.MinElevation))
        {
            (node.Get("max_elevation_deg") ?? node.Get("min_elevation_deg") ?? node.Get("beams"))!.Error(
                $"expected max_elevation_deg above min_elevation_deg when there is more than one beam, got {Angles.ToDegrees(lidar.MinElevation):0.###} to {Angles.ToDegrees(lidar.MaxElevation):0.###} degrees");
        }

        lidar = lidar with { PeriodSteps = ReadPeriodSteps(node, step, "scan") ?? lidar.PeriodSteps };

        lidar = lidar with { RecordEvery = (int?)node.Integer("record_every", 0, 1000, "a whole number of scans from 0 (none recorded) to 1000 (1 = every scan)") ?? lidar.RecordEvery };
        node.RejectUnknownFields();
        return lidar;
    }

    /// <summary>Largest camera image side, pixels.</summary>
    public const int MaxCameraSide = 4096;

    private static CameraOptions ReadCamera(ConfigMapping sensors, CameraOptions camera, double step)
    {
        var node = sensors.Mapping("camera", "a mapping of front-camera options");
        if (node is null)
        {
            return camera;
        }

        camera = camera with { Enabled = node.Boolean("enabled") ?? camera.Enabled };
        camera = camera with { Width = (int?)node.Integer("width", 16, MaxCameraSide, $"an image width in pixels from 16 to {MaxCameraSide}") ?? camera.Width };
        camera = camera with { Height = (int?)node.Integer("height", 16, MaxCameraSide, $"an image height in pixels from 16 to {MaxCameraSide}") ?? camera.Height };
        camera = camera with { HorizontalFov = Deg(node.Number("horizontal_fov_deg", NumberRange.Between(5, 150, "a horizontal field of view in degrees from 5 to 150"))) ?? camera.HorizontalFov };
        camera = camera with { MountBehindFront = node.Number("mount_behind_front", NumberRange.Between(0, 20, "a distance behind the front of the body in metres from 0 to 20")) ?? camera.MountBehindFront };
        camera = camera with { MountHeight = node.Number("mount_height", NumberRange.Between(0.3, 10, "a height above the ground in metres from 0.3 to 10")) ?? camera.MountHeight };
        camera = camera with { Pitch = Deg(node.Number("pitch_deg", NumberRange.Between(-45, 45, "a pitch in degrees from -45 to 45 (positive looks down)"))) ?? camera.Pitch };
        camera = camera with { NoiseSigma = node.Number("noise_sigma", NumberRange.Between(0, 50, "a standard deviation on the 0–255 scale from 0 to 50")) ?? camera.NoiseSigma };
        camera = camera with { MaxDistance = node.Number("max_distance", new NumberRange("a drawing distance in metres above 0 and at most 2000", 0, 2000, MinExclusive: true)) ?? camera.MaxDistance };
        var lightingNode = node.Mapping("lighting", "a mapping of lighting options (sun_azimuth_deg, sun_elevation_deg, ambient, exposure, glare, random)");
        if (lightingNode is not null)
        {
            var l = camera.Lighting;
            l = l with { SunAzimuth = Deg(lightingNode.Number("sun_azimuth_deg", NumberRange.Between(-360, 360, "an azimuth in degrees from -360 to 360 (map frame, 0 = east, counter-clockwise)"))) ?? l.SunAzimuth };
            l = l with { SunElevation = Deg(lightingNode.Number("sun_elevation_deg", NumberRange.Between(-10, 90, "an elevation in degrees from -10 to 90"))) ?? l.SunElevation };
            l = l with { Ambient = lightingNode.Number("ambient", NumberRange.Between(0, 1, "a share of ambient light from 0 to 1")) ?? l.Ambient };
            l = l with { Exposure = lightingNode.Number("exposure", NumberRange.Between(0.05, 5, "an exposure gain from 0.05 to 5")) ?? l.Exposure };
            l = l with { Glare = lightingNode.Number("glare", NumberRange.Between(0, 1, "a glare strength from 0 to 1")) ?? l.Glare };
            camera = camera with { Lighting = l, RandomLighting = lightingNode.Boolean("random") ?? camera.RandomLighting };
            lightingNode.RejectUnknownFields();
        }

        camera = camera with { PeriodSteps = ReadPeriodSteps(node, step, "frame") ?? camera.PeriodSteps };

        // Default: one recorded image per second of simulated time.
        var imagesPerSecond = 1.0 / (camera.PeriodSteps * step);
        camera = camera with
        {
            RecordEvery = (int?)node.Integer("record_every", 0, 1_000_000, "a whole number of images from 0 (record none) to 1000000 (1 = every image)")
                ?? Math.Max(1, (int)Math.Round(imagesPerSecond)),
        };
        node.RejectUnknownFields();
        return camera;
    }

    private static double? Deg(double? degrees) => degrees is { } d ? Angles.FromDegrees(d) : null;

    private void ReadBlueprints(ConfigMapping root)
    {
        var blueprints = root.Mapping("blueprints", "a mapping from blueprint name to body parameters");
        if (blueprints is null)
        {
            return;
        }

        foreach (var (name, node) in blueprints.Entries())
        {
            if (_blueprints.ContainsKey(name))
            {
                blueprints.GetKeyNode(name)!.Error(name is TruckBlueprint or CarBlueprint or AgvBlueprint
                    ? $"blueprint '{name}' is built in and cannot be redefined"
                    : $"duplicate blueprint '{name}'");
                continue;
            }

            var body = node.AsMapping("a mapping of body parameters");
            if (body is null)
            {
                continue;
            }

            var baseName = body.String("base", "the name of a built-in or earlier blueprint") ?? TruckBlueprint;
            if (!_blueprints.TryGetValue(baseName, out var parameters))
            {
                body.Get("base")!.Reject($"one of the blueprints defined before it ({string.Join(", ", _blueprints.Keys)})");
                parameters = TruckParameters.Default;
            }

            var p = parameters;
            p = p with { Mass = body.Number("mass", NumberRange.Positive("a positive mass in kg")) ?? p.Mass };
            p = p with { Length = body.Number("length", new NumberRange("a length in metres above 0 and at most 30", 0, 30, MinExclusive: true)) ?? p.Length };
            p = p with { Width = body.Number("width", new NumberRange("a width in metres above 0 and at most 4", 0, 4, MinExclusive: true)) ?? p.Width };
            p = p with { Height = body.Number("height", new NumberRange("a height in metres above 0 and at most 5", 0, 5, MinExclusive: true)) ?? p.Height };
            p = p with { Category = body.Choice("category", Categories) ?? p.Category };
            p = p with { Wheelbase = body.Number("wheelbase", NumberRange.Positive("a positive wheelbase in metres")) ?? p.Wheelbase };
            p = p with { RearAxleToCentre = body.Number("rear_axle_to_centre", NumberRange.Any("a distance in metres")) ?? p.RearAxleToCentre };
            p = p with { MaxAcceleration = body.Number("max_acceleration", NumberRange.Positive("a positive acceleration in m/s²")) ?? p.MaxAcceleration };
            p = p with { MaxDeceleration = body.Number("max_deceleration", Deceleration) ?? p.MaxDeceleration };
            p = p with { ActuatorTimeConstant = body.Number("actuator_time_constant", NumberRange.Positive("a positive time constant in seconds")) ?? p.ActuatorTimeConstant };
            p = p with { MaxSteeringAngle = Deg(body.Number("max_steering_angle_deg", new NumberRange("an angle in degrees above 0 and below 90", 0, 90, MinExclusive: true, MaxExclusive: true))) ?? p.MaxSteeringAngle };
            p = p with { MaxSteeringRate = Deg(body.Number("max_steering_rate_deg_per_s", NumberRange.Positive("a positive rate in degrees per second"))) ?? p.MaxSteeringRate };
            p = p with { FrontalArea = body.Number("frontal_area", NumberRange.Positive("a positive area in m²")) ?? p.FrontalArea };
            p = p with { DragCoefficient = body.Number("drag_coefficient", NumberRange.NonNegative("a drag coefficient (≥ 0)")) ?? p.DragCoefficient };
            p = p with { RollingResistance = body.Number("rolling_resistance", NumberRange.NonNegative("a rolling-resistance coefficient (≥ 0)")) ?? p.RollingResistance };
            p = p with { MaxPower = body.Number("max_power", NumberRange.Positive("a positive power in W")) ?? p.MaxPower };
            body.RejectUnknownFields();
            _blueprints[name] = p;
        }
    }

    private List<VehicleEntry> ReadVehicles(ConfigMapping root, RoadNetwork? map)
    {
        var result = new List<VehicleEntry>();
        var list = root.RequiredSequence("vehicles", "a list of vehicles");
        if (list is null)
        {
            return result;
        }

        if (list.Count == 0)
        {
            list.Error("expected at least one vehicle, got an empty list");
        }

        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in list.Items)
        {
            var v = item.AsMapping("a vehicle (a mapping with id, role, lane, s, speed_kph, …)");
            if (v is not null && ReadVehicle(v, map, ids) is { } entry)
            {
                result.Add(entry);
            }
        }

        CheckOverlaps(result);
        return result;
    }

    private VehicleEntry? ReadVehicle(ConfigMapping v, RoadNetwork? map, HashSet<string> ids)
    {
        var ok = true;
        var id = v.RequiredString("id", "a vehicle id (letters, digits, '_', '-', '.')");
        if (id is not null && !id.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.'))
        {
            v.Get("id")!.Reject("a vehicle id made of letters, digits, '_', '-' or '.'");
            ok = false;
        }
        else if (id is not null && !ids.Add(id))
        {
            v.Get("id")!.Error($"duplicate vehicle id '{id}'");
            ok = false;
        }

        var role = v.RequiredChoice("role", Roles);
        if (id is not null && role is not null)
        {
            _declaredRoles.TryAdd(id, role.Value);
        }

        var blueprintName = v.String("blueprint", "a blueprint name") ?? (role == VehicleRole.Background ? CarBlueprint : TruckBlueprint);
        if (!_blueprints.TryGetValue(blueprintName, out var body))
        {
            v.Get("blueprint")!.Reject($"one of the blueprints {string.Join(", ", _blueprints.Keys)}");
            ok = false;
            body = TruckParameters.Default;
        }

        var laneNode = v.GetRequired("lane", "a lane id of the map, e.g. A1/0");
        var laneId = laneNode?.AsString("a lane id of the map, e.g. A1/0");
        Lane? lane = null;
        if (laneNode is not null && laneId is not null && map is not null && !map.TryGetLane(laneId, out lane))
        {
            laneNode.Reject($"a lane of map '{map.Name}' ({string.Join(", ", map.Lanes.Select(l => l.Id).Take(12))})");
            lane = null;
            ok = false;
        }

        var sRange = lane is null
            ? NumberRange.NonNegative("an arc length in metres (≥ 0)")
            : NumberRange.Between(0, lane.Centreline.Length, $"an arc length in metres from 0 to the lane length {lane.Centreline.Length:0.##}");
        var s = v.RequiredNumber("s", sRange);
        var speedKph = v.RequiredNumber("speed_kph", SpeedKph);

        double? setSpeedKph = null;
        long? controlPeriod = null;
        Dictionary<string, double> parameters = new(StringComparer.Ordinal);
        IdmParameters? idm = null;
        if (role == VehicleRole.Stack)
        {
            setSpeedKph = v.Number("set_speed_kph", SpeedKph);
            controlPeriod = v.Integer("control_period_steps", 1, MaxControlPeriodSteps, $"an integer number of physics steps from 1 to {MaxControlPeriodSteps}");
            var parametersNode = v.Mapping("parameters", "a mapping from parameter name to number");
            foreach (var (name, node) in parametersNode?.Entries() ?? [])
            {
                if (node.AsNumber(NumberRange.Any("a number")) is { } value)
                {
                    parameters[name] = value;
                }
            }

            RejectRoleFields(v, BackgroundOnlyFields, "background");
        }
        else if (role == VehicleRole.Background)
        {
            idm = ReadCarFollowing(v, speedKph, lane);
            RejectRoleFields(v, StackOnlyFields, "stack");
        }

        if (role is not null)
        {
            v.RejectUnknownFields();
        }

        if (!ok || id is null || role is null || laneId is null || s is null || speedKph is null || (role == VehicleRole.Background && idm is null))
        {
            return null;
        }

        var speed = Units.KphToMetresPerSecond(speedKph.Value);
        var vehicle = new ScenarioVehicle(
            id,
            role.Value,
            body,
            laneId,
            s.Value,
            speed,
            role == VehicleRole.Stack ? (setSpeedKph is { } k ? Units.KphToMetresPerSecond(k) : speed) : idm!.DesiredSpeed,
            role == VehicleRole.Stack ? (int)(controlPeriod ?? DefaultControlPeriodSteps) : 1,
            parameters,
            idm);
        return new VehicleEntry(vehicle, v.Get("s")!);
    }

    private static void RejectRoleFields(ConfigMapping v, string[] fields, string role)
    {
        foreach (var field in fields)
        {
            if (v.Contains(field))
            {
                v.GetKeyNode(field)!.Error($"field '{field}' applies only to vehicles with role: {role}");
            }
        }
    }

    private static IdmParameters? ReadCarFollowing(ConfigMapping v, double? speedKph, Lane? lane)
    {
        var defaults = new IdmParameters();
        var defaultDesired = speedKph is > 0 ? Units.KphToMetresPerSecond(speedKph.Value) : lane?.SpeedLimit ?? defaults.DesiredSpeed;
        var node = v.Get("car_following");
        var cf = node?.AsMapping("a mapping of car-following (IDM) parameters");
        if (cf is null)
        {
            return node is null ? defaults with { DesiredSpeed = defaultDesired } : null;
        }

        var desiredKph = cf.Number("desired_speed_kph", PositiveSpeedKph);
        var idm = defaults with
        {
            DesiredSpeed = desiredKph is { } d ? Units.KphToMetresPerSecond(d) : defaultDesired,
            TimeHeadway = cf.Number("time_headway", NumberRange.Positive("a positive time headway in seconds")) ?? defaults.TimeHeadway,
            MinimumGap = cf.Number("min_gap", NumberRange.NonNegative("a gap in metres (≥ 0)")) ?? defaults.MinimumGap,
            MaxAcceleration = cf.Number("max_accel", NumberRange.Positive("a positive acceleration in m/s²")) ?? defaults.MaxAcceleration,
            ComfortDeceleration = cf.Number("comfort_decel", Deceleration) ?? defaults.ComfortDeceleration,
            Exponent = cf.Number("exponent", NumberRange.Positive("a positive exponent")) ?? defaults.Exponent,
            ObeySignals = cf.Boolean("obey_signals") ?? defaults.ObeySignals,
            Loop = cf.Boolean("loop") ?? defaults.Loop,
        };
        cf.RejectUnknownFields();
        return idm;
    }

    private static void CheckOverlaps(List<VehicleEntry> vehicles)
    {
        foreach (var group in vehicles.GroupBy(e => e.Vehicle.LaneId, StringComparer.Ordinal))
        {
            var ordered = group.OrderBy(e => e.Vehicle.S).ToList();
            for (var i = 1; i < ordered.Count; i++)
            {
                var rear = ordered[i - 1].Vehicle;
                var front = ordered[i].Vehicle;
                var minimum = (rear.Body.Length + front.Body.Length) / 2;
                if (front.S - rear.S < minimum)
                {
                    // Report at whichever of the two comes later in the file.
                    var (at, other) = ordered[i].S.Line >= ordered[i - 1].S.Line ? (ordered[i], rear) : (ordered[i - 1], front);
                    at.S.Error(
                        $"expected a position not overlapping vehicle '{other.Id}' in lane {other.LaneId} (s = {other.S:0.##} m, length {other.Body.Length:0.##} m; "
                        + $"centres must be at least {minimum:0.##} m apart), got {at.Vehicle.S:0.##}");
                }
            }
        }
    }

    private List<ScenarioEvent> ReadEvents(ConfigMapping root, double? duration, WorldOptions world, RoadNetwork? map)
    {
        var events = new List<ScenarioEvent>();
        var list = root.Sequence("events", "a list of events");
        if (list is null)
        {
            return events;
        }

        // Events are checked against every vehicle declared, even one with errors of its own, to avoid follow-on errors.
        var roles = _declaredRoles;
        var atRange = duration is { } d
            ? new NumberRange($"a time in seconds from 0 to below the duration {d:0.###}", 0, d, MaxExclusive: true)
            : NumberRange.NonNegative("a time in seconds (≥ 0)");
        foreach (var item in list.Items)
        {
            var e = item.AsMapping("an event (a mapping with at, vehicle, type, …)");
            if (e is null)
            {
                continue;
            }

            var at = e.RequiredNumber("at", atRange);
            var type = e.RequiredChoice("type", EventTypes);
            string? vehicleId = string.Empty;
            if (type == EventType.V2x)
            {
                if (e.Get("vehicle") is { } stray)
                {
                    stray.Error("a v2x event changes the channel for everyone; it takes no vehicle");
                }
            }
            else if (type == EventType.LaneChange)
            {
                var vehicleNode = e.GetRequired("vehicle", "the id of a background vehicle");
                vehicleId = vehicleNode?.AsString("the id of a background vehicle");
                if (vehicleNode is not null && vehicleId is not null)
                {
                    if (!roles.TryGetValue(vehicleId, out var role))
                    {
                        vehicleNode.Reject($"the id of a background vehicle ({string.Join(", ", roles.Where(r => r.Value == VehicleRole.Background).Select(r => r.Key))})");
                        vehicleId = null;
                    }
                    else if (role != VehicleRole.Background)
                    {
                        vehicleNode.Error($"lane_change applies only to background vehicles; '{vehicleId}' has role stack (its lane is the stack's business)");
                        vehicleId = null;
                    }
                }
            }
            else
            {
                var vehicleNode = e.GetRequired("vehicle", "the id of a stack vehicle");
                vehicleId = vehicleNode?.AsString("the id of a stack vehicle");
                if (vehicleNode is not null && vehicleId is not null)
                {
                    if (!roles.TryGetValue(vehicleId, out var role))
                    {
                        vehicleNode.Reject($"the id of a stack vehicle ({string.Join(", ", roles.Where(r => r.Value == VehicleRole.Stack).Select(r => r.Key))})");
                        vehicleId = null;
                    }
                    else if (role != VehicleRole.Stack)
                    {
                        vehicleNode.Error($"events apply only to stack vehicles; '{vehicleId}' has role background");
                        vehicleId = null;
                    }
                }
            }

            ScenarioEvent? ev = null;
            var t = at ?? 0;
            var v = vehicleId ?? string.Empty;
            switch (type)
            {
                case EventType.SetSpeed:
                    ev = e.RequiredNumber("speed_kph", SpeedKph) is { } sp ? new SetSpeedEvent(t, v, Units.KphToMetresPerSecond(sp)) : null;
                    break;
                case EventType.Ramp:
                    {
                        var target = e.RequiredNumber("speed_kph", SpeedKph);
                        var rate = e.RequiredNumber("rate", new NumberRange("a rate of change in m/s² above 0 and at most 10", 0, 10, MinExclusive: true));
                        ev = target is not null && rate is not null ? new RampEvent(t, v, Units.KphToMetresPerSecond(target.Value), rate.Value) : null;
                        break;
                    }

                case EventType.Sinusoid:
                    {
                        var amplitude = e.RequiredNumber("amplitude_kph", PositiveSpeedKph);
                        var frequency = e.RequiredNumber("frequency", new NumberRange("a frequency in Hz above 0 and at most 10", 0, 10, MinExclusive: true));
                        var length = e.RequiredNumber("duration", NumberRange.Positive("a positive number of seconds"));
                        ev = amplitude is not null && frequency is not null && length is not null
                            ? new SinusoidEvent(t, v, Units.KphToMetresPerSecond(amplitude.Value), frequency.Value, length.Value)
                            : null;
                        break;
                    }

                case EventType.Brake:
                    {
                        var deceleration = e.RequiredNumber("deceleration", Deceleration);
                        var until = e.Number("until_speed_kph", SpeedKph) ?? 0;
                        var maxDuration = e.Number("max_duration", NumberRange.Positive("a positive number of seconds")) ?? DefaultBrakeMaxDuration;
                        ev = deceleration is not null ? new BrakeEvent(t, v, deceleration.Value, Units.KphToMetresPerSecond(until), maxDuration) : null;
                        break;
                    }

                case EventType.Platoon:
                    {
                        var action = e.RequiredChoice("action", PlatoonActions);
                        var platoonId = (uint?)e.Integer("platoon_id", 0, uint.MaxValue, "a platoon id (unsigned 32-bit integer)");
                        var index = (int?)e.Integer("index", 1, 6, "an index in the platoon from 1 to 6 (the truck the split starts at)");
                        var timeGap = e.Number("time_gap", NumberRange.Between(0.3, 4, "a time gap in seconds from 0.3 to 4"));
                        if (action == PlatoonCommand.Create && platoonId is null or 0)
                        {
                            e.GetRequired("platoon_id", "a platoon id above 0 for the new platoon");
                        }

                        if (action == PlatoonCommand.Split && index is null)
                        {
                            e.GetRequired("index", "the index the split starts at");
                        }

                        if (action == PlatoonCommand.ChangeGap && timeGap is null)
                        {
                            e.GetRequired("time_gap", "the new time gap in seconds");
                        }

                        ev = action is { } a ? new PlatoonEvent(t, v, a, platoonId ?? 0, index ?? 0, timeGap ?? 0) : null;
                        break;
                    }

                case EventType.LaneChange:
                    {
                        var laneNode = e.GetRequired("lane", "a lane id of the map, e.g. A1/1");
                        var laneId = laneNode?.AsString("a lane id of the map, e.g. A1/1");
                        if (laneNode is not null && laneId is not null && map is not null && !map.TryGetLane(laneId, out _))
                        {
                            laneNode.Reject($"a lane of map '{map.Name}' ({string.Join(", ", map.Lanes.Select(l => l.Id).Take(12))})");
                            laneId = null;
                        }

                        var length = e.Number("duration", new NumberRange($"a lane-change duration in seconds above 0 and at most {MaxLaneChangeDuration}", 0, MaxLaneChangeDuration, MinExclusive: true))
                            ?? DefaultLaneChangeDuration;
                        ev = laneId is not null ? new LaneChangeEvent(t, v, laneId, length) : null;
                        break;
                    }

                case EventType.V2x:
                    {
                        var until = e.Number("until", NumberRange.Positive("a time in seconds after `at`"));
                        if (until is not null && at is not null && until <= at)
                        {
                            e.Get("until")!.Error($"expected a time in seconds after at = {at.Value:0.###}, got {until.Value:0.###}");
                            until = null;
                        }

                        var node = e.Mapping("channel", "a mapping of V2X channel fields (as in the scenario's v2x section)");
                        if (node is null)
                        {
                            e.GetRequired("channel", "a mapping of V2X channel fields (as in the scenario's v2x section)");
                        }
                        else
                        {
                            ev = new V2xChannelEvent(t, until, ReadV2xChannel(node, world.V2x));
                        }

                        break;
                    }

                case EventType.SensorDropout:
                    {
                        var until = ReadUntil(e, at, duration);
                        var sensorNode = e.GetRequired("sensor", "one of " + string.Join(", ", Sensors.Select(o => o.Key)));
                        var sensor = sensorNode?.AsChoice(Sensors);
                        if (sensorNode is not null && sensor == SensorSet.Lidar && !world.Lidar.Enabled)
                        {
                            sensorNode.Error("the scenario has no lidar (sensors.lidar.enabled is false); a lidar dropout needs one");
                            sensor = null;
                        }
                        else if (sensorNode is not null && sensor == SensorSet.Camera && !world.Camera.Enabled)
                        {
                            sensorNode.Error("the scenario has no camera (sensors.camera.enabled is false); a camera dropout needs one");
                            sensor = null;
                        }

                        ev = sensor is { } which ? new SensorDropoutEvent(t, v, until, which) : null;
                        break;
                    }

                default:
                    break;
            }

            if (type is not null)
            {
                e.RejectUnknownFields();
            }

            if (ev is not null && at is not null && vehicleId is not null)
            {
                events.Add(ev);
            }
        }

        return [.. events.OrderBy(ev => ev.At)];
    }

    /// <summary>The optional `until` of an event: a time after `at` and not after the duration; null = to the end.</summary>
    private static double? ReadUntil(ConfigMapping e, double? at, double? duration)
    {
        var until = e.Number("until", NumberRange.Positive("a time in seconds after `at`"));
        if (until is not null && at is not null && until <= at)
        {
            e.Get("until")!.Error($"expected a time in seconds after at = {at.Value:0.###}, got {until.Value:0.###}");
            return null;
        }

        if (until is not null && duration is { } d && until > d)
        {
            e.Get("until")!.Error($"expected a time in seconds at most the duration {d:0.###}, got {until.Value:0.###}");
            return null;
        }

        return until;
    }

    /// <summary>Reads V2X channel fields over <paramref name="baseline"/> (the scenario's `v2x` and a `v2x` event's `channel`).</summary>
    private static V2xChannelOptions ReadV2xChannel(ConfigMapping node, V2xChannelOptions baseline)
    {
        var v2x = baseline;
        v2x = v2x with { Range = node.Number("range", NumberRange.Positive("a positive range in metres")) ?? v2x.Range };
        v2x = v2x with { Latency = node.Number("latency", NumberRange.Between(0, 10, "a latency in seconds from 0 to 10")) ?? v2x.Latency };
        v2x = v2x with { LatencyJitter = node.Number("latency_jitter", NumberRange.Between(0, 10, "a jitter in seconds from 0 to 10")) ?? v2x.LatencyJitter };
        v2x = v2x with { JitterDistribution = node.Choice("jitter_distribution", JitterDistributions) ?? v2x.JitterDistribution };
        v2x = v2x with { LossProbability = node.Number("loss", NumberRange.Probability()) ?? v2x.LossProbability };
        v2x = v2x with { DataRate = node.Number("data_rate", NumberRange.Positive("a positive data rate in bit/s")) ?? v2x.DataRate };
        v2x = v2x with { OverheadBytes = (int?)node.Integer("overhead_bytes", 0, 10_000, "a number of bytes from 0 to 10000") ?? v2x.OverheadBytes };
        var burst = node.Mapping("burst", "a mapping of Gilbert–Elliott burst-loss options (good_to_bad, bad_to_good, loss_in_good, loss_in_bad)");
        if (burst is not null)
        {
            var goodToBad = burst.RequiredNumber("good_to_bad", NumberRange.Probability());
            var badToGood = burst.RequiredNumber("bad_to_good", new NumberRange("a probability above 0 and at most 1", 0, 1, MinExclusive: true));
            var lossInGood = burst.Number("loss_in_good", NumberRange.Probability()) ?? 0;
            var lossInBad = burst.Number("loss_in_bad", NumberRange.Probability()) ?? 1;
            burst.RejectUnknownFields();
            if (goodToBad is not null && badToGood is not null)
            {
                v2x = v2x with { Burst = new GilbertElliott(goodToBad.Value, badToGood.Value, lossInGood, lossInBad) };
            }
        }

        node.RejectUnknownFields();
        return v2x;
    }

    private static PassCriteria ReadPassCriteria(ConfigMapping root)
    {
        var node = root.Mapping("pass_criteria", "a mapping of pass criteria");
        if (node is null)
        {
            return new PassCriteria(NoCollision: true, null, null, null, NoVehicleFailures: false);
        }

        var criteria = new PassCriteria(
            node.Boolean("no_collision") ?? true,
            node.Number("min_time_gap", NumberRange.Positive("a positive time gap in seconds")),
            node.Number("min_distance", NumberRange.Positive("a positive distance in metres")),
            node.Number("max_speed_rms_error", NumberRange.Positive("a positive speed error in m/s")),
            node.Boolean("no_vehicle_failures") ?? false,
            node.Number("max_string_stability_ratio", NumberRange.Positive("a positive ratio (peak spacing error of a follower over its predecessor's)")),
            node.Number("string_stability_from", NumberRange.NonNegative("a time in seconds (≥ 0)")) ?? PassCriteria.DefaultStringStabilityFrom);
        node.RejectUnknownFields();
        return criteria;
    }

    private sealed record VehicleEntry(ScenarioVehicle Vehicle, ConfigNode S);
}
