using System.Security.Cryptography;
using AutomationStack.Contracts;
using AutomationStack.Platooning.Protocol;
using AutomationStack.Platooning.Security;

namespace AutomationStack.Vehicle.V2x.Tests;

internal sealed class V2xStackTests
{
    private const ulong Epoch = 1_767_225_600_000;

    private ECDsa _rootKey = null!;
    private ECDsa _aaKey = null!;
    private V2xCertificate _root = null!;
    private V2xCertificate _aa = null!;

    [SetUp]
    public void SetUp()
    {
        _rootKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        _aaKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        _root = V2xCertificate.CreateRoot("root", _rootKey, Epoch - 1000, Epoch + 86_400_000, V2xPermissions.All);
        _aa = V2xCertificate.Issue(_root, _rootKey, CertificateKind.Aa, "aa", Epoch - 1000, Epoch + 86_400_000, V2xPermissions.All, 0, _aaKey);
    }

    [TearDown]
    public void TearDown()
    {
        _rootKey.Dispose();
        _aaKey.Dispose();
    }

    [Test]
    public void SendReceive_Pcm_ArrivesDecodedWithHeader()
    {
        using var a = Stack(1);
        using var b = Stack(2);
        var pcm = SamplePcm();

        var sent = a.Send(pcm, 20_000_000);
        var received = b.Receive([sent], 40_000_000);

        Assert.That(received, Has.Count.EqualTo(1));
        Assert.That(received[0].Header, Is.EqualTo(new MessageHeader(V2xMessageType.Pcm, 1, Epoch + 20, 1)));
        Assert.That(received[0].Body, Is.EqualTo(pcm));
        Assert.That(b.Accepted, Is.EqualTo(1));
        Assert.That(a.SentCount(V2xMessageType.Pcm), Is.EqualTo(1));
    }

    [Test]
    public void Receive_SameEnvelopeTwice_SecondDroppedAsReplay()
    {
        using var a = Stack(1);
        using var b = Stack(2);
        var sent = a.Send(SamplePcm(), 0);

        b.Receive([sent], 10_000_000);
        var again = b.Receive([sent], 20_000_000);

        Assert.That(again, Is.Empty);
        Assert.That(b.DropCounts, Does.ContainKey(nameof(DropReason.Replay)));
    }

    [Test]
    public void Receive_OwnEcho_IgnoredWithoutCounting()
    {
        using var a = Stack(1);
        var sent = a.Send(SamplePcm(), 0);

        Assert.That(a.Receive([sent], 10_000_000), Is.Empty);
        Assert.That(a.DropCounts, Is.Empty);
    }

    [Test]
    public void Send_CertificateIncludedFirstThenOncePerSecond_ReceiverMissingFirstDropsUntilNextCertificate()
    {
        using var a = Stack(1);
        using var b = Stack(2);
        var first = a.Send(SamplePcm(), 0);              // with certificate
        var second = a.Send(SamplePcm(), 50_000_000);    // digest only
        var later = a.Send(SamplePcm(), 1_000_000_000);  // certificate again

        Assert.That(first.Payload.Length, Is.GreaterThan(second.Payload.Length));
        Assert.That(later.Payload.Length, Is.EqualTo(first.Payload.Length));
        Assert.That(b.Receive([second], 60_000_000), Is.Empty, "the first (with the certificate) was lost");
        Assert.That(b.DropCounts[nameof(DropReason.UnknownSigner)], Is.EqualTo(1));
        Assert.That(b.Receive([later], 1_010_000_000), Has.Count.EqualTo(1));
    }

    [Test]
    public void Send_Pmm_AlwaysCarriesCertificate()
    {
        using var a = Stack(1);
        var pcm = a.Send(SamplePcm(), 0);
        var pmm = a.Send(new Pmm(2, 7, new Ack(5, AckResult.Accepted)), 10_000_000);
        var pcm2 = a.Send(SamplePcm(), 20_000_000);

        Assert.That(pmm.Payload.Length - pcm2.Payload.Length, Is.GreaterThan(V2xCertificate.PublicKeySize));
        Assert.That(pcm.Payload.Length, Is.GreaterThan(pcm2.Payload.Length));
    }

    [Test]
    public void Receive_BitFlippedEnvelope_DroppedAndCounted()
    {
        using var a = Stack(1);
        using var b = Stack(2);
        var sent = a.Send(SamplePcm(), 0).Payload.ToArray();
        sent[^70] ^= 0x01;

        Assert.That(b.Receive([new V2xMessage(1, 0, sent)], 10_000_000), Is.Empty);
        Assert.That(b.DropCounts.Values.Sum(), Is.EqualTo(1));
    }

    [Test]
    public void Send_WithGroupKey_PcmEncryptedAndMemberDecrypts()
    {
        using var leader = Stack(1);
        using var member = Stack(2);
        using var outsider = Stack(3);
        var pam = new Pam(7, PlatoonRole.Leader, 0, 0, 0, 20, null, 2, 5, true, PlatooningLevel.Psf, 6);
        var leaderPam = leader.Send(pam, 0);                     // certificates travel in clear messages
        member.Receive([leaderPam], 1_000_000);
        outsider.Receive([leaderPam], 1_000_000);
        leader.Receive([member.Send(pam, 0)], 1_000_000);
        var key = leader.IssueGroupKey(7, 1);
        var wrapped = leader.WrapGroupKey(key, 2);
        leader.InstallGroupKey(key);
        member.InstallGroupKey(member.UnwrapGroupKey(wrapped!, out var error)!);

        var sent = leader.Send(SamplePcm(), 100_000_000);

        Assert.That(error, Is.Null);
        Assert.That(member.Receive([sent], 110_000_000), Has.Count.EqualTo(1));
        Assert.That(member.EncryptedAccepted, Is.EqualTo(1));
        Assert.That(leader.EncryptedSent, Is.EqualTo(1));
        Assert.That(outsider.Receive([sent], 110_000_000), Is.Empty);
        Assert.That(outsider.DropCounts, Does.ContainKey(nameof(DropReason.UnknownGroupKey)));
    }

    [Test]
    public void Send_WithGroupKey_PamAndPmmStayClearAndPcmCarriesNoCertificate()
    {
        using var a = Stack(1);
        a.InstallGroupKey(a.IssueGroupKey(7, 1));
        var pcm = a.Send(SamplePcm(), 0).Payload.ToArray();
        var clearPcm = Stack(4).Send(SamplePcm(), 0).Payload.ToArray();
        a.StopEncrypting();
        var afterStop = a.Send(SamplePcm(), 50_000_000).Payload.ToArray();

        // Envelope flags byte (after the version): bit 0 certificate included, bit 1 encrypted.
        Assert.That(pcm[1] & 0b11, Is.EqualTo(0b10));
        Assert.That(clearPcm[1] & 0b11, Is.EqualTo(0b01));
        Assert.That(afterStop[1] & 0b10, Is.Zero);
    }

    [Test]
    public void WrapGroupKey_StationNeverHeard_Null()
    {
        using var a = Stack(1);
        using var key = a.IssueGroupKey(7, 1);

        Assert.That(a.WrapGroupKey(key, 99), Is.Null);
    }

    [Test]
    public void UnwrapGroupKey_AddressedToAnotherStation_NullWithReason()
    {
        using var leader = Stack(1);
        using var member = Stack(2);
        using var other = Stack(3);
        leader.Receive([member.Send(SamplePcm(), 0)], 1_000_000);
        using var key = leader.IssueGroupKey(7, 1);
        var wrapped = leader.WrapGroupKey(key, 2)!;

        Assert.That(other.UnwrapGroupKey(wrapped, out var error), Is.Null);
        Assert.That(error, Does.Contain("not addressed to this recipient"));
        Assert.That(member.UnwrapGroupKey(wrapped with { KeyId = wrapped.KeyId + 1 }, out error), Is.Null);
        Assert.That(error, Does.Contain("differs from the announced id"));
    }

    [Test]
    public void InstallGroupKey_MoreThanRing_OldestForgotten()
    {
        using var leader = Stack(1);
        using var member = Stack(2);
        member.Receive([leader.Send(SamplePcm(), 0)], 1_000_000);
        var first = leader.IssueGroupKey(7, 1);
        leader.InstallGroupKey(first);
        var oldPcm = leader.Send(SamplePcm(), 100_000_000);
        member.InstallGroupKey(leader.IssueGroupKey(7, 1));
        for (var generation = 2u; generation <= V2xStack.KeyRingSize + 1; generation++)
        {
            member.InstallGroupKey(leader.IssueGroupKey(7, generation));
        }

        Assert.That(member.KeysInstalled, Is.EqualTo(V2xStack.KeyRingSize + 1));
        Assert.That(member.Receive([oldPcm], 110_000_000), Is.Empty);
        Assert.That(member.DropCounts, Does.ContainKey(nameof(DropReason.UnknownGroupKey)));
    }

    [Test]
    public void Receive_FloodFromOneSender_BeyondItsBurstDroppedAsRateLimitedWithoutVerifying()
    {
        using var attacker = Stack(1);
        using var honest = Stack(3);
        using var b = Stack(2);
        // 200 messages in one frame from one radio sender (each its own valid PCM), one PCM from an honest truck.
        var flood = Enumerable.Range(0, 200).Select(i => attacker.Send(SamplePcm(), 20_000_000)).ToList();
        var frame = new List<V2xMessage>(flood) { honest.Send(SamplePcm(), 20_000_000) };

        var received = b.Receive(frame, 40_000_000);

        Assert.That(received.Count(r => r.Header.SenderStationId == 1), Is.EqualTo(30), "the default burst");
        Assert.That(received.Count(r => r.Header.SenderStationId == 3), Is.EqualTo(1), "the honest sender is not affected");
        Assert.That(b.DropCounts[V2xStack.RateLimited], Is.EqualTo(170));
        Assert.That(b.Accepted, Is.EqualTo(31), "rate-limited messages are never verified");
    }

    [Test]
    public void Receive_PcmAtTwentyHertzForAMinute_NeverRateLimited()
    {
        using var a = Stack(1);
        using var b = Stack(2);
        var accepted = 0;
        for (var k = 0; k < 1200; k++)
        {
            var stamp = k * 50_000_000L;
            accepted += b.Receive([a.Send(SamplePcm(), stamp)], stamp + 10_000_000).Count;
        }

        Assert.That(accepted, Is.EqualTo(1200));
        Assert.That(b.DropCounts, Does.Not.ContainKey(V2xStack.RateLimited));
    }

    [Test]
    public void Receive_FloodThenQuiet_SenderRecoversAtItsRate()
    {
        using var a = Stack(1);
        using var b = Stack(2);
        b.Receive([.. Enumerable.Range(0, 100).Select(_ => a.Send(SamplePcm(), 0))], 0);

        // One second later the bucket has refilled (60/s, capped at the burst of 30).
        var later = b.Receive([.. Enumerable.Range(0, 40).Select(_ => a.Send(SamplePcm(), 1_000_000_000))], 1_000_000_000);

        Assert.That(later, Has.Count.EqualTo(30));
    }

    private static Pcm SamplePcm() => new(7, 1, 1000.5, -20.25, 0.5, 22.2, -0.3, -0.25, 0.6, 16.5, PcmStatus.None);

    private V2xStack Stack(uint station)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var at = V2xCertificate.Issue(_aa, _aaKey, CertificateKind.At, $"station {station}", Epoch - 1000, Epoch + 86_400_000, V2xPermissions.Platooning, station, key);
        var verifier = new V2xVerifier();
        verifier.AddRoot(_root);
        verifier.AddAuthority(_aa);
        return new V2xStack(station, new V2xSigner(at, key), verifier);
    }
}
