using AutomationStack.Platooning.Protocol;

namespace AutomationStack.Platooning;

/// <summary>Commands from the driver/HMI or the scenario; edge-triggered (act on the step that carries them).</summary>
public enum PlatoonRequestKind
{
    None,
    CreatePlatoon,
    Join,
    Leave,
    Split,
    Merge,
    ChangeGap,
    Dissolve,
}

/// <summary>A command. CreatePlatoon/Join/Merge use PlatoonId (Merge: the front platoon's id), Split uses Index, ChangeGap uses TimeGap (s).</summary>
public readonly record struct PlatoonRequest(PlatoonRequestKind Kind, uint PlatoonId = 0, byte Index = 0, double TimeGap = 0);

/// <summary>
/// Per-step inputs. Positions are the vehicle centre in the map frame. <c>NowMs</c> must be on the same time base as
/// the generation times of the received message headers (absolute ITS ms from the V2X stack), since message ages
/// (PCM validity, comm loss) are now − generation time.
/// </summary>
public readonly record struct PlatoonInputs(
    long NowMs,
    double X,
    double Y,
    double Heading,
    double Speed,
    double Acceleration,
    string? LaneId,
    double DesiredAcceleration,
    bool HasRadarLead,
    double RadarGap,
    double RadarLeadSpeed,
    double BrakeRequest,
    PlatoonRequest Request);

/// <summary>Lifecycle state of one truck.</summary>
public enum PlatoonState
{
    StandAlone,
    JoinRequested,
    Joining,
    Platooning,
    Leaving,
    Splitting,
    CutIn,
    Emergency,
}

/// <summary>State of the link towards the predecessor.</summary>
public enum FrontState
{
    /// <summary>No predecessor (stand-alone or leader).</summary>
    None,

    /// <summary>Predecessor assigned, gap closing (joining, or formed and waiting for its first PCM).</summary>
    Connecting,

    /// <summary>CACC on the predecessor's PCMs.</summary>
    Connected,

    /// <summary>No valid PCM for CommLossFallbackMs: ACC fallback.</summary>
    CommLost,

    /// <summary>PCMs back, counting RecoveryMs of continuous PCMs (still ACC).</summary>
    Recovering,

    /// <summary>Intruder between this truck and its predecessor: ACC on the intruder.</summary>
    Intruder,

    /// <summary>Opening the gap after a split (this truck is the new leader).</summary>
    Opening,
}

/// <summary>State of the link towards the successor.</summary>
public enum RearState
{
    None,
    Connected,
}

public enum LongitudinalMode
{
    Acc,
    Cacc,
    Emergency,
}

/// <summary>A body to transmit; the pipeline adds the header (sequence number, time) and signs.</summary>
public readonly record struct OutgoingMessage(V2xBody Body);

public sealed record PlatoonStepResult(
    PlatoonRole Role,
    PlatoonState State,
    FrontState Front,
    RearState Rear,
    LongitudinalMode Mode,
    double TargetTimeGap,
    uint? PredecessorStationId,
    double PredecessorSpeed,
    double PredecessorDesiredAcceleration,
    double PredecessorAcceleration,
    double PredecessorGapFromPcm,
    uint? SuccessorStationId,
    double EmergencyDeceleration,
    uint PlatoonId,
    byte Index,
    int PlatoonSize,
    IReadOnlyList<OutgoingMessage> ToSend,
    IReadOnlyList<string> Events)
{
    /// <summary>As leader: the members heard (station ids, ascending); empty otherwise.</summary>
    public IReadOnlyList<uint> Members { get; init; } = [];

    /// <summary>Wrapped group keys accepted in this step (from an accepted JoinResponse or a KeyUpdate from the leader or predecessor).</summary>
    public IReadOnlyList<ReceivedGroupKey> GroupKeys { get; init; } = [];
}

/// <summary>A wrapped group key this truck accepted from <paramref name="Sender"/> for <paramref name="PlatoonId"/>.</summary>
public readonly record struct ReceivedGroupKey(uint Sender, uint PlatoonId, WrappedGroupKey Key);
