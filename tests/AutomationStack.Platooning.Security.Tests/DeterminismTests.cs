using System.Security.Cryptography;
using AutomationStack.Platooning.Protocol;

namespace AutomationStack.Platooning.Security.Tests;

/// <summary>Reproducible simulation logs need byte-identical envelopes and certificates for the same inputs.</summary>
internal sealed class DeterminismTests
{
    [Test]
    public void Sign_SameKeyAndMessageTwice_ByteIdenticalEnvelopesThatVerify()
    {
        using var pki = new Pki();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var at = V2xCertificate.Issue(pki.Aa, pki.AaKey, CertificateKind.At, "station 1", Pki.From, Pki.To, V2xPermissions.Platooning, 1, key);
        using var first = new V2xSigner(at, key);
        using var second = new V2xSigner(at, key);
        using var verifier = pki.NewVerifier();
        var message = Pki.Pcm(1, 1);

        var a = first.Sign(message, includeCertificate: true, encryptWith: null);
        var b = second.Sign(message, includeCertificate: true, encryptWith: null);

        Assert.That(b, Is.EqualTo(a));
        Assert.That(verifier.Verify(a, Pki.Now, out _), Is.EqualTo(DropReason.None));
    }

    [Test]
    public void Issue_SameInputsTwice_ByteIdenticalCertificates()
    {
        using var pki = new Pki();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        var a = V2xCertificate.Issue(pki.Aa, pki.AaKey, CertificateKind.At, "station 1", Pki.From, Pki.To, V2xPermissions.Platooning, 1, key);
        var b = V2xCertificate.Issue(pki.Aa, pki.AaKey, CertificateKind.At, "station 1", Pki.From, Pki.To, V2xPermissions.Platooning, 1, key);

        Assert.That(b.Encode(), Is.EqualTo(a.Encode()));
    }

    [Test]
    public void Sign_EncryptedTwice_NoncesDifferAndBothDecrypt()
    {
        using var pki = new Pki();
        using var signer = pki.NewSigner(1);
        using var verifier = pki.NewVerifier();
        using var group = GroupKey.Create(9);
        verifier.AddGroupKey(group);

        var a = signer.Sign(Pki.Pcm(1, 1), includeCertificate: true, encryptWith: group);
        var b = signer.Sign(Pki.Pcm(1, 2), includeCertificate: true, encryptWith: group);

        Assert.That(verifier.Verify(a, Pki.Now, out _), Is.EqualTo(DropReason.None));
        Assert.That(verifier.Verify(b, Pki.Now, out _), Is.EqualTo(DropReason.None));
        var nonceA = a.AsSpan(a.Length - 64 - 16 - 27 - 2 - 12, 12).ToArray();
        var nonceB = b.AsSpan(b.Length - 64 - 16 - 27 - 2 - 12, 12).ToArray();
        Assert.That(nonceB, Is.Not.EqualTo(nonceA), "a GCM nonce is never reused under one key");
    }
}
