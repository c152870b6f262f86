using System.Globalization;
using AutomationStack.Platooning.Protocol;

namespace AutomationStack.Platooning;

/// <summary>
/// Platooning protocol state machine of one truck (ENSEMBLE-style): roles, lifecycle, front/rear link states, PMM
/// exchange with Ack/retry, PCM/PAM timers, communication loss, cut-in and emergency-brake handling. Pure and
/// deterministic: time comes in as <see cref="PlatoonInputs.NowMs"/>; received messages are queued by
/// <see cref="Receive"/> and processed, in arrival order, at the start of the next <see cref="Step"/>.
/// </summary>
public sealed class PlatoonAgent
{
    private const double MaxWireAcceleration = 20;
    private const double MaxWireSpeed = 655;
    private const double MaxWireTimeGap = 10;
    private const double MaxWireLength = 40;

    private readonly uint stationId;
    private readonly PlatoonConfig config;
    private readonly PmmTransport transport;
    private readonly SortedDictionary<uint, Heard<Pcm>> pcms = [];
    private readonly SortedDictionary<uint, Heard<Pam>> pams = [];
    private readonly Queue<(MessageHeader Header, V2xBody Body)> inbox = new();
    private readonly List<OutgoingMessage> outgoing = [];
    private readonly List<string> events = [];
    private readonly List<ReceivedGroupKey> groupKeys = [];
    private readonly HashSet<uint> leaveTransactions = [];

    private PlatoonState state = PlatoonState.StandAlone;
    private PlatoonState stateBeforeEmergency = PlatoonState.StandAlone;
    private FrontState front = FrontState.None;
    private RearState rear = RearState.None;
    private AdmissionState admission = AdmissionState.Idle;
    private JoinKind joinKind = JoinKind.None;
    private PlatoonRole role = PlatoonRole.StandAlone;
    private uint platoonId;
    private byte index;
    private double platoonTimeGap;
    private double leaderTimeGap;

    private uint? predecessor;
    private uint? successor;
    private long lastPredecessorPcmMs = long.MinValue;

    /// <summary>When (our clock) the predecessor's last PCM was processed; the step-wise continuity check uses it.</summary>
    private long lastPredecessorReceivedMs = long.MinValue;
    private long? recoveryStartMs;
    private long? cutInSinceMs;
    private long? cutInClearSinceMs;

    private uint joinLeader;
    private uint joinTransaction;
    private long joinStartMs;
    private uint mergeOwnPlatoonId;

    private uint pendingJoiner;
    private long pendingSinceMs;
    private int reservedSize;

    private double emergencyDeceleration;
    private long lastEmergencyIndicationMs;
    private bool emergencyReceived;

    private long nextPcmMs = long.MinValue;
    private long nextPamMs = long.MinValue;
    private long lastNowMs = long.MinValue;
    private PlatoonInputs now;

    public PlatoonAgent(uint stationId, PlatoonConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        this.stationId = stationId;
        this.config = config;
        transport = new PmmTransport(config.PmmRetryMs, config.PmmMaxRetries);
        platoonTimeGap = config.PlatoonTimeGap;
        leaderTimeGap = config.SafeAccTimeGap;
    }

    private enum AdmissionState
    {
        Idle,
        Pending,
    }

    private enum JoinKind
    {
        None,
        Join,
        Merge,
    }

    public uint StationId => stationId;

    public PlatoonState State => state;

    public PlatoonRole Role => role;

    public uint PlatoonId => platoonId;

    public byte Index => index;

    /// <summary>A truck that starts inside an already formed platoon (index 0 = leader).</summary>
    public static PlatoonAgent Formed(uint stationId, PlatoonConfig config, uint platoonId, byte index)
    {
        if (platoonId == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(platoonId), "0 means 'in no platoon'.");
        }

        var agent = new PlatoonAgent(stationId, config);
        agent.platoonId = platoonId;
        agent.index = index;
        agent.state = PlatoonState.Platooning;
        agent.role = index == 0 ? PlatoonRole.Leader : PlatoonRole.Follower;
        agent.front = index == 0 ? FrontState.None : FrontState.Connecting;
        return agent;
    }

    /// <summary>Queues a verified message for the next <see cref="Step"/>.</summary>
    public void Receive(in MessageHeader header, V2xBody body)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (header.SenderStationId == stationId)
        {
            return;
        }

        inbox.Enqueue((header, body));
    }

    public PlatoonStepResult Step(in PlatoonInputs inputs)
    {
        if (inputs.NowMs < lastNowMs)
        {
            throw new ArgumentOutOfRangeException(nameof(inputs), inputs.NowMs, "NowMs must not go backwards.");
        }

        lastNowMs = inputs.NowMs;
        now = inputs;
        outgoing.Clear();
        events.Clear();
        groupKeys.Clear();

        while (inbox.Count > 0)
        {
            var (header, body) = inbox.Dequeue();
            Process(header, body);
        }

        HandleRequest(inputs.Request);
        var sendPcmNow = UpdateEmergency();
        UpdateTimers();

        foreach (var failed in transport.Tick(now.NowMs, outgoing))
        {
            OnPmmFailed(failed);
        }

        UpdateRear();
        SendPeriodic(sendPcmNow);
        return BuildResult();
    }

    // ---------------------------------------------------------------- receive

    private void Process(MessageHeader header, V2xBody body)
    {
        var sender = header.SenderStationId;
        var time = Math.Min((long)Math.Min(header.GenerationTimeMs, long.MaxValue), now.NowMs);
        switch (body)
        {
            case Pam pam:
                pams[sender] = new Heard<Pam>(pam, time);
                break;
            case Pcm pcm:
                OnPcm(sender, pcm, time);
                break;
            case Pmm pmm when pmm.DestinationStationId == stationId:
                OnPmm(sender, pmm);
                break;
            default:
                break;
        }
    }

    private void OnPcm(uint sender, Pcm pcm, long time)
    {
        if (pcms.TryGetValue(sender, out var previous) && previous.TimeMs > time)
        {
            return;
        }

        pcms[sender] = new Heard<Pcm>(pcm, time);
        if (!IsFollowing || pcm.Status.HasFlag(PcmStatus.AboutToLeave))
        {
            return;
        }

        if (predecessor is null && pcm.PlatoonId == platoonId && index > 0 && pcm.Index == index - 1)
        {
            predecessor = sender;
            Event("PredecessorFound", sender);
        }

        if (predecessor != sender)
        {
            return;
        }

        if (pcm.PlatoonId != platoonId || pcm.Index != index - 1)
        {
            // The predecessor was re-indexed (merge, split, leave ahead): follow it.
            platoonId = pcm.PlatoonId;
            index = (byte)Math.Min(pcm.Index + 1, byte.MaxValue);
            Event("Reindexed", index);
        }

        switch (front)
        {
            case FrontState.CommLost:
                SetFront(FrontState.Recovering);
                recoveryStartMs = time;
                break;
            case FrontState.Recovering when recoveryStartMs is null || time - lastPredecessorPcmMs > ContinuityMs:
                recoveryStartMs = time;
                break;
            case FrontState.Connecting when state == PlatoonState.Platooning:
                SetFront(FrontState.Connected);
                break;
            default:
                break;
        }

        lastPredecessorPcmMs = time;
        lastPredecessorReceivedMs = now.NowMs;
        if (pcm.Status.HasFlag(PcmStatus.EmergencyBrake))
        {
            // The announced deceleration is the PCM's (negative) desired acceleration; our maximum when it is missing.
            IndicateEmergency(pcm.DesiredAcceleration < 0 ? -pcm.DesiredAcceleration : config.MaxDeceleration, received: true);
        }
    }

    private void OnPmm(uint sender, Pmm pmm)
    {
        if (pmm.Body is Ack ack)
        {
            var acked = transport.Acknowledge(sender, ack.AcknowledgedTransactionId);
            if (acked is not null)
            {
                OnPmmAcknowledged(acked, ack.Result);
            }

            return;
        }

        if (transport.Seen(sender, pmm.TransactionId) is { } earlier)
        {
            transport.SendAck(sender, pmm.TransactionId, earlier, outgoing);
            Event("DuplicatePmm", pmm.Body.Kind);
            return;
        }

        // The Ack goes first; any answer (JoinResponse) follows in the same step.
        var answers = new List<(uint, PmmBody)>();
        var result = Handle(sender, pmm.Body, answers);
        transport.Remember(sender, pmm.TransactionId, result);
        transport.SendAck(sender, pmm.TransactionId, result, outgoing);
        foreach (var (destination, body) in answers)
        {
            transport.Send(destination, body, now.NowMs, outgoing);
        }
    }

    private AckResult Handle(uint sender, PmmBody body, List<(uint, PmmBody)> answers)
    {
        switch (body)
        {
            case JoinRequest request:
                answers.Add((sender, AdmitJoin(sender, request)));
                return AckResult.Accepted;
            case MergeRequest request:
                answers.Add((sender, AdmitMerge(sender, request)));
                return AckResult.Accepted;
            case JoinResponse response:
                return OnJoinResponse(sender, response);
            case JoinComplete complete:
                return OnJoinComplete(sender, complete);
            case LeaveNotice notice:
                return OnLeaveNotice(sender, notice);
            case SplitRequest split:
                return OnSplitRequest(split);
            case Dissolve dissolve:
                return OnDissolve(dissolve);
            case GapChange change:
                return OnGapChange(change);
            case KeyUpdate update:
                return OnKeyUpdate(sender, update);
            case EmergencyBrake brake:
                if (role == PlatoonRole.StandAlone)
                {
                    return AckResult.Rejected;
                }

                IndicateEmergency(brake.Deceleration, received: true);
                return AckResult.Accepted;
            default:
                return AckResult.Rejected;
        }
    }

    // ---------------------------------------------------------------- leader: admission

    private JoinResponse AdmitJoin(uint joiner, JoinRequest request)
    {
        var reason = AdmissionCheck(1);
        if (reason == JoinRejectReason.None && request.Level != config.Level)
        {
            reason = JoinRejectReason.LevelMismatch;
        }

        if (reason == JoinRejectReason.None && request.Position != JoinPosition.Back)
        {
            reason = JoinRejectReason.Other;
        }

        if (reason == JoinRejectReason.None)
        {
            reason = ProximityCheck(joiner);
        }

        return Admit(joiner, reason, 1);
    }

    private JoinResponse AdmitMerge(uint rearLeader, MergeRequest request)
    {
        var reason = request.FrontPlatoonId != platoonId ? JoinRejectReason.Other : AdmissionCheck(Math.Max(1, (int)request.RearPlatoonSize));
        if (reason == JoinRejectReason.None)
        {
            reason = ProximityCheck(rearLeader);
        }

        return Admit(rearLeader, reason, Math.Max(1, (int)request.RearPlatoonSize));
    }

    private JoinResponse Admit(uint station, JoinRejectReason reason, int slots)
    {
        if (reason != JoinRejectReason.None)
        {
            Event("JoinRejected", station, reason);
            return new JoinResponse(false, reason, platoonId, 0, ClampTimeGap(platoonTimeGap), null);
        }

        var assigned = (byte)(LastIndex() + 1);
        reservedSize = PlatoonSize() + slots;
        admission = AdmissionState.Pending;
        pendingJoiner = station;
        pendingSinceMs = now.NowMs;
        Event("JoinAccepted", station, assigned);
        return new JoinResponse(true, JoinRejectReason.None, platoonId, assigned, ClampTimeGap(platoonTimeGap), null);
    }

    private JoinRejectReason AdmissionCheck(int slots)
    {
        if (role != PlatoonRole.Leader || state is not (PlatoonState.Platooning or PlatoonState.Emergency))
        {
            return JoinRejectReason.Other;
        }

        if (!config.Joinable)
        {
            return JoinRejectReason.NotJoinable;
        }

        if (admission != AdmissionState.Idle)
        {
            return JoinRejectReason.Busy;
        }

        return PlatoonSize() + slots > config.EffectiveMaxPlatoonSize ? JoinRejectReason.PlatoonFull : JoinRejectReason.None;
    }

    /// <summary>The candidate (known from its PAM) must be within MaxJoinDistance of the last truck, in its lane.</summary>
    private JoinRejectReason ProximityCheck(uint candidate)
    {
        if (!pams.TryGetValue(candidate, out var candidatePam))
        {
            return JoinRejectReason.TooFar;
        }

        var (lastX, lastY, lastLane) = LastTruck();
        var distance = Math.Sqrt(Sq(candidatePam.Message.PositionX - lastX) + Sq(candidatePam.Message.PositionY - lastY));
        if (distance > config.MaxJoinDistance)
        {
            return JoinRejectReason.TooFar;
        }

        return lastLane is not null && candidatePam.Message.LaneId is not null
            && !string.Equals(lastLane, candidatePam.Message.LaneId, StringComparison.Ordinal)
            ? JoinRejectReason.Other
            : JoinRejectReason.None;
    }

    private (double X, double Y, string? Lane) LastTruck()
    {
        uint? last = null;
        var lastIndex = 0;
        foreach (var (station, heard) in Members())
        {
            if (heard.Message.Index > lastIndex)
            {
                lastIndex = heard.Message.Index;
                last = station;
            }
        }

        if (last is not { } id)
        {
            return (now.X, now.Y, now.LaneId);
        }

        var pcm = pcms[id].Message;
        return (pcm.PositionX, pcm.PositionY, pams.TryGetValue(id, out var pam) ? pam.Message.LaneId : null);
    }

    private IEnumerable<(uint Station, Heard<Pcm> Heard)> Members()
    {
        foreach (var (station, heard) in pcms)
        {
            if (platoonId != 0 && heard.Message.PlatoonId == platoonId && heard.Message.Index > 0
                && !heard.Message.Status.HasFlag(PcmStatus.AboutToLeave) && now.NowMs - heard.TimeMs < config.CommLossLeaveMs)
            {
                yield return (station, heard);
            }
        }
    }

    private int PlatoonSize()
    {
        if (role == PlatoonRole.StandAlone || platoonId == 0)
        {
            return 0;
        }

        if (role != PlatoonRole.Leader)
        {
            return index + 1;
        }

        var size = 1 + Members().Count();
        return admission == AdmissionState.Pending ? Math.Max(size, reservedSize) : size;
    }

    private int LastIndex()
    {
        var last = 0;
        foreach (var (_, heard) in Members())
        {
            last = Math.Max(last, heard.Message.Index);
        }

        return admission == AdmissionState.Pending ? Math.Max(last, reservedSize - 1) : last;
    }

    private AckResult OnJoinComplete(uint sender, JoinComplete complete)
    {
        if (role != PlatoonRole.Leader || complete.PlatoonId != platoonId)
        {
            return AckResult.Rejected;
        }

        if (admission == AdmissionState.Pending && pendingJoiner == sender)
        {
            admission = AdmissionState.Idle;
            Event("JoinCompleted", sender);
        }

        return AckResult.Accepted;
    }

    // ---------------------------------------------------------------- joiner

    private AckResult OnJoinResponse(uint sender, JoinResponse response)
    {
        if (state != PlatoonState.JoinRequested || sender != joinLeader)
        {
            return AckResult.Rejected;
        }

        if (!response.Accepted)
        {
            Event("JoinRejected", sender, response.RejectReason);
            AbortJoin(notifyLeader: false);
            return AckResult.Accepted;
        }

        if (response.GroupKey is { } key)
        {
            groupKeys.Add(new ReceivedGroupKey(sender, response.PlatoonId, key));
        }

        platoonId = response.PlatoonId;
        index = response.AssignedIndex;
        platoonTimeGap = response.TimeGap;
        role = PlatoonRole.Joiner;
        predecessor = null;
        joinStartMs = now.NowMs;
        SetState(PlatoonState.Joining);
        SetFront(FrontState.Connecting);
        Event("JoinAccepted", platoonId, index);
        return AckResult.Accepted;
    }

    /// <summary>
    /// A new group key is taken from this truck's leader, or from its predecessor (a merging rear leader forwards the
    /// front platoon's key to the members it led), never from a station outside the platoon.
    /// </summary>
    private AckResult OnKeyUpdate(uint sender, KeyUpdate update)
    {
        var trusted = role != PlatoonRole.StandAlone && platoonId != 0
            && (sender == predecessor || sender == LeaderStation() || (joinKind != JoinKind.None && sender == joinLeader));
        if (!trusted)
        {
            Event("KeyUpdateRejected", sender);
            return AckResult.Rejected;
        }

        groupKeys.Add(new ReceivedGroupKey(sender, update.PlatoonId, update.GroupKey));
        return AckResult.Accepted;
    }

    /// <summary>
    /// Sends an addressed PMM built outside the agent (e.g. a KeyUpdate) through the acknowledged, retried transport,
    /// stamped with the last step's time; returns the message to transmit now. Call after a <see cref="Step"/>.
    /// </summary>
    public OutgoingMessage SendManagement(uint destination, PmmBody body)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (lastNowMs == long.MinValue)
        {
            throw new InvalidOperationException("SendManagement needs a Step first (it stamps the message with the step's time).");
        }

        var output = new List<OutgoingMessage>(1);
        transport.Send(destination, body, now.NowMs, output);
        return output[0];
    }

    private void AbortJoin(bool notifyLeader)
    {
        if (notifyLeader)
        {
            transport.Send(joinLeader, new LeaveNotice(platoonId, index), now.NowMs, outgoing);
        }

        predecessor = null;
        if (joinKind == JoinKind.Merge)
        {
            BecomeLeader(mergeOwnPlatoonId, PlatoonState.Platooning);
        }
        else
        {
            BecomeStandAlone();
        }

        joinKind = JoinKind.None;
    }

    // ---------------------------------------------------------------- member

    private AckResult OnLeaveNotice(uint sender, LeaveNotice notice)
    {
        if (notice.PlatoonId != platoonId || platoonId == 0)
        {
            return AckResult.Rejected;
        }

        pcms.Remove(sender);
        if (role == PlatoonRole.Leader)
        {
            if (admission == AdmissionState.Pending && pendingJoiner == sender)
            {
                admission = AdmissionState.Idle;
            }

            Event("MemberLeft", sender, notice.Index);
            return AckResult.Accepted;
        }

        if (notice.Index + 1 == index)
        {
            // Our predecessor leaves: close up to its predecessor; the trucks behind follow our new index.
            index--;
            predecessor = null;
            Event("PredecessorLeft", sender, index);
            if (index == 0)
            {
                BecomeLeader(platoonId, PlatoonState.Platooning);
            }
        }

        return AckResult.Accepted;
    }

    private AckResult OnSplitRequest(SplitRequest split)
    {
        if (split.PlatoonId != platoonId || split.SplitBeforeIndex != index || role != PlatoonRole.Follower)
        {
            return AckResult.Rejected;
        }

        var newId = NewPlatoonId();
        Event("Split", newId);
        BecomeLeader(newId, PlatoonState.Splitting);
        leaderTimeGap = config.SplitGapFactor * platoonTimeGap;
        SetFront(FrontState.Opening);
        return AckResult.Accepted;
    }

    private AckResult OnDissolve(Dissolve dissolve)
    {
        if (dissolve.PlatoonId != platoonId || platoonId == 0)
        {
            return AckResult.Rejected;
        }

        Event("Dissolved", platoonId);
        BecomeStandAlone();
        return AckResult.Accepted;
    }

    private AckResult OnGapChange(GapChange change)
    {
        if (change.PlatoonId != platoonId || platoonId == 0)
        {
            return AckResult.Rejected;
        }

        platoonTimeGap = Math.Max(config.MinTimeGap, change.TimeGap);
        Event("GapChanged", platoonTimeGap);
        return AckResult.Accepted;
    }

    // ---------------------------------------------------------------- requests

    private void HandleRequest(PlatoonRequest request)
    {
        switch (request.Kind)
        {
            case PlatoonRequestKind.None:
                return;
            case PlatoonRequestKind.CreatePlatoon when state == PlatoonState.StandAlone:
                BecomeLeader(request.PlatoonId != 0 ? request.PlatoonId : NewPlatoonId(), PlatoonState.Platooning);
                Event("Created", platoonId);
                return;
            case PlatoonRequestKind.Join when state == PlatoonState.StandAlone:
                RequestJoin(request.PlatoonId, JoinKind.Join);
                return;
            case PlatoonRequestKind.Merge when state == PlatoonState.Platooning && role == PlatoonRole.Leader:
                RequestJoin(request.PlatoonId, JoinKind.Merge);
                return;
            case PlatoonRequestKind.Leave when state is PlatoonState.Platooning or PlatoonState.CutIn or PlatoonState.Joining:
                StartLeave();
                return;
            case PlatoonRequestKind.Split when state == PlatoonState.Platooning && role == PlatoonRole.Leader:
                RequestSplit(request.Index);
                return;
            case PlatoonRequestKind.ChangeGap when role == PlatoonRole.Leader && platoonId != 0 && double.IsFinite(request.TimeGap):
                platoonTimeGap = Math.Clamp(request.TimeGap, config.MinTimeGap, MaxWireTimeGap);
                foreach (var (station, _) in Members().ToList())
                {
                    transport.Send(station, new GapChange(platoonId, platoonTimeGap, GapChangeReason.Other), now.NowMs, outgoing);
                }

                Event("GapChanged", platoonTimeGap);
                return;
            case PlatoonRequestKind.Dissolve when role == PlatoonRole.Leader && platoonId != 0:
                foreach (var (station, _) in Members().ToList())
                {
                    transport.Send(station, new Dissolve(platoonId), now.NowMs, outgoing);
                }

                Event("Dissolved", platoonId);
                BecomeStandAlone();
                return;
            default:
                Event("RequestIgnored", request.Kind);
                return;
        }
    }

    private void RequestJoin(uint targetPlatoon, JoinKind kind)
    {
        if (targetPlatoon == 0 && kind == JoinKind.Join)
        {
            targetPlatoon = NearestJoinablePlatoonAhead();
        }

        uint? leader = null;
        foreach (var (station, heard) in pams)
        {
            if (heard.Message.PlatoonId == targetPlatoon && heard.Message.Role == PlatoonRole.Leader && targetPlatoon != 0)
            {
                leader = station;
                break;
            }
        }

        if (leader is not { } leaderId || (kind == JoinKind.Merge && targetPlatoon == platoonId))
        {
            Event("JoinFailed", targetPlatoon, "LeaderUnknown");
            return;
        }

        PmmBody body = kind == JoinKind.Merge
            ? new MergeRequest(targetPlatoon, platoonId, (byte)Math.Min(PlatoonSize(), byte.MaxValue))
            : new JoinRequest(JoinPosition.Back, null, Math.Min(config.VehicleLength, MaxWireLength), config.Level);
        joinKind = kind;
        joinLeader = leaderId;
        mergeOwnPlatoonId = platoonId;
        joinStartMs = now.NowMs;
        joinTransaction = transport.Send(leaderId, body, now.NowMs, outgoing);
        if (kind == JoinKind.Join)
        {
            role = PlatoonRole.Joiner;
        }

        SetState(PlatoonState.JoinRequested);
    }

    /// <summary>
    /// The platoon of the nearest truck ahead in this truck's lane whose PAM says its platoon is joinable (0 = none
    /// heard): what a driver means by "join the platoon in front".
    /// </summary>
    private uint NearestJoinablePlatoonAhead()
    {
        var best = 0u;
        var bestDistance = double.PositiveInfinity;
        var (cos, sin) = (Math.Cos(now.Heading), Math.Sin(now.Heading));
        foreach (var (_, heard) in pams)
        {
            var pam = heard.Message;
            if (pam.PlatoonId == 0 || !pam.Joinable || (now.LaneId is { } lane && pam.LaneId is { } theirs && !string.Equals(lane, theirs, StringComparison.Ordinal)))
            {
                continue;
            }

            var ahead = ((pam.PositionX - now.X) * cos) + ((pam.PositionY - now.Y) * sin);
            if (ahead > 0 && ahead < bestDistance)
            {
                bestDistance = ahead;
                best = pam.PlatoonId;
            }
        }

        return best;
    }

    private void StartLeave()
    {
        var leader = LeaderStation();
        if (role == PlatoonRole.Leader && successor is null)
        {
            Event("Left", platoonId);
            BecomeStandAlone();
            return;
        }

        if (leader is { } leaderId && role != PlatoonRole.Leader)
        {
            leaveTransactions.Add(transport.Send(leaderId, new LeaveNotice(platoonId, index), now.NowMs, outgoing));
        }

        if (successor is { } successorId)
        {
            leaveTransactions.Add(transport.Send(successorId, new LeaveNotice(platoonId, index), now.NowMs, outgoing));
        }

        SetState(PlatoonState.Leaving);
        SetFront(role == PlatoonRole.Leader ? FrontState.None : front);
        if (leaveTransactions.Count == 0)
        {
            FinishLeave();
        }
    }

    private void FinishLeave()
    {
        Event("Left", platoonId);
        BecomeStandAlone();
    }

    private void RequestSplit(byte splitIndex)
    {
        uint? target = null;
        foreach (var (station, heard) in Members())
        {
            if (heard.Message.Index == splitIndex)
            {
                target = station;
            }
        }

        if (splitIndex == 0 || target is not { } targetId)
        {
            Event("RequestIgnored", PlatoonRequestKind.Split);
            return;
        }

        transport.Send(targetId, new SplitRequest(platoonId, splitIndex), now.NowMs, outgoing);
        foreach (var (station, heard) in pcms.ToList())
        {
            if (heard.Message.PlatoonId == platoonId && heard.Message.Index >= splitIndex)
            {
                pcms.Remove(station);
            }
        }

        Event("SplitRequested", splitIndex);
    }

    private uint? LeaderStation()
    {
        foreach (var (station, heard) in pcms)
        {
            if (heard.Message.PlatoonId == platoonId && heard.Message.Index == 0)
            {
                return station;
            }
        }

        foreach (var (station, heard) in pams)
        {
            if (heard.Message.PlatoonId == platoonId && heard.Message.Role == PlatoonRole.Leader)
            {
                return station;
            }
        }

        return joinKind != JoinKind.None ? joinLeader : null;
    }

    // ---------------------------------------------------------------- PMM outcomes

    private void OnPmmAcknowledged(PendingPmm message, AckResult result)
    {
        if (result == AckResult.Rejected)
        {
            Event("PmmRejected", message.Body.Kind, message.Destination);
        }

        if (leaveTransactions.Remove(message.TransactionId) && leaveTransactions.Count == 0 && state == PlatoonState.Leaving)
        {
            FinishLeave();
        }
    }

    private void OnPmmFailed(PendingPmm message)
    {
        Event("PmmFailed", message.Body.Kind, message.Destination);
        if (message.TransactionId == joinTransaction && state == PlatoonState.JoinRequested)
        {
            Event("JoinFailed", message.Destination, "NoAck");
            AbortJoin(notifyLeader: false);
        }

        if (leaveTransactions.Remove(message.TransactionId) && leaveTransactions.Count == 0 && state == PlatoonState.Leaving)
        {
            FinishLeave();
        }
    }

    // ---------------------------------------------------------------- emergency

    private void IndicateEmergency(double deceleration, bool received)
    {
        emergencyDeceleration = Math.Clamp(Math.Max(emergencyDeceleration, deceleration), 0, MaxWireAcceleration);
        lastEmergencyIndicationMs = now.NowMs;
        emergencyReceived |= received;
    }

    /// <summary>Enters/leaves Emergency; true when a PCM must go out in this step (entry).</summary>
    private bool UpdateEmergency()
    {
        var inPlatoon = role != PlatoonRole.StandAlone && platoonId != 0;
        if (inPlatoon && now.BrakeRequest >= config.EmergencyDecelerationThreshold)
        {
            IndicateEmergency(now.BrakeRequest, received: false);
        }

        var indicated = inPlatoon && lastEmergencyIndicationMs == now.NowMs && emergencyDeceleration > 0;
        if (state != PlatoonState.Emergency)
        {
            if (!indicated)
            {
                emergencyDeceleration = 0;
                emergencyReceived = false;
                return false;
            }

            stateBeforeEmergency = state;
            SetState(PlatoonState.Emergency);
            Event("EmergencyBrake", emergencyReceived ? "Received" : "Own", emergencyDeceleration);
            if (successor is { } successorId)
            {
                transport.Send(successorId, new EmergencyBrake(emergencyDeceleration), now.NowMs, outgoing);
            }

            return true;
        }

        if (now.NowMs - lastEmergencyIndicationMs >= config.EmergencyHoldMs)
        {
            SetState(stateBeforeEmergency == PlatoonState.Emergency ? PlatoonState.Platooning : stateBeforeEmergency);
            emergencyDeceleration = 0;
            emergencyReceived = false;
        }

        return false;
    }

    // ---------------------------------------------------------------- timers

    private void UpdateTimers()
    {
        if (role == PlatoonRole.Leader && admission == AdmissionState.Pending
            && now.NowMs - pendingSinceMs >= config.JoinTimeoutMs + ((long)config.PmmRetryMs * (config.PmmMaxRetries + 1)))
        {
            admission = AdmissionState.Idle;
            Event("JoinTimeout", pendingJoiner);
        }

        switch (state)
        {
            case PlatoonState.JoinRequested when now.NowMs - joinStartMs >= config.JoinTimeoutMs:
            case PlatoonState.Joining when now.NowMs - joinStartMs >= config.JoinTimeoutMs:
                Event("JoinTimeout", platoonId);
                AbortJoin(notifyLeader: state == PlatoonState.Joining);
                return;
            case PlatoonState.Joining:
                UpdateJoining();
                return;
            case PlatoonState.Splitting:
                UpdateSplitting();
                return;
            default:
                break;
        }

        if (role == PlatoonRole.Follower && state is PlatoonState.Platooning or PlatoonState.CutIn or PlatoonState.Emergency or PlatoonState.Leaving)
        {
            UpdateCommunication();
            UpdateCutIn();
        }
    }

    private void UpdateJoining()
    {
        if (!TryPredecessor(out var pcm, out var age) || age >= config.CommLossFallbackMs)
        {
            return;
        }

        var target = config.StandstillGap + (platoonTimeGap * now.Speed);
        if (Math.Abs(MeasuredGap(pcm) - target) <= config.JoinGapTolerance)
        {
            transport.Send(joinLeader, new JoinComplete(platoonId), now.NowMs, outgoing);
            role = PlatoonRole.Follower;
            joinKind = JoinKind.None;
            SetState(PlatoonState.Platooning);
            SetFront(FrontState.Connected);
            Event("JoinCompleted", platoonId, index);
        }
    }

    private void UpdateSplitting()
    {
        var target = config.StandstillGap + (leaderTimeGap * now.Speed) - config.JoinGapTolerance;
        if (!now.HasRadarLead || now.RadarGap >= target)
        {
            SetState(PlatoonState.Platooning);
            SetFront(FrontState.None);
            Event("SplitCompleted", platoonId);
        }
    }

    private void UpdateCommunication()
    {
        var age = now.NowMs - lastPredecessorPcmMs;
        if (front is FrontState.Connecting)
        {
            return;
        }

        if (age >= config.CommLossLeaveMs)
        {
            Event("CommLossLeave", predecessor ?? 0);
            BecomeLeader(NewPlatoonId(), PlatoonState.Platooning);
            return;
        }

        if (age >= config.CommLossFallbackMs)
        {
            if (front != FrontState.CommLost)
            {
                SetFront(FrontState.CommLost);
                recoveryStartMs = null;
                LeaveCutIn();
            }

            return;
        }

        if (front == FrontState.Recovering)
        {
            // Continuity is about the interval between PCMs (checked between generation times in OnPcm). While
            // waiting for the next one, count from when the last one arrived, not from its generation time: the
            // latter includes the channel latency, so with any latency a single lost PCM (a 100 ms interval, still
            // continuous) would restart the count and recovery would hardly ever complete under random loss.
            if (now.NowMs - lastPredecessorReceivedMs > ContinuityMs)
            {
                recoveryStartMs = null;
            }
            else if (recoveryStartMs is { } start && now.NowMs - start >= config.RecoveryMs)
            {
                SetFront(FrontState.Connected);
            }
        }
    }

    private void UpdateCutIn()
    {
        if (front is not (FrontState.Connected or FrontState.Intruder) || !TryPredecessor(out var pcm, out _))
        {
            cutInSinceMs = null;
            cutInClearSinceMs = null;
            return;
        }

        var expected = PcmGap(pcm);
        var shorter = now.HasRadarLead && now.RadarGap < expected - (config.CutInGapMargin + (config.CutInGapFraction * expected));
        if (front == FrontState.Connected)
        {
            cutInSinceMs = shorter ? cutInSinceMs ?? now.NowMs : null;
            if (cutInSinceMs is { } since && now.NowMs - since >= config.CutInDetectMs)
            {
                SetFront(FrontState.Intruder);
                if (state == PlatoonState.Platooning)
                {
                    SetState(PlatoonState.CutIn);
                }

                cutInSinceMs = null;
                cutInClearSinceMs = null;
                Event("CutInDetected", now.RadarGap);
            }

            return;
        }

        var agree = now.HasRadarLead && !shorter;
        cutInClearSinceMs = agree ? cutInClearSinceMs ?? now.NowMs : null;
        if (cutInClearSinceMs is { } clear && now.NowMs - clear >= config.CutInClearMs)
        {
            SetFront(FrontState.Connected);
            LeaveCutIn();
            cutInClearSinceMs = null;
            Event("CutInCleared", expected);
        }
    }

    private void LeaveCutIn()
    {
        if (state == PlatoonState.CutIn)
        {
            SetState(PlatoonState.Platooning);
        }
        else if (state == PlatoonState.Emergency && stateBeforeEmergency == PlatoonState.CutIn)
        {
            stateBeforeEmergency = PlatoonState.Platooning;
        }
    }

    private void UpdateRear()
    {
        uint? found = null;
        if (platoonId != 0 && role != PlatoonRole.StandAlone && index < byte.MaxValue)
        {
            foreach (var (station, heard) in pcms)
            {
                if (heard.Message.PlatoonId == platoonId && heard.Message.Index == index + 1
                    && !heard.Message.Status.HasFlag(PcmStatus.AboutToLeave) && now.NowMs - heard.TimeMs < config.CommLossLeaveMs)
                {
                    found = station;
                }
            }
        }

        if (found != successor)
        {
            successor = found;
            rear = found is null ? RearState.None : RearState.Connected;
            Event(found is null ? "RearLost" : "RearConnected", found ?? 0);
        }
    }

    // ---------------------------------------------------------------- sending

    private void SendPeriodic(bool pcmNow)
    {
        var sendsPcm = platoonId != 0 && state is not (PlatoonState.StandAlone or PlatoonState.JoinRequested)
            || (state == PlatoonState.JoinRequested && joinKind == JoinKind.Merge);
        if (sendsPcm)
        {
            if (pcmNow || now.NowMs >= nextPcmMs)
            {
                outgoing.Add(new OutgoingMessage(BuildPcm()));
            }

            if (now.NowMs >= nextPcmMs)
            {
                nextPcmMs = Advance(nextPcmMs, config.PcmPeriodMs);
            }
        }
        else
        {
            nextPcmMs = long.MinValue;
        }

        if (now.NowMs >= nextPamMs)
        {
            outgoing.Add(new OutgoingMessage(BuildPam()));
            nextPamMs = Advance(nextPamMs, config.PamPeriodMs);
        }
    }

    private long Advance(long due, int period) =>
        due == long.MinValue || now.NowMs - due >= period ? now.NowMs + period : due + period;

    private Pcm BuildPcm()
    {
        var status = PcmStatus.None;
        if (now.BrakeRequest > config.BrakingStatusThreshold || state == PlatoonState.Emergency)
        {
            status |= PcmStatus.Braking;
        }

        if (state == PlatoonState.Emergency)
        {
            status |= PcmStatus.EmergencyBrake;
        }

        if (state == PlatoonState.Leaving)
        {
            status |= PcmStatus.AboutToLeave;
        }

        if (front == FrontState.Intruder)
        {
            status |= PcmStatus.IntruderDetected;
        }

        return new Pcm(
            platoonId,
            index,
            now.X,
            now.Y,
            WrapHeading(now.Heading),
            Math.Clamp(now.Speed, 0, MaxWireSpeed),
            Math.Clamp(now.Acceleration, -MaxWireAcceleration, MaxWireAcceleration),
            Math.Clamp(state == PlatoonState.Emergency ? -emergencyDeceleration : now.DesiredAcceleration, -MaxWireAcceleration, MaxWireAcceleration),
            ClampTimeGap(TargetTimeGap()),
            Math.Min(config.VehicleLength, MaxWireLength),
            status);
    }

    private Pam BuildPam()
    {
        var max = (byte)config.EffectiveMaxPlatoonSize;
        var size = (byte)Math.Min(PlatoonSize(), max);
        var joinable = config.Joinable && role == PlatoonRole.Leader && admission == AdmissionState.Idle && size < max;
        var lane = now.LaneId is { } id && System.Text.Encoding.UTF8.GetByteCount(id) <= V2xLimits.MaxLaneIdBytes ? id : null;
        return new Pam(
            role == PlatoonRole.StandAlone ? 0 : platoonId,
            role,
            now.X,
            now.Y,
            WrapHeading(now.Heading),
            Math.Clamp(now.Speed, 0, MaxWireSpeed),
            lane,
            size,
            max,
            joinable,
            config.Level,
            Math.Clamp(config.MaxDeceleration, 0, MaxWireAcceleration));
    }

    // ---------------------------------------------------------------- result

    private PlatoonStepResult BuildResult()
    {
        var hasPredecessor = TryPredecessor(out var pcm, out _);
        return new PlatoonStepResult(
            role,
            state,
            front,
            rear,
            Mode(),
            TargetTimeGap(),
            hasPredecessor ? predecessor : null,
            hasPredecessor ? pcm.Speed : 0,
            hasPredecessor ? pcm.DesiredAcceleration : 0,
            hasPredecessor ? pcm.Acceleration : 0,
            hasPredecessor ? PcmGap(pcm) : 0,
            successor,
            state == PlatoonState.Emergency ? emergencyDeceleration : 0,
            role == PlatoonRole.StandAlone ? 0 : platoonId,
            index,
            PlatoonSize(),
            outgoing.ToArray(),
            events.ToArray())
        {
            Members = role == PlatoonRole.Leader ? Members().Select(m => m.Station).ToArray() : [],
            GroupKeys = groupKeys.Count == 0 ? [] : groupKeys.ToArray(),
        };
    }

    private LongitudinalMode Mode()
    {
        if (state == PlatoonState.Emergency)
        {
            return LongitudinalMode.Emergency;
        }

        var following = role is PlatoonRole.Follower or PlatoonRole.Joiner && state != PlatoonState.JoinRequested;
        if (!following || !TryPredecessor(out _, out var age) || age >= config.CommLossFallbackMs)
        {
            return LongitudinalMode.Acc;
        }

        return front is FrontState.Connected or FrontState.Connecting && state is PlatoonState.Platooning or PlatoonState.Joining
            ? LongitudinalMode.Cacc
            : LongitudinalMode.Acc;
    }

    private double TargetTimeGap()
    {
        if (role == PlatoonRole.Leader || role == PlatoonRole.StandAlone || state == PlatoonState.JoinRequested)
        {
            return state == PlatoonState.Splitting || role == PlatoonRole.Leader ? leaderTimeGap : config.SafeAccTimeGap;
        }

        return Mode() == LongitudinalMode.Cacc ? platoonTimeGap : Math.Max(config.SafeAccTimeGap, platoonTimeGap);
    }

    // ---------------------------------------------------------------- helpers

    private bool IsFollowing =>
        role is PlatoonRole.Follower or PlatoonRole.Joiner && state != PlatoonState.JoinRequested && index > 0;

    private int ContinuityMs => 2 * config.PcmPeriodMs;

    private bool TryPredecessor(out Pcm pcm, out long age)
    {
        if (predecessor is { } id && IsFollowing && pcms.TryGetValue(id, out var heard))
        {
            pcm = heard.Message;
            age = now.NowMs - heard.TimeMs;
            return true;
        }

        pcm = null!;
        age = long.MaxValue;
        return false;
    }

    /// <summary>Bumper-to-bumper gap to the predecessor from its PCM, extrapolated to now along its heading.</summary>
    private double PcmGap(Pcm pcm)
    {
        var dt = (now.NowMs - pcms[predecessor!.Value].TimeMs) / 1000.0;
        var x = pcm.PositionX + (pcm.Speed * dt * Math.Cos(pcm.Heading));
        var y = pcm.PositionY + (pcm.Speed * dt * Math.Sin(pcm.Heading));
        var distance = Math.Sqrt(Sq(x - now.X) + Sq(y - now.Y));
        return distance - ((pcm.VehicleLength + config.VehicleLength) / 2);
    }

    /// <summary>Radar gap when the radar sees the predecessor (agrees with the PCM), else the PCM gap.</summary>
    private double MeasuredGap(Pcm pcm)
    {
        var fromPcm = PcmGap(pcm);
        return now.HasRadarLead && Math.Abs(now.RadarGap - fromPcm) <= config.CutInGapMargin + (config.CutInGapFraction * fromPcm)
            ? now.RadarGap
            : fromPcm;
    }

    private void BecomeLeader(uint newPlatoonId, PlatoonState newState)
    {
        platoonId = newPlatoonId;
        index = 0;
        role = PlatoonRole.Leader;
        predecessor = null;
        leaderTimeGap = config.SafeAccTimeGap;
        joinKind = JoinKind.None;
        SetFront(FrontState.None);
        SetState(newState);
    }

    private void BecomeStandAlone()
    {
        platoonId = 0;
        index = 0;
        role = PlatoonRole.StandAlone;
        predecessor = null;
        admission = AdmissionState.Idle;
        joinKind = JoinKind.None;
        platoonTimeGap = config.PlatoonTimeGap;
        SetFront(FrontState.None);
        SetState(PlatoonState.StandAlone);
    }

    private uint NewPlatoonId() => stationId != platoonId && stationId != 0 ? stationId : stationId ^ 0x8000_0000u;

    private void SetState(PlatoonState next)
    {
        if (next != state)
        {
            Event("State", state, next);
            state = next;
        }
    }

    private void SetFront(FrontState next)
    {
        if (next != front)
        {
            Event("Front", front, next);
            front = next;
        }
    }

    private void Event(string name, params object[] details) =>
        events.Add(details.Length == 0 ? name : name + ":" + string.Join(",", details.Select(d => Convert.ToString(d, CultureInfo.InvariantCulture))));

    private static double ClampTimeGap(double timeGap) => Math.Clamp(timeGap, 0, MaxWireTimeGap);

    private static double WrapHeading(double heading) =>
        double.IsFinite(heading) ? Math.Clamp(Math.IEEERemainder(heading, 2 * Math.PI), -Math.PI, Math.PI) : 0;

    private static double Sq(double v) => v * v;
}

internal readonly record struct Heard<T>(T Message, long TimeMs);
