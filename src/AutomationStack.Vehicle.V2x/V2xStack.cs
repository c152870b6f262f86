using AutomationStack.Contracts;
using AutomationStack.Platooning.Protocol;
using AutomationStack.Platooning.Security;

namespace AutomationStack.Vehicle.V2x;

/// <summary>Options of a <see cref="V2xStack"/>.</summary>
public sealed record V2xStackOptions
{
    /// <summary>
    /// Absolute time of simulated time zero, ms since the Unix epoch: generation times and certificate validity are
    /// absolute, frames are stamped from zero. Default 2026-01-01T00:00:00Z.
    /// </summary>
    public ulong EpochMs { get; init; } = 1_767_225_600_000;

    /// <summary>
    /// The full certificate rides along in a clear message at least this often (and in every PMM); otherwise only its
    /// digest. Encrypted PCMs carry only the digest.
    /// </summary>
    public long CertificatePeriodMs { get; init; } = 1000;

    /// <summary>
    /// Flood guard: messages per second one radio sender may hand this stack before verification (a token bucket
    /// refilled at this rate; legitimate senders stay far below it: PCM 20 Hz + PAM + PMM, SPaT 10 Hz + MAP). Excess
    /// messages are dropped as <see cref="V2xStack.RateLimited"/> without spending a signature verification on them.
    /// </summary>
    public double SenderRate { get; init; } = 60;

    /// <summary>Flood guard: the token bucket's depth, messages (a burst a sender may send at once).</summary>
    public double SenderBurst { get; init; } = 30;
}

/// <summary>A verified, decoded message.</summary>
public readonly record struct ReceivedV2x(MessageHeader Header, V2xBody Body);

/// <summary>
/// The vehicle's V2X facilities: turns message bodies into signed envelopes (header with station id, generation time
/// and a sequence number per message type) and received envelopes into verified, decoded messages. Everything that is
/// dropped is counted by reason — the verifier's reasons plus <see cref="Undecodable"/> for a verified message whose
/// body does not decode and <see cref="RateLimited"/> for a message over its radio sender's rate (flood guard, checked
/// before any signature work). Time is the frame's simulated stamp; no clock. Not thread-safe.
/// </summary>
public sealed class V2xStack : IDisposable
{
    /// <summary>Drop reason name for a signed message whose body does not decode.</summary>
    public const string Undecodable = "Undecodable";

    /// <summary>Drop reason name for a message over its sender's rate (flood guard; not verified).</summary>
    public const string RateLimited = "RateLimited";

    /// <summary>Most senders whose token buckets are kept (the oldest-refilled one is forgotten beyond it).</summary>
    private const int MaxTrackedSenders = 1024;

    private readonly Dictionary<uint, (double Tokens, long StampNs)> _buckets = [];
    private long _rateLimited;

    private const long NanosecondsPerMillisecond = 1_000_000;

    /// <summary>Group keys held for decryption at once (the current one and those before it, for messages in flight).</summary>
    public const int KeyRingSize = 6;

    private const int MaxRememberedCertificates = 4096;

    private readonly V2xSigner _signer;
    private readonly V2xVerifier _verifier;
    private readonly V2xStackOptions _options;
    /// <summary>One slot per message type value (0 unused): PAM, PCM, PMM, SPaT, MAP, signal request, signal response.</summary>
    private const int MessageTypeSlots = (int)V2xMessageType.SignalResponse + 1;

    private readonly uint[] _sequence = new uint[MessageTypeSlots];
    private readonly long[] _receivedByType = new long[MessageTypeSlots];
    private readonly byte[] _buffer = new byte[V2xCodec.MaxMessageSize];
    private readonly List<ReceivedV2x> _received = [];
    private readonly List<GroupKey> _keyRing = [];
    private readonly Dictionary<uint, V2xCertificate> _certificates = [];
    private long? _lastCertificateMs;
    private long _undecodable;

    public V2xStack(uint stationId, V2xSigner signer, V2xVerifier verifier, V2xStackOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(signer);
        ArgumentNullException.ThrowIfNull(verifier);
        StationId = stationId;
        _signer = signer;
        _verifier = verifier;
        _options = options ?? new V2xStackOptions();
    }

    public uint StationId { get; }

    /// <summary>Messages accepted.</summary>
    public long Accepted => _verifier.AcceptedCount - _undecodable;

    /// <summary>Accepted messages that were encrypted under a group key.</summary>
    public long EncryptedAccepted { get; private set; }

    /// <summary>PCMs sent encrypted.</summary>
    public long EncryptedSent { get; private set; }

    /// <summary>Group keys installed so far (issued here or unwrapped).</summary>
    public long KeysInstalled { get; private set; }

    /// <summary>The group key PCMs are encrypted with; null = PCMs go in clear (signed either way).</summary>
    public GroupKey? SendKey { get; private set; }

    /// <summary>Messages sent, by type.</summary>
    public long SentCount(V2xMessageType type) => _sequence[(int)type];

    /// <summary>Messages accepted (verified and decoded), by type.</summary>
    public long ReceivedCount(V2xMessageType type) => _receivedByType[(int)type];

    /// <summary>Drops by reason so far (only reasons that occurred).</summary>
    public IReadOnlyDictionary<string, long> DropCounts
    {
        get
        {
            var counts = _verifier.DropCounts.Where(kv => kv.Value > 0).ToDictionary(kv => kv.Key.ToString(), kv => kv.Value, StringComparer.Ordinal);
            if (_undecodable > 0)
            {
                counts[Undecodable] = _undecodable;
            }

            if (_rateLimited > 0)
            {
                counts[RateLimited] = _rateLimited;
            }

            return counts;
        }
    }

    /// <summary>Absolute ms of a frame stamp.</summary>
    public ulong AbsoluteMs(long stampNs) => _options.EpochMs + (ulong)Math.Max(0, stampNs / NanosecondsPerMillisecond);

    /// <summary>
    /// Verifies and decodes the messages of one frame, in order. The list is reused by the next call. A message from
    /// this station itself (an echo) is ignored without counting.
    /// </summary>
    public IReadOnlyList<ReceivedV2x> Receive(IReadOnlyList<V2xMessage> messages, long stampNs)
    {
        ArgumentNullException.ThrowIfNull(messages);
        _received.Clear();
        var now = AbsoluteMs(stampNs);
        foreach (var m in messages)
        {
            if (m.SenderStationId == StationId)
            {
                continue;
            }

            if (!TakeToken(m.SenderStationId, stampNs))
            {
                _rateLimited++;
                continue;
            }

            if (_verifier.Verify(m.Payload.Span, now, out var verified) != DropReason.None || verified is null)
            {
                continue;
            }

            try
            {
                var (header, body) = V2xCodec.Decode(verified.Message.Span);
                _received.Add(new ReceivedV2x(header, body));
                _receivedByType[(int)header.Type]++;
                if (verified.WasEncrypted)
                {
                    EncryptedAccepted++;
                }

                RememberCertificate(header.SenderStationId, verified.Signer);
            }
            catch (V2xDecodeException)
            {
                _undecodable++;
            }
        }

        return _received;
    }

    /// <summary>The flood guard's token bucket of one radio sender, refilled by simulated time.</summary>
    private bool TakeToken(uint sender, long stampNs)
    {
        if (!_buckets.TryGetValue(sender, out var bucket))
        {
            if (_buckets.Count >= MaxTrackedSenders)
            {
                var oldest = _buckets.MinBy(kv => kv.Value.StampNs).Key;
                _buckets.Remove(oldest);
            }

            bucket = (_options.SenderBurst, stampNs);
        }

        var elapsed = Math.Max(0, stampNs - bucket.StampNs) / 1e9;
        var tokens = Math.Min(_options.SenderBurst, bucket.Tokens + (elapsed * _options.SenderRate));
        var granted = tokens >= 1.0;
        _buckets[sender] = (granted ? tokens - 1.0 : tokens, stampNs);
        return granted;
    }

    /// <summary>Encodes, signs and wraps one message to send in this frame.</summary>
    public V2xMessage Send(V2xBody body, long stampNs)
    {
        ArgumentNullException.ThrowIfNull(body);
        var type = body.MessageType;
        var sequence = ++_sequence[(int)type];
        var now = AbsoluteMs(stampNs);
        var header = new MessageHeader(type, StationId, now, sequence);
        var length = V2xCodec.Encode(header, body, _buffer);
        var nowMs = (long)now;
        // An encrypted PCM never carries the certificate: a station without the group key (a joiner, another
        // platoon) could not verify it and so could not learn the certificate from it. It then goes with the next
        // clear message (PAM, PMM).
        var encryptWith = type == V2xMessageType.Pcm ? SendKey : null;
        // Addressed, infrequent messages (PMM, signal request) always carry it: the receiver may never have heard us.
        var includeCertificate = type is V2xMessageType.Pmm or V2xMessageType.SignalRequest
            || (encryptWith is null && (_lastCertificateMs is not { } last || nowMs - last >= _options.CertificatePeriodMs));
        if (includeCertificate)
        {
            _lastCertificateMs = nowMs;
        }

        var envelope = _signer.Sign(_buffer.AsSpan(0, length), includeCertificate, encryptWith);
        if (encryptWith is not null)
        {
            EncryptedSent++;
        }

        return new V2xMessage(StationId, stampNs, envelope);
    }

    /// <summary>A new group key issued by this station as platoon leader (see <see cref="GroupKey.Derive"/>); not yet installed.</summary>
    public GroupKey IssueGroupKey(uint platoonId, uint generation) => GroupKey.Derive(_signer, platoonId, generation);

    /// <summary>
    /// Takes ownership of <paramref name="key"/>: adds it to the key ring (decryption) and makes it the key PCMs are
    /// encrypted with. The oldest key beyond <see cref="KeyRingSize"/> is forgotten and zeroed. A key with an id
    /// already held replaces nothing: the held one becomes the send key and the new object is disposed.
    /// </summary>
    public void InstallGroupKey(GroupKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var held = _keyRing.Find(k => k.Id == key.Id);
        if (held is not null)
        {
            key.Dispose();
            _keyRing.Remove(held);
            _keyRing.Add(held);
            SendKey = held;
            return;
        }

        _keyRing.Add(key);
        _verifier.AddGroupKey(key);
        SendKey = key;
        KeysInstalled++;
        while (_keyRing.Count > KeyRingSize)
        {
            var oldest = _keyRing[0];
            _keyRing.RemoveAt(0);
            _verifier.RemoveGroupKey(oldest.Id);
            oldest.Dispose();
        }
    }

    /// <summary>PCMs go in clear from now on (the key ring stays, for messages still in flight).</summary>
    public void StopEncrypting() => SendKey = null;

    /// <summary>
    /// <paramref name="key"/> wrapped for <paramref name="stationId"/>'s authorisation ticket, learnt from its last
    /// verified message; null when no message from that station has been verified yet.
    /// </summary>
    public WrappedGroupKey? WrapGroupKey(GroupKey key, uint stationId)
    {
        ArgumentNullException.ThrowIfNull(key);
        return _certificates.TryGetValue(stationId, out var certificate)
            ? new WrappedGroupKey(key.Id, KeyWrap.Wrap(key, certificate, _signer))
            : null;
    }

    /// <summary>Unwraps a key addressed to this station; null with the reason when it is malformed or not for us.</summary>
    public GroupKey? UnwrapGroupKey(WrappedGroupKey wrapped, out string? error)
    {
        ArgumentNullException.ThrowIfNull(wrapped);
        try
        {
            var key = KeyWrap.Unwrap(wrapped.WrappedKey.Span, _signer);
            if (key.Id != wrapped.KeyId)
            {
                key.Dispose();
                error = $"the wrapped key's id {key.Id} differs from the announced id {wrapped.KeyId}";
                return null;
            }

            error = null;
            return key;
        }
        catch (Exception ex) when (ex is V2xDecodeException or System.Security.Cryptography.CryptographicException)
        {
            error = ex.Message;
            return null;
        }
    }

    private void RememberCertificate(uint stationId, V2xCertificate certificate)
    {
        if (_certificates.Count >= MaxRememberedCertificates && !_certificates.ContainsKey(stationId))
        {
            _certificates.Clear();
        }

        _certificates[stationId] = certificate;
    }

    public void Dispose()
    {
        _signer.Dispose();
        _verifier.Dispose();
        foreach (var key in _keyRing)
        {
            key.Dispose();
        }

        _keyRing.Clear();
        SendKey = null;
    }
}
