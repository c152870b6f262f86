namespace AutomationStack.Platooning.Security;

/// <summary>What a certificate's holder may do (u16 flags on the wire; unknown bits are a decode error).</summary>
[Flags]
public enum V2xPermissions : ushort
{
    None = 0,
    SendPam = 1 << 0,
    SendPcm = 1 << 1,
    SendPmm = 1 << 2,

    /// <summary>Signal phase and timing from roadside units (traffic lights).</summary>
    SendSpat = 1 << 3,

    /// <summary>Intersection topology (MAP) from roadside units.</summary>
    SendMap = 1 << 4,

    /// <summary>Priority requests to intersections (a platoon leader's SignalRequest).</summary>
    SendSignalRequest = 1 << 5,

    /// <summary>Answers to priority requests (SignalResponse) from roadside units.</summary>
    SendSignalResponse = 1 << 6,

    /// <summary>May sign other certificates (root and authorisation authority only).</summary>
    IssueCertificates = 1 << 8,

    /// <summary>Everything a platooning truck sends.</summary>
    Platooning = SendPam | SendPcm | SendPmm,

    /// <summary>Everything a roadside unit at a signalised intersection sends.</summary>
    RoadsideUnit = SendSpat | SendMap | SendSignalResponse,

    /// <summary>
    /// The authorities' permissions of a PKI without intersection messages (every bit defined before SendMap): what
    /// <see cref="SimulationPki"/> issues its root and authority with when a run has no roadside units, so that runs
    /// without intersections keep their certificates byte for byte.
    /// </summary>
    PlatooningAuthority = SendPam | SendPcm | SendPmm | SendSpat | IssueCertificates,

    /// <summary>Every defined bit.</summary>
    All = SendPam | SendPcm | SendPmm | SendSpat | SendMap | SendSignalRequest | SendSignalResponse | IssueCertificates,
}

/// <summary>Position of a certificate in the three-level hierarchy.</summary>
public enum CertificateKind : byte
{
    /// <summary>Trust anchor, self-signed.</summary>
    Root = 1,

    /// <summary>Authorisation authority: issued by the root, issues authorisation tickets.</summary>
    Aa = 2,

    /// <summary>Authorisation ticket: a station's signing certificate.</summary>
    At = 3,
}
