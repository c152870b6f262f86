using System.Globalization;
using AutomationStack.Contracts;
using AutomationStack.Control;
using AutomationStack.Geometry;
using AutomationStack.Localization;
using AutomationStack.Planning;
using AutomationStack.Platooning;
using AutomationStack.Platooning.Protocol;
using AutomationStack.RoadMap;
using AutomationStack.Tracking;
using AutomationStack.Vehicle.V2x;
using V2xMessage = AutomationStack.Contracts.V2xMessage;

namespace AutomationStack.Vehicle.Pipeline;

/// <summary>
/// The vehicle's per-frame function: estimator → tracker → lead selection → ACC + lane keeping → guard → output.
/// Pure apart from its own state: time comes from the frame stamps, no I/O, no randomness. Never throws per frame;
/// bad inputs raise fault bits and degrade the engagement mode.
/// </summary>
public sealed class VehiclePipeline : IDisposable
{
    private static readonly V2xMessage[] NoV2x = [];
    private static readonly VehicleLogLine[] NoLog = [];
    private static readonly RadarDetection[] NoDetections = [];
    private static readonly string[] ModeNames = Enum.GetNames<EngagementMode>();

    private readonly VehicleSession _session;
    private readonly PipelineOptions _options;
    private readonly EgoStateEstimator _estimator;
    private readonly RadarTracker _tracker;
    private readonly LeadSelector _leadSelector;
    private readonly AccController _acc;
    private readonly PurePursuit _purePursuit;
    private readonly CommandGuard _guard;
    private readonly EngagementStateMachine _engagement = new();
    private readonly List<VehicleLogLine> _log = [];
    private readonly double _nominalDt;
    private readonly PlatoonLayer? _platoon;
    private readonly LidarPerception? _perception;
    private readonly SignalHeadObserver? _signals;
    private readonly SignalApproach _approach;
    private readonly V2xStack? _infrastructureStack;
    private readonly List<ReceivedV2x> _infrastructure = [];
    private byte _requestId;
    private ApproachLane? _plannedLane;
    private PlatoonCrossingDecision _lastCrossing;
    private bool _priorityRequested;
    private bool _splitRequested;

    private bool _hasStamp;
    private long _lastStampNs;
    private long _lastIgnoredFields;
    private long _lastRejectedDetections;
    private double _invalidDuration;
    private double _degradedDuration;
    private double _healthyDuration;
    private bool _pendingCommandFault;
    private int _lastFaults;
    private int _lastLeadId = -1;
    private string? _lastLaneId;
    private string _lastLeadSource = string.Empty;
    private int _lidarConfirmedRadarTrack = -1;
    private SensorSet _lastDown;
    private double _radarBackDuration = double.PositiveInfinity;
    private RadarFallback _radarFallback;
    private double _fallbackTimeGap;
    private double _lastAcceleration;

    /// <summary>What stands in for the radar while it is down or just back (explicit state, logged on change).</summary>
    private enum RadarFallback
    {
        /// <summary>The radar is up and has been for at least the recovery time.</summary>
        None,

        /// <summary>Lidar perception provides the lead.</summary>
        Lidar,

        /// <summary>The radar's re-confirmed lead, with at least the ACC time gap, until the recovery time has passed.</summary>
        Radar,

        /// <summary>The predecessor's PCM (gap from its position, speed, acceleration), ACC at least at the ACC time gap.</summary>
        V2v,

        /// <summary>Nothing tells what is ahead: decelerate at <see cref="SafetyOptions.SensorLossDeceleration"/>.</summary>
        Blind,
    }

    /// <summary>
    /// The pipeline of one truck. <paramref name="detector"/> is required when <c>perception.lidar</c> is on and
    /// <paramref name="lights"/> when <c>perception.camera_lights</c> is on (the vehicle process loads the ONNX models);
    /// each is ignored otherwise.
    /// </summary>
    /// <exception cref="ArgumentException">Options out of range, or a perception stage turned on without its model.</exception>
    public VehiclePipeline(VehicleSession session, PipelineOptions options, IObjectDetector? detector = null, ISignalLightClassifier? lights = null)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _session = session;
        _options = options;
        var truck = session.Truck;
        _estimator = new EgoStateEstimator(options.Estimator);
        _tracker = RadarTracker.ForTruck(options.Tracker, truck);
        _leadSelector = new LeadSelector(options.Lead, truck.Length);
        _acc = new AccController(options.Acc, truck);
        _purePursuit = new PurePursuit(options.LaneKeeping, truck);
        _guard = new CommandGuard(truck, options.Safety.SafeStopDeceleration);
        _nominalDt = session.StepLength * Math.Max(session.ControlPeriodSteps, 1);
        _platoon = options.Platooning.Enabled ? new PlatoonLayer(session, options, _log) : null;
        _approach = new SignalApproach(options.Signals, truck.Length, _log);
        if (_platoon is null && session.Credentials is not null && options.Signals.StopLines)
        {
            // No platoon layer to share its V2X stack: the signal stage verifies roadside-unit messages with its own.
            _infrastructureStack = PlatoonLayer.CreateStack(session.StationId, session.Credentials, _ => { });
        }
        if (options.Perception.Lidar)
        {
            if (detector is null)
            {
                throw new ArgumentException("Parameter 'perception.lidar' = 1 needs an object detector (the vehicle process loads models/object_detector.onnx), but none was given.");
            }

            _perception = new LidarPerception(options.Perception, detector, options.Lead, truck.Length, _log);
        }

        if (options.Perception.CameraLights)
        {
            if (lights is null)
            {
                throw new ArgumentException("Parameter 'perception.camera_lights' = 1 needs a traffic-light classifier (the vehicle process loads models/traffic_light_classifier.onnx), but none was given.");
            }

            _signals = new SignalHeadObserver(lights, options.Perception, _log);
        }
    }

    /// <summary>Releases the V2X keys (platooning only).</summary>
    public void Dispose()
    {
        _platoon?.Dispose();
        _infrastructureStack?.Dispose();
    }

    /// <summary>Current engagement mode.</summary>
    public EngagementMode Mode => _engagement.Mode;

    public VehicleOutput Step(SensorFrame frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        _log.Clear();
        var stamp = frame.StampNs;
        var dt = FrameInterval(stamp);
        var faults = VehicleFaults.None;

        // Sensor health: a sensor that is down is not an empty measurement.
        var down = frame.Unavailable;
        var radarDown = (down & SensorSet.Radar) != 0;
        NoteSensors(stamp, down);
        _radarBackDuration = radarDown ? 0.0 : _radarBackDuration + dt;
        var radarDegraded = radarDown || _radarBackDuration < _options.Safety.RecoveryTime;
        if (down != SensorSet.None)
        {
            faults |= VehicleFaults.SensorUnavailable;
        }

        // Estimation.
        var ego = _estimator.Step(frame.Ego);
        if (_estimator.IgnoredFieldCount != _lastIgnoredFields)
        {
            _lastIgnoredFields = _estimator.IgnoredFieldCount;
            if ((down & (SensorSet.Imu | SensorSet.Odometry)) == 0)
            {
                // The NaN fields of a sensor that reported itself down are expected (SensorUnavailable says so).
                faults |= VehicleFaults.NonFiniteMeasurement;
            }
        }

        if (!ego.Valid)
        {
            faults |= VehicleFaults.EstimateInvalid;
        }

        var age = Units.NanosecondsToSeconds(stamp - frame.Ego.StampNs);
        var stale = !(age <= _options.Safety.MaxMeasurementAge);
        if (stale)
        {
            faults |= VehicleFaults.StaleInputs;
        }

        // Perception.
        // A radar that is down is not stepped (no detections is not an empty road); its tracks were cleared when it went.
        var tracks = radarDown ? ReadOnlySpan<RadarTrack>.Empty : _tracker.Step(stamp, ego, frame.Radar ?? NoDetections);
        if (_tracker.RejectedDetectionCount != _lastRejectedDetections)
        {
            _lastRejectedDetections = _tracker.RejectedDetectionCount;
            faults |= VehicleFaults.InvalidRadarDetection;
        }

        var lane = ResolveLane(stamp, frame.TargetLaneId, ego, ref faults);
        LeadTarget? radarLead = lane is not null ? _leadSelector.Select(tracks, ego, lane) : null;
        LeadTarget? lead = radarLead;
        var leadSource = "radar";
        if (_perception is not null)
        {
            if (_perception.Step(stamp, frame.Lidar, ego))
            {
                faults |= VehicleFaults.PerceptionFault;
            }

            if (_perception.UsesLidar)
            {
                lead = lane is not null ? _perception.SelectLead(stamp, ego, lane, tracks) : null;
                leadSource = "lidar";
                _perception.WatchCutIn(stamp, lead);
                (lead, leadSource) = FuseRadar(lead, radarLead);
            }
        }

        var signal = _signals?.Step(stamp, frame.Camera, ego, _session.Map, lane?.Id) ?? default;
        if (_signals is not null && !string.IsNullOrEmpty(signal.HeadId))
        {
            _approach.OnCamera(signal.HeadId, CameraPhase(signal.State), stamp);
        }

        // Driver.
        var setSpeed = frame.Driver.SetSpeed;
        if (!double.IsFinite(setSpeed) || setSpeed < 0)
        {
            faults |= VehicleFaults.InvalidDriverInput;
            setSpeed = 0.0;
        }

        var pedal = frame.Driver.BrakeDeceleration;
        if (!double.IsFinite(pedal) || pedal < 0)
        {
            faults |= VehicleFaults.InvalidDriverInput;
            pedal = 0.0;
        }

        // Supervision.
        Supervise(stamp, dt, ego, stale);

        // Platooning (V2X in, state machines).
        var platoon = _platoon?.Update(frame, ego, lane?.Id, lead);
        if (leadSource.StartsWith("lidar", StringComparison.Ordinal) && lead is { } measured && platoon is not null && Fuse(measured, platoon) is { } fused)
        {
            lead = fused;
            leadSource = leadSource == "lidar" ? "lidar+v2v" : "lidar+radar+v2v";
        }

        // Signals (SPaT/MAP from roadside units, the camera's reading): stop line, GLOSA, the leader's crossing plan.
        ReceiveInfrastructure(frame);
        var approach = _approach.Step(stamp, ego, lane?.SpeedLimit ?? double.PositiveInfinity);
        var signalRequests = PlanCrossing(stamp, ego, approach, platoon);

        var fallback = RadarFallback.None;
        if (radarDegraded)
        {
            (fallback, lead, leadSource) = ReplaceRadar(lead, leadSource, platoon, ego);
        }

        NoteFallback(stamp, fallback, lead, ego);
        leadSource = lead.HasValue ? leadSource : string.Empty;
        LogLead(stamp, lead, leadSource);

        // Control.
        var degraded = _perception?.IsDegraded == true;
        var request = Control(ego, lane, lead, Math.Min(setSpeed, approach.SpeedCap), pedal, dt, platoon, degraded, fallback is RadarFallback.V2v or RadarFallback.Radar);
        if (fallback == RadarFallback.Blind && _engagement.Mode == EngagementMode.Active && request.Acceleration > -_options.Safety.SensorLossDeceleration)
        {
            // Fail closed: without a sensor for the road ahead, no free road is assumed.
            request = request with { Acceleration = -_options.Safety.SensorLossDeceleration };
            _platoon?.LimitDesiredAcceleration(request.Acceleration);
        }
        if (_engagement.Mode == EngagementMode.Active && approach.AccelerationLimit < request.Acceleration)
        {
            // A signal's stop line binds like a stationary obstacle: the request is the smaller one (fail closed).
            request = request with { Acceleration = approach.AccelerationLimit };
            _platoon?.LimitDesiredAcceleration(approach.AccelerationLimit);
        }

        var guarded = _guard.Step(request, dt);
        _lastAcceleration = guarded.Command.Acceleration;
        if (guarded.NonFinite)
        {
            faults |= VehicleFaults.NonFiniteCommand;
            _pendingCommandFault = true;
        }

        LogFaults(stamp, (int)faults);
        var v2xOut = platoon is not null ? _platoon!.Outgoing(platoon, stamp) : NoV2x;
        if (signalRequests is not null)
        {
            v2xOut = [.. v2xOut, .. signalRequests];
        }

        var diagnostics = new VehicleDiagnostics(
            ModeNames[(int)_engagement.Mode],
            lead.HasValue,
            lead?.Gap ?? 0.0,
            lead?.LeadSpeed ?? 0.0,
            ego.Speed,
            guarded.Command.Acceleration,
            (int)faults,
            platoon is not null ? _platoon!.Diagnostics(platoon, ego.Speed) : default,
            _perception?.Diagnostics(leadSource) ?? default,
            signal);
        var log = _log.Count == 0 ? NoLog : _log.ToArray();
        return new VehicleOutput(frame.FrameNumber, guarded.Command, v2xOut, log, diagnostics);
    }

    private V2xStack? InfrastructureStack => _platoon?.Stack ?? _infrastructureStack;

    /// <summary>Hands this frame's SPaT, MAP and signal responses (verified) to the signal stage.</summary>
    private void ReceiveInfrastructure(SensorFrame frame)
    {
        var stack = InfrastructureStack;
        if (stack is null)
        {
            return;
        }

        IReadOnlyList<ReceivedV2x> received;
        if (_platoon is not null)
        {
            received = _platoon.Infrastructure;
        }
        else
        {
            _infrastructure.Clear();
            if (frame.V2x.Count > 0)
            {
                _infrastructure.AddRange(stack.Receive(frame.V2x, frame.StampNs));
            }

            received = _infrastructure;
        }

        var epochMs = stack.AbsoluteMs(0);
        foreach (var message in received)
        {
            var generation = (message.Header.GenerationTimeMs - (double)epochMs) / 1000.0;
            switch (message.Body)
            {
                case MapData map:
                    _approach.OnMap(map, _session.Map, frame.StampNs);
                    break;
                case Spat spat:
                    _approach.OnSpat(spat, generation, frame.StampNs);
                    break;
                case SignalResponse response when response.RequesterStationId == _session.StationId:
                    _approach.OnResponse(response, generation, frame.StampNs);
                    break;
            }
        }
    }

    /// <summary>
    /// A platoon leader on a matched approach: the crossing plan for its platoon. A priority request goes out once per
    /// approach (signed <see cref="SignalRequest"/>), a split once per approach (PMM Split through the agent).
    /// </summary>
    private V2xMessage[]? PlanCrossing(long stamp, in EgoState ego, SignalApproachResult approach, PlatoonStepResult? platoon)
    {
        if (approach.Match is not { } m)
        {
            _plannedLane = null;
            return null;
        }

        if (!ReferenceEquals(m.Lane, _plannedLane))
        {
            _plannedLane = m.Lane;
            _lastCrossing = PlatoonCrossingDecision.None;
            _priorityRequested = false;
            _splitRequested = false;
            _approach.ForgetPriority(m.Lane.IntersectionId, m.Lane.SignalGroup);
        }

        if (!_options.Signals.PlatoonCrossing || platoon is not { Role: PlatoonRole.Leader } p || p.Members.Count == 0 || InfrastructureStack is not { } stack)
        {
            return null;
        }

        var truck = _session.Truck;
        var timeGap = Math.Max(p.TargetTimeGap, _options.Platooning.TimeGap);
        var spacing = truck.Length + _options.Cacc.StandstillGap + (timeGap * Math.Max(ego.Speed, 0));
        var followers = new PlatoonMemberOffset[p.Members.Count];
        for (var i = 0; i < followers.Length; i++)
        {
            followers[i] = new PlatoonMemberOffset(p.Members[i], (i + 1) * spacing, truck.Length);
        }

        var now = Units.NanosecondsToSeconds(stamp);
        var granted = _approach.GrantedGreenEnd(m.Lane.IntersectionId, m.Lane.SignalGroup);
        if (_priorityRequested && !_approach.PriorityAnswered(m.Lane.IntersectionId, m.Lane.SignalGroup))
        {
            // Waiting for the roadside unit's answer: no new decision (no split while the green may still be held).
            return null;
        }

        var plan = PlatoonCrossingPlanner.Plan(now, m.DistanceToStopLine, ego.Speed, followers, approach.Signal.Timing, !_priorityRequested, granted, _options.Signals.Crossing);
        if (plan.Decision != _lastCrossing)
        {
            _lastCrossing = plan.Decision;
            _log.Add(new VehicleLogLine(stamp, LogLevel.Info, string.Create(CultureInfo.InvariantCulture,
                $"platoon crossing {plan.Decision} at intersection {m.Lane.IntersectionId} ({m.DistanceToStopLine:F1} m, {followers.Length} followers, rear at the line {plan.RearArrival - now:F1} s from now){(plan.Decision == PlatoonCrossingDecision.Split ? $", split before member {plan.SplitIndex + 1}" : string.Empty)}")));
        }

        switch (plan.Decision)
        {
            case PlatoonCrossingDecision.RequestPriority when !_priorityRequested:
            {
                _priorityRequested = true;
                var request = new SignalRequest(
                    m.Lane.IntersectionId,
                    ++_requestId,
                    m.Lane.SignalGroup,
                    m.Lane.LaneId,
                    Math.Clamp((m.DistanceToStopLine / Math.Max(ego.Speed, 0.1)), 0, 6000),
                    Math.Clamp(plan.RequiredGreenEnd - now, 0, 6000),
                    Math.Min(followers[^1].Offset + truck.Length, 6000),
                    (byte)Math.Min(followers.Length + 1, byte.MaxValue));
                _log.Add(new VehicleLogLine(stamp, LogLevel.Info, string.Create(CultureInfo.InvariantCulture,
                    $"signal priority requested from intersection {request.IntersectionId} group {request.SignalGroupId} (request {request.RequestId}): green until {plan.RequiredGreenEnd:F1} s for {request.VehicleCount} trucks")));
                return [stack.Send(request, stamp)];
            }

            case PlatoonCrossingDecision.Split when !_splitRequested && _platoon is not null:
                _splitRequested = true;
                _platoon.RequestSplit((byte)(plan.SplitIndex + 1));
                return null;
            default:
                return null;
        }
    }

    private static Planning.SignalPhase CameraPhase(string state) => state switch
    {
        "red" => Planning.SignalPhase.Red,
        "amber" => Planning.SignalPhase.Amber,
        "green" => Planning.SignalPhase.Green,
        _ => Planning.SignalPhase.Unknown,
    };

    private double FrameInterval(long stamp)
    {
        var dt = _hasStamp ? Units.NanosecondsToSeconds(stamp - _lastStampNs) : _nominalDt;
        _hasStamp = true;
        _lastStampNs = stamp;
        return dt > 0 && double.IsFinite(dt) ? dt : 0.0;
    }

    private Lane? ResolveLane(long stamp, string? targetLaneId, in EgoState ego, ref VehicleFaults faults)
    {
        Lane? lane = null;
        if (!string.IsNullOrEmpty(targetLaneId))
        {
            if (_session.Map.TryGetLane(targetLaneId, out var found))
            {
                lane = found;
            }
            else
            {
                faults |= VehicleFaults.UnknownTargetLane;
            }
        }

        if (lane is null && ego.Valid && _session.Map.TryLocate(new Vec2(ego.X, ego.Y), out var position))
        {
            lane = _session.Map.GetLane(position.LaneId);
        }

        if (lane is null)
        {
            faults |= VehicleFaults.NoLane;
        }

        var id = lane?.Id;
        if (!string.Equals(id, _lastLaneId, StringComparison.Ordinal))
        {
            _lastLaneId = id;
            _log.Add(new VehicleLogLine(stamp, LogLevel.Info, id is null ? "lane none" : "lane " + id));
        }

        return lane;
    }

    private void Supervise(long stamp, double dt, in EgoState ego, bool stale)
    {
        var safety = _options.Safety;
        _invalidDuration = ego.Valid ? 0.0 : _invalidDuration + dt;
        var commandFault = _pendingCommandFault;
        _pendingCommandFault = false;
        var healthy = ego.Valid && !stale && !commandFault;
        _healthyDuration = healthy ? _healthyDuration + dt : 0.0;

        switch (_engagement.Mode)
        {
            case EngagementMode.Initializing:
                if (commandFault)
                {
                    Raise(stamp, EngagementEvent.FaultRaised);
                }
                else if (ego.Valid && !stale)
                {
                    Raise(stamp, EngagementEvent.EstimateValid);
                }

                break;
            case EngagementMode.Active:
                if (_invalidDuration > safety.EstimateLossTolerance)
                {
                    Raise(stamp, EngagementEvent.EstimateLost);
                }
                else if (stale)
                {
                    Raise(stamp, EngagementEvent.InputsStale);
                }
                else if (commandFault)
                {
                    Raise(stamp, EngagementEvent.FaultRaised);
                }

                break;
            case EngagementMode.Degraded:
                _degradedDuration += dt;
                if (_degradedDuration > safety.DegradedTimeout)
                {
                    Raise(stamp, EngagementEvent.DegradedTimeout);
                }
                else if (commandFault)
                {
                    Raise(stamp, EngagementEvent.FaultRaised);
                }
                else if (healthy && _healthyDuration >= safety.RecoveryTime)
                {
                    Raise(stamp, EngagementEvent.Recovered);
                }

                break;
            case EngagementMode.MinimalRisk:
            default:
                break;
        }
    }

    private void Raise(long stamp, EngagementEvent e)
    {
        var transition = _engagement.Handle(e);
        if (!transition.Changed)
        {
            return;
        }

        if (transition.To == EngagementMode.Active)
        {
            _acc.Reset(0.0);
        }

        if (transition.To == EngagementMode.Degraded)
        {
            _degradedDuration = 0.0;
        }

        var level = transition.To is EngagementMode.Active ? LogLevel.Info : LogLevel.Warning;
        _log.Add(new VehicleLogLine(
            stamp,
            level,
            string.Create(CultureInfo.InvariantCulture, $"engagement {ModeNames[(int)transition.From]}→{ModeNames[(int)transition.To]} ({e})")));
    }

    /// <summary>
    /// Radar fusion of the lidar lead: when the radar's lead is the same vehicle (gaps within
    /// <see cref="PerceptionOptions.FusionGapGate"/> + 10 %), its speed, relative speed and acceleration replace the
    /// lidar track's (Doppler range rate and a tracked acceleration beat differentiated lidar boxes); the gap stays the
    /// lidar's. Without a lidar lead, the radar's lead is used when it is beyond <see cref="PerceptionOptions.LidarRange"/>
    /// (past the lidar grid) or when it is the radar track last associated with a lidar lead (track-level fusion: a
    /// detector miss does not drop a vehicle the two sensors agreed on); a radar lead the lidar never confirmed is not.
    /// </summary>
    private (LeadTarget? Lead, string Source) FuseRadar(LeadTarget? lidar, LeadTarget? radar)
    {
        var o = _options.Perception;
        if (lidar is { } l)
        {
            if (radar is { } r && Math.Abs(r.Gap - l.Gap) <= o.FusionGapGate + (0.1 * l.Gap))
            {
                _lidarConfirmedRadarTrack = r.TrackId;
                return (l with { LeadSpeed = r.LeadSpeed, RelativeSpeed = r.RelativeSpeed, LeadAcceleration = r.LeadAcceleration }, "lidar+radar");
            }

            return (l, "lidar");
        }

        // No lidar lead: the radar's lead counts when it is beyond the lidar's reach, or when it is the radar track
        // the lidar once confirmed (the same vehicle, which the detector missed in a scan or two).
        return radar is { } only && (only.Gap > o.LidarRange || only.TrackId == _lidarConfirmedRadarTrack) ? (only, "radar") : (null, "lidar");
    }

    /// <summary>
    /// V2V fusion: the lidar lead is the predecessor when its gap and speed agree with the predecessor's PCM (gates
    /// <see cref="PerceptionOptions.FusionGapGate"/> + 15 % of the PCM gap, <see cref="PerceptionOptions.FusionSpeedGate"/>);
    /// then the lead's acceleration is the communicated one (the tracker's constant-velocity model has none).
    /// </summary>
    private LeadTarget? Fuse(in LeadTarget lead, PlatoonStepResult platoon)
    {
        if (platoon.PredecessorStationId is null || !(platoon.PredecessorGapFromPcm > 0))
        {
            return null;
        }

        var o = _options.Perception;
        var gapGate = o.FusionGapGate + (0.15 * platoon.PredecessorGapFromPcm);
        if (!(Math.Abs(lead.Gap - platoon.PredecessorGapFromPcm) <= gapGate) || !(Math.Abs(lead.LeadSpeed - platoon.PredecessorSpeed) <= o.FusionSpeedGate))
        {
            return null;
        }

        var acceleration = double.IsFinite(platoon.PredecessorAcceleration) ? platoon.PredecessorAcceleration : 0.0;
        return lead with { LeadAcceleration = acceleration };
    }

    /// <summary>
    /// The radar is down or just back: the lead comes from lidar perception when it runs undegraded, else from the
    /// radar's re-confirmed lead (recovery), else from the predecessor's PCM while the platoon is in CACC (fresh V2V);
    /// with none of them the truck is blind ahead.
    /// </summary>
    private (RadarFallback Fallback, LeadTarget? Lead, string Source) ReplaceRadar(LeadTarget? lead, string source, PlatoonStepResult? platoon, in EgoState ego)
    {
        if (_perception is { UsesLidar: true })
        {
            return (RadarFallback.Lidar, lead, source);
        }

        if (lead.HasValue)
        {
            return (RadarFallback.Radar, lead, source);
        }

        if (platoon is { Mode: LongitudinalMode.Cacc, PredecessorStationId: not null } p && p.PredecessorGapFromPcm > 0 && double.IsFinite(p.PredecessorGapFromPcm))
        {
            var acceleration = double.IsFinite(p.PredecessorAcceleration) ? p.PredecessorAcceleration : 0.0;
            return (RadarFallback.V2v, new LeadTarget(-2, p.PredecessorGapFromPcm, p.PredecessorSpeed, p.PredecessorSpeed - ego.Speed, acceleration), "v2v");
        }

        return (RadarFallback.Blind, null, string.Empty);
    }

    /// <summary>Logs sensors going down or coming back; a radar that goes down loses its tracks.</summary>
    private void NoteSensors(long stamp, SensorSet down)
    {
        if (down == _lastDown)
        {
            return;
        }

        var lost = down & ~_lastDown;
        var back = _lastDown & ~down;
        _lastDown = down;
        if ((lost & SensorSet.Radar) != 0)
        {
            _tracker.Clear();
        }

        if (lost != SensorSet.None)
        {
            _log.Add(new VehicleLogLine(stamp, LogLevel.Warning, "sensor unavailable: " + SensorNames(lost)));
        }

        if (back != SensorSet.None)
        {
            _log.Add(new VehicleLogLine(stamp, LogLevel.Info, "sensor restored: " + SensorNames(back)));
        }
    }

    /// <summary>
    /// Tracks the fallback state; with a V2V or re-confirmed radar lead the ACC time gap opens from the gap in force
    /// towards <c>acc.time_gap</c> at <see cref="SafetyOptions.FallbackGapRate"/> (no brake step in a platoon).
    /// </summary>
    private void NoteFallback(long stamp, RadarFallback fallback, LeadTarget? lead, in EgoState ego)
    {
        var target = _options.Acc.TimeGap;
        if (fallback is RadarFallback.V2v or RadarFallback.Radar)
        {
            if (_radarFallback is not (RadarFallback.V2v or RadarFallback.Radar))
            {
                var current = lead is { } l && ego.Speed > 1.0 ? (l.Gap - _options.Acc.StandstillGap) / ego.Speed : target;
                _fallbackTimeGap = Math.Clamp(current, 0.3, target);
                // The ACC takes over from what was commanded (under CACC its own output ran on another gap).
                _acc.Reset(_lastAcceleration);
            }
            else
            {
                _fallbackTimeGap = Math.Min(target, _fallbackTimeGap + (_options.Safety.FallbackGapRate * _nominalDt));
            }
        }

        if (fallback == _radarFallback)
        {
            return;
        }

        _radarFallback = fallback;
        var text = fallback switch
        {
            RadarFallback.None => "radar fallback ended",
            RadarFallback.Lidar => "radar fallback: lidar lead",
            RadarFallback.Radar => string.Create(CultureInfo.InvariantCulture, $"radar fallback: radar lead re-confirmed, ACC gap opening to {_options.Acc.TimeGap:F1} s until the radar has been back {_options.Safety.RecoveryTime:F1} s"),
            RadarFallback.V2v => string.Create(CultureInfo.InvariantCulture, $"radar fallback: lead from V2V (predecessor PCM), ACC gap opening from {_fallbackTimeGap:F2} s to {_options.Acc.TimeGap:F1} s"),
            _ => string.Create(CultureInfo.InvariantCulture, $"radar fallback: blind ahead, decelerating at {_options.Safety.SensorLossDeceleration:F1} m/s²"),
        };
        _log.Add(new VehicleLogLine(stamp, fallback is RadarFallback.None ? LogLevel.Info : LogLevel.Warning, text));
    }

    private static string SensorNames(SensorSet set) => string.Join(
        ", ",
        Enum.GetValues<SensorSet>().Where(s => s != SensorSet.None && (set & s) != 0).Select(s => s.ToString().ToLowerInvariant()));

    private ActuationCommand Control(in EgoState ego, Lane? lane, LeadTarget? lead, double setSpeed, double pedal, double dt, PlatoonStepResult? platoon, bool perceptionDegraded, bool radarFallback = false)
    {
        var held = _guard.LastSteering;
        var safety = _options.Safety;
        double acceleration;
        switch (_engagement.Mode)
        {
            case EngagementMode.Active when ego.Valid:
            {
                var input = new AccInput(
                    ego.Speed,
                    setSpeed,
                    lead.HasValue,
                    lead?.Gap ?? 0.0,
                    lead?.LeadSpeed ?? 0.0,
                    lead?.LeadAcceleration ?? 0.0,
                    pedal,
                    dt,
                    perceptionDegraded ? Math.Max(Math.Max(PlatoonLayer.AccTimeGap(platoon), _options.Acc.TimeGap), _options.Perception.FallbackTimeGap)
                        : radarFallback ? Math.Max(PlatoonLayer.AccTimeGap(platoon), _fallbackTimeGap)
                        : PlatoonLayer.AccTimeGap(platoon));
                var acc = _acc.Step(input);
                acceleration = platoon is not null ? _platoon!.Control(platoon, ego, lead, acc, pedal, dt, forceAcc: perceptionDegraded || radarFallback) : acc.Acceleration;
                var steering = lane is not null ? _purePursuit.Step(ego.X, ego.Y, ego.Heading, ego.Speed, lane.Centreline) : held;
                return new ActuationCommand(acceleration, steering);
            }

            case EngagementMode.Active:
                // Estimate briefly invalid: no more throttle than before, steering held.
                acceleration = Math.Min(_acc.LastAcceleration, 0.0);
                break;
            case EngagementMode.MinimalRisk:
                acceleration = -safety.MinimalRiskDeceleration;
                break;
            case EngagementMode.Initializing:
            case EngagementMode.Degraded:
            default:
                acceleration = -safety.DegradedDeceleration;
                break;
        }

        if (pedal > 0)
        {
            acceleration = Math.Min(acceleration, -pedal);
        }

        return new ActuationCommand(acceleration, held);
    }

    /// <summary>
    /// Logs lead changes: a new track, or (with lidar perception) a change of the sensor it comes from ("lidar" or
    /// "radar"; radar fusion and V2V association flags are in the diagnostics, not logged).
    /// </summary>
    private void LogLead(long stamp, LeadTarget? lead, string source)
    {
        var id = lead?.TrackId ?? -1;
        var sensor = _perception is null || lead is null ? string.Empty : source.StartsWith("lidar", StringComparison.Ordinal) ? "lidar " : "radar ";
        if (id == _lastLeadId && string.Equals(sensor, _lastLeadSource, StringComparison.Ordinal))
        {
            return;
        }

        string text;
        if (lead is { } l && _lastLeadId < 0)
        {
            text = string.Create(CultureInfo.InvariantCulture, $"lead acquired {sensor}track {l.TrackId} at {l.Gap:F1} m");
        }
        else if (lead is { } c)
        {
            text = string.Create(CultureInfo.InvariantCulture, $"lead changed {_lastLeadSource}track {_lastLeadId}→{sensor}track {c.TrackId} at {c.Gap:F1} m");
        }
        else
        {
            text = string.Create(CultureInfo.InvariantCulture, $"lead lost {_lastLeadSource}track {_lastLeadId}");
        }

        _lastLeadId = id;
        _lastLeadSource = sensor;
        _log.Add(new VehicleLogLine(stamp, LogLevel.Info, text));
    }

    private void LogFaults(long stamp, int faults)
    {
        if (faults == _lastFaults)
        {
            return;
        }

        _lastFaults = faults;
        var text = faults == 0
            ? "faults cleared"
            : string.Create(CultureInfo.InvariantCulture, $"faults 0x{faults:X2} ({(VehicleFaults)faults})");
        _log.Add(new VehicleLogLine(stamp, faults == 0 ? LogLevel.Info : LogLevel.Warning, text));
    }
}
