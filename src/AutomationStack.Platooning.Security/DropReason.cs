using AutomationStack.Platooning.Protocol;

namespace AutomationStack.Platooning.Security;

/// <summary>Why <see cref="V2xVerifier.Verify"/> dropped an envelope; <see cref="None"/> means accepted.</summary>
public enum DropReason
{
    /// <summary>Accepted.</summary>
    None = 0,

    /// <summary>Truncated, garbage, unknown flags, trailing bytes, or a signer digest that does not name the included certificate.</summary>
    Malformed,

    /// <summary>Envelope, message header or certificate version this stack does not speak.</summary>
    UnsupportedVersion,

    /// <summary>Signer digest not in the certificate cache and no certificate included.</summary>
    UnknownSigner,

    /// <summary>No path to a configured root, a link with a bad issuer signature, or more than three links.</summary>
    UntrustedChain,

    CertificateExpired,

    CertificateNotYetValid,

    /// <summary>The AT may not send this message type, the signer is not an AT, or an issuer may not issue (or grant) these permissions.</summary>
    MissingPermission,

    /// <summary>Header sender station id differs from the AT's station id (impersonation).</summary>
    StationIdMismatch,

    /// <summary>The envelope signature does not verify (forged or altered).</summary>
    BadSignature,

    /// <summary>Generation time more than the allowed skew (200 ms) ahead of now.</summary>
    FutureDated,

    /// <summary>Older than its type's limit (PCM 500 ms, PAM and PMM 2000 ms).</summary>
    Stale,

    /// <summary>Sequence number not newer than the last accepted one from that sender for that type.</summary>
    Replay,

    /// <summary>Encrypted under a group key id the verifier does not hold.</summary>
    UnknownGroupKey,

    /// <summary>AES-GCM authentication failed (a different key under the same id).</summary>
    DecryptionFailed,
}

/// <summary>A dropped envelope as reported to <see cref="V2xVerifierOptions.OnDrop"/>: never contains key material.</summary>
/// <param name="SenderStationId">Header sender when the header could be read (unauthenticated unless the reason is past the signature check).</param>
/// <param name="Signer">The envelope's signer digest when it could be read.</param>
/// <param name="Detail">Short English detail (field names, ids), for logs.</param>
public readonly record struct V2xDrop(DropReason Reason, uint? SenderStationId, HashedId8? Signer, string Detail);

/// <summary>An accepted message: its header and plaintext bytes (header included) and the verified signer.</summary>
public sealed class VerifiedMessage
{
    internal VerifiedMessage(MessageHeader header, byte[] message, V2xCertificate signer, bool wasEncrypted)
    {
        Header = header;
        Message = message;
        Signer = signer;
        WasEncrypted = wasEncrypted;
    }

    public MessageHeader Header { get; }

    /// <summary>The full encoded message (starts with the header), decrypted if it was encrypted.</summary>
    public ReadOnlyMemory<byte> Message { get; }

    public V2xCertificate Signer { get; }

    public bool WasEncrypted { get; }
}

/// <summary>Verifier limits; defaults are the protocol's.</summary>
public sealed class V2xVerifierOptions
{
    /// <summary>Largest accepted generation time ahead of now (clock skew), ms.</summary>
    public ulong MaxFutureMs { get; init; } = 200;

    public ulong PcmMaxAgeMs { get; init; } = 500;

    public ulong PamMaxAgeMs { get; init; } = 2000;

    public ulong PmmMaxAgeMs { get; init; } = 2000;

    /// <summary>Oldest accepted SPaT (sent at 10 Hz), ms.</summary>
    public ulong SpatMaxAgeMs { get; init; } = 500;

    /// <summary>Oldest accepted MAP (sent at 1 Hz), ms. Signal requests and responses use <see cref="PmmMaxAgeMs"/>.</summary>
    public ulong MapMaxAgeMs { get; init; } = 2000;

    /// <summary>Verified AT certificates kept; when full the cache is emptied (ATs get re-verified from included certificates).</summary>
    public int MaxCachedSigners { get; init; } = 4096;

    /// <summary>Called for every drop (on the verifying thread).</summary>
    public Action<V2xDrop>? OnDrop { get; init; }
}
