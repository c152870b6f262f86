using System.Globalization;
using AutomationStack.Contracts;
using AutomationStack.Geometry;
using AutomationStack.Localization;
using AutomationStack.Planning;
using AutomationStack.Platooning.Protocol;
using AutomationStack.RoadMap;

namespace AutomationStack.Vehicle.Pipeline;

/// <summary>
/// One frame's outcome of the signal stage: whether an approach is matched, the acceleration limit (m/s², +∞ = none)
/// and the set-speed cap (m/s, +∞ = none) for the controller, and the pieces for diagnostics and logging.
/// </summary>
internal readonly record struct SignalApproachResult(
    ApproachMatch? Match,
    FusedSignal Signal,
    StopLineDecision Decision,
    GlosaAdvice Advice,
    double AccelerationLimit,
    double SpeedCap)
{
    public static SignalApproachResult None { get; } = new(
        null,
        new FusedSignal(SignalTiming.Untimed(SignalPhase.Unknown), SignalSource.None, false),
        new StopLineDecision(StopLineState.Free, StopLineReason.None, double.PositiveInfinity, 0),
        GlosaAdvice.NoAdvice(),
        double.PositiveInfinity,
        double.PositiveInfinity);
}

/// <summary>
/// The vehicle's signalised-intersection stage: MAP matching of the front bumper to an ingress lane
/// (<see cref="ApproachMatcher"/>), the lane's signal group from the latest SPaT fused with the camera's reading of one
/// of the group's heads (<see cref="SignalStateFusion"/>), the stop-line decision (<see cref="StopLinePlanner"/>, a new
/// instance state per approach) and GLOSA (<see cref="GlosaAdvisor"/>). Logs the approach, the fused phase's changes, a
/// SPaT/camera disagreement and the planner's decisions. Time is the frame's stamp only.
/// </summary>
internal sealed class SignalApproach
{
    private readonly SignalOptions _options;
    private readonly double _halfLength;
    private readonly List<VehicleLogLine> _log;
    private readonly Dictionary<(int Intersection, int Group), (SignalTiming Timing, long StampNs)> _spat = [];
    private readonly Dictionary<string, (int Intersection, int Group)> _groupOfHead;
    private readonly SortedDictionary<int, (byte Revision, List<ApproachLane> Lanes)> _maps = [];
    private readonly Dictionary<(int Intersection, int Group), double> _granted = [];
    private readonly Dictionary<(int Intersection, int Group), bool> _answered = [];
    private readonly StopLinePlanner _planner;
    private ApproachMatcher _matcher;
    private ApproachLane? _lane;
    private SignalPhase _lastPhase = SignalPhase.Unknown;
    private StopLineState _lastState = StopLineState.Free;
    private bool _lastDisagreement;
    private GlosaCase _lastGlosa;
    private (string HeadId, SignalPhase Phase, long StampNs) _camera = (string.Empty, SignalPhase.Unknown, long.MinValue);

    public SignalApproach(SignalOptions options, double truckLength, List<VehicleLogLine> log)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(log);
        _options = options;
        _halfLength = 0.5 * truckLength;
        _log = log;
        _planner = new StopLinePlanner(options.StopLine);
        _matcher = new ApproachMatcher([], options.Matcher);
        _groupOfHead = new Dictionary<string, (int, int)>(StringComparer.Ordinal);
    }

    /// <summary>Approach lanes known (from MAP), and the heads of each signal group (for the camera cross-check).</summary>
    public int LaneCount { get; private set; }

    /// <summary>SPaT/camera disagreements seen (frames where both named a colour and they differed).</summary>
    public long Disagreements { get; private set; }

    /// <summary>Replaces the known approaches (a MAP received or changed).</summary>
    public void SetApproaches(IReadOnlyList<ApproachLane> lanes, IReadOnlyDictionary<string, (int Intersection, int Group)> groupOfHead)
    {
        ArgumentNullException.ThrowIfNull(lanes);
        ArgumentNullException.ThrowIfNull(groupOfHead);
        _matcher = new ApproachMatcher(lanes, _options.Matcher);
        _groupOfHead.Clear();
        foreach (var (head, group) in groupOfHead)
        {
            _groupOfHead[head] = group;
        }

        LaneCount = lanes.Count;
    }

    /// <summary>
    /// A MAP from a roadside unit: its ingress lanes become approach lanes on the vehicle's own lane geometry (lanes
    /// the vehicle's map does not have are skipped), and the map's signal heads on those lanes are tied to their group
    /// for the camera cross-check. A MAP with the revision already known changes nothing.
    /// </summary>
    public void OnMap(MapData map, RoadNetwork roads, long stampNs)
    {
        ArgumentNullException.ThrowIfNull(map);
        ArgumentNullException.ThrowIfNull(roads);
        if (_maps.TryGetValue(map.IntersectionId, out var known) && known.Revision == map.Revision)
        {
            return;
        }

        var lanes = new List<ApproachLane>();
        var unknown = new List<string>();
        foreach (var group in map.Groups)
        {
            foreach (var ingress in group.Ingress)
            {
                if (roads.TryGetLane(ingress.LaneId, out var lane))
                {
                    lanes.Add(new ApproachLane(map.IntersectionId, group.SignalGroupId, lane.Id, lane.Centreline, ingress.StopLineS, lane.Width));
                }
                else
                {
                    unknown.Add(ingress.LaneId);
                }
            }
        }

        if (unknown.Count > 0)
        {
            // The roadside unit describes lanes this truck's map does not have: those approaches cannot be matched.
            _log.Add(new VehicleLogLine(stampNs, LogLevel.Warning, string.Create(CultureInfo.InvariantCulture,
                $"signal MAP of intersection {map.IntersectionId} (revision {map.Revision}) names lanes not in this truck's map: {string.Join(", ", unknown)}")));
        }

        _maps[map.IntersectionId] = (map.Revision, lanes);
        var all = new List<ApproachLane>();
        var heads = new Dictionary<string, (int Intersection, int Group)>(StringComparer.Ordinal);
        foreach (var (_, entry) in _maps)
        {
            all.AddRange(entry.Lanes);
        }

        foreach (var head in roads.SignalHeads)
        {
            foreach (var lane in all)
            {
                if (head.LaneIds.Contains(lane.LaneId))
                {
                    heads[head.Id] = (lane.IntersectionId, lane.SignalGroup);
                    break;
                }
            }
        }

        SetApproaches(all, heads);
    }

    /// <summary>
    /// A SPaT: every group's end times, relative to the message's generation time <paramref name="generationTime"/>
    /// (simulated s), become absolute simulated seconds.
    /// </summary>
    public void OnSpat(Spat spat, double generationTime, long stampNs)
    {
        ArgumentNullException.ThrowIfNull(spat);
        foreach (var g in spat.Groups)
        {
            var phase = g.State switch
            {
                SignalPhaseState.Red => SignalPhase.Red,
                SignalPhaseState.Amber => SignalPhase.Amber,
                SignalPhaseState.Green => SignalPhase.Green,
                _ => SignalPhase.Unknown,
            };
            OnSpat(spat.IntersectionId, g.SignalGroupId, new SignalTiming(
                phase, generationTime + g.MinEnd, generationTime + g.MaxEnd, generationTime + g.LikelyEnd, g.ConfidencePercent / 100.0), stampNs);
        }
    }

    /// <summary>An answer to this truck's priority request: a grant holds the group's green until <c>GreenEnd</c> (relative to <paramref name="generationTime"/>).</summary>
    public void OnResponse(SignalResponse response, double generationTime, long stampNs)
    {
        ArgumentNullException.ThrowIfNull(response);
        var granted = response.Outcome == SignalRequestOutcome.Granted;
        _answered[(response.IntersectionId, response.SignalGroupId)] = granted;
        if (granted)
        {
            _granted[(response.IntersectionId, response.SignalGroupId)] = generationTime + response.GreenEnd;
        }

        _log.Add(new VehicleLogLine(stampNs, granted ? LogLevel.Info : LogLevel.Warning, string.Create(CultureInfo.InvariantCulture,
            $"signal priority {response.Outcome} by intersection {response.IntersectionId} group {response.SignalGroupId} (request {response.RequestId}), green end {generationTime + response.GreenEnd:F1} s")));
    }

    /// <summary>Whether a priority request for the group has been answered (granted or not) since <see cref="ForgetPriority"/>.</summary>
    public bool PriorityAnswered(int intersection, int group) => _answered.ContainsKey((intersection, group));

    /// <summary>Forgets grants and answers for a group (a new approach to it).</summary>
    public void ForgetPriority(int intersection, int group)
    {
        _granted.Remove((intersection, group));
        _answered.Remove((intersection, group));
    }

    /// <summary>The green end granted for a group (simulated s), or NaN.</summary>
    public double GrantedGreenEnd(int intersection, int group) => _granted.TryGetValue((intersection, group), out var end) ? end : double.NaN;

    /// <summary>A SPaT entry for one signal group (times in simulated s), received at <paramref name="stampNs"/>.</summary>
    public void OnSpat(int intersection, int group, SignalTiming timing, long stampNs) => _spat[(intersection, group)] = (timing, stampNs);

    /// <summary>The camera's reading of a head this frame (from the camera stage's diagnostics).</summary>
    public void OnCamera(string headId, SignalPhase phase, long stampNs)
    {
        if (!string.IsNullOrEmpty(headId) && phase != SignalPhase.Unknown)
        {
            _camera = (headId, phase, stampNs);
        }
    }

    public SignalApproachResult Step(long stamp, in EgoState ego, double speedLimit)
    {
        if (!_options.StopLines || LaneCount == 0 || !ego.Valid)
        {
            Forget(stamp);
            return SignalApproachResult.None;
        }

        var (c, s) = (Math.Cos(ego.Heading), Math.Sin(ego.Heading));
        var front = new Vec2(ego.X + (_halfLength * c), ego.Y + (_halfLength * s));
        var match = _matcher.Match(front, ego.Heading);
        if (match is not { } m)
        {
            Forget(stamp);
            return SignalApproachResult.None;
        }

        if (!ReferenceEquals(m.Lane, _lane))
        {
            _lane = m.Lane;
            _planner.Reset();
            _lastState = StopLineState.Free;
            _log.Add(new VehicleLogLine(stamp, LogLevel.Info, string.Create(CultureInfo.InvariantCulture,
                $"signal approach intersection {m.Lane.IntersectionId} group {m.Lane.SignalGroup} lane {m.Lane.LaneId}, stop line in {m.DistanceToStopLine:F1} m")));
        }

        var now = Units.NanosecondsToSeconds(stamp);
        var key = (m.Lane.IntersectionId, m.Lane.SignalGroup);
        SignalTiming? spat = null;
        var spatAge = double.NaN;
        if (_spat.TryGetValue(key, out var entry))
        {
            spat = entry.Timing;
            spatAge = Units.NanosecondsToSeconds(stamp - entry.StampNs);
        }

        var camera = SignalPhase.Unknown;
        var cameraAge = double.NaN;
        if (_groupOfHead.TryGetValue(_camera.HeadId, out var cameraGroup) && cameraGroup == key)
        {
            camera = _camera.Phase;
            cameraAge = Units.NanosecondsToSeconds(stamp - _camera.StampNs);
        }

        var signal = SignalStateFusion.Fuse(spat, spatAge, camera, cameraAge, _options.Fusion);
        var decision = _planner.Step(new StopLineInput(m.DistanceToStopLine, Math.Max(ego.Speed, 0), now, signal));
        var advice = _options.Glosa && decision.State != StopLineState.Passed
            ? GlosaAdvisor.Advise(m.DistanceToStopLine, ego.Speed, speedLimit, now, signal.Timing, _options.GlosaAdvice)
            : GlosaAdvice.NoAdvice();
        Log(stamp, m, signal, decision, advice);
        // GLOSA acts as a gentle deceleration towards arriving when the window opens (coasting, not braking to a
        // capped set speed); at the limit it is just the lane's speed limit.
        var glosaLimit = GlosaAdvisor.AccelerationLimit(advice, m.DistanceToStopLine, Math.Max(ego.Speed, 0), now, _options.GlosaAdvice);
        var speedCap = advice.Case is GlosaCase.PassAtLimit or GlosaCase.ApproachSlowly && advice.HasAdvice ? advice.Speed : double.PositiveInfinity;
        if (advice.Case != _lastGlosa)
        {
            _lastGlosa = advice.Case;
            _log.Add(new VehicleLogLine(stamp, LogLevel.Info, string.Create(CultureInfo.InvariantCulture,
                $"glosa {advice.Case} at {m.DistanceToStopLine:F1} m, {ego.Speed:F1} m/s: window {advice.WindowOpen:F1}–{advice.WindowClose:F1} s{(advice.HasAdvice ? $", advised {advice.Speed:F1} m/s" : string.Empty)}{(double.IsFinite(glosaLimit) ? $", decelerating at {-glosaLimit:F2} m/s²" : string.Empty)}")));
        }

        return new SignalApproachResult(m, signal, decision, advice, Math.Min(decision.AccelerationLimit, glosaLimit), speedCap);
    }

    private void Forget(long stamp)
    {
        if (_lane is not null)
        {
            _log.Add(new VehicleLogLine(stamp, LogLevel.Info, string.Create(CultureInfo.InvariantCulture,
                $"signal approach left intersection {_lane.IntersectionId} lane {_lane.LaneId}")));
        }

        _lane = null;
        _lastPhase = SignalPhase.Unknown;
        _lastState = StopLineState.Free;
        _lastDisagreement = false;
        _lastGlosa = GlosaCase.None;
    }

    private void Log(long stamp, ApproachMatch m, FusedSignal signal, StopLineDecision decision, GlosaAdvice advice)
    {
        if (signal.Phase != _lastPhase)
        {
            _lastPhase = signal.Phase;
            _log.Add(new VehicleLogLine(stamp, LogLevel.Info, string.Create(CultureInfo.InvariantCulture,
                $"signal {PhaseName(signal.Phase)} ({SourceName(signal.Source)}) at {m.DistanceToStopLine:F1} m{EndText(signal.Timing)}")));
        }

        if (signal.Disagreement)
        {
            Disagreements++;
        }

        if (signal.Disagreement != _lastDisagreement)
        {
            _lastDisagreement = signal.Disagreement;
            if (signal.Disagreement)
            {
                _log.Add(new VehicleLogLine(stamp, LogLevel.Warning, string.Create(CultureInfo.InvariantCulture,
                    $"signal SPaT and camera disagree: acting on {PhaseName(signal.Phase)}")));
            }
        }

        if (decision.State != _lastState)
        {
            _lastState = decision.State;
            var glosa = advice.HasAdvice ? string.Create(CultureInfo.InvariantCulture, $", advice {advice.Speed:F1} m/s") : string.Empty;
            _log.Add(new VehicleLogLine(stamp, decision.Reason is StopLineReason.DilemmaGo or StopLineReason.CannotStopForRed ? LogLevel.Warning : LogLevel.Info,
                string.Create(CultureInfo.InvariantCulture,
                    $"stop line {StateName(decision.State)} ({ReasonName(decision.Reason)}) at {m.DistanceToStopLine:F1} m{glosa}")));
        }
    }

    private static string EndText(SignalTiming t) =>
        t.HasEndTimes ? string.Create(CultureInfo.InvariantCulture, $", ends {t.MinEnd:F1}…{t.MaxEnd:F1} s (likely {t.LikelyEnd:F1} s)") : string.Empty;

    internal static string PhaseName(SignalPhase phase) => phase switch
    {
        SignalPhase.Red => "red",
        SignalPhase.Amber => "amber",
        SignalPhase.Green => "green",
        _ => "unknown",
    };

    private static string SourceName(SignalSource source) => source switch
    {
        SignalSource.Spat => "spat",
        SignalSource.Camera => "camera",
        SignalSource.SpatAndCamera => "spat+camera",
        _ => "none",
    };

    internal static string StateName(StopLineState state) => state switch
    {
        StopLineState.Stopping => "stopping",
        StopLineState.Committed => "committed",
        StopLineState.Holding => "holding",
        StopLineState.Passed => "passed",
        _ => "free",
    };

    private static string ReasonName(StopLineReason reason) => reason switch
    {
        StopLineReason.Green => "green",
        StopLineReason.Red => "red",
        StopLineReason.AmberAbleToStop => "amber, able to stop",
        StopLineReason.AmberCommitted => "amber, clears before red",
        StopLineReason.DilemmaStop => "dilemma zone, stopping hard",
        StopLineReason.DilemmaGo => "dilemma zone, cannot stop",
        StopLineReason.UnknownSignal => "signal unknown",
        StopLineReason.GreenEndsBeforeArrival => "green ends before arrival",
        StopLineReason.CannotStopForRed => "red, cannot stop",
        StopLineReason.PassedStopLine => "past the line",
        _ => "none",
    };
}
