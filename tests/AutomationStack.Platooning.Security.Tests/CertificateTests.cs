using System.Security.Cryptography;
using AutomationStack.Platooning.Protocol;

namespace AutomationStack.Platooning.Security.Tests;

internal sealed class CertificateTests
{
    [Test]
    public void EncodeDecode_AuthorisationTicket_RoundTrips()
    {
        using var pki = new Pki();
        using var signer = pki.NewSigner(42, V2xPermissions.SendPcm | V2xPermissions.SendPam);
        var at = signer.Certificate;

        var decoded = V2xCertificate.Decode(at.Encode());

        Assert.Multiple(() =>
        {
            Assert.That(decoded.Kind, Is.EqualTo(CertificateKind.At));
            Assert.That(decoded.SubjectName, Is.EqualTo("station 42"));
            Assert.That(decoded.IssuerDigest, Is.EqualTo(pki.Aa.Digest));
            Assert.That(decoded.ValidFromMs, Is.EqualTo(Pki.From));
            Assert.That(decoded.ValidToMs, Is.EqualTo(Pki.To));
            Assert.That(decoded.Permissions, Is.EqualTo(V2xPermissions.SendPcm | V2xPermissions.SendPam));
            Assert.That(decoded.StationId, Is.EqualTo(42u));
            Assert.That(decoded.PublicKey.ToArray(), Is.EqualTo(at.PublicKey.ToArray()));
            Assert.That(decoded.Digest, Is.EqualTo(at.Digest));
            Assert.That(decoded.Encoded.Length, Is.LessThanOrEqualTo(V2xCertificate.MaxEncodedSize));
            Assert.That(pki.Root.IssuerDigest, Is.EqualTo(HashedId8.Self));
        });
    }

    [Test]
    public void Decode_TruncatedAtEveryLength_ThrowsDecodeException()
    {
        using var pki = new Pki();
        var encoded = pki.Aa.Encode();

        for (var length = 0; length < encoded.Length; length++)
        {
            Assert.Throws<V2xDecodeException>(() => V2xCertificate.Decode(encoded.AsSpan(0, length)), $"length {length}");
        }
    }

    [Test]
    public void Decode_TrailingByte_ThrowsNamingCertificate()
    {
        using var pki = new Pki();

        var ex = Assert.Throws<V2xDecodeException>(() => V2xCertificate.Decode([.. pki.Aa.Encode(), 0]));
        Assert.That(ex!.Field, Is.EqualTo("certificate"));
    }

    [TestCase(0, (byte)2, "certificate.version")]
    [TestCase(1, (byte)9, "certificate.kind")]
    [TestCase(2, (byte)33, "certificate.subject")]
    public void Decode_BadField_ThrowsNamingField(int offset, byte value, string field)
    {
        using var pki = new Pki();
        var encoded = pki.Aa.Encode();
        encoded[offset] = value;

        var ex = Assert.Throws<V2xDecodeException>(() => V2xCertificate.Decode(encoded));
        Assert.That(ex!.Field, Is.EqualTo(field));
    }

    [Test]
    public void Decode_RootWithNonZeroIssuer_ThrowsNamingIssuer()
    {
        using var pki = new Pki();
        var encoded = pki.Root.Encode();
        var issuerOffset = 3 + encoded[2];
        encoded[issuerOffset] = 1;

        var ex = Assert.Throws<V2xDecodeException>(() => V2xCertificate.Decode(encoded));
        Assert.That(ex!.Field, Is.EqualTo("certificate.issuer"));
    }

    [Test]
    public void Issue_IssuerKeyMismatch_Throws()
    {
        using var pki = new Pki();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        Assert.Throws<ArgumentException>(() => V2xCertificate.Issue(pki.Aa, key, CertificateKind.At, "x", Pki.From, Pki.To, V2xPermissions.SendPcm, 1, key));
    }

    [Test]
    public void AddRoot_TamperedSelfSignature_Throws()
    {
        using var pki = new Pki();
        var encoded = pki.Root.Encode();
        encoded[^1] ^= 1;
        using var verifier = new V2xVerifier();

        Assert.Throws<ArgumentException>(() => verifier.AddRoot(V2xCertificate.Decode(encoded)));
    }
}
