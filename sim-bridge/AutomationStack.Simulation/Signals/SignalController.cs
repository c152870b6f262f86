using AutomationStack.Geometry;
using AutomationStack.RoadMap;
using AutomationStack.Simulation.Camera;

namespace AutomationStack.Simulation;

/// <summary>What a signal group shows.</summary>
public enum SignalGroupState : byte
{
    /// <summary>Not controlled or unknown.</summary>
    Dark = 0,

    Red = 1,

    Amber = 2,

    Green = 3,
}

/// <summary>The controller's position within the current stage.</summary>
public enum ControllerPhase
{
    /// <summary>The stage's groups are green.</summary>
    Green,

    /// <summary>The stage's groups show amber.</summary>
    Amber,

    /// <summary>Every group is red before the next stage's green.</summary>
    AllRed,
}

/// <summary>
/// The timing a controller publishes for one signal group (SPaT): the current state and when it ends, all absolute
/// simulated time in ns. <see cref="MinEndNs"/> ≤ <see cref="LikelyEndNs"/> ≤ <see cref="MaxEndNs"/>;
/// <see cref="Confidence"/> is the probability (0 … 1) that the state ends at <see cref="LikelyEndNs"/> (to the step).
/// </summary>
public readonly record struct SignalGroupTiming(int GroupId, SignalGroupState State, long MinEndNs, long MaxEndNs, long LikelyEndNs, double Confidence);

/// <summary>A vehicle on a lane as the detectors see it: arc lengths of its rear and front along the lane, m.</summary>
public readonly record struct LaneOccupant(string LaneId, double RearS, double FrontS);

/// <summary>A loop detector: the zone [<see cref="StartS"/>, <see cref="EndS"/>] along an ingress lane, serving one stage.</summary>
public readonly record struct SignalDetector(string LaneId, double StartS, double EndS, int Stage);

/// <summary>A priority request as the controller sees it (decoded from a SignalRequest by the roadside unit).</summary>
/// <param name="GroupId">The signal group the platoon passes under.</param>
/// <param name="RequesterStationId">Station id of the requester (the platoon leader).</param>
/// <param name="ArrivalStartNs">When the platoon's front reaches the stop line, ns.</param>
/// <param name="ArrivalEndNs">When the platoon's rear has cleared the stop line, ns.</param>
/// <param name="VehicleCount">Vehicles in the platoon.</param>
public readonly record struct PriorityRequest(int GroupId, uint RequesterStationId, long ArrivalStartNs, long ArrivalEndNs, int VehicleCount);

/// <summary>Why a priority request was answered as it was.</summary>
public enum PriorityOutcome : byte
{
    /// <summary>Granted: the green holds at least until the platoon's rear has cleared (it may not have needed an extension).</summary>
    Granted = 0,

    /// <summary>The controller does not take priority requests.</summary>
    Disabled = 1,

    /// <summary>The intersection has no such signal group.</summary>
    UnknownGroup = 2,

    /// <summary>The group is not green now (early green is not implemented).</summary>
    NotGreen = 3,

    /// <summary>Holding the green until the rear clears would exceed the stage's maximum green.</summary>
    BeyondMaxGreen = 4,

    /// <summary>The arrival window is empty or already over.</summary>
    InvalidWindow = 5,
}

/// <summary>
/// The controller's answer: <see cref="GreenEndNs"/> is the earliest green end it now guarantees (granted), the stage's
/// maximum green end (rejected as <see cref="PriorityOutcome.BeyondMaxGreen"/>) or 0.
/// </summary>
public readonly record struct PriorityDecision(PriorityOutcome Outcome, long GreenEndNs)
{
    public bool Granted => Outcome == PriorityOutcome.Granted;
}

/// <summary>
/// The signal controller of one intersection: a cyclic sequence of stages, each green → amber → all-red, as an explicit
/// state machine (<see cref="Phase"/>, <see cref="StageIndex"/>) advanced by <see cref="Step"/> at step boundaries.
/// Fixed-time or actuated (loop detectors upstream of the stop lines, minimum and maximum green, gap-out after the
/// passage time); priority requests hold a green up to its maximum. Pure: integer simulated ns, no clock, no random
/// draws; the same inputs give the same states. Starts at time 0 at the beginning of stage 0's green.
/// </summary>
public sealed class SignalController
{
    /// <summary>Confidence of a time the controller will keep for sure (fixed-time, amber, all-red, a held green).</summary>
    public const double ExactConfidence = 1.0;

    /// <summary>Confidence of an actuated green's likely end (the gap-out estimate if no further vehicle comes).</summary>
    public const double ActuatedGreenConfidence = 0.5;

    /// <summary>Confidence of a red's likely end when actuated stages lie before it (their greens are estimated).</summary>
    public const double ActuatedRedConfidence = 0.3;

    private readonly long[] _minGreenNs;
    private readonly long[] _maxGreenNs;
    private readonly long[] _passageNs;
    private readonly long _amberNs;
    private readonly long _allRedNs;
    private readonly SignalDetector[] _detectors;
    private readonly int[] _groupIds;
    private readonly SignalGroupState[] _states;
    private readonly SignalGroupTiming[] _external = [];
    private long _phaseStartNs;
    private long _lastActuationNs;
    private long _holdUntilNs;

    /// <exception cref="ArgumentException">The settings do not fit the intersection (see <see cref="Validate"/>).</exception>
    public SignalController(Intersection intersection, SignalControllerSettings settings, RoadNetwork map)
    {
        ArgumentNullException.ThrowIfNull(intersection);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(map);
        var problem = Validate(intersection, settings);
        if (problem is not null)
        {
            throw new ArgumentException(problem, nameof(settings));
        }

        Intersection = intersection;
        Settings = settings;
        var n = settings.Stages.Count;
        _minGreenNs = new long[n];
        _maxGreenNs = new long[n];
        _passageNs = new long[n];
        for (var i = 0; i < n; i++)
        {
            var stage = settings.Stages[i];
            _minGreenNs[i] = Units.SecondsToNanoseconds(stage.MinGreen);
            _maxGreenNs[i] = Units.SecondsToNanoseconds(stage.MaxGreen);
            _passageNs[i] = Units.SecondsToNanoseconds(stage.Passage);
        }

        _amberNs = Units.SecondsToNanoseconds(settings.Amber);
        _allRedNs = Units.SecondsToNanoseconds(settings.AllRed);
        _groupIds = [.. intersection.SignalGroups.Select(g => g.Id)];
        _states = new SignalGroupState[_groupIds.Length];
        var detectors = new List<SignalDetector>();
        if (settings.Mode == SignalControlMode.Actuated)
        {
            for (var i = 0; i < n; i++)
            {
                foreach (var groupId in settings.Stages[i].Groups)
                {
                    foreach (var ingress in intersection.FindGroup(groupId)!.Ingress)
                    {
                        var end = ingress.StopLineS - settings.DetectorDistance;
                        var start = end - settings.DetectorLength;
                        _ = map.GetLane(ingress.LaneId); // the loop must lie on a lane of this map (KeyNotFoundException otherwise)
                        detectors.Add(new SignalDetector(ingress.LaneId, Math.Max(0, start), Math.Max(0, end), i));
                    }
                }
            }
        }

        _detectors = [.. detectors];
        EnterGreen(0, 0);
    }

    private SignalController(Intersection intersection)
    {
        Intersection = intersection;
        Settings = new SignalControllerSettings { Mode = SignalControlMode.External, Priority = false };
        _minGreenNs = _maxGreenNs = _passageNs = [];
        _detectors = [];
        _groupIds = [.. intersection.SignalGroups.Select(g => g.Id)];
        _states = new SignalGroupState[_groupIds.Length];
        _external = new SignalGroupTiming[_groupIds.Length];
        for (var k = 0; k < _groupIds.Length; k++)
        {
            _states[k] = SignalGroupState.Dark;
            _external[k] = new SignalGroupTiming(_groupIds[k], SignalGroupState.Dark, 0, 0, 0, 0);
        }
    }

    /// <summary>
    /// A controller whose group states and SPaT timings another simulator sets each step
    /// (<see cref="SetExternalTiming"/>; <see cref="SignalControlMode.External"/>); every group is dark until then.
    /// It drives the intersection's heads and answers priority requests with <see cref="PriorityOutcome.Disabled"/>.
    /// </summary>
    public static SignalController External(Intersection intersection)
    {
        ArgumentNullException.ThrowIfNull(intersection);
        return new SignalController(intersection);
    }

    /// <summary>
    /// Sets group <paramref name="groupId"/>'s state and SPaT end times (ns, absolute) of an external controller.
    /// </summary>
    /// <exception cref="InvalidOperationException">the controller runs its own program.</exception>
    /// <exception cref="ArgumentException">unknown group.</exception>
    public void SetExternalTiming(int groupId, SignalGroupState state, long minEndNs, long maxEndNs, long likelyEndNs, double confidence)
    {
        if (Settings.Mode != SignalControlMode.External)
        {
            throw new InvalidOperationException($"Intersection {Intersection.Id}'s controller runs its own program.");
        }

        var k = Array.IndexOf(_groupIds, groupId);
        if (k < 0)
        {
            throw new ArgumentException($"Intersection {Intersection.Id} has no signal group {groupId}.", nameof(groupId));
        }

        _states[k] = state;
        _external[k] = new SignalGroupTiming(groupId, state, minEndNs, maxEndNs, likelyEndNs, confidence);
    }

    public Intersection Intersection { get; }

    public SignalControllerSettings Settings { get; }

    /// <summary>The stage in force (its green, amber or the all-red after it).</summary>
    public int StageIndex { get; private set; }

    /// <summary>Where in the stage the controller is.</summary>
    public ControllerPhase Phase { get; private set; }

    /// <summary>When the current phase began, ns.</summary>
    public long PhaseStartNs => _phaseStartNs;

    /// <summary>The time of the last <see cref="Step"/>, ns.</summary>
    public long NowNs { get; private set; }

    /// <summary>The loop detectors (actuated; empty for fixed-time).</summary>
    public IReadOnlyList<SignalDetector> Detectors => _detectors;

    /// <summary>Signal group ids in map order.</summary>
    public IReadOnlyList<int> GroupIds => _groupIds;

    /// <summary>Greens ended by gap-out so far.</summary>
    public int GapOuts { get; private set; }

    /// <summary>Greens ended by maximum green so far.</summary>
    public int MaxOuts { get; private set; }

    /// <summary>Priority requests granted so far.</summary>
    public int PriorityGranted { get; private set; }

    /// <summary>Priority requests rejected so far.</summary>
    public int PriorityRejected { get; private set; }

    /// <summary>Checks settings against an intersection; returns a message naming the problem, or null.</summary>
    public static string? Validate(Intersection intersection, SignalControllerSettings settings)
    {
        ArgumentNullException.ThrowIfNull(intersection);
        ArgumentNullException.ThrowIfNull(settings);
        var stages = settings.Stages;
        if (stages.Count < 2)
        {
            return "a controller needs at least two stages";
        }

        if (!IsDuration(settings.Amber) || !IsDuration(settings.AllRed) || !IsDuration(settings.DetectorDistance) || !(settings.DetectorLength > 0) || double.IsInfinity(settings.DetectorLength))
        {
            return "amber, all-red and detector distance must be finite and ≥ 0, detector length finite and > 0";
        }

        var served = new HashSet<int>();
        for (var i = 0; i < stages.Count; i++)
        {
            var stage = stages[i];
            if (stage.Groups.Count == 0)
            {
                return $"stage {i} has no signal groups";
            }

            if (!(stage.MinGreen > 0) || !IsDuration(stage.MinGreen) || !IsDuration(stage.MaxGreen) || stage.MaxGreen < stage.MinGreen || !IsDuration(stage.Passage))
            {
                return $"stage {i}: expected 0 < min green ≤ max green and passage ≥ 0 (finite, s)";
            }

            foreach (var g in stage.Groups)
            {
                if (intersection.FindGroup(g) is null)
                {
                    return $"stage {i}: intersection {intersection.Id} has no signal group {g}";
                }

                if (stages[(i + 1) % stages.Count].Groups.Contains(g))
                {
                    return $"stage {i}: signal group {g} is also in the next stage (a group must go red between stages)";
                }

                served.Add(g);
            }
        }

        foreach (var group in intersection.SignalGroups)
        {
            if (!served.Contains(group.Id))
            {
                return $"signal group {group.Id} of intersection {intersection.Id} is in no stage";
            }
        }

        return null;
    }

    /// <summary>What group <paramref name="groupId"/> shows now (<see cref="SignalGroupState.Dark"/> for an unknown group).</summary>
    public SignalGroupState StateOf(int groupId)
    {
        var k = Array.IndexOf(_groupIds, groupId);
        return k < 0 ? SignalGroupState.Dark : _states[k];
    }

    /// <summary>The lamp a head of group <paramref name="groupId"/> shows now.</summary>
    public SignalLamp LampOf(int groupId) => StateOf(groupId) switch
    {
        SignalGroupState.Red => SignalLamp.Red,
        SignalGroupState.Amber => SignalLamp.Amber,
        SignalGroupState.Green => SignalLamp.Green,
        _ => SignalLamp.Off,
    };

    /// <summary>
    /// Advances to <paramref name="stampNs"/> (≥ the last step): first the detectors see <paramref name="occupants"/>
    /// (actuated), then every transition due at or before this time is taken, in order.
    /// </summary>
    public void Step(long stampNs, ReadOnlySpan<LaneOccupant> occupants)
    {
        if (stampNs < NowNs)
        {
            throw new ArgumentOutOfRangeException(nameof(stampNs), stampNs, "Time must not go backwards.");
        }

        NowNs = stampNs;
        if (Settings.Mode == SignalControlMode.External)
        {
            return; // the other simulator sets the states
        }

        if (Phase == ControllerPhase.Green && Settings.Mode == SignalControlMode.Actuated && Occupied(StageIndex, occupants))
        {
            _lastActuationNs = stampNs;
        }

        // Several transitions may be due in one step (e.g. a zero all-red).
        for (var guard = 0; guard < 16; guard++)
        {
            var due = PhaseEndNs();
            if (due > stampNs)
            {
                return;
            }

            switch (Phase)
            {
                case ControllerPhase.Green:
                    if (Settings.Mode == SignalControlMode.Actuated)
                    {
                        if (due >= _phaseStartNs + _maxGreenNs[StageIndex])
                        {
                            MaxOuts++;
                        }
                        else
                        {
                            GapOuts++;
                        }
                    }

                    EnterAmber(due);
                    break;
                case ControllerPhase.Amber:
                    EnterAllRed(due);
                    break;
                case ControllerPhase.AllRed:
                    EnterGreen((StageIndex + 1) % Settings.Stages.Count, due);
                    break;
            }
        }
    }

    /// <summary>The SPaT timing of every group, in map order, into <paramref name="destination"/> (cleared first).</summary>
    public void Timings(List<SignalGroupTiming> destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        destination.Clear();
        foreach (var g in _groupIds)
        {
            destination.Add(TimingOf(g));
        }
    }

    /// <summary>The SPaT timing of one group now (see <see cref="SignalGroupTiming"/>; docs/traffic-lights.md).</summary>
    public SignalGroupTiming TimingOf(int groupId)
    {
        if (Settings.Mode == SignalControlMode.External)
        {
            var k = Array.IndexOf(_groupIds, groupId);
            return k < 0 ? new SignalGroupTiming(groupId, SignalGroupState.Dark, NowNs, NowNs, NowNs, 0) : _external[k];
        }

        var state = StateOf(groupId);
        switch (state)
        {
            case SignalGroupState.Green:
            {
                var (min, max, likely) = GreenEnd();
                var confidence = min == max ? ExactConfidence : ActuatedGreenConfidence;
                return new SignalGroupTiming(groupId, state, min, max, likely, confidence);
            }

            case SignalGroupState.Amber:
            {
                var end = _phaseStartNs + _amberNs;
                return new SignalGroupTiming(groupId, state, end, end, end, ExactConfidence);
            }

            case SignalGroupState.Red:
                return RedTiming(groupId);
            default:
                return new SignalGroupTiming(groupId, state, NowNs, NowNs, NowNs, 0);
        }
    }

    /// <summary>
    /// Considers a priority request at the current time. Granted when group <see cref="PriorityRequest.GroupId"/> is green
    /// and holding it until <see cref="PriorityRequest.ArrivalEndNs"/> stays within the stage's maximum green; the
    /// green then does not end before that time (neither gap-out nor, fixed-time, the programmed end).
    /// </summary>
    public PriorityDecision RequestPriority(PriorityRequest request)
    {
        var decision = Decide(request);
        if (decision.Granted)
        {
            PriorityGranted++;
        }
        else
        {
            PriorityRejected++;
        }

        return decision;
    }

    private PriorityDecision Decide(PriorityRequest request)
    {
        if (!Settings.Priority)
        {
            return new PriorityDecision(PriorityOutcome.Disabled, 0);
        }

        if (Intersection.FindGroup(request.GroupId) is null)
        {
            return new PriorityDecision(PriorityOutcome.UnknownGroup, 0);
        }

        if (request.ArrivalEndNs < request.ArrivalStartNs || request.ArrivalEndNs < NowNs)
        {
            return new PriorityDecision(PriorityOutcome.InvalidWindow, 0);
        }

        if (StateOf(request.GroupId) != SignalGroupState.Green)
        {
            return new PriorityDecision(PriorityOutcome.NotGreen, 0);
        }

        var maxEnd = _phaseStartNs + _maxGreenNs[StageIndex];
        if (request.ArrivalEndNs > maxEnd)
        {
            return new PriorityDecision(PriorityOutcome.BeyondMaxGreen, maxEnd);
        }

        _holdUntilNs = Math.Max(_holdUntilNs, request.ArrivalEndNs);
        // The end it guarantees: the green may still run longer (actuated: later vehicles on the loops).
        return new PriorityDecision(PriorityOutcome.Granted, GreenEnd().Min);
    }

    /// <summary>When the current phase ends if nothing more happens (for green: the gap-out/hold/max rule).</summary>
    private long PhaseEndNs() => Phase switch
    {
        ControllerPhase.Green => GreenEnd().Likely,
        ControllerPhase.Amber => _phaseStartNs + _amberNs,
        _ => _phaseStartNs + _allRedNs,
    };

    /// <summary>
    /// The current green's end: min = the earliest it can end (minimum green, a held priority, now), max = the maximum
    /// green end, likely = when it ends if no further vehicle arrives (fixed-time: min green or the hold).
    /// </summary>
    private (long Min, long Max, long Likely) GreenEnd()
    {
        var i = StageIndex;
        var maxEnd = _phaseStartNs + _maxGreenNs[i];
        var minEnd = Math.Max(_phaseStartNs + _minGreenNs[i], Math.Min(_holdUntilNs, maxEnd));
        long likely;
        if (Settings.Mode == SignalControlMode.FixedTime)
        {
            // Fixed-time: the programmed green, or longer only if a priority hold asks for it.
            likely = minEnd;
            return (likely, likely, likely);
        }

        likely = Math.Clamp(Math.Max(minEnd, _lastActuationNs + _passageNs[i]), minEnd, maxEnd);
        minEnd = Math.Max(minEnd, Math.Min(NowNs, maxEnd));
        likely = Math.Max(likely, minEnd);
        return (minEnd, maxEnd, likely);
    }

    /// <summary>Red until the next stage that contains the group starts its green: earliest, latest and likely.</summary>
    private SignalGroupTiming RedTiming(int groupId)
    {
        long min;
        long max;
        long likely;
        switch (Phase)
        {
            case ControllerPhase.Green:
            {
                var (gMin, gMax, gLikely) = GreenEnd();
                min = gMin + _amberNs + _allRedNs;
                max = gMax + _amberNs + _allRedNs;
                likely = gLikely + _amberNs + _allRedNs;
                break;
            }

            case ControllerPhase.Amber:
                min = max = likely = _phaseStartNs + _amberNs + _allRedNs;
                break;
            default:
                min = max = likely = _phaseStartNs + _allRedNs;
                break;
        }

        var exact = min == max;
        var n = Settings.Stages.Count;
        for (var k = 1; k < n; k++)
        {
            var j = (StageIndex + k) % n;
            if (Settings.Stages[j].Groups.Contains(groupId))
            {
                break;
            }

            var clearance = _amberNs + _allRedNs;
            min += _minGreenNs[j] + clearance;
            var stageMax = Settings.Mode == SignalControlMode.FixedTime ? _minGreenNs[j] : _maxGreenNs[j];
            max += stageMax + clearance;
            likely += ((_minGreenNs[j] + stageMax) / 2) + clearance;
            exact &= stageMax == _minGreenNs[j];
        }

        return new SignalGroupTiming(groupId, SignalGroupState.Red, min, max, likely, exact ? ExactConfidence : ActuatedRedConfidence);
    }

    private bool Occupied(int stage, ReadOnlySpan<LaneOccupant> occupants)
    {
        foreach (var d in _detectors)
        {
            if (d.Stage != stage)
            {
                continue;
            }

            foreach (var o in occupants)
            {
                if (o.FrontS >= d.StartS && o.RearS <= d.EndS && string.Equals(o.LaneId, d.LaneId, StringComparison.Ordinal))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private void EnterGreen(int stage, long atNs)
    {
        StageIndex = stage;
        Phase = ControllerPhase.Green;
        _phaseStartNs = atNs;
        _lastActuationNs = long.MinValue / 4;
        _holdUntilNs = 0;
        SetStates(stage, SignalGroupState.Green);
    }

    private void EnterAmber(long atNs)
    {
        Phase = ControllerPhase.Amber;
        _phaseStartNs = atNs;
        SetStates(StageIndex, SignalGroupState.Amber);
    }

    private void EnterAllRed(long atNs)
    {
        Phase = ControllerPhase.AllRed;
        _phaseStartNs = atNs;
        SetStates(-1, SignalGroupState.Red);
    }

    private void SetStates(int stage, SignalGroupState inStage)
    {
        for (var k = 0; k < _groupIds.Length; k++)
        {
            _states[k] = stage >= 0 && Settings.Stages[stage].Groups.Contains(_groupIds[k]) ? inStage : SignalGroupState.Red;
        }
    }

    private static bool IsDuration(double value) => value >= 0 && !double.IsInfinity(value);
}
