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

    /// <summary>The full certificate rides along at least this often (and in every PMM); otherwise only its digest.</summary>
    public long CertificatePeriodMs { get; init; } = 1000;
}

/// <summary>A verified, decoded message.</summary>
public readonly record struct ReceivedV2x(MessageHeader Header, V2xBody Body);

/// <summary>
/// The vehicle's V2X facilities: turns message bodies into signed envelopes (header with station id, generation time
/// and a sequence number per message type) and received envelopes into verified, decoded messages. Everything that is
/// dropped is counted by reason — the verifier's reasons plus <see cref="Undecodable"/> for a verified message whose
/// body does not decode. Time is the frame's simulated stamp; no clock. Not thread-safe.
/// </summary>
public sealed class V2xStack : IDisposable
{
    /// <summary>Drop reason name for a signed message whose body does not decode.</summary>
    public const string Undecodable = "Undecodable";

    private const long NanosecondsPerMillisecond = 1_000_000;

    private readonly V2xSigner _signer;
    private readonly V2xVerifier _verifier;
    private readonly V2xStackOptions _options;
    private readonly uint[] _sequence = new uint[4];
    private readonly byte[] _buffer = new byte[V2xCodec.MaxMessageSize];
    private readonly List<ReceivedV2x> _received = [];
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

    /// <summary>Messages sent, by type.</summary>
    public long SentCount(V2xMessageType type) => _sequence[(int)type];

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

            if (_verifier.Verify(m.Payload.Span, now, out var verified) != DropReason.None || verified is null)
            {
                continue;
            }

            try
            {
                var (header, body) = V2xCodec.Decode(verified.Message.Span);
                _received.Add(new ReceivedV2x(header, body));
            }
            catch (V2xDecodeException)
            {
                _undecodable++;
            }
        }

        return _received;
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
        var includeCertificate = type == V2xMessageType.Pmm || _lastCertificateMs is not { } last || nowMs - last >= _options.CertificatePeriodMs;
        if (includeCertificate)
        {
            _lastCertificateMs = nowMs;
        }

        var envelope = _signer.Sign(_buffer.AsSpan(0, length), includeCertificate, encryptWith: null);
        return new V2xMessage(StationId, stampNs, envelope);
    }

    public void Dispose()
    {
        _signer.Dispose();
        _verifier.Dispose();
    }
}
