using System.Security.Cryptography;

namespace AutomationStack.Platooning.Security.Tests;

internal sealed class SimulationPkiTests
{
    private const ulong Epoch = 1_767_225_600_000;

    [Test]
    public void Create_SameSeed_ByteIdenticalCertificatesAndKeys()
    {
        using var a = new SimulationPki(42, Epoch);
        using var b = new SimulationPki(42, Epoch);

        Assert.That(b.Root.Encode(), Is.EqualTo(a.Root.Encode()));
        Assert.That(b.Authority.Encode(), Is.EqualTo(a.Authority.Encode()));
        Assert.That(b.For(3).Certificate.Encode(), Is.EqualTo(a.For(3).Certificate.Encode()));
        Assert.That(b.For(3).PrivateKeyPkcs8, Is.EqualTo(a.For(3).PrivateKeyPkcs8));
    }

    [Test]
    public void Create_DifferentSeed_DifferentKeys()
    {
        using var a = new SimulationPki(42, Epoch);
        using var b = new SimulationPki(43, Epoch);

        Assert.That(b.Root.PublicKey.ToArray(), Is.Not.EqualTo(a.Root.PublicKey.ToArray()));
        Assert.That(b.For(1).PrivateKeyPkcs8, Is.Not.EqualTo(a.For(1).PrivateKeyPkcs8));
    }

    [Test]
    public void For_Station_SignsMessagesAnotherStationVerifies()
    {
        using var pki = new SimulationPki(7, Epoch);
        var credentials = pki.For(2);
        using var key = ECDsa.Create();
        key.ImportPkcs8PrivateKey(credentials.PrivateKeyPkcs8, out _);
        using var signer = new V2xSigner(credentials.Certificate, key);
        using var verifier = new V2xVerifier();
        verifier.AddRoot(pki.Root);
        verifier.AddAuthority(pki.Authority);

        var envelope = signer.Sign(Pki.Pcm(2, 1, Epoch + 1000), includeCertificate: true, encryptWith: null);

        Assert.That(verifier.Verify(envelope, Epoch + 1010, out _), Is.EqualTo(DropReason.None));
        Assert.That(credentials.Certificate.StationId, Is.EqualTo(2u));
        Assert.That(credentials.ToString(), Does.Contain("withheld").And.Not.Contain(Convert.ToHexString(credentials.PrivateKeyPkcs8)[..16]));
    }
}
