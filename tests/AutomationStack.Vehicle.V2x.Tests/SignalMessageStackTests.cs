using AutomationStack.Platooning.Protocol;
using AutomationStack.Platooning.Security;

namespace AutomationStack.Vehicle.V2x.Tests;

internal sealed class SignalMessageStackTests
{
    private const ulong Epoch = 1_767_225_600_000;
    private const uint RsuStation = 1001;

    private static V2xStack Stack(SimulationPki pki, StationCredentials credentials)
    {
        var verifier = new V2xVerifier();
        verifier.AddRoot(pki.Root);
        verifier.AddAuthority(pki.Authority);
        using var key = System.Security.Cryptography.ECDsa.Create();
        key.ImportPkcs8PrivateKey(credentials.PrivateKeyPkcs8, out _);
        return new V2xStack(credentials.StationId, new V2xSigner(credentials.Certificate, key), verifier, new V2xStackOptions { EpochMs = Epoch });
    }

    private static Spat SampleSpat() => new(1, [new SignalGroupTimingEntry(1, SignalPhaseState.Green, 1, 20, 4, 50), new SignalGroupTimingEntry(2, SignalPhaseState.Red, 6, 25, 9, 30)]);

    [Test]
    public void Receive_SpatAndMapFromRoadsideUnit_DecodedAndCountedByType()
    {
        using var pki = new SimulationPki(42, Epoch, intersections: true);
        using var rsu = Stack(pki, pki.ForRoadsideUnit(RsuStation));
        using var truck = Stack(pki, pki.For(1));
        var map = new MapData(1, 1, 888, -10, [new MapSignalGroup(1, [new MapIngressLane("A1/0", 882, 882, -5.25, ["A1/0"])]), new MapSignalGroup(2, [new MapIngressLane("B1/0", 60, 897.75, -10, [])])]);

        var received = truck.Receive([rsu.Send(SampleSpat(), 100_000_000), rsu.Send(map, 100_000_000)], 120_000_000);

        Assert.That(received.Select(r => r.Body), Is.EqualTo(new V2xBody[] { SampleSpat(), map }));
        Assert.That(truck.ReceivedCount(V2xMessageType.Spat), Is.EqualTo(1));
        Assert.That(truck.ReceivedCount(V2xMessageType.Map), Is.EqualTo(1));
        Assert.That(rsu.SentCount(V2xMessageType.Spat), Is.EqualTo(1));
        Assert.That(truck.DropCounts, Is.Empty);
    }

    [Test]
    public void Send_SignalRequestFromTruck_RoadsideUnitVerifiesAndAnswers()
    {
        using var pki = new SimulationPki(42, Epoch, intersections: true);
        using var rsu = Stack(pki, pki.ForRoadsideUnit(RsuStation));
        using var truck = Stack(pki, pki.For(1));
        var request = new SignalRequest(1, 1, 1, "A1/0", 4, 9, 50, 3);

        var atRsu = rsu.Receive([truck.Send(request, 0)], 20_000_000);
        var answer = new SignalResponse(1, 1, 1, 1, SignalRequestOutcome.Granted, 9);
        var atTruck = truck.Receive([rsu.Send(answer, 30_000_000)], 50_000_000);

        Assert.That(atRsu.Single().Body, Is.EqualTo(request));
        Assert.That(atRsu.Single().Header.SenderStationId, Is.EqualTo(1u));
        Assert.That(atTruck.Single().Body, Is.EqualTo(answer));
        Assert.That(truck.ReceivedCount(V2xMessageType.SignalResponse), Is.EqualTo(1));
    }

    [Test]
    public void Receive_SpatSignedByTruckCertificate_DroppedMissingPermission()
    {
        using var pki = new SimulationPki(42, Epoch, intersections: true);
        using var fake = Stack(pki, pki.For(2));
        using var truck = Stack(pki, pki.For(1));

        var received = truck.Receive([fake.Send(SampleSpat(), 0)], 20_000_000);

        Assert.That(received, Is.Empty);
        Assert.That(truck.DropCounts, Is.EqualTo(new Dictionary<string, long> { [nameof(DropReason.MissingPermission)] = 1 }));
    }

    [Test]
    public void Receive_SignalRequestFromRoadsideUnitCertificate_DroppedMissingPermission()
    {
        using var pki = new SimulationPki(42, Epoch, intersections: true);
        using var rsu = Stack(pki, pki.ForRoadsideUnit(RsuStation));
        using var other = Stack(pki, pki.ForRoadsideUnit(RsuStation + 1));

        var received = other.Receive([rsu.Send(new SignalRequest(1, 1, 1, null, 1, 2, 3, 1), 0)], 20_000_000);

        Assert.That(received, Is.Empty);
        Assert.That(other.DropCounts[nameof(DropReason.MissingPermission)], Is.EqualTo(1));
    }

    [Test]
    public void Receive_SignalRequestFromTruckOfPkiWithoutIntersections_DroppedMissingPermission()
    {
        using var pki = new SimulationPki(42, Epoch);
        using var truck = Stack(pki, pki.For(1));
        using var other = Stack(pki, pki.For(2));

        var received = other.Receive([truck.Send(new SignalRequest(1, 1, 1, null, 1, 2, 3, 1), 0)], 20_000_000);

        Assert.That(received, Is.Empty);
        Assert.That(other.DropCounts[nameof(DropReason.MissingPermission)], Is.EqualTo(1));
    }
}
