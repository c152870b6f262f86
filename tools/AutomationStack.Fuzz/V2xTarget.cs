using System.Security.Cryptography;
using AutomationStack.Contracts;
using AutomationStack.Platooning.Protocol;
using AutomationStack.Platooning.Security;
using AutomationStack.Vehicle.V2x;

namespace AutomationStack.Fuzz;

/// <summary>
/// The vehicle's V2X receive path with a fixed, deterministic credential set (simulation PKI, seed
/// <see cref="PkiSeed"/>, with intersections): truck <see cref="LeaderStation"/> (platoon leader, issues the group key),
/// roadside unit <see cref="RoadsideStation"/>, and the receiving truck <see cref="ReceiverStation"/> holding the
/// platoon's group key. The first input byte picks the entry point (mod 6), the rest is the payload:
/// <list type="number">
/// <item>0: an envelope handed to <see cref="V2xStack.Receive"/> as received from the radio (parse, freshness, chain,
/// permissions, signature, decryption, decode); nothing may escape it.</item>
/// <item>1: a message (header + body) decoded by <see cref="V2xCodec.Decode"/>: <see cref="V2xDecodeException"/>.</item>
/// <item>2: a message type byte and a body: given a fresh header and signed with real credentials (the roadside unit's
/// for SPaT, MAP and signal responses, the leader's otherwise), then received, so the body reaches the decoder behind a
/// valid signature; nothing may escape.</item>
/// <item>3: a certificate decoded by <see cref="V2xCertificate.Decode"/>: <see cref="V2xDecodeException"/>.</item>
/// <item>4: a wrapped group key unwrapped by <see cref="V2xStack.UnwrapGroupKey"/> (errors come back as text); nothing
/// may escape.</item>
/// <item>5: like 0, but the receiver has first heard the leader's PAM and the roadside unit's SPaT (both with their
/// certificates), so envelopes that carry only the signer's digest (encrypted PCMs always do) verify and decrypt.</item>
/// </list>
/// Each input gets a fresh receiving stack (verifier, replay state, rate limiter), so inputs do not depend on each other.
/// </summary>
internal sealed class V2xTarget : FuzzTarget, IDisposable
{
    public const ulong PkiSeed = 20_260_101;
    public const ulong EpochMs = 1_767_225_600_000;
    public const uint LeaderStation = 1;
    public const uint ReceiverStation = 2;
    public const uint RoadsideStation = 1001;
    public const uint PlatoonId = 7;
    public const uint KeyGeneration = 1;

    /// <summary>Receive time of every input: 10 s after the epoch (seeds are stamped a little before it).</summary>
    public const long ReceiveStampNs = 10_000_000_000;

    private readonly SimulationPki _pki;
    private readonly StationCredentials _receiver;
    private readonly ECDsa _receiverKey;
    private readonly V2xSigner _leaderSigner;
    private readonly V2xSigner _roadsideSigner;
    private readonly byte[] _signBuffer;

    public V2xTarget()
    {
        _pki = new SimulationPki(PkiSeed, EpochMs, intersections: true);
        _receiver = _pki.For(ReceiverStation);
        _receiverKey = ECDsa.Create();
        _receiverKey.ImportPkcs8PrivateKey(_receiver.PrivateKeyPkcs8, out _);
        _leaderSigner = CreateSigner(_pki.For(LeaderStation));
        _roadsideSigner = CreateSigner(_pki.ForRoadsideUnit(RoadsideStation));
        _signBuffer = new byte[V2xEnvelope.GetSize(V2xCodec.MaxMessageSize, V2xCertificate.MaxEncodedSize, encrypted: false)];
    }

    public override string Name => "v2x";

    public override string Description => "V2X receive path: envelope verification, decryption and message decoding (PAM, PCM, PMM, SPaT, MAP, signal request/response), certificates, wrapped group keys";

    public override IReadOnlyList<Type> ExpectedExceptions { get; } = [typeof(V2xDecodeException)];

    public override IReadOnlyList<string> InstrumentedAssemblies { get; } =
        ["AutomationStack.Platooning.Protocol.dll", "AutomationStack.Platooning.Security.dll", "AutomationStack.Vehicle.V2x.dll"];

    /// <summary>The simulation PKI (seeds are made with it).</summary>
    public SimulationPki Pki => _pki;

    /// <summary>A signer for <paramref name="credentials"/>.</summary>
    public static V2xSigner CreateSigner(StationCredentials credentials)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        using var key = ECDsa.Create();
        key.ImportPkcs8PrivateKey(credentials.PrivateKeyPkcs8, out _);
        return new V2xSigner(credentials.Certificate, key);
    }

    /// <summary>A stack for <paramref name="credentials"/> trusting this PKI, with the platoon's group key installed.</summary>
    public V2xStack CreateStack(StationCredentials credentials, V2xSigner leader)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        var verifier = new V2xVerifier();
        verifier.AddRoot(_pki.Root);
        verifier.AddAuthority(_pki.Authority);
        var stack = new V2xStack(credentials.StationId, CreateSigner(credentials), verifier, new V2xStackOptions { EpochMs = EpochMs });
        stack.InstallGroupKey(GroupKey.Derive(leader, PlatoonId, KeyGeneration));
        return stack;
    }

    public override void Execute(ReadOnlySpan<byte> input)
    {
        if (input.IsEmpty)
        {
            return;
        }

        var payload = input[1..];
        switch (input[0] % 6)
        {
            case 0:
                ReceiveEnvelope(payload.ToArray());
                break;
            case 1:
                try
                {
                    V2xCodec.Decode(payload);
                }
                catch (V2xDecodeException) when (!Strict)
                {
                    // documented bad-input outcome
                }

                break;
            case 2:
                SignAndReceive(payload);
                break;
            case 3:
                try
                {
                    V2xCertificate.Decode(payload);
                }
                catch (V2xDecodeException) when (!Strict)
                {
                    // documented bad-input outcome
                }

                break;
            case 5:
                ReceiveEnvelope(payload.ToArray(), LeaderStation, primed: true);
                break;
            default:
                using (var stack = NewReceiver())
                {
                    var key = stack.UnwrapGroupKey(new WrappedGroupKey(PlatoonKeyId(), payload.ToArray()), out var error);
                    if (Strict && key is null)
                    {
                        throw new InvalidOperationException($"strict: the wrapped key does not unwrap: {error}");
                    }

                    key?.Dispose();
                }

                break;
        }
    }

    private void SignAndReceive(ReadOnlySpan<byte> payload)
    {
        if (payload.IsEmpty || payload.Length - 1 > V2xCodec.MaxMessageSize - MessageHeader.Size || !Enum.IsDefined((V2xMessageType)payload[0]))
        {
            return;
        }

        var type = (V2xMessageType)payload[0];
        var signer = type is V2xMessageType.Spat or V2xMessageType.Map or V2xMessageType.SignalResponse ? _roadsideSigner : _leaderSigner;
        var message = new byte[MessageHeader.Size + payload.Length - 1];
        var writer = new WireWriter(message);
        new MessageHeader(type, signer.Certificate.StationId, EpochMs + (ulong)(ReceiveStampNs / 1_000_000) - 5, 1).Write(ref writer);
        payload[1..].CopyTo(message.AsSpan(MessageHeader.Size));
        var length = signer.Sign(message, includeCertificate: true, encryptWith: null, _signBuffer);
        ReceiveEnvelope(_signBuffer.AsSpan(0, length).ToArray(), signer.Certificate.StationId);
    }

    private V2xMessage[]? _primers;

    /// <summary>The leader's PAM and the roadside unit's SPaT, each with its certificate (mode 5 hears them first).</summary>
    private V2xMessage[] CreatePrimers()
    {
        var stamp = ReceiveStampNs - 50_000_000;
        using var leader = CreateStack(_pki.For(LeaderStation), _leaderSigner);
        using var rsu = CreateStack(_pki.ForRoadsideUnit(RoadsideStation), _leaderSigner);
        return
        [
            leader.Send(new Pam(PlatoonId, PlatoonRole.Leader, 100, -3.5, 0, 22, null, 2, 5, true, PlatooningLevel.Psf, 6), stamp),
            rsu.Send(new Spat(1, [new SignalGroupTimingEntry(1, SignalPhaseState.Red, 1, 20, 4, 50)]), stamp),
        ];
    }

    private uint? _keyId;

    private uint PlatoonKeyId()
    {
        if (_keyId is null)
        {
            using var key = GroupKey.Derive(_leaderSigner, PlatoonId, KeyGeneration);
            _keyId = key.Id;
        }

        return _keyId.Value;
    }

    private V2xStack NewReceiver()
    {
        var verifier = new V2xVerifier();
        verifier.AddRoot(_pki.Root);
        verifier.AddAuthority(_pki.Authority);
        var stack = new V2xStack(ReceiverStation, new V2xSigner(_receiver.Certificate, _receiverKey), verifier, new V2xStackOptions { EpochMs = EpochMs });
        stack.InstallGroupKey(GroupKey.Derive(_leaderSigner, PlatoonId, KeyGeneration));
        return stack;
    }

    private void ReceiveEnvelope(byte[] envelope, uint radioSender = LeaderStation, bool primed = false)
    {
        using var stack = NewReceiver();
        if (primed)
        {
            _primers ??= CreatePrimers();
            stack.Receive(_primers, ReceiveStampNs);
        }

        var received = stack.Receive([new V2xMessage(radioSender, ReceiveStampNs, envelope)], ReceiveStampNs);
        if (Strict && received.Count != 1)
        {
            throw new InvalidOperationException($"strict: the envelope was not accepted ({string.Join(", ", stack.DropCounts.Select(d => d.Key))})");
        }

        foreach (var message in received)
        {
            _ = message.Body.MessageType;
        }
    }

    public void Dispose()
    {
        _leaderSigner.Dispose();
        _roadsideSigner.Dispose();
        _receiverKey.Dispose();
        _pki.Dispose();
    }
}
