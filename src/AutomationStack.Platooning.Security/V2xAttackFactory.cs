using System.Security.Cryptography;
using AutomationStack.Platooning.Protocol;

namespace AutomationStack.Platooning.Security;

/// <summary>The V2V attacks a simulated attacker can mount (fault injection and security tests).</summary>
public enum V2xAttackKind
{
    /// <summary>A valid envelope whose signature bytes were altered.</summary>
    Forged,

    /// <summary>Signed under a root the receivers do not trust.</summary>
    UntrustedRoot,

    /// <summary>Signed with an authorisation ticket that expired.</summary>
    ExpiredCertificate,

    /// <summary>Signed with an authorisation ticket that may send PAMs only.</summary>
    MissingPermission,

    /// <summary>A valid ticket of the attacker's station, but the header claims another station.</summary>
    Impersonation,

    /// <summary>A captured genuine envelope sent again.</summary>
    Replay,

    /// <summary>Generation time 1 s in the past.</summary>
    Stale,

    /// <summary>Generation time 1 s in the future.</summary>
    FutureDated,

    /// <summary>An envelope cut short.</summary>
    Truncated,

    /// <summary>A valid envelope with one bit of the message flipped.</summary>
    BitFlipped,
}

/// <summary>
/// Makes malicious envelopes for a simulated attacker with station id <see cref="AttackerStationId"/>, using a run's
/// <see cref="SimulationPki"/> for the certificates an attacker could plausibly hold (an expired ticket, a ticket
/// without PCM permission, its own valid ticket) plus a rogue root. Deterministic: the same calls give the same bytes.
/// Only for simulation and tests.
/// </summary>
public sealed class V2xAttackFactory : IDisposable
{
    private const ulong OneSecond = 1000;
    private const ulong Day = 86_400_000;

    private readonly V2xSigner _valid;
    private readonly V2xSigner _expired;
    private readonly V2xSigner _pamOnly;
    private readonly V2xSigner _rogue;
    private uint _sequence;

    public V2xAttackFactory(SimulationPki pki, uint attackerStationId)
    {
        ArgumentNullException.ThrowIfNull(pki);
        AttackerStationId = attackerStationId;
        var credentials = pki.For(attackerStationId);
        using var key = ECDsa.Create();
        key.ImportPkcs8PrivateKey(credentials.PrivateKeyPkcs8, out _);
        _valid = new V2xSigner(credentials.Certificate, key);
        _expired = new V2xSigner(pki.IssueWithAuthority(attackerStationId, "expired", pki.ValidFromMs - (10 * Day), pki.ValidFromMs - Day, V2xPermissions.Platooning, key), key);
        _pamOnly = new V2xSigner(pki.IssueWithAuthority(attackerStationId, "pam-only", pki.ValidFromMs, pki.ValidToMs, V2xPermissions.SendPam, key), key);
        using var rogueRoot = pki.DeriveKey($"rogue-root-{attackerStationId}");
        using var rogueAa = pki.DeriveKey($"rogue-aa-{attackerStationId}");
        var root = V2xCertificate.CreateRoot("rogue root", rogueRoot, pki.ValidFromMs, pki.ValidToMs, V2xPermissions.All);
        var aa = V2xCertificate.Issue(root, rogueRoot, CertificateKind.Aa, "rogue aa", pki.ValidFromMs, pki.ValidToMs, V2xPermissions.All, 0, rogueAa);
        _rogue = new V2xSigner(V2xCertificate.Issue(aa, rogueAa, CertificateKind.At, "rogue at", pki.ValidFromMs, pki.ValidToMs, V2xPermissions.Platooning, attackerStationId, key), key);
    }

    public uint AttackerStationId { get; }

    /// <summary>
    /// An attack envelope of <paramref name="kind"/> carrying a PCM that, if it were believed, would make the platoon
    /// brake hard. <paramref name="captured"/> is a genuine envelope to replay (needed for <see cref="V2xAttackKind.Replay"/>
    /// only); <paramref name="victimStationId"/> is the station an impersonation claims to be.
    /// </summary>
    public byte[] Create(V2xAttackKind kind, ulong nowMs, uint victimStationId, ReadOnlySpan<byte> captured)
    {
        switch (kind)
        {
            case V2xAttackKind.Replay:
                if (captured.IsEmpty)
                {
                    throw new ArgumentException("a replay needs a captured envelope", nameof(captured));
                }

                return captured.ToArray();
            case V2xAttackKind.Forged:
            {
                var envelope = _valid.Sign(Pcm(AttackerStationId, nowMs), includeCertificate: true, encryptWith: null);
                envelope[^1] ^= 0x5A;
                envelope[^33] ^= 0xA5;
                return envelope;
            }

            case V2xAttackKind.UntrustedRoot:
                return _rogue.Sign(Pcm(AttackerStationId, nowMs), includeCertificate: true, encryptWith: null);
            case V2xAttackKind.ExpiredCertificate:
                return _expired.Sign(Pcm(AttackerStationId, nowMs), includeCertificate: true, encryptWith: null);
            case V2xAttackKind.MissingPermission:
                return _pamOnly.Sign(Pcm(AttackerStationId, nowMs), includeCertificate: true, encryptWith: null);
            case V2xAttackKind.Impersonation:
            {
                var message = Pcm(victimStationId, nowMs);
                var destination = new byte[_valid.GetEnvelopeSize(message.Length, includeCertificate: true, encrypted: false)];
                var written = _valid.SignCore(message, includeCertificate: true, encryptWith: null, destination, checkStationId: false);
                return destination[..written];
            }

            case V2xAttackKind.Stale:
                return _valid.Sign(Pcm(AttackerStationId, nowMs - OneSecond), includeCertificate: true, encryptWith: null);
            case V2xAttackKind.FutureDated:
                return _valid.Sign(Pcm(AttackerStationId, nowMs + OneSecond), includeCertificate: true, encryptWith: null);
            case V2xAttackKind.Truncated:
            {
                var envelope = _valid.Sign(Pcm(AttackerStationId, nowMs), includeCertificate: true, encryptWith: null);
                return envelope[..(envelope.Length / 2)];
            }

            case V2xAttackKind.BitFlipped:
            {
                var envelope = _valid.Sign(Pcm(AttackerStationId, nowMs), includeCertificate: true, encryptWith: null);
                envelope[envelope.Length - V2xEnvelope.SignatureSize - 10] ^= 0x04;
                return envelope;
            }

            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown attack");
        }
    }

    public void Dispose()
    {
        _valid.Dispose();
        _expired.Dispose();
        _pamOnly.Dispose();
        _rogue.Dispose();
    }

    /// <summary>A PCM claiming to be platoon 1's leader braking at 6 m/s².</summary>
    private byte[] Pcm(uint sender, ulong timeMs)
    {
        var pcm = new Pcm(1, 0, 0, 0, 0, 20, -6, -6, 1.4, 16.5, PcmStatus.Braking | PcmStatus.EmergencyBrake);
        return V2xCodec.Encode(new MessageHeader(V2xMessageType.Pcm, sender, timeMs, ++_sequence), pcm);
    }
}
