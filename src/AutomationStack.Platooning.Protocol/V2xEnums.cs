namespace AutomationStack.Platooning.Protocol;

// Every enum below is a u8 on the wire; its numeric values are part of the protocol and must never be renumbered.

/// <summary>A vehicle's role with respect to platooning (PAM).</summary>
public enum PlatoonRole : byte
{
    /// <summary>Not in a platoon.</summary>
    StandAlone = 0,

    /// <summary>Leads a platoon (index 0).</summary>
    Leader = 1,

    /// <summary>Follows in a platoon (index ≥ 1).</summary>
    Follower = 2,

    /// <summary>Negotiating or executing a join.</summary>
    Joiner = 3,
}

/// <summary>The ENSEMBLE platooning level a vehicle supports or a platoon runs at.</summary>
public enum PlatooningLevel : byte
{
    /// <summary>Platooning support function: longitudinal automation, the driver steers.</summary>
    Psf = 0,

    /// <summary>Platooning autonomous function: longitudinal and lateral automation.</summary>
    Paf = 1,
}

/// <summary>Status bits of a PCM; bits not defined here are rejected on encode and on decode.</summary>
[Flags]
public enum PcmStatus : byte
{
    None = 0,

    /// <summary>The vehicle is braking (service brake).</summary>
    Braking = 1 << 0,

    /// <summary>The vehicle is emergency braking.</summary>
    EmergencyBrake = 1 << 1,

    /// <summary>The vehicle is about to leave the platoon.</summary>
    AboutToLeave = 1 << 2,

    /// <summary>A non-platoon vehicle cut in ahead of this vehicle.</summary>
    IntruderDetected = 1 << 3,
}

/// <summary>What a PMM asks for or reports; selects the PMM's kind-specific body.</summary>
public enum PmmKind : byte
{
    JoinRequest = 1,
    JoinResponse = 2,
    JoinComplete = 3,
    LeaveNotice = 4,
    SplitRequest = 5,
    MergeRequest = 6,
    Dissolve = 7,
    GapChange = 8,
    EmergencyBrake = 9,
    Ack = 10,
    KeyUpdate = 11,
}

/// <summary>Where a joiner wants to enter the platoon.</summary>
public enum JoinPosition : byte
{
    /// <summary>Behind the last vehicle.</summary>
    Back = 0,

    /// <summary>In front of the leader (the joiner becomes the leader).</summary>
    Front = 1,

    /// <summary>At the index given in <see cref="JoinRequest.Index"/>.</summary>
    Index = 2,
}

/// <summary>Why a join was rejected; <see cref="None"/> exactly when it was accepted.</summary>
public enum JoinRejectReason : byte
{
    None = 0,
    PlatoonFull = 1,
    TooFar = 2,
    NotJoinable = 3,
    LevelMismatch = 4,
    Busy = 5,
    Other = 6,
}

/// <summary>Why the leader changes the platoon's target time gap.</summary>
public enum GapChangeReason : byte
{
    Intersection = 0,
    CutIn = 1,
    Split = 2,
    Other = 3,
}

/// <summary>The outcome an acknowledgement reports for the acknowledged PMM.</summary>
public enum AckResult : byte
{
    Accepted = 0,
    Rejected = 1,
}

/// <summary>What a signal group shows (SPaT).</summary>
public enum SignalPhaseState : byte
{
    /// <summary>Dark or unknown.</summary>
    Dark = 0,
    Red = 1,
    Amber = 2,
    Green = 3,
}

/// <summary>How an intersection answered a signal request (<see cref="SignalResponse"/>).</summary>
public enum SignalRequestOutcome : byte
{
    /// <summary>Granted: the green holds until at least the requested rear-clearing time.</summary>
    Granted = 0,

    /// <summary>The intersection does not take priority requests.</summary>
    Disabled = 1,

    /// <summary>The intersection has no such signal group or ingress lane.</summary>
    UnknownGroup = 2,

    /// <summary>The group is not green (early green is not offered).</summary>
    NotGreen = 3,

    /// <summary>Holding the green that long would exceed its maximum green.</summary>
    BeyondMaxGreen = 4,

    /// <summary>The arrival window is empty or over.</summary>
    InvalidWindow = 5,
}
