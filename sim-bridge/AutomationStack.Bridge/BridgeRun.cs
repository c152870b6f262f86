using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Threading.Channels;
using AutomationStack.Bridge.Protocol;
using AutomationStack.Contracts;
using AutomationStack.Evaluation;
using AutomationStack.Geometry;
using AutomationStack.Scenarios;
using AutomationStack.Simulation;
using Grpc.Core;
using WireDriverInput = AutomationStack.Bridge.Protocol.DriverInput;
using WireEgo = AutomationStack.Bridge.Protocol.EgoMeasurement;
using WireRadar = AutomationStack.Bridge.Protocol.RadarDetection;
using WireCredentials = AutomationStack.Bridge.Protocol.V2xCredentials;
using WireV2x = AutomationStack.Bridge.Protocol.V2xMessage;
using SignalLamp = AutomationStack.Simulation.Camera.SignalLamp;

namespace AutomationStack.Bridge;

/// <summary>
/// One run of a scenario: owns the world, the lock-step loop, the stack trucks' slots and the recorder.
/// Threading: the world and the recorder are touched only by the loop (<see cref="RunAsync"/>); gRPC handlers talk
/// to the loop through slots and a request queue.
/// </summary>
public sealed class BridgeRun
{
    /// <summary>Polling period while waiting for vehicles to attach, wall time.</summary>
    private static readonly TimeSpan AttachPollInterval = TimeSpan.FromMilliseconds(20);

    /// <summary>How long a best-effort end-of-run or detach message may take to write.</summary>
    private static readonly TimeSpan EndMessageTimeout = TimeSpan.FromSeconds(1);

    private const int GroundTruthSubscriberCapacity = 4096;

    private readonly Scenario _scenario;
    private readonly World _world;
    private readonly DriverInputSchedule _driverSchedule;
    private readonly V2xChannelEvent[] _channelEvents;
    private readonly LaneChangeEvent[] _laneChanges;
    private int _nextLaneChange;
    private readonly SensorDropoutEvent[] _dropouts;
    private readonly Dictionary<string, SensorSet> _unavailable = new(StringComparer.Ordinal);
    private readonly Lazy<Platooning.Security.SimulationPki> _pki;
    private readonly SortedDictionary<string, long> _attacksSent = new(StringComparer.Ordinal);
    private Platooning.Security.V2xAttackFactory? _attackFactory;
    private byte[]? _captured;
    private double _nextAttackTime;
    private int _attackIndex;
    private V2xChannelEvent? _activeChannelEvent;
    private readonly Dictionary<string, VehicleSlot> _slotsById = new(StringComparer.Ordinal);
    private readonly List<VehicleSlot> _slots = [];
    private readonly Dictionary<string, ScenarioVehicle> _scenarioStack = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Contracts.DriverInput> _driverInputs = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<Action> _loopRequests = new();
    private readonly List<Channel<GroundTruth>> _groundTruthSubscribers = [];
    private readonly Lock _subscriberLock = new();
    private readonly KpiAccumulator _kpi;
    private readonly SignalKpiAccumulator? _signalKpi;
    private readonly (SignalController Controller, int Group)[] _lineGroups = [];
    private readonly LineSignalState[] _lineStates = [];
    private readonly PlatoonKpiAccumulator _platoonKpi;
    private readonly TruckPlatoonSample[] _platoonSamples;
    private readonly long _stepNs;
    private readonly long _foxgloveEvery;
    private readonly WorldInfo _worldInfo;
    private readonly List<Contracts.RadarDetection> _radarBuffer = [];
    private readonly List<Contracts.V2xMessage> _v2xBuffer = [];
    private long _lidarTicks;
    private long _lidarScans;
    private long _cameraTicks;
    private long _cameraImages;
    private long _cameraImagesRecorded;
    private VehicleSample[] _samples = [];
    private readonly TruckReference[] _references;
    private readonly GroundTruth _groundTruth = new();
    private readonly List<RoadsideUnit> _roadsideUnits = [];
    private readonly List<AnsweredRequest> _answered = [];
    private readonly List<string> _failedVehicles = [];
    private RunRecorder? _recorder;
    private Sumo.SumoCoupling? _sumo;
    private string? _backendFailure;
    private string? _recordingFailure;
    private BridgeRunOptions? _options;
    private volatile bool _started;
    private volatile bool _finished;
    private CancellationTokenSource _waitCts = new();
    private long _waitDeadlineTicks = long.MaxValue;

    /// <summary>How often the watchdog checks the deadline of the wait for a vehicle's answer (timeout resolution).</summary>
    private static readonly TimeSpan WatchdogPeriod = TimeSpan.FromMilliseconds(10);

    /// <summary>Watchdog period in real-time mode, where the deadline is the step's wall-clock slot.</summary>
    private static readonly TimeSpan RealtimeWatchdogPeriod = TimeSpan.FromMilliseconds(1);
    private CancellationToken _runToken;

    public BridgeRun(Scenario scenario)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        _scenario = scenario;
        _stepNs = Units.SecondsToNanoseconds(scenario.StepLength);
        _foxgloveEvery = Math.Max(1, (long)Math.Round(1.0 / (FoxgloveScene.SceneRate * scenario.StepLength)));
        _world = new World(scenario.Map, scenario.World with { StepLength = scenario.StepLength }, scenario.Seed);
        _driverSchedule = new DriverInputSchedule(scenario);
        _channelEvents = [.. scenario.Events.OfType<V2xChannelEvent>().OrderBy(e => e.At)];
        _laneChanges = [.. scenario.Events.OfType<LaneChangeEvent>().OrderBy(e => e.At)];
        _dropouts = [.. scenario.Events.OfType<SensorDropoutEvent>()];
        // With signal controllers the PKI issues intersection permissions (roadside units; trucks may send signal
        // requests); without, its certificates are byte-identical to those of runs before intersections existed.
        // With the SUMO backend, every map intersection without a controller in the scenario runs SUMO's own
        // traffic-light program (an external controller fed by the coupling) behind a roadside unit.
        var sumoLights = scenario.Backend == SimulationBackend.Sumo
            ? scenario.Map.Intersections.Where(x => scenario.SignalControllers.All(c => c.IntersectionId != x.Id)).ToArray()
            : [];
        var intersections = scenario.SignalControllers.Count > 0 || sumoLights.Length > 0;
        _pki = new Lazy<Platooning.Security.SimulationPki>(
            () => new Platooning.Security.SimulationPki(scenario.Seed, V2xEpochMs, intersections), LazyThreadSafetyMode.ExecutionAndPublication);
        var truckIds = new List<string>();
        foreach (var v in scenario.Vehicles)
        {
            if (v.Role == Scenarios.VehicleRole.Stack)
            {
                _world.AddTruck(v.Id, v.Body, v.LaneId, v.S, v.Speed);
                var slot = new VehicleSlot(v.Id, _world.StationIdOf(v.Id), v.ControlPeriodSteps, truckIds.Count);
                _slots.Add(slot);
                _slotsById.Add(v.Id, slot);
                _scenarioStack.Add(v.Id, v);
                _driverInputs[v.Id] = new Contracts.DriverInput(v.SetSpeed, 0);
                truckIds.Add(v.Id);
            }
            else
            {
                _world.AddBackground(v.Id, v.Body, v.CarFollowing ?? new IdmParameters { DesiredSpeed = v.Speed }, v.LaneId, v.S, v.Speed);
            }
        }

        foreach (var signal in scenario.Signals)
        {
            _world.SetSignalProgram(signal.HeadId, signal.ToProgram());
        }

        foreach (var c in scenario.SignalControllers)
        {
            var intersection = scenario.Map.Intersections.First(x => x.Id == c.IntersectionId);
            var controller = new SignalController(intersection, c.Settings, scenario.Map);
            _world.AddSignalController(controller);
            var unit = new RoadsideUnit(controller, scenario.Map, _pki.Value, V2xEpochMs);
            _world.AddRoadsideStation(unit.StationId, intersection.X, intersection.Y);
            _roadsideUnits.Add(unit);
        }

        foreach (var intersection in sumoLights)
        {
            var controller = SignalController.External(intersection);
            _world.AddSignalController(controller);
            var unit = new RoadsideUnit(controller, scenario.Map, _pki.Value, V2xEpochMs);
            _world.AddRoadsideStation(unit.StationId, intersection.X, intersection.Y);
            _roadsideUnits.Add(unit);
        }

        if (_roadsideUnits.Count > 0)
        {
            var lines = new List<StopLineSite>();
            var groups = new List<(SignalController Controller, int Group)>();
            foreach (var unit in _roadsideUnits)
            {
                foreach (var group in unit.Controller.Intersection.SignalGroups)
                {
                    foreach (var ingress in group.Ingress)
                    {
                        lines.Add(new StopLineSite(unit.Controller.Intersection.Id, group.Id, ingress.LaneId, ingress.StopLineS));
                        groups.Add((unit.Controller, group.Id));
                    }
                }
            }

            _signalKpi = new SignalKpiAccumulator(truckIds, lines);
            _lineGroups = [.. groups];
            _lineStates = new LineSignalState[lines.Count];
        }

        _kpi = new KpiAccumulator(truckIds);
        _platoonKpi = new PlatoonKpiAccumulator(truckIds, scenario.PassCriteria.StringStabilityFrom);
        _platoonSamples = new TruckPlatoonSample[truckIds.Count];
        foreach (var slot in _slots)
        {
            if (_scenarioStack.TryGetValue(slot.Id, out var sv))
            {
                slot.AccPolicy = (
                    sv.Parameters.TryGetValue("acc.time_gap", out var h) ? h : 1.5,
                    sv.Parameters.TryGetValue("acc.standstill_gap", out var s0) ? s0 : 5.0);
            }
        }
        _references = new TruckReference[truckIds.Count];
        _worldInfo = BuildWorldInfo();
    }

    public Scenario Scenario => _scenario;

    /// <summary>Ids of the stack trucks that need a vehicle process, in scenario order.</summary>
    public IReadOnlyList<string> StackVehicleIds => _slots.ConvertAll(s => s.Id);

    public long TotalFrames => (long)Math.Round(_scenario.Duration / _scenario.StepLength);

    /// <summary>
    /// What stack truck <paramref name="vehicleId"/> receives when it attaches (its station, blueprint, parameters,
    /// lane, V2X credentials derived from the seed): how re-simulation rebuilds the vehicle's session from a scenario.
    /// </summary>
    /// <exception cref="KeyNotFoundException">not a stack truck of the scenario.</exception>
    public Attached AttachedFor(string vehicleId) =>
        AttachedFor(_slotsById.TryGetValue(vehicleId, out var slot) ? slot : throw new KeyNotFoundException($"'{vehicleId}' is not a stack truck of scenario '{_scenario.Name}'."));

    private Attached AttachedFor(VehicleSlot slot)
    {
        var attached = new Attached
        {
            VehicleId = slot.Id,
            StationId = slot.StationId,
            StepNs = _stepNs,
            ControlPeriodSteps = (uint)slot.ControlPeriodSteps,
            Seed = _scenario.Seed,
            Mode = _scenario.Mode == ScenarioMode.Realtime ? Mode.Realtime : Mode.Lockstep,
            Credentials = CredentialsFor(slot.StationId),
        };
        if (_scenarioStack.TryGetValue(slot.Id, out var sv))
        {
            attached.Blueprint = ProtocolMapping.ToWire(sv.Body);
            attached.TargetLaneId = sv.LaneId;
            foreach (var (key, value) in sv.Parameters)
            {
                attached.Parameters.Add(key, value);
            }
        }

        return attached;
    }

    /// <summary>The world description a vehicle process gets from GetWorldInfo (map lanes, signal heads, step, seed).</summary>
    public WorldInfo WorldInfo
    {
        get
        {
            var info = _worldInfo.Clone();
            info.Frame = _world.Frame;
            return info;
        }
    }

    /// <summary>Runs the scenario to its end (or cancellation) and returns KPIs and timings.</summary>
    public async Task<RunResult> RunAsync(BridgeRunOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (_started)
        {
            throw new InvalidOperationException("A bridge run can be run once.");
        }

        _options = options;
        _runToken = cancellationToken;
        _waitCts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var watchdogPeriod = _scenario.Mode == ScenarioMode.Realtime ? RealtimeWatchdogPeriod : WatchdogPeriod;
        using var watchdog = new Timer(_ => CheckWaitDeadline(), null, watchdogPeriod, watchdogPeriod);
        using var recorder = new RunRecorder(options.Recording);
        _recorder = recorder;
        WriteHeader(recorder, options);

        var wall = Stopwatch.StartNew();
        var sumoFolder = options.SumoWorkFolder;
        var temporaryFolder = false;
        try
        {
            if (_scenario.Backend == SimulationBackend.Sumo)
            {
                if (sumoFolder is null)
                {
                    sumoFolder = Directory.CreateTempSubdirectory("automationstack-sumo-").FullName;
                    temporaryFolder = true;
                }

                try
                {
                    _sumo = Sumo.SumoCoupling.Start(_scenario, _world, sumoFolder);
                }
                catch (Exception ex) when (ex is Traci.TraciException or InvalidOperationException or IOException)
                {
                    throw new SimulatorBackendException($"the SUMO backend could not start: {ex.Message}", ex);
                }

                options.Notice?.Invoke($"SUMO {_sumo.Process.Version.Software} (pid {_sumo.Process.ProcessId}) coupled, step {_scenario.Sumo!.StepLength.ToString("0.###", CultureInfo.InvariantCulture)} s, files in {sumoFolder}");
            }

            return await RunLoopAsync(options, recorder, wall, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _finished = true;
            _sumo?.Dispose();
            if (temporaryFolder && sumoFolder is not null)
            {
                try
                {
                    Directory.Delete(sumoFolder, recursive: true);
                }
                catch (IOException)
                {
                    // A leftover temporary folder is harmless.
                }
            }

            foreach (var slot in _slots)
            {
                slot.Release();
            }

            CompleteGroundTruthSubscribers();
            foreach (var unit in _roadsideUnits)
            {
                unit.Dispose();
            }
        }
    }

    /// <summary>Every roadside unit answers the signal requests delivered by now and broadcasts its SPaT/MAP when due.</summary>
    private void StepRoadsideUnits()
    {
        foreach (var unit in _roadsideUnits)
        {
            _answered.Clear();
            unit.Step(_world, _answered);
            foreach (var a in _answered)
            {
                var requester = _slots.Find(s => s.StationId == a.RequesterStationId)?.Id ?? string.Empty;
                var until = a.GreenEndNs > 0
                    ? string.Create(CultureInfo.InvariantCulture, $", green until {a.GreenEndNs / 1e9:F2} s")
                    : string.Empty;
                RecordEvent(
                    "signal_priority",
                    requester,
                    string.Create(CultureInfo.InvariantCulture, $"intersection {unit.Controller.Intersection.Id} group {a.SignalGroupId} station {a.RequesterStationId}: {a.Outcome}{until}"));
            }
        }
    }

    private async Task<RunResult> RunLoopAsync(BridgeRunOptions options, RunRecorder recorder, Stopwatch wall, CancellationToken cancellationToken)
    {
        await WaitForAttachAsync(cancellationToken).ConfigureAwait(false);
        _started = true;

        var totalFrames = TotalFrames;
        long physicsTicks = 0, recordTicks = 0, pacingTicks = 0, waitTicks = 0, exchangeTicks = 0, vehicleFrames = 0, vehicleSteps = 0;
        var loopStart = Stopwatch.GetTimestamp();
        var lastProgress = wall.Elapsed;
        var cancelled = false;
        var due = new List<VehicleSlot>(_slots.Count);
        for (long k = 1; k <= totalFrames; k++)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                cancelled = true;
                break;
            }

            DrainLoopRequests();
            if (_scenario.Mode == ScenarioMode.Realtime)
            {
                var ahead = TimeSpan.FromTicks((k - 1) * _stepNs / 100) - wall.Elapsed + _attachWait;
                if (ahead > TimeSpan.Zero)
                {
                    var p0 = Stopwatch.GetTimestamp();
                    await Task.Delay(ahead, cancellationToken).ConfigureAwait(false);
                    pacingTicks += Stopwatch.GetTimestamp() - p0;
                }
            }

            foreach (var slot in _slots)
            {
                if (slot.State == SlotState.Attached && slot.DisconnectReason is { } reason)
                {
                    await FailAsync(slot, reason).ConfigureAwait(false);
                }
            }

            if (recorder.Failure is { } recordingFailure)
            {
                // The log cannot take more (disk full): stop here; what it holds stays readable up to its last chunk.
                _recordingFailure = $"writing the log failed at {_world.StampNs / (double)Units.NanosecondsPerSecond:F2} s: {recordingFailure}";
                _options?.Notice?.Invoke(_recordingFailure);
                cancelled = true;
                break;
            }

            var t0 = Stopwatch.GetTimestamp();
            if (_sumo is not null)
            {
                try
                {
                    _sumo.BeforeWorldStep();
                }
                catch (Traci.TraciException ex)
                {
                    // SUMO died or answered garbage: stop here; the log keeps everything up to this step.
                    _backendFailure = $"SUMO failed at {_world.StampNs / (double)Units.NanosecondsPerSecond:F2} s: {ex.Message}";
                    RecordEvent("backend_failure", string.Empty, _backendFailure);
                    cancelled = true;
                    break;
                }
            }

            _world.Step();
            var t1 = Stopwatch.GetTimestamp();
            physicsTicks += t1 - t0;

            var time = _world.StampNs / (double)Units.NanosecondsPerSecond;
            UpdateDriverInputs(time);
            UpdateV2xChannel(time);
            UpdateSensorDropouts(time);
            Attack(time);
            StartLaneChanges(time);
            StepRoadsideUnits();
            RecordGroundTruth();
            var t2 = Stopwatch.GetTimestamp();
            recordTicks += t2 - t1;

            due.Clear();
            foreach (var slot in _slots)
            {
                if (slot.State == SlotState.Attached)
                {
                    vehicleSteps++;
                    if (k % slot.ControlPeriodSteps == 0)
                    {
                        due.Add(slot);
                    }
                }
            }

            if (due.Count > 0)
            {
                var t3 = Stopwatch.GetTimestamp();
                // Frames go out on all streams before any answer is awaited, so the vehicles compute in parallel.
                _sends.Clear();
                foreach (var slot in due)
                {
                    _sends.Add(SendFrameAsync(slot, k));
                }

                foreach (var send in _sends)
                {
                    await send.ConfigureAwait(false);
                }

                long waited = 0;
                foreach (var slot in due)
                {
                    if (slot.State != SlotState.Attached)
                    {
                        continue;
                    }

                    var w0 = Stopwatch.GetTimestamp();
                    var command = await AwaitCommandAsync(slot, k, wall, cancellationToken).ConfigureAwait(false);
                    waited += Stopwatch.GetTimestamp() - w0;
                    if (command is not null)
                    {
                        ApplyCommand(slot, command);
                        vehicleFrames++;
                    }
                }

                var t5 = Stopwatch.GetTimestamp();
                waitTicks += waited;
                exchangeTicks += t5 - t3;
            }

            if (options.Progress is not null && wall.Elapsed - lastProgress >= options.ProgressInterval)
            {
                lastProgress = wall.Elapsed;
                options.Progress(new RunProgress(k, time, _scenario.Duration, RealTimeFactor(time, loopStart)));
            }
        }

        var loopTicks = Stopwatch.GetTimestamp() - loopStart;
        var simulated = _world.StampNs / (double)Units.NanosecondsPerSecond;
        _finished = true;
        await EndRunAsync().ConfigureAwait(false);

        var summary = BuildKpiSummary(simulated);
        recorder.Write(RunRecorder.KpiTopic, summary, Math.Max(_world.StampNs, 1));
        recorder.Finish();
        CompleteGroundTruthSubscribers();

        var steps = Math.Max(1, _world.Frame);
        var toMicros = 1e6 / Stopwatch.Frequency;
        var timings = new StepTimings(
            LoopPerStep: loopTicks * toMicros / steps,
            PhysicsPerStep: physicsTicks * toMicros / steps,
            RecordingPerStep: recordTicks * toMicros / steps,
            ExchangePerVehicleFrame: vehicleFrames > 0 ? exchangeTicks * toMicros / vehicleFrames : 0,
            BridgeOverheadPerVehicleStep: vehicleSteps > 0 ? (loopTicks - physicsTicks - waitTicks - pacingTicks) * toMicros / vehicleSteps : 0,
            VehicleFrames: vehicleFrames,
            Steps: _world.Frame,
            LidarPerScan: _lidarScans > 0 ? _lidarTicks * toMicros / _lidarScans : 0,
            LidarScans: _lidarScans,
            CameraPerImage: _cameraImages > 0 ? _cameraTicks * toMicros / _cameraImages : 0,
            CameraImages: _cameraImages,
            CameraImagesRecorded: _cameraImagesRecorded);
        var loopSeconds = loopTicks / (double)Stopwatch.Frequency;
        return new RunResult(
            summary,
            _slots.ConvertAll(VehicleStats),
            wall.Elapsed.TotalSeconds,
            loopSeconds > 0 ? simulated / loopSeconds : 0,
            timings,
            recorder.MessageCount,
            cancelled)
        {
            GroundTruthSubscriptions = GroundTruthSubscriptions,
            BackendFailure = _backendFailure,
            RecordingFailure = _recordingFailure ?? (recorder.Failure is { } late ? $"writing the log failed at its end: {late}" : null),
            Sumo = _sumo?.Stats,
        };
    }

    private TimeSpan _attachWait;
    private int _groundTruthSubscriptions;
    private readonly List<ValueTask> _sends = [];

    private static double RealTimeFactor(double simulated, long loopStart)
    {
        var elapsed = Stopwatch.GetElapsedTime(loopStart).TotalSeconds;
        return elapsed > 0 ? simulated / elapsed : 0;
    }

    private VehicleRunStats VehicleStats(VehicleSlot slot) => new(
        slot.Id,
        slot.State == SlotState.Failed,
        slot.FailureReason,
        slot.FailureStampNs / (double)Units.NanosecondsPerSecond,
        slot.MissedFrames,
        slot.LateFrames,
        slot.StaleCommands,
        slot.FramesAnswered);

    // ---------------------------------------------------------------- gRPC-facing operations (any thread)

    /// <summary>
    /// One truck's Drive exchange, whichever lane carries it (the gRPC stream or the local socket lane): Attach, then
    /// commands into the slot until the stream ends. Refusals are <see cref="RpcException"/>s.
    /// </summary>
    /// <param name="certifiedVehicleId">With TLS: the vehicle id the peer's client certificate names (subject CN); the
    /// Attach must name the same vehicle, else PermissionDenied (recorded as an <c>attach_refused</c> event; the truck's
    /// slot stays free for its real vehicle). Null: no identity check (h2c, the Unix socket, the local lane).</param>
    internal async Task DriveAsync(
        IAsyncStreamReader<VehicleToBridge> requests,
        IServerStreamWriter<BridgeToVehicle> responses,
        CancellationToken cancellationToken,
        string? certifiedVehicleId = null)
    {
        if (!await requests.MoveNext(cancellationToken).ConfigureAwait(false)
            || requests.Current.MessageCase != VehicleToBridge.MessageOneofCase.Attach)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "Drive: the first message must be Attach"));
        }

        var attach = requests.Current.Attach;
        if (attach.ProtocolVersion != ProtocolInfo.Version)
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition, ProtocolInfo.MismatchMessage(ProtocolInfo.Version, attach.ProtocolVersion)));
        }

        if (certifiedVehicleId is not null && !string.Equals(certifiedVehicleId, attach.VehicleId, StringComparison.Ordinal))
        {
            var detail = $"the client certificate of '{certifiedVehicleId}' asked to attach as '{attach.VehicleId}'";
            NoteSecurityEvent("attach_refused", attach.VehicleId, detail);
            throw new RpcException(new Status(StatusCode.PermissionDenied, $"Drive: {detail}: a vehicle may attach only as the vehicle its certificate names (subject CN)"));
        }

        if (!_slotsById.TryGetValue(attach.VehicleId, out var slot))
        {
            throw new RpcException(new Status(StatusCode.NotFound, $"Drive: no stack truck '{attach.VehicleId}' in scenario '{_scenario.Name}'"));
        }

        if (_finished || !slot.TryClaim())
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition, $"Drive: truck '{attach.VehicleId}' is already attached, failed, or the run has ended"));
        }

        var attached = AttachedFor(slot);
        await responses.WriteAsync(new BridgeToVehicle { Attached = attached }, cancellationToken).ConfigureAwait(false);
        slot.CompleteAttach(responses);
        _options?.Notice?.Invoke($"{slot.Id} attached (station {slot.StationId})");

        try
        {
            while (await requests.MoveNext(cancellationToken).ConfigureAwait(false))
            {
                var message = requests.Current;
                if (message.MessageCase != VehicleToBridge.MessageOneofCase.Command)
                {
                    slot.MarkDisconnected("protocol violation: a second Attach on the same stream");
                    break;
                }

                // Never fails: the queue drops the oldest (stale) answers when full.
                slot.Commands.Writer.TryWrite(message.Command);
            }

            slot.MarkDisconnected("vehicle closed its stream");
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or RpcException or InvalidOperationException)
        {
            slot.MarkDisconnected($"connection lost: {ex.GetType().Name}");
        }

        // Keep the response stream open until the loop has said its last word on it (or the server shuts down).
        try
        {
            await slot.ReleasedTask.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Server shutdown or the peer is gone: nothing more to say on this stream.
        }
    }

    /// <summary>
    /// A refused connection or call (TLS client certificate rejected, attach as another vehicle): a notice now, and an
    /// event in the log's <c>/events</c> from the loop thread (any thread may call this; the run is not disturbed).
    /// </summary>
    internal void NoteSecurityEvent(string kind, string vehicleId, string detail)
    {
        _options?.Notice?.Invoke($"{kind}: {detail}");
        if (!_finished)
        {
            _loopRequests.Enqueue(() => RecordEvent(kind, vehicleId, detail));
        }
    }

    internal Task<SpawnReply> SpawnAsync(SpawnRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (string.IsNullOrWhiteSpace(request.VehicleId))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "SpawnVehicle: vehicle_id is required"));
        }

        if (!_scenario.Map.TryGetLane(request.LaneId, out var lane))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"SpawnVehicle: unknown lane_id '{request.LaneId}'"));
        }

        if (!(request.S >= 0 && request.S <= lane.Centreline.Length) || !(request.Speed >= 0) || !double.IsFinite(request.Speed))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"SpawnVehicle: s must lie in [0, {lane.Centreline.Length:F1}] m and speed must be ≥ 0"));
        }

        if (request.Kind == VehicleKind.Unspecified)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "SpawnVehicle: kind is required"));
        }

        var body = request.Blueprint is null
            ? (request.Kind == VehicleKind.StackTruck ? TruckParameters.Default : BackgroundBodies.Car)
            : ProtocolMapping.FromWire(request.Blueprint);
        return RunOnLoopAsync(() =>
        {
            if (_world.TryGet(request.VehicleId, out _))
            {
                throw new RpcException(new Status(StatusCode.AlreadyExists, $"SpawnVehicle: vehicle '{request.VehicleId}' exists"));
            }

            if (request.Kind == VehicleKind.StackTruck)
            {
                _world.AddTruck(request.VehicleId, body, request.LaneId, request.S, request.Speed);
                var period = request.ControlPeriodSteps == 0 ? 2 : (int)request.ControlPeriodSteps;
                var slot = new VehicleSlot(request.VehicleId, _world.StationIdOf(request.VehicleId), period, -1);
                _slots.Add(slot);
                _slotsById[request.VehicleId] = slot;
                _scenarioStack[request.VehicleId] = new ScenarioVehicle(request.VehicleId, Scenarios.VehicleRole.Stack, body, request.LaneId, request.S, request.Speed, request.SetSpeed > 0 ? request.SetSpeed : request.Speed, period, new Dictionary<string, double>(), null);
                _driverInputs[request.VehicleId] = new Contracts.DriverInput(request.SetSpeed > 0 ? request.SetSpeed : request.Speed, 0);
                _recorder?.Declare(RunRecorder.FrameTopic(request.VehicleId), Frame.Descriptor);
                _recorder?.Declare(RunRecorder.CommandTopic(request.VehicleId), Command.Descriptor);
            }
            else
            {
                var desired = request.SetSpeed > 0 ? request.SetSpeed : request.Speed;
                _world.AddBackground(request.VehicleId, body, new IdmParameters { DesiredSpeed = desired }, request.LaneId, request.S, request.Speed);
            }

            RecordEvent("vehicle_spawned", request.VehicleId, $"{request.Kind} at {request.LaneId} s={request.S.ToString("F1", CultureInfo.InvariantCulture)}");
            return new SpawnReply { VehicleId = request.VehicleId, StationId = _world.StationIdOf(request.VehicleId) };
        });
    }

    internal Task<DestroyReply> DestroyAsync(DestroyRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return RunOnLoopAsync(() =>
        {
            if (_slotsById.TryGetValue(request.VehicleId, out var slot) && slot.State != SlotState.Failed)
            {
                slot.State = SlotState.Failed;
                slot.FailureReason = "destroyed";
                slot.Release();
            }

            if (!_world.Remove(request.VehicleId))
            {
                throw new RpcException(new Status(StatusCode.NotFound, $"DestroyVehicle: no vehicle '{request.VehicleId}'"));
            }

            RecordEvent("vehicle_destroyed", request.VehicleId, string.Empty);
            return new DestroyReply();
        });
    }

    /// <summary>Number of live ground-truth subscribers (for tests and diagnostics).</summary>
    internal int GroundTruthSubscriberCount
    {
        get
        {
            lock (_subscriberLock)
            {
                return _groundTruthSubscribers.Count;
            }
        }
    }

    /// <summary>StreamGroundTruth subscriptions so far (tools and tests; a vehicle process never opens one).</summary>
    public int GroundTruthSubscriptions => Volatile.Read(ref _groundTruthSubscriptions);

    internal ChannelReader<GroundTruth> SubscribeGroundTruth()
    {
        Interlocked.Increment(ref _groundTruthSubscriptions);
        var channel = Channel.CreateBounded<GroundTruth>(new BoundedChannelOptions(GroundTruthSubscriberCapacity)
        {
            SingleReader = true,
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.DropOldest,
        });
        lock (_subscriberLock)
        {
            if (_finished)
            {
                channel.Writer.TryComplete();
            }
            else
            {
                _groundTruthSubscribers.Add(channel);
            }
        }

        return channel.Reader;
    }

    // ---------------------------------------------------------------- loop internals

    private Task<T> RunOnLoopAsync<T>(Func<T> action)
    {
        var tcs = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (_finished)
        {
            tcs.SetException(new RpcException(new Status(StatusCode.FailedPrecondition, "the run has ended")));
            return tcs.Task;
        }

        _loopRequests.Enqueue(() =>
        {
            try
            {
                tcs.SetResult(action());
            }
            catch (RpcException ex)
            {
                tcs.SetException(ex);
            }
            catch (ArgumentException ex)
            {
                tcs.SetException(new RpcException(new Status(StatusCode.InvalidArgument, ex.Message)));
            }
        });
        return tcs.Task;
    }

    private void DrainLoopRequests()
    {
        while (_loopRequests.TryDequeue(out var action))
        {
            action();
        }
    }

    private async Task WaitForAttachAsync(CancellationToken cancellationToken)
    {
        var attachStart = Stopwatch.StartNew();
        var limit = TimeSpan.FromSeconds(_scenario.AttachTimeout);
        while (true)
        {
            DrainLoopRequests();
            var waiting = 0;
            foreach (var slot in _slots)
            {
                if (slot.State == SlotState.Waiting)
                {
                    if (slot.AttachedTask.IsCompleted)
                    {
                        slot.State = SlotState.Attached;
                    }
                    else
                    {
                        waiting++;
                    }
                }
            }

            if (waiting == 0)
            {
                break;
            }

            if (attachStart.Elapsed >= limit)
            {
                foreach (var slot in _slots)
                {
                    if (slot.State == SlotState.Waiting)
                    {
                        await FailAsync(slot, $"no vehicle process attached within {_scenario.AttachTimeout.ToString("F0", CultureInfo.InvariantCulture)} s").ConfigureAwait(false);
                    }
                }

                break;
            }

            await Task.Delay(AttachPollInterval, cancellationToken).ConfigureAwait(false);
        }

        _attachWait = attachStart.Elapsed;
    }

    /// <summary>Absolute time of simulated time zero for V2X (generation times, certificate validity): 2026-01-01T00:00:00Z.</summary>
    public const ulong V2xEpochMs = 1_767_225_600_000;

    /// <summary>The simulated station's V2X credentials from the run's PKI (derived from the seed; never recorded).</summary>
    private WireCredentials CredentialsFor(uint stationId)
    {
        var pki = _pki.Value;
        var station = pki.For(stationId);
        var credentials = new WireCredentials
        {
            RootCertificate = Google.Protobuf.ByteString.CopyFrom(pki.Root.Encoded),
            Certificate = Google.Protobuf.ByteString.CopyFrom(station.Certificate.Encoded),
            PrivateKeyPkcs8 = Google.Protobuf.ByteString.CopyFrom(station.PrivateKeyPkcs8),
            EpochMs = V2xEpochMs,
        };
        credentials.AuthorityCertificates.Add(Google.Protobuf.ByteString.CopyFrom(pki.Authority.Encoded));
        return credentials;
    }

    /// <summary>The scenario's V2V attacker, if any, sends its next malicious message when its period is due.</summary>
    private void Attack(double time)
    {
        if (_scenario.Attacker is not { } settings || time < settings.From || time < _nextAttackTime || !_world.TryGet(settings.VehicleId, out _))
        {
            return;
        }

        _nextAttackTime = time + settings.Period - (_scenario.StepLength / 2);
        _attackFactory ??= new Platooning.Security.V2xAttackFactory(_pki.Value, _world.StationIdOf(settings.VehicleId));
        for (var tries = 0; tries < settings.Kinds.Count; tries++)
        {
            var name = settings.Kinds[_attackIndex++ % settings.Kinds.Count];
            var kind = AttackKindOf(name);
            if (kind == Platooning.Security.V2xAttackKind.Replay && _captured is null)
            {
                continue;
            }

            var victim = _slots.Count > 0 ? _slots[0].StationId : 1u;
            var nowMs = V2xEpochMs + (ulong)(_world.StampNs / 1_000_000);
            var burst = name == FloodAttack ? FloodBurst : 1;
            for (var i = 0; i < burst; i++)
            {
                _world.SendV2x(settings.VehicleId, _attackFactory.Create(kind, nowMs, victim, _captured ?? default));
            }

            var count = _attacksSent.GetValueOrDefault(name) + burst;
            _attacksSent[name] = count;
            if (count == 1)
            {
                RecordEvent("v2x_attack", settings.VehicleId, $"first {name} message");
            }

            return;
        }
    }

    /// <summary>Attack kind name of a flood: <see cref="FloodBurst"/> forged PCMs in one attack period.</summary>
    private const string FloodAttack = "flood";

    /// <summary>Messages a flood sends per attack period (50 every 100 ms = 500 per second by default).</summary>
    private const int FloodBurst = 50;

    private static Platooning.Security.V2xAttackKind AttackKindOf(string name) => name switch
    {
        FloodAttack => Platooning.Security.V2xAttackKind.Forged,
        "forged" => Platooning.Security.V2xAttackKind.Forged,
        "untrusted_root" => Platooning.Security.V2xAttackKind.UntrustedRoot,
        "expired_certificate" => Platooning.Security.V2xAttackKind.ExpiredCertificate,
        "missing_permission" => Platooning.Security.V2xAttackKind.MissingPermission,
        "impersonation" => Platooning.Security.V2xAttackKind.Impersonation,
        "replay" => Platooning.Security.V2xAttackKind.Replay,
        "stale" => Platooning.Security.V2xAttackKind.Stale,
        "future_dated" => Platooning.Security.V2xAttackKind.FutureDated,
        "truncated" => Platooning.Security.V2xAttackKind.Truncated,
        "bit_flipped" => Platooning.Security.V2xAttackKind.BitFlipped,
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "unknown attack kind"),
    };

    /// <summary>Puts the channel of the `v2x` event in force at <paramref name="time"/> (or the scenario's) into the world.</summary>
    private void UpdateV2xChannel(double time)
    {
        V2xChannelEvent? active = null;
        foreach (var e in _channelEvents)
        {
            if (e.At > time)
            {
                break;
            }

            if (e.Until is not { } until || time < until)
            {
                active = e;
            }
        }

        if (ReferenceEquals(active, _activeChannelEvent))
        {
            return;
        }

        _activeChannelEvent = active;
        _world.SetV2xChannel(active?.Channel ?? _scenario.World.V2x);
        _platoonKpi.NoteChannelChange(time);
        RecordEvent("v2x_channel", string.Empty, active is null ? "scenario channel restored" : DescribeChannel(active.Channel));
    }

    /// <summary>
    /// Puts the `sensor_dropout` events in force at <paramref name="time"/>: per stack truck, the set of sensors that
    /// are down. Every change is recorded as a `sensor_dropout` event naming the sensors that went down or came back.
    /// </summary>
    private void UpdateSensorDropouts(double time)
    {
        if (_dropouts.Length == 0)
        {
            return;
        }

        foreach (var slot in _slots)
        {
            var down = SensorSet.None;
            foreach (var e in _dropouts)
            {
                if (e.At <= time && (e.Until is not { } until || time < until) && string.Equals(e.VehicleId, slot.Id, StringComparison.Ordinal))
                {
                    down |= e.Sensor;
                }
            }

            var before = _unavailable.GetValueOrDefault(slot.Id);
            if (down == before)
            {
                continue;
            }

            _unavailable[slot.Id] = down;
            var lost = down & ~before;
            var back = before & ~down;
            var parts = new List<string>(2);
            if (lost != SensorSet.None)
            {
                parts.Add(SensorNames(lost) + " down");
            }

            if (back != SensorSet.None)
            {
                parts.Add(SensorNames(back) + " restored");
            }

            RecordEvent("sensor_dropout", slot.Id, string.Join("; ", parts));
        }
    }

    private static string SensorNames(SensorSet set) => string.Join(
        ", ",
        Enum.GetValues<SensorSet>().Where(s => s != SensorSet.None && set.HasFlag(s)).Select(s => s.ToString().ToLowerInvariant()));

    /// <summary>Starts the background vehicles' lane changes that are due at <paramref name="time"/>; each is recorded as a `lane_change` event.</summary>
    private void StartLaneChanges(double time)
    {
        while (_nextLaneChange < _laneChanges.Length && _laneChanges[_nextLaneChange].At <= time)
        {
            var e = _laneChanges[_nextLaneChange++];
            if (!_world.TryGet(e.VehicleId, out var vehicle))
            {
                RecordEvent("lane_change", e.VehicleId, "vehicle not in the world; lane change skipped");
                continue;
            }

            var from = vehicle.LaneId;
            try
            {
                _world.StartLaneChange(e.VehicleId, e.TargetLaneId, e.Duration);
                RecordEvent("lane_change", e.VehicleId, string.Create(CultureInfo.InvariantCulture, $"{from} -> {e.TargetLaneId} over {e.Duration:0.##} s"));
            }
            catch (ArgumentException ex)
            {
                RecordEvent("lane_change", e.VehicleId, "lane change skipped: " + ex.Message);
            }
        }
    }

    private static string DescribeChannel(V2xChannelOptions c) => string.Create(
        CultureInfo.InvariantCulture,
        $"range {c.Range:0.#} m, latency {c.Latency * 1000:0.#} ms + {c.JitterDistribution.ToString().ToLowerInvariant()} jitter {c.LatencyJitter * 1000:0.#} ms, loss {c.LossProbability:0.###}{(c.Burst is { } b ? $", burst {b.GoodToBad:0.###}/{b.BadToGood:0.###}" : string.Empty)}, {c.DataRate / 1e6:0.###} Mbit/s");

    private void UpdateDriverInputs(double time)
    {
        foreach (var slot in _slots)
        {
            // Trucks spawned over the API are not in the scenario's schedule: they keep their spawn set speed.
            if (slot.Index >= 0 && _world.TryGet(slot.Id, out var vehicle))
            {
                _driverInputs[slot.Id] = _driverSchedule.Evaluate(slot.Id, time, vehicle.Speed);
            }
        }

        foreach (var started in _driverSchedule.DrainStartedEvents())
        {
            RecordEvent("scenario_event", string.Empty, started);
        }
    }

    private async ValueTask SendFrameAsync(VehicleSlot slot, long frameNumber)
    {
        var ego = _world.MeasureEgo(slot.Id);
        _world.MeasureRadar(slot.Id, _radarBuffer);
        _world.ReceiveV2x(slot.Id, _v2xBuffer);
        var driver = _driverInputs[slot.Id];
        var frame = new Frame
        {
            VehicleId = slot.Id,
            Frame_ = frameNumber,
            StampNs = _world.StampNs,
            Ego = new WireEgo
            {
                X = ego.X,
                Y = ego.Y,
                Heading = ego.Heading,
                Speed = ego.Speed,
                LongitudinalAcceleration = ego.LongitudinalAcceleration,
                YawRate = ego.YawRate,
                GnssValid = ego.GnssValid,
            },
            Driver = new WireDriverInput
            {
                SetSpeed = driver.SetSpeed,
                BrakeDeceleration = driver.BrakeDeceleration,
                Platoon = driver.Platoon.Sequence == 0 ? null : ProtocolMapping.ToWire(driver.Platoon),
            },
            TargetLaneId = _scenarioStack.TryGetValue(slot.Id, out var sv) ? sv.LaneId : string.Empty,
        };
        var down = _dropouts.Length == 0 ? SensorSet.None : _unavailable.GetValueOrDefault(slot.Id);
        if (down != SensorSet.None)
        {
            // A sensor that is down sends nothing; the frame says so (the measurements were drawn all the same, so the
            // noise of the other sensors and of this one after it comes back does not depend on the dropout).
            frame.UnavailableSensors = (uint)down;
            frame.Ego.GnssValid &= !down.HasFlag(SensorSet.Gnss);
            if (down.HasFlag(SensorSet.Imu))
            {
                frame.Ego.LongitudinalAcceleration = double.NaN;
                frame.Ego.YawRate = double.NaN;
            }

            if (down.HasFlag(SensorSet.Odometry))
            {
                frame.Ego.Speed = double.NaN;
            }
        }

        if (!down.HasFlag(SensorSet.Radar))
        {
            foreach (var d in _radarBuffer)
            {
                frame.Radar.Add(new WireRadar { Range = d.Range, RangeRate = d.RangeRate, Azimuth = d.Azimuth });
            }
        }

        foreach (var m in _v2xBuffer)
        {
            frame.V2X.Add(new WireV2x { SenderStationId = m.SenderStationId, StampNs = m.StampNs, Payload = Google.Protobuf.ByteString.CopyFrom(m.Payload.Span) });
        }

        // Lidar: one scan per period of PeriodSteps physics steps, in the first frame this truck gets in that period.
        var lidar = _world.Options.Lidar;
        if (lidar.Enabled && Due(frameNumber, lidar.PeriodSteps, slot.LastLidarPeriod, out var lidarPeriod) && !down.HasFlag(SensorSet.Lidar))
        {
            slot.LastLidarPeriod = lidarPeriod;
            var t0 = Stopwatch.GetTimestamp();
            var scan = ProtocolMapping.ToWire(_world.MeasureLidar(slot.Id));
            scan.Frame = frameNumber;
            frame.Lidar = scan;
            _lidarTicks += Stopwatch.GetTimestamp() - t0;
            _lidarScans++;
        }

        // Camera: like the lidar, one image per period in the truck's first frame of that period.
        var camera = _world.Options.Camera;
        if (camera.Enabled && Due(frameNumber, camera.PeriodSteps, slot.LastCameraPeriod, out var cameraPeriod) && !down.HasFlag(SensorSet.Camera))
        {
            slot.LastCameraPeriod = cameraPeriod;
            var t0 = Stopwatch.GetTimestamp();
            var image = ProtocolMapping.ToWire(_world.MeasureCamera(slot.Id));
            image.Frame = frameNumber;
            frame.Camera = image;
            _cameraTicks += Stopwatch.GetTimestamp() - t0;
            _cameraImages++;
        }

        RecordFrame(slot, frame);
        try
        {
            var write = slot.Writer!.WriteAsync(new BridgeToVehicle { Frame = frame }, _runToken);
            if (!write.IsCompleted)
            {
                // A vehicle process that does not read its frames (hung, stopped) fills the lane's buffer and would
                // block the loop for everyone: it gets vehicle_timeout (wall clock) to take the frame, then it fails.
                await write.WaitAsync(TimeSpan.FromSeconds(_scenario.VehicleTimeout), _runToken).ConfigureAwait(false);
            }
            else
            {
                await write.ConfigureAwait(false);
            }
        }
        catch (TimeoutException)
        {
            var limit = _scenario.VehicleTimeout.ToString("F2", CultureInfo.InvariantCulture);
            await FailAsync(slot, $"frame {frameNumber} not taken within vehicle_timeout {limit} s (the vehicle does not read its frames)", writeEnd: false).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or OperationCanceledException or RpcException)
        {
            await FailAsync(slot, $"could not send frame {frameNumber}: {ex.GetType().Name}").ConfigureAwait(false);
        }
    }

    /// <summary>A sensor with a period of <paramref name="periodSteps"/> is due when this frame starts a period the truck has not had a reading of.</summary>
    private static bool Due(long frameNumber, int periodSteps, long lastPeriod, out long period)
    {
        period = frameNumber / periodSteps;
        return period != lastPeriod;
    }

    /// <summary>
    /// Records the frame as sent, except its camera image: images go to /vehicle/&lt;id&gt;/camera, every
    /// <see cref="CameraOptions.RecordEvery"/>-th image of the truck (the first one included), so the frame topic stays
    /// small and the images stay easy to pull out. The camera field is put back for sending.
    /// </summary>
    /// <summary>
    /// Records the frame as sent, except that only every <see cref="LidarOptions.RecordEvery"/>-th scan of a truck stays
    /// in it and the camera image goes, every <see cref="CameraOptions.RecordEvery"/>-th, to its own topic. The frame
    /// object is left as it came (it is sent after this).
    /// </summary>
    private void RecordFrame(VehicleSlot slot, Frame frame)
    {
        var scan = frame.Lidar;
        if (scan is not null)
        {
            var everyScan = _world.Options.Lidar.RecordEvery;
            if (everyScan <= 0 || slot.LidarScansSent % everyScan != 0)
            {
                frame.Lidar = null;
            }

            slot.LidarScansSent++;
        }

        var image = frame.Camera;
        frame.Camera = null;
        _recorder!.Write(RunRecorder.FrameTopic(slot.Id), frame, _world.StampNs);
        if (frame.Lidar is { } recorded && _scenario.FoxgloveTopics)
        {
            _recorder.Write(FoxgloveScene.LidarTopic(slot.Id), FoxgloveScene.Cloud(recorded), _world.StampNs);
        }

        frame.Lidar = scan;
        frame.Camera = image;
        if (image is null)
        {
            return;
        }

        var every = _world.Options.Camera.RecordEvery;
        if (every > 0 && slot.CameraImagesSent % every == 0)
        {
            _recorder.Write(CameraTopic(slot.Id), image, _world.StampNs);
            _cameraImagesRecorded++;
        }

        slot.CameraImagesSent++;
    }

    /// <summary>Recording topic of a truck's decimated camera images.</summary>
    public static string CameraTopic(string vehicleId) => $"/vehicle/{vehicleId}/camera";

    private static SignalLampState ToWire(SignalLamp lamp) => lamp switch
    {
        SignalLamp.Red => SignalLampState.Red,
        SignalLamp.Amber => SignalLampState.Amber,
        SignalLamp.Green => SignalLampState.Green,
        _ => SignalLampState.Off,
    };

    private async ValueTask<Command?> AwaitCommandAsync(VehicleSlot slot, long frameNumber, Stopwatch wall, CancellationToken cancellationToken)
    {
        var reader = slot.Commands.Reader;
        var realtime = _scenario.Mode == ScenarioMode.Realtime;
        var timeout = TimeSpan.FromSeconds(_scenario.VehicleTimeout);
        if (realtime)
        {
            // Wait at most until this step's wall deadline; a late answer keeps the previous command.
            var deadline = TimeSpan.FromTicks(frameNumber * _stepNs / 100) + _attachWait - wall.Elapsed;
            timeout = deadline > TimeSpan.Zero ? deadline : TimeSpan.Zero;
        }

        // No timer per wait (re-arming one costs a timer-thread wake-up per exchange): the watchdog cancels the
        // wait token once this deadline has passed; a cancellation seen before the deadline is stale and retried.
        var deadlineTicks = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        Volatile.Write(ref _waitDeadlineTicks, deadlineTicks);
        try
        {
            while (true)
            {
                switch (TakeAnswer(slot, frameNumber, out var command))
                {
                    case AnswerState.Answered:
                        return command;
                    case AnswerState.Violation:
                        await FailAsync(slot, $"protocol violation: answered frame {command!.Frame} while frame {frameNumber} was due").ConfigureAwait(false);
                        return null;
                    default:
                        break;
                }

                try
                {
                    if (!await reader.WaitToReadAsync(_waitCts.Token).ConfigureAwait(false))
                    {
                        await FailAsync(slot, slot.DisconnectReason ?? "stream closed").ConfigureAwait(false);
                        return null;
                    }
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    RenewWaitToken(cancellationToken);
                    if (Stopwatch.GetTimestamp() < deadlineTicks)
                    {
                        continue;
                    }

                    if (TakeAnswer(slot, frameNumber, out command) == AnswerState.Answered)
                    {
                        return command;
                    }

                    return await TimedOutAsync(slot, frameNumber, realtime).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            Volatile.Write(ref _waitDeadlineTicks, long.MaxValue);
        }
    }

    private enum AnswerState
    {
        None,
        Answered,
        Violation,
    }

    /// <summary>Takes queued commands: older frames are stale and dropped; a newer frame is a protocol violation.</summary>
    private static AnswerState TakeAnswer(VehicleSlot slot, long frameNumber, out Command? command)
    {
        while (slot.Commands.Reader.TryRead(out command))
        {
            if (command.Frame == frameNumber)
            {
                slot.LastAnsweredFrame = frameNumber;
                slot.FramesAnswered++;
                return AnswerState.Answered;
            }

            if (command.Frame > frameNumber)
            {
                return AnswerState.Violation;
            }

            slot.StaleCommands++;
        }

        return AnswerState.None;
    }

    private async ValueTask<Command?> TimedOutAsync(VehicleSlot slot, long frameNumber, bool realtime)
    {
        var limit = _scenario.VehicleTimeout.ToString("F2", CultureInfo.InvariantCulture);
        if (realtime)
        {
            slot.LateFrames++;
            var sinceAnswer = (frameNumber - slot.LastAnsweredFrame) * _scenario.StepLength;
            if (sinceAnswer >= _scenario.VehicleTimeout)
            {
                slot.MissedFrames++;
                await FailAsync(slot, $"no answer for {sinceAnswer.ToString("F2", CultureInfo.InvariantCulture)} s (vehicle_timeout {limit} s)").ConfigureAwait(false);
            }

            return null;
        }

        slot.MissedFrames++;
        await FailAsync(slot, $"no answer to frame {frameNumber} within vehicle_timeout {limit} s").ConfigureAwait(false);
        return null;
    }

    private void RenewWaitToken(CancellationToken cancellationToken)
    {
        var old = _waitCts;
        _waitCts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        old.Dispose();
    }

    /// <summary>Watchdog tick (timer thread): cancels the current wait once its deadline has passed.</summary>
    private void CheckWaitDeadline()
    {
        if (Stopwatch.GetTimestamp() <= Volatile.Read(ref _waitDeadlineTicks))
        {
            return;
        }

        try
        {
            Volatile.Read(ref _waitCts).Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The loop renewed the token meanwhile.
        }
    }

    private void ApplyCommand(VehicleSlot slot, Command command)
    {
        var steering = command.SteeringAngle;
        if (!double.IsFinite(steering))
        {
            steering = slot.LastCommand?.SteeringAngle is { } last && double.IsFinite(last) ? last : 0.0;
            RecordEvent("invalid_command", slot.Id, $"frame {command.Frame}: non-finite steering angle replaced");
        }

        switch (command.LongitudinalCase)
        {
            case Command.LongitudinalOneofCase.Acceleration when double.IsFinite(command.Acceleration):
                _world.SetCommand(slot.Id, new ActuationCommand(command.Acceleration, steering));
                break;
            case Command.LongitudinalOneofCase.Pedals when double.IsFinite(command.Pedals.Throttle) && double.IsFinite(command.Pedals.Brake):
                _world.SetPedals(slot.Id, Math.Clamp(command.Pedals.Throttle, 0, 1), Math.Clamp(command.Pedals.Brake, 0, 1), steering);
                break;
            default:
                // Fail closed: an unusable longitudinal request brakes like a minimal-risk stop for this period.
                _world.SetCommand(slot.Id, new ActuationCommand(-_scenario.World.MinimalRiskDeceleration, steering));
                RecordEvent("invalid_command", slot.Id, $"frame {command.Frame}: missing or non-finite longitudinal request replaced by braking");
                break;
        }

        foreach (var m in command.V2X)
        {
            _world.SendV2x(slot.Id, m.Payload.Memory);
        }

        if (_scenario.Attacker is not null && command.V2X.Count > 0 && slot.Index == 0)
        {
            // What a replay attacker captures off the air: the first truck's latest genuine message.
            _captured = command.V2X[^1].Payload.ToByteArray();
        }

        foreach (var line in command.Log)
        {
            line.Source = slot.Id;
            _recorder!.Write(RunRecorder.LogTopic, line, _world.StampNs);
        }

        _recorder!.Write(RunRecorder.CommandTopic(slot.Id), command, _world.StampNs);
        slot.LastCommand = command;
        if (command.Diagnostics?.Platoon is { } platoon)
        {
            slot.Platoon = platoon;
            foreach (var (reason, count) in platoon.V2XDrops)
            {
                slot.V2xDrops[reason] = count;
            }
        }
    }

    /// <summary>Fails a truck: minimal-risk stop, `vehicle_failed` event; an end-of-run message unless its lane is stuck mid-write (<paramref name="writeEnd"/> false).</summary>
    private async ValueTask FailAsync(VehicleSlot slot, string reason, bool writeEnd = true)
    {
        if (slot.State == SlotState.Failed)
        {
            return;
        }

        var wasAttached = slot.State == SlotState.Attached;
        slot.State = SlotState.Failed;
        slot.FailureStampNs = _world.StampNs;
        slot.FailureReason = reason;
        _failedVehicles.Add(slot.Id);
        if (_world.TryGet(slot.Id, out _))
        {
            _world.StartMinimalRiskStop(slot.Id);
        }

        RecordEvent("vehicle_failed", slot.Id, $"{reason}; minimal-risk stop at {_scenario.World.MinimalRiskDeceleration.ToString("F1", CultureInfo.InvariantCulture)} m/s²");
        _options?.Notice?.Invoke($"{slot.Id} FAILED at t={(_world.StampNs / 1e9).ToString("F2", CultureInfo.InvariantCulture)} s: {reason} → minimal-risk stop");
        if (writeEnd && wasAttached && slot.Writer is { } writer && slot.DisconnectReason is null)
        {
            await TryWriteEndAsync(writer, $"detached: {reason}").ConfigureAwait(false);
        }

        slot.Release();
    }

    private async Task EndRunAsync()
    {
        foreach (var slot in _slots)
        {
            if (slot.State == SlotState.Attached && slot.Writer is { } writer)
            {
                await TryWriteEndAsync(writer, "end of scenario").ConfigureAwait(false);
            }

            slot.Release();
        }
    }

    private static async Task TryWriteEndAsync(IServerStreamWriter<BridgeToVehicle> writer, string reason)
    {
        using var cts = new CancellationTokenSource(EndMessageTimeout);
        try
        {
            await writer.WriteAsync(new BridgeToVehicle { End = new EndOfRun { Reason = reason } }, cts.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or OperationCanceledException or RpcException)
        {
            // The vehicle is gone; nothing else to tell it.
        }
    }

    /// <summary>Every signal controller's stage and per-group SPaT timing into the ground truth (scenario order).</summary>
    private void RecordIntersections(GroundTruth gt)
    {
        while (gt.Intersections.Count < _roadsideUnits.Count)
        {
            var unit = _roadsideUnits[gt.Intersections.Count];
            var truth = new IntersectionTruth { Id = (uint)unit.Controller.Intersection.Id, StationId = unit.StationId };
            foreach (var g in unit.Controller.GroupIds)
            {
                truth.Groups.Add(new SignalGroupTruth { Id = (uint)g });
            }

            gt.Intersections.Add(truth);
        }

        for (var i = 0; i < _roadsideUnits.Count; i++)
        {
            var controller = _roadsideUnits[i].Controller;
            var truth = gt.Intersections[i];
            truth.Stage = (uint)controller.StageIndex;
            foreach (var g in truth.Groups)
            {
                var t = controller.TimingOf((int)g.Id);
                g.State = t.State switch
                {
                    SignalGroupState.Red => SignalLampState.Red,
                    SignalGroupState.Amber => SignalLampState.Amber,
                    SignalGroupState.Green => SignalLampState.Green,
                    _ => SignalLampState.Off,
                };
                g.MinEndNs = t.MinEndNs;
                g.MaxEndNs = t.MaxEndNs;
                g.LikelyEndNs = t.LikelyEndNs;
                g.Confidence = t.Confidence;
            }
        }
    }

    private void RecordEvent(string kind, string vehicleId, string detail)
    {
        _recorder?.Write(RunRecorder.EventsTopic, new RunEvent { StampNs = _world.StampNs, Kind = kind, VehicleId = vehicleId, Detail = detail }, _world.StampNs);
    }

    private void RecordGroundTruth()
    {
        var vehicles = _world.Vehicles;
        var gt = _groundTruth;
        gt.Frame = _world.Frame;
        gt.StampNs = _world.StampNs;
        gt.NewCollisions.Clear();
        while (gt.Vehicles.Count > vehicles.Count)
        {
            gt.Vehicles.RemoveAt(gt.Vehicles.Count - 1);
        }

        while (gt.Vehicles.Count < vehicles.Count)
        {
            gt.Vehicles.Add(new VehicleTruth());
        }

        if (_samples.Length != vehicles.Count)
        {
            _samples = new VehicleSample[vehicles.Count];
        }

        for (var i = 0; i < vehicles.Count; i++)
        {
            var v = vehicles[i];
            var t = gt.Vehicles[i];
            t.Id = v.Id;
            t.Kind = v.Role == Simulation.VehicleRole.StackTruck ? VehicleKind.StackTruck : VehicleKind.Background;
            t.X = v.X;
            t.Y = v.Y;
            t.Z = v.Z;
            t.Heading = v.Heading;
            t.Speed = v.Speed;
            t.Acceleration = v.Acceleration;
            t.SteeringAngle = v.SteeringAngle;
            t.LaneId = v.LaneId;
            t.S = v.S;
            t.Offset = v.Offset;
            t.Length = v.Body.Length;
            t.Width = v.Body.Width;
            t.Height = v.Body.Height;
            t.Category = ProtocolMapping.ToWire(v.Body.Category);
            t.Grade = v.Grade;
            t.DragReduction = v.DragReduction;
            t.Status = StatusOf(v);
            _samples[i] = new VehicleSample(v.Id, v.LaneId, v.S, v.Body.Length, v.Speed);
        }

        var heads = _world.SignalHeads;
        if (heads.Count > 0)
        {
            while (gt.SignalHeads.Count < heads.Count)
            {
                gt.SignalHeads.Add(new SignalHeadTruth { Id = heads[gt.SignalHeads.Count].Id });
            }

            for (var i = 0; i < heads.Count; i++)
            {
                gt.SignalHeads[i].Lamp = ToWire(_world.SignalLampOf(i));
            }
        }

        if (_roadsideUnits.Count > 0)
        {
            RecordIntersections(gt);
        }

        foreach (var (first, second) in _world.NewCollisions)
        {
            gt.NewCollisions.Add(new Collision { FirstVehicleId = first, SecondVehicleId = second });
            _collisionsByVehicle[first] = CollisionsOf(first) + 1;
            _collisionsByVehicle[second] = CollisionsOf(second) + 1;
            RecordEvent("collision", first, $"{first} collided with {second}");
            _options?.Notice?.Invoke($"COLLISION at t={(_world.StampNs / 1e9).ToString("F2", CultureInfo.InvariantCulture)} s: {first} × {second}");
        }

        if (_world.Frame % _scenario.GroundTruthEvery == 0 || gt.NewCollisions.Count > 0)
        {
            _recorder!.Write(RunRecorder.GroundTruthTopic, gt, _world.StampNs);
        }

        if (_scenario.FoxgloveTopics && _world.Frame % _foxgloveEvery == 0)
        {
            _recorder!.Write(FoxgloveScene.SceneTopic, FoxgloveScene.Scene(gt, _world.SignalHeads), _world.StampNs);
            foreach (var v in gt.Vehicles)
            {
                if (v.Kind == VehicleKind.StackTruck)
                {
                    _recorder.Write(FoxgloveScene.TransformTopic, FoxgloveScene.Transform(v, _world.StampNs), _world.StampNs);
                }
            }
        }

        foreach (var slot in _slots)
        {
            if (slot.Index >= 0)
            {
                var driver = _driverInputs[slot.Id];
                _references[slot.Index] = new TruckReference(driver.SetSpeed, driver.BrakeDeceleration > 0, slot.State == SlotState.Failed);
            }
        }

        _kpi.Observe(_samples, _references);
        if (_signalKpi is not null)
        {
            for (var k = 0; k < _lineGroups.Length; k++)
            {
                _lineStates[k] = _lineGroups[k].Controller.StateOf(_lineGroups[k].Group) switch
                {
                    SignalGroupState.Red => LineSignalState.Red,
                    SignalGroupState.Amber => LineSignalState.Amber,
                    SignalGroupState.Green => LineSignalState.Green,
                    _ => LineSignalState.Dark,
                };
            }

            _signalKpi.Observe(_world.StampNs / 1e9, _samples, _lineStates);
        }

        foreach (var slot in _slots)
        {
            if (slot.Index >= 0 && _world.TryGet(slot.Id, out var truck))
            {
                var p = slot.Platoon;
                var desired = p is not null && p.Role is "Follower" or "Joiner"
                    ? p.DesiredGap
                    : p is null ? slot.AccPolicy.StandstillGap + (slot.AccPolicy.TimeGap * truck.Speed) : double.NaN;
                _platoonSamples[slot.Index] = new TruckPlatoonSample(truck.Acceleration, desired, p?.State ?? string.Empty, p?.Role ?? string.Empty, p?.LongitudinalMode ?? string.Empty);
            }
        }

        _platoonKpi.Observe(_world.StampNs / (double)Units.NanosecondsPerSecond, _samples, _platoonSamples);

        if (_groundTruthSubscribers.Count > 0)
        {
            lock (_subscriberLock)
            {
                foreach (var subscriber in _groundTruthSubscribers)
                {
                    subscriber.Writer.TryWrite(gt.Clone());
                }
            }
        }
    }

    private VehicleStatus StatusOf(SimVehicle v)
    {
        if (!_slotsById.TryGetValue(v.Id, out var slot))
        {
            return VehicleStatus.Active;
        }

        return slot.State switch
        {
            SlotState.Waiting => VehicleStatus.Waiting,
            SlotState.Failed => v.Stopped ? VehicleStatus.Stopped : VehicleStatus.MinimalRisk,
            _ => VehicleStatus.Active,
        };
    }

    private void CompleteGroundTruthSubscribers()
    {
        lock (_subscriberLock)
        {
            foreach (var subscriber in _groundTruthSubscribers)
            {
                subscriber.Writer.TryComplete();
            }

            _groundTruthSubscribers.Clear();
        }
    }

    private KpiSummary BuildKpiSummary(double simulated)
    {
        var trucks = new List<TruckKpis>();
        var summary = new KpiSummary
        {
            Scenario = _scenario.Name,
            Seed = _scenario.Seed,
            Frames = _world.Frame,
            SimulatedTime = simulated,
            Collisions = _world.CollisionCount,
        };
        var platoonKpis = new List<TruckPlatoonKpis>();
        for (var i = 0; i < _kpi.TruckIds.Count; i++)
        {
            var r = _kpi.Result(i);
            trucks.Add(r);
            var slot = _slotsById[r.VehicleId];
            var pk = _platoonKpi.Result(i);
            platoonKpis.Add(pk);
            var platoonKpi = new TruckPlatoonKpi
            {
                PredecessorId = pk.PredecessorId ?? string.Empty,
                PeakSpacingError = pk.PeakSpacingError,
                PeakAcceleration = pk.PeakAcceleration,
                SpacingErrorRatio = pk.SpacingErrorRatio,
                AccelerationRatio = pk.AccelerationRatio,
                CaccShare = pk.CaccShare,
                TractionEnergy = _world.TryGet(r.VehicleId, out var sim) ? sim.TractionEnergy : 0.0,
                DraftingEnergySaved = sim?.DraftingEnergySaved ?? 0.0,
                V2XAccepted = slot.Platoon?.V2XAccepted ?? 0,
                V2XDropped = slot.Platoon?.V2XDropped ?? 0,
                V2XEncryptedAccepted = slot.Platoon?.V2XEncryptedAccepted ?? 0,
                V2XEncryptedSent = slot.Platoon?.V2XEncryptedSent ?? 0,
                GroupKeysInstalled = slot.Platoon?.GroupKeysInstalled ?? 0,
            };
            platoonKpi.JoinDurations.AddRange(pk.JoinDurations);
            platoonKpi.FallbackDelays.AddRange(pk.FallbackDelays);
            foreach (var (reason, count) in slot.V2xDrops.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                platoonKpi.V2XDrops.Add(reason, count);
            }

            summary.Trucks.Add(new TruckKpi
            {
                VehicleId = r.VehicleId,
                MinDistance = FiniteOr(r.MinDistance, -1),
                MinTimeGap = FiniteOr(r.MinTimeGap, -1),
                SpeedRmsError = r.SpeedRmsError,
                SpeedMaxError = r.SpeedMaxError,
                Failed = slot.State == SlotState.Failed,
                FailureStampNs = slot.FailureStampNs,
                FailureReason = slot.FailureReason,
                MissedFrames = slot.MissedFrames,
                Collisions = CollisionsOf(r.VehicleId),
                DistanceTravelled = r.DistanceTravelled,
                Platoon = platoonKpi,
            });
        }

        foreach (var (kind, count) in _attacksSent)
        {
            summary.V2XAttacks.Add(kind, count);
        }

        foreach (var unit in _roadsideUnits)
        {
            var c = unit.Controller;
            summary.RoadsideUnits.Add(new RoadsideUnitKpi
            {
                IntersectionId = (uint)c.Intersection.Id,
                StationId = unit.StationId,
                SpatSent = unit.SpatSent,
                MapSent = unit.MapSent,
                RequestsAnswered = unit.RequestsAnswered,
                PriorityGranted = c.PriorityGranted,
                PriorityRejected = c.PriorityRejected,
                Dropped = unit.Dropped,
                Ignored = unit.Ignored,
                GapOuts = c.GapOuts,
                MaxOuts = c.MaxOuts,
            });
        }

        var violations = new List<string>();
        if (_signalKpi is not null)
        {
            for (var i = 0; i < _kpi.TruckIds.Count; i++)
            {
                var k = _signalKpi.Result(i);
                summary.Signals.Add(new TruckSignalKpi
                {
                    VehicleId = k.TruckId,
                    RedLightViolations = k.RedLightViolations,
                    AmberCrossings = k.AmberCrossings,
                    Crossings = k.Crossings,
                    Stops = k.Stops,
                    TractionEnergy = k.TractionEnergy,
                });
                if (k.RedLightViolations > 0)
                {
                    violations.Add(string.Create(CultureInfo.InvariantCulture, $"no_red_light_violation: {k.TruckId} crossed {k.RedLightViolations} red light(s)"));
                }
            }

            foreach (var crossing in _signalKpi.PlatoonCrossings([.. _kpi.TruckIds]))
            {
                var line = _signalKpi.StopLines[crossing.StopLine];
                summary.PlatoonCrossings.Add(new PlatoonCrossingKpi { IntersectionId = (uint)line.IntersectionId, LaneId = line.LaneId, Intact = crossing.Intact });
            }
        }

        var channel = _world.V2xStats;
        summary.V2XChannel = new V2xChannelKpi
        {
            Sent = channel.Sent,
            OutOfRange = channel.OutOfRange,
            LostBurst = channel.LostBurst,
            LostRandom = channel.LostRandom,
            Delivered = channel.Delivered,
            Airtime = channel.AirtimeSeconds,
        };

        var criteria = _scenario.PassCriteria;
        var failed = PassCriteriaEvaluator.Evaluate(
            new Criteria(criteria.NoCollision, criteria.MinTimeGap, criteria.MinDistance, criteria.MaxSpeedRmsError, criteria.NoVehicleFailures, criteria.MaxStringStabilityRatio),
            new RunFacts(_world.CollisionCount, trucks, _failedVehicles, platoonKpis));
        summary.FailedCriteria.AddRange(failed);
        summary.FailedCriteria.AddRange(violations);
        summary.Passed = failed.Count == 0 && violations.Count == 0;
        return summary;
    }

    private readonly Dictionary<string, int> _collisionsByVehicle = new(StringComparer.Ordinal);

    private int CollisionsOf(string id) => _collisionsByVehicle.TryGetValue(id, out var n) ? n : 0;

    private static double FiniteOr(double value, double fallback) => double.IsFinite(value) ? value : fallback;

    private WorldInfo BuildWorldInfo()
    {
        var info = new WorldInfo
        {
            MapName = _scenario.Map.Name,
            StepNs = _stepNs,
            Seed = _scenario.Seed,
            Mode = _scenario.Mode == ScenarioMode.Realtime ? Mode.Realtime : Mode.Lockstep,
            ScenarioName = _scenario.Name,
            ProtocolVersion = ProtocolInfo.Version,
        };
        ProtocolMapping.AddLanes(_scenario.Map, info.Lanes);
        ProtocolMapping.AddSignalHeads(_scenario.Map, info.SignalHeads);
        return info;
    }

    private void WriteHeader(RunRecorder recorder, BridgeRunOptions options)
    {
        var metadata = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["scenario"] = _scenario.Name,
            ["seed"] = _scenario.Seed.ToString(CultureInfo.InvariantCulture),
            ["step_ns"] = _stepNs.ToString(CultureInfo.InvariantCulture),
            ["duration"] = _scenario.Duration.ToString("R", CultureInfo.InvariantCulture),
            ["mode"] = _scenario.Mode.ToString().ToLowerInvariant(),
            ["map"] = _scenario.Map.Name,
            ["protocol_version"] = ProtocolInfo.Version.ToString(CultureInfo.InvariantCulture),
        };
        if (options.Metadata is not null)
        {
            foreach (var (k, v) in options.Metadata)
            {
                metadata[k] = v;
            }
        }

        recorder.WriteMetadata("run", metadata);
        recorder.Declare(RunRecorder.GroundTruthTopic, GroundTruth.Descriptor);
        recorder.Declare(RunRecorder.EventsTopic, RunEvent.Descriptor);
        recorder.Declare(RunRecorder.LogTopic, LogLine.Descriptor);
        foreach (var slot in _slots)
        {
            recorder.Declare(RunRecorder.FrameTopic(slot.Id), Frame.Descriptor);
            recorder.Declare(RunRecorder.CommandTopic(slot.Id), Command.Descriptor);
        }

        if (_world.Options.Camera is { Enabled: true, RecordEvery: > 0 })
        {
            foreach (var slot in _slots)
            {
                recorder.Declare(CameraTopic(slot.Id), Bridge.Protocol.CameraImage.Descriptor);
            }
        }

        recorder.Declare(RunRecorder.KpiTopic, KpiSummary.Descriptor);
        if (_scenario.FoxgloveTopics)
        {
            recorder.Declare(FoxgloveScene.MapTopic, Protocol.Foxglove.SceneUpdate.Descriptor);
            recorder.Declare(FoxgloveScene.SceneTopic, Protocol.Foxglove.SceneUpdate.Descriptor);
            recorder.Declare(FoxgloveScene.TransformTopic, Protocol.Foxglove.FrameTransform.Descriptor);
            if (_world.Options.Lidar.Enabled)
            {
                foreach (var slot in _slots)
                {
                    recorder.Declare(FoxgloveScene.LidarTopic(slot.Id), Protocol.Foxglove.PointCloud.Descriptor);
                }
            }

            recorder.Write(FoxgloveScene.MapTopic, FoxgloveScene.Map(_world.Map, 0), 0);
        }
    }
}
