using System.Security.Cryptography;
using AutomationStack.Platooning.Protocol;

namespace AutomationStack.Platooning.Security.Tests;

internal sealed class V2xAttackFactoryTests
{
    private const ulong Epoch = 1_767_225_600_000;
    private const ulong Now = Epoch + 60_000;

    [TestCase(V2xAttackKind.Forged, DropReason.BadSignature)]
    [TestCase(V2xAttackKind.UntrustedRoot, DropReason.UntrustedChain)]
    [TestCase(V2xAttackKind.ExpiredCertificate, DropReason.CertificateExpired)]
    [TestCase(V2xAttackKind.MissingPermission, DropReason.MissingPermission)]
    [TestCase(V2xAttackKind.Impersonation, DropReason.StationIdMismatch)]
    [TestCase(V2xAttackKind.Stale, DropReason.Stale)]
    [TestCase(V2xAttackKind.FutureDated, DropReason.FutureDated)]
    [TestCase(V2xAttackKind.Truncated, DropReason.Malformed)]
    [TestCase(V2xAttackKind.BitFlipped, DropReason.BadSignature)]
    public void Create_Attack_DroppedWithExpectedReason(V2xAttackKind kind, DropReason expected)
    {
        using var pki = new SimulationPki(5, Epoch);
        using var attacker = new V2xAttackFactory(pki, 99);
        using var verifier = Verifier(pki);

        var envelope = attacker.Create(kind, Now, victimStationId: 1, captured: default);

        Assert.That(verifier.Verify(envelope, Now, out var accepted), Is.EqualTo(expected));
        Assert.That(accepted, Is.Null);
    }

    [Test]
    public void Create_ReplayOfCapturedGenuinePcm_DroppedAsReplay()
    {
        using var pki = new SimulationPki(5, Epoch);
        using var attacker = new V2xAttackFactory(pki, 99);
        using var verifier = Verifier(pki);
        var station = pki.For(1);
        using var key = ECDsa.Create();
        key.ImportPkcs8PrivateKey(station.PrivateKeyPkcs8, out _);
        using var genuine = new V2xSigner(station.Certificate, key);
        var pcm = V2xCodec.Encode(new MessageHeader(V2xMessageType.Pcm, 1, Now, 1), new Pcm(1, 0, 0, 0, 0, 20, 0, 0, 1.4, 16.5, PcmStatus.None));
        var captured = genuine.Sign(pcm, includeCertificate: true, encryptWith: null);
        Assert.That(verifier.Verify(captured, Now, out _), Is.EqualTo(DropReason.None));

        var replay = attacker.Create(V2xAttackKind.Replay, Now + 100, 1, captured);

        Assert.That(verifier.Verify(replay, Now + 100, out _), Is.EqualTo(DropReason.Replay));
    }

    private static V2xVerifier Verifier(SimulationPki pki)
    {
        var verifier = new V2xVerifier();
        verifier.AddRoot(pki.Root);
        verifier.AddAuthority(pki.Authority);
        return verifier;
    }
}
