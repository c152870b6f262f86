namespace AutomationStack.Platooning.Security;

/// <summary>What a certificate's holder may do (u16 flags on the wire; unknown bits are a decode error).</summary>
[Flags]
public enum V2xPermissions : ushort
{
    None = 0,
    SendPam = 1 << 0,
    SendPcm = 1 << 1,
    SendPmm = 1 << 2,

    /// <summary>Signal phase and timing from road-side units (traffic lights), reserved for later.</summary>
    SendSpat = 1 << 3,

    /// <summary>May sign other certificates (root and authorisation authority only).</summary>
    IssueCertificates = 1 << 8,

    /// <summary>Everything a platooning truck sends.</summary>
    Platooning = SendPam | SendPcm | SendPmm,

    /// <summary>Every defined bit.</summary>
    All = SendPam | SendPcm | SendPmm | SendSpat | IssueCertificates,
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
