using AutomationStack.Platooning.Security;

namespace AutomationStack.Platooning.Security.Tests;

internal sealed class SimulationPkiIntersectionTests
{
    private const ulong Epoch = 1_767_225_600_000;

    [Test]
    public void Constructor_WithoutIntersections_AuthoritiesKeepPlatooningPermissionsAndNoRsuTickets()
    {
        using var pki = new SimulationPki(42, Epoch);

        Assert.That(pki.Root.Permissions, Is.EqualTo(V2xPermissions.PlatooningAuthority));
        Assert.That(pki.Authority.Permissions, Is.EqualTo(V2xPermissions.PlatooningAuthority));
        Assert.That(pki.For(1).Certificate.Permissions, Is.EqualTo(V2xPermissions.Platooning));
        Assert.Throws<InvalidOperationException>(() => pki.ForRoadsideUnit(1001));
    }

    [Test]
    public void ForRoadsideUnit_WithIntersections_TicketSendsSpatMapResponsesOnly()
    {
        using var pki = new SimulationPki(42, Epoch, intersections: true);

        var rsu = pki.ForRoadsideUnit(1001);

        Assert.That(rsu.Certificate.Permissions, Is.EqualTo(V2xPermissions.SendSpat | V2xPermissions.SendMap | V2xPermissions.SendSignalResponse));
        Assert.That(rsu.Certificate.StationId, Is.EqualTo(1001u));
        Assert.That(pki.For(1).Certificate.Permissions, Is.EqualTo(V2xPermissions.Platooning | V2xPermissions.SendSignalRequest));
        Assert.That(pki.Root.Permissions, Is.EqualTo(V2xPermissions.All));
    }

    [Test]
    public void ForRoadsideUnit_SameSeed_ByteIdenticalCredentials()
    {
        using var a = new SimulationPki(7, Epoch, intersections: true);
        using var b = new SimulationPki(7, Epoch, intersections: true);
        using var c = new SimulationPki(8, Epoch, intersections: true);

        Assert.That(a.ForRoadsideUnit(1001).Certificate.Encoded.ToArray(), Is.EqualTo(b.ForRoadsideUnit(1001).Certificate.Encoded.ToArray()));
        Assert.That(a.ForRoadsideUnit(1001).PrivateKeyPkcs8, Is.EqualTo(b.ForRoadsideUnit(1001).PrivateKeyPkcs8));
        Assert.That(a.ForRoadsideUnit(1001).Certificate.Encoded.ToArray(), Is.Not.EqualTo(c.ForRoadsideUnit(1001).Certificate.Encoded.ToArray()));
        Assert.That(a.ForRoadsideUnit(1001).Certificate.PublicKey.ToArray(), Is.Not.EqualTo(a.For(1001).Certificate.PublicKey.ToArray()), "an RSU's key is not a truck's");
    }

    [Test]
    public void Decode_CertificateRoundTrip_KeepsNewPermissionBits()
    {
        using var pki = new SimulationPki(42, Epoch, intersections: true);
        var encoded = pki.ForRoadsideUnit(1001).Certificate.Encoded.ToArray();

        Assert.That(V2xCertificate.Decode(encoded).Permissions, Is.EqualTo(V2xPermissions.RoadsideUnit));
    }
}
