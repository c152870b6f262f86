using System.Globalization;
using System.Security.Cryptography;
using AutomationStack.Platooning.Protocol;

namespace AutomationStack.Platooning.Security;

/// <summary>
/// Verifies received envelopes against a trust store of roots and authorisation authorities. Verified AT
/// certificates are cached by digest (with their chain's combined validity window), so a message costs one ECDSA
/// verify. Replay state is kept per (sender station id, message type). Checks run cheapest first and a dropped
/// envelope never changes state:
/// structure → freshness → replay pre-check → signer / chain → permission → station id → group key id → signature →
/// decryption → accept (update replay state, cache the AT).
/// Not thread-safe: use one verifier per receiving thread. Time is always passed in (<c>nowMs</c>, absolute ms).
/// </summary>
public sealed class V2xVerifier : IDisposable
{
    private static readonly DropReason[] Reasons = [.. Enum.GetValues<DropReason>().Where(r => r != DropReason.None)];

    private readonly V2xVerifierOptions _options;
    private readonly Dictionary<HashedId8, V2xCertificate> _roots = [];
    private readonly Dictionary<HashedId8, V2xCertificate> _authorities = [];
    private readonly Dictionary<HashedId8, ECDsa> _issuerKeys = [];
    private readonly HashSet<HashedId8> _verifiedAuthorities = [];
    private readonly Dictionary<HashedId8, SignerEntry> _signers = [];
    private readonly Dictionary<(uint Station, V2xMessageType Type), (uint Sequence, ulong GenerationTimeMs)> _lastAccepted = [];
    private readonly Dictionary<uint, GroupKey> _groupKeys = [];
    private readonly long[] _drops = new long[Enum.GetValues<DropReason>().Length];
    private long _accepted;
    private bool _disposed;

    public V2xVerifier(V2xVerifierOptions? options = null)
    {
        _options = options ?? new V2xVerifierOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.MaxCachedSigners, 1, nameof(options));
    }

    public long AcceptedCount => Interlocked.Read(ref _accepted);

    /// <summary>Snapshot of the drop counters, one entry per reason (zero included).</summary>
    public IReadOnlyDictionary<DropReason, long> DropCounts => Reasons.ToDictionary(r => r, GetDropCount);

    public int CachedSignerCount => _signers.Count;

    public long GetDropCount(DropReason reason) =>
        reason is > DropReason.None and <= DropReason.DecryptionFailed ? Interlocked.Read(ref _drops[(int)reason]) : throw new ArgumentOutOfRangeException(nameof(reason));

    /// <summary>Adds a trust anchor; its self-signature is checked here.</summary>
    public void AddRoot(V2xCertificate root)
    {
        ArgumentNullException.ThrowIfNull(root);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (root.Kind != CertificateKind.Root)
        {
            throw new ArgumentException("not a root certificate", nameof(root));
        }

        var key = P256.ImportPublicKey(root.PublicKey);
        if (!key.VerifyData(root.ToBeSigned, root.Signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation))
        {
            key.Dispose();
            throw new ArgumentException("the root's self-signature does not verify", nameof(root));
        }

        _roots[root.Digest] = root;
        if (_issuerKeys.Remove(root.Digest, out var old))
        {
            old.Dispose();
        }

        _issuerKeys[root.Digest] = key;
    }

    /// <summary>Adds an authorisation authority; its chain is checked when a ticket it issued is first seen.</summary>
    public void AddAuthority(V2xCertificate authority)
    {
        ArgumentNullException.ThrowIfNull(authority);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (authority.Kind != CertificateKind.Aa)
        {
            throw new ArgumentException("not an authorisation authority certificate", nameof(authority));
        }

        _authorities[authority.Digest] = authority;
    }

    /// <summary>Adds (or replaces) a group key for decryption; the caller keeps ownership.</summary>
    public void AddGroupKey(GroupKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        _groupKeys[key.Id] = key;
    }

    public bool RemoveGroupKey(uint id) => _groupKeys.Remove(id);

    /// <summary>
    /// Verifies one envelope at <paramref name="nowMs"/>. Returns <see cref="DropReason.None"/> with the message, or
    /// the reason it was dropped (counted and reported to <see cref="V2xVerifierOptions.OnDrop"/>).
    /// </summary>
    public DropReason Verify(ReadOnlySpan<byte> envelope, ulong nowMs, out VerifiedMessage? result)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var reason = VerifyCore(envelope, nowMs, out result, out var detail, out var sender, out var signer);
        if (reason == DropReason.None)
        {
            Interlocked.Increment(ref _accepted);
            return reason;
        }

        Interlocked.Increment(ref _drops[(int)reason]);
        _options.OnDrop?.Invoke(new V2xDrop(reason, sender, signer, detail));
        return reason;
    }

    private DropReason VerifyCore(ReadOnlySpan<byte> envelope, ulong nowMs, out VerifiedMessage? result, out string detail, out uint? sender, out HashedId8? signer)
    {
        result = null;
        sender = null;
        signer = null;
        var parsed = Parse(envelope, out var layout, out detail);
        if (parsed != DropReason.None)
        {
            return parsed;
        }

        var header = layout.Header;
        sender = header.SenderStationId;
        signer = layout.Signer;

        // Freshness and replay: header only, no crypto.
        if (header.GenerationTimeMs > nowMs && header.GenerationTimeMs - nowMs > _options.MaxFutureMs)
        {
            detail = string.Create(CultureInfo.InvariantCulture, $"generated {header.GenerationTimeMs - nowMs} ms in the future");
            return DropReason.FutureDated;
        }

        var maxAge = MaxAge(header.Type);
        if (nowMs > header.GenerationTimeMs && nowMs - header.GenerationTimeMs > maxAge)
        {
            detail = string.Create(CultureInfo.InvariantCulture, $"{header.Type} is {nowMs - header.GenerationTimeMs} ms old (limit {maxAge})");
            return DropReason.Stale;
        }

        var replayKey = (header.SenderStationId, header.Type);
        if (_lastAccepted.TryGetValue(replayKey, out var last) && !IsNewer(header, last, maxAge))
        {
            detail = string.Create(CultureInfo.InvariantCulture, $"{header.Type} sequence {header.SequenceNumber} not newer than {last.Sequence}");
            return DropReason.Replay;
        }

        // Signer: cached AT, or the included certificate validated against the trust store.
        var certificate = envelope.Slice(layout.CertificateOffset, layout.CertificateLength);
        SignerEntry? fresh = null;
        if (_signers.TryGetValue(layout.Signer, out var entry))
        {
            if (layout.CertificateLength > 0 && !certificate.SequenceEqual(entry.Certificate.Encoded))
            {
                detail = "signer digest does not name the included certificate";
                return DropReason.Malformed;
            }
        }
        else
        {
            if (layout.CertificateLength == 0)
            {
                detail = "certificate not cached and not included";
                return DropReason.UnknownSigner;
            }

            var chain = ValidateSigner(certificate, layout.Signer, nowMs, out fresh, out detail);
            if (chain != DropReason.None)
            {
                return chain;
            }

            entry = fresh!;
        }

        try
        {
            if (nowMs < entry.ValidFromMs)
            {
                detail = "certificate chain not yet valid";
                return DropReason.CertificateNotYetValid;
            }

            if (nowMs > entry.ValidToMs)
            {
                detail = "certificate chain expired";
                return DropReason.CertificateExpired;
            }

            var needed = Required(header.Type);
            if ((entry.Certificate.Permissions & needed) != needed)
            {
                detail = $"certificate lacks {needed}";
                return DropReason.MissingPermission;
            }

            if (header.SenderStationId != entry.Certificate.StationId)
            {
                detail = string.Create(CultureInfo.InvariantCulture, $"header sender {header.SenderStationId}, certificate station {entry.Certificate.StationId}");
                return DropReason.StationIdMismatch;
            }

            GroupKey? groupKey = null;
            if (layout.Encrypted && !_groupKeys.TryGetValue(layout.GroupKeyId, out groupKey))
            {
                detail = string.Create(CultureInfo.InvariantCulture, $"group key id {layout.GroupKeyId} not held");
                return DropReason.UnknownGroupKey;
            }

            if (!entry.Key.VerifyData(envelope[..layout.SignedLength], envelope.Slice(layout.SignedLength, V2xEnvelope.SignatureSize),
                    HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation))
            {
                detail = "envelope signature does not verify";
                return DropReason.BadSignature;
            }

            byte[] message;
            if (groupKey is null)
            {
                message = envelope.Slice(layout.MessageOffset, layout.MessageLength).ToArray();
            }
            else
            {
                message = new byte[MessageHeader.Size + layout.CiphertextLength];
                envelope.Slice(layout.MessageOffset, MessageHeader.Size).CopyTo(message);
                if (!groupKey.TryDecrypt(envelope.Slice(layout.NonceOffset, GroupKey.NonceSize), envelope.Slice(layout.CiphertextOffset, layout.CiphertextLength),
                        envelope.Slice(layout.CiphertextOffset + layout.CiphertextLength, GroupKey.TagSize), message.AsSpan(MessageHeader.Size),
                        envelope[..layout.CiphertextOffset]))
                {
                    detail = string.Create(CultureInfo.InvariantCulture, $"authentication failed under group key id {layout.GroupKeyId}");
                    return DropReason.DecryptionFailed;
                }
            }

            // Accepted: only now does state change.
            if (fresh is not null)
            {
                Cache(fresh);
                fresh = null;
            }

            _lastAccepted[replayKey] = (header.SequenceNumber, header.GenerationTimeMs);
            result = new VerifiedMessage(header, message, entry.Certificate, layout.Encrypted);
            detail = string.Empty;
            return DropReason.None;
        }
        finally
        {
            fresh?.Dispose();
        }
    }

    /// <summary>
    /// Newer sequence number, or — a sender that restarted its counter — generated more than the type's freshness
    /// limit after the last accepted message (no replay of an accepted message can be that much newer and still fresh).
    /// </summary>
    private static bool IsNewer(MessageHeader header, (uint Sequence, ulong GenerationTimeMs) last, ulong maxAge) =>
        header.SequenceNumber > last.Sequence || header.GenerationTimeMs > last.GenerationTimeMs + maxAge;

    private ulong MaxAge(V2xMessageType type) => type switch
    {
        V2xMessageType.Pcm => _options.PcmMaxAgeMs,
        V2xMessageType.Pam => _options.PamMaxAgeMs,
        V2xMessageType.Spat => _options.SpatMaxAgeMs,
        V2xMessageType.Map => _options.MapMaxAgeMs,
        _ => _options.PmmMaxAgeMs,
    };

    private static V2xPermissions Required(V2xMessageType type) => type switch
    {
        V2xMessageType.Pam => V2xPermissions.SendPam,
        V2xMessageType.Pcm => V2xPermissions.SendPcm,
        V2xMessageType.Spat => V2xPermissions.SendSpat,
        V2xMessageType.Map => V2xPermissions.SendMap,
        V2xMessageType.SignalRequest => V2xPermissions.SendSignalRequest,
        V2xMessageType.SignalResponse => V2xPermissions.SendSignalResponse,
        _ => V2xPermissions.SendPmm,
    };

    private void Cache(SignerEntry entry)
    {
        if (_signers.Count >= _options.MaxCachedSigners)
        {
            foreach (var cached in _signers.Values)
            {
                cached.Dispose();
            }

            _signers.Clear();
        }

        _signers[entry.Certificate.Digest] = entry;
    }

    private DropReason ValidateSigner(ReadOnlySpan<byte> encoding, HashedId8 digest, ulong nowMs, out SignerEntry? entry, out string detail)
    {
        entry = null;
        V2xCertificate ticket;
        try
        {
            ticket = V2xCertificate.Decode(encoding);
        }
        catch (V2xDecodeException ex)
        {
            detail = ex.Message;
            return ex.Field == "certificate.version" ? DropReason.UnsupportedVersion : DropReason.Malformed;
        }

        if (ticket.Digest != digest)
        {
            detail = "signer digest does not name the included certificate";
            return DropReason.Malformed;
        }

        if (ticket.Kind != CertificateKind.At)
        {
            detail = "signer certificate is not an authorisation ticket";
            return DropReason.MissingPermission;
        }

        // Build the path: AT → (AA) → root, at most three links.
        var chain = new List<V2xCertificate>(3) { ticket };
        var current = ticket;
        while (true)
        {
            if (_roots.TryGetValue(current.IssuerDigest, out var root))
            {
                chain.Add(root);
                break;
            }

            if (!_authorities.TryGetValue(current.IssuerDigest, out var authority))
            {
                detail = $"issuer {current.IssuerDigest} is neither a configured root nor a known authority";
                return DropReason.UntrustedChain;
            }

            chain.Add(authority);
            if (chain.Count >= 3)
            {
                detail = "chain longer than three links";
                return DropReason.UntrustedChain;
            }

            current = authority;
        }

        ulong from = 0, to = ulong.MaxValue;
        foreach (var link in chain)
        {
            if (nowMs < link.ValidFromMs)
            {
                detail = $"{link.Kind} '{link.SubjectName}' not yet valid";
                return DropReason.CertificateNotYetValid;
            }

            if (nowMs > link.ValidToMs)
            {
                detail = $"{link.Kind} '{link.SubjectName}' expired";
                return DropReason.CertificateExpired;
            }

            from = Math.Max(from, link.ValidFromMs);
            to = Math.Min(to, link.ValidToMs);
        }

        for (var i = 1; i < chain.Count; i++)
        {
            var issuer = chain[i];
            var subject = chain[i - 1];
            if ((issuer.Permissions & V2xPermissions.IssueCertificates) == 0)
            {
                detail = $"{issuer.Kind} '{issuer.SubjectName}' may not issue certificates";
                return DropReason.MissingPermission;
            }

            if ((subject.Permissions & ~issuer.Permissions) != 0)
            {
                detail = $"{subject.Kind} '{subject.SubjectName}' has permissions its issuer lacks";
                return DropReason.MissingPermission;
            }
        }

        // Signatures of the links (authorities are verified once and remembered).
        for (var i = 0; i < chain.Count - 1; i++)
        {
            var subject = chain[i];
            if (subject.Kind == CertificateKind.Aa && _verifiedAuthorities.Contains(subject.Digest))
            {
                continue;
            }

            if (!TryIssuerKey(chain[i + 1], out var issuerKey)
                || !issuerKey.VerifyData(subject.ToBeSigned, subject.Signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation))
            {
                detail = $"{subject.Kind} '{subject.SubjectName}' signature does not verify against its issuer";
                return DropReason.UntrustedChain;
            }

            if (subject.Kind == CertificateKind.Aa)
            {
                _verifiedAuthorities.Add(subject.Digest);
            }
        }

        ECDsa key;
        try
        {
            key = P256.ImportPublicKey(ticket.PublicKey);
        }
        catch (CryptographicException)
        {
            detail = "certificate.public_key: not a point on P-256";
            return DropReason.Malformed;
        }

        entry = new SignerEntry(ticket, key, from, to);
        detail = string.Empty;
        return DropReason.None;
    }

    private bool TryIssuerKey(V2xCertificate issuer, out ECDsa key)
    {
        if (_issuerKeys.TryGetValue(issuer.Digest, out key!))
        {
            return true;
        }

        try
        {
            key = P256.ImportPublicKey(issuer.PublicKey);
        }
        catch (CryptographicException)
        {
            return false;
        }

        _issuerKeys[issuer.Digest] = key;
        return true;
    }

    private static DropReason Parse(ReadOnlySpan<byte> envelope, out Layout layout, out string detail)
    {
        layout = default;
        detail = string.Empty;
        if (envelope.IsEmpty)
        {
            detail = "empty envelope";
            return DropReason.Malformed;
        }

        if (envelope[0] != V2xEnvelope.Version)
        {
            detail = string.Create(CultureInfo.InvariantCulture, $"envelope version {envelope[0]}");
            return DropReason.UnsupportedVersion;
        }

        try
        {
            var reader = new WireReader(envelope);
            reader.U8("envelope.version");
            var flags = (EnvelopeFlags)reader.U8("envelope.flags");
            if ((flags & ~(EnvelopeFlags.CertificateIncluded | EnvelopeFlags.Encrypted)) != 0)
            {
                throw new V2xDecodeException("envelope.flags", "unknown flag bits");
            }

            layout.Signer = HashedId8.Read(reader.Bytes(HashedId8.Size, "envelope.signer"));
            if ((flags & EnvelopeFlags.CertificateIncluded) != 0)
            {
                var length = reader.U16("envelope.certificate_length");
                if (length == 0)
                {
                    throw new V2xDecodeException("envelope.certificate_length", "zero-length certificate");
                }

                layout.CertificateOffset = reader.Position;
                reader.Bytes(length, "envelope.certificate");
                layout.CertificateLength = length;
            }

            ReadOnlySpan<byte> headerBytes;
            if ((flags & EnvelopeFlags.Encrypted) == 0)
            {
                var length = reader.U16("envelope.message_length");
                if (length < MessageHeader.Size)
                {
                    throw new V2xDecodeException("envelope.message_length", "shorter than a message header");
                }

                layout.MessageOffset = reader.Position;
                layout.MessageLength = length;
                headerBytes = reader.Bytes(length, "envelope.message");
            }
            else
            {
                layout.Encrypted = true;
                layout.MessageOffset = reader.Position;
                headerBytes = reader.Bytes(MessageHeader.Size, "envelope.header");
                layout.GroupKeyId = reader.U32("envelope.group_key_id");
                layout.NonceOffset = reader.Position;
                reader.Bytes(GroupKey.NonceSize, "envelope.nonce");
                layout.CiphertextLength = reader.U16("envelope.ciphertext_length");
                layout.CiphertextOffset = reader.Position;
                reader.Bytes(layout.CiphertextLength, "envelope.ciphertext");
                reader.Bytes(GroupKey.TagSize, "envelope.tag");
            }

            layout.SignedLength = reader.Position;
            reader.Bytes(V2xEnvelope.SignatureSize, "envelope.signature");
            reader.End("envelope");

            if (headerBytes[0] != MessageHeader.ProtocolVersion)
            {
                detail = string.Create(CultureInfo.InvariantCulture, $"message protocol version {headerBytes[0]}");
                return DropReason.UnsupportedVersion;
            }

            layout.Header = MessageHeader.Peek(headerBytes);
            return DropReason.None;
        }
        catch (V2xDecodeException ex)
        {
            detail = ex.Message;
            return DropReason.Malformed;
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        foreach (var entry in _signers.Values)
        {
            entry.Dispose();
        }

        foreach (var key in _issuerKeys.Values)
        {
            key.Dispose();
        }

        _signers.Clear();
        _issuerKeys.Clear();
    }

    private struct Layout
    {
        public HashedId8 Signer;
        public int CertificateOffset;
        public int CertificateLength;
        public MessageHeader Header;
        public int MessageOffset;
        public int MessageLength;
        public bool Encrypted;
        public uint GroupKeyId;
        public int NonceOffset;
        public int CiphertextOffset;
        public int CiphertextLength;
        public int SignedLength;
    }

    private sealed class SignerEntry(V2xCertificate certificate, ECDsa key, ulong validFromMs, ulong validToMs) : IDisposable
    {
        public V2xCertificate Certificate { get; } = certificate;

        public ECDsa Key { get; } = key;

        public ulong ValidFromMs { get; } = validFromMs;

        public ulong ValidToMs { get; } = validToMs;

        public void Dispose() => Key.Dispose();
    }
}
