using System.Security.Cryptography;
using AutomationStack.Platooning.Protocol;

namespace AutomationStack.Platooning.Security.Tests;

internal sealed class VerifierTests
{
    private Pki _pki = null!;
    private V2xSigner _signer = null!;
    private V2xVerifier _verifier = null!;
    private List<V2xDrop> _drops = null!;

    [SetUp]
    public void SetUp()
    {
        _pki = new Pki();
        _signer = _pki.NewSigner(1);
        _drops = [];
        _verifier = _pki.NewVerifier(_drops.Add);
    }

    [TearDown]
    public void TearDown()
    {
        _verifier.Dispose();
        _signer.Dispose();
        _pki.Dispose();
    }

    private void AssertDropped(byte[] envelope, DropReason expected, ulong now = Pki.Now)
    {
        var before = _verifier.GetDropCount(expected);
        var reason = _verifier.Verify(envelope, now, out var result);
        Assert.Multiple(() =>
        {
            Assert.That(reason, Is.EqualTo(expected));
            Assert.That(result, Is.Null);
            Assert.That(_verifier.GetDropCount(expected), Is.EqualTo(before + 1));
            Assert.That(_verifier.DropCounts[expected], Is.EqualTo(before + 1));
            Assert.That(_drops[^1].Reason, Is.EqualTo(expected));
        });
    }

    [Test]
    public void Verify_ValidPcmWithCertificate_AcceptedWithHeaderAndMessage()
    {
        var message = Pki.Pcm(1, 5);
        var reason = _verifier.Verify(_signer.Sign(message, includeCertificate: true, null), Pki.Now, out var result);

        Assert.Multiple(() =>
        {
            Assert.That(reason, Is.EqualTo(DropReason.None));
            Assert.That(result!.Header, Is.EqualTo(new MessageHeader(V2xMessageType.Pcm, 1, Pki.Now, 5)));
            Assert.That(result.Message.ToArray(), Is.EqualTo(message));
            Assert.That(result.Signer.Digest, Is.EqualTo(_signer.Certificate.Digest));
            Assert.That(result.WasEncrypted, Is.False);
            Assert.That(_verifier.AcceptedCount, Is.EqualTo(1));
            Assert.That(_verifier.CachedSignerCount, Is.EqualTo(1));
            Assert.That(_drops, Is.Empty);
        });
    }

    [Test]
    public void Verify_SpanOverload_SameEnvelopeLength()
    {
        var message = Pki.Pcm(1, 1);
        var buffer = new byte[512];
        var length = _signer.Sign(message, includeCertificate: false, null, buffer);

        Assert.That(length, Is.EqualTo(_signer.GetEnvelopeSize(message.Length, false, false)));
    }

    [Test]
    public void Verify_UnknownSignerThenCertificateIncluded_DroppedThenAccepted()
    {
        AssertDropped(_signer.Sign(Pki.Pcm(1, 1), includeCertificate: false, null), DropReason.UnknownSigner);

        Assert.That(_verifier.Verify(_signer.Sign(Pki.Pcm(1, 2), includeCertificate: true, null), Pki.Now, out _), Is.EqualTo(DropReason.None));
        Assert.That(_verifier.Verify(_signer.Sign(Pki.Pcm(1, 3), includeCertificate: false, null), Pki.Now, out _), Is.EqualTo(DropReason.None));
    }

    [Test]
    public void Verify_ForgedSignature_BadSignature()
    {
        var envelope = _signer.Sign(Pki.Pcm(1, 1), includeCertificate: true, null);
        RandomNumberGenerator.Fill(envelope.AsSpan(envelope.Length - 64));

        AssertDropped(envelope, DropReason.BadSignature);
    }

    [Test]
    public void Verify_SignedByAnotherKeyUnderSameDigest_BadSignature()
    {
        using var forger = _pki.NewSigner(1);
        var genuine = _signer.Sign(Pki.Pcm(1, 1), includeCertificate: true, null);
        var forged = forger.Sign(Pki.Pcm(1, 2), includeCertificate: false, null);
        _signer.Certificate.Digest.WriteTo(forged.AsSpan(2, 8));
        Assert.That(_verifier.Verify(genuine, Pki.Now, out _), Is.EqualTo(DropReason.None));

        AssertDropped(forged, DropReason.BadSignature);
    }

    [Test]
    public void Verify_BitFlipInPayload_BadSignature()
    {
        var envelope = _signer.Sign(Pki.Pcm(1, 1), includeCertificate: true, null);
        envelope[envelope.Length - 64 - 3] ^= 0x10;

        AssertDropped(envelope, DropReason.BadSignature);
    }

    [Test]
    public void Verify_UntrustedRoot_UntrustedChain()
    {
        using var other = new Pki();
        using var stranger = other.NewSigner(1);

        AssertDropped(stranger.Sign(Pki.Pcm(1, 1), includeCertificate: true, null), DropReason.UntrustedChain);
    }

    [Test]
    public void Verify_ChainLongerThanThreeLinks_UntrustedChain()
    {
        using var subKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var subAa = V2xCertificate.Issue(_pki.Aa, _pki.AaKey, CertificateKind.Aa, "sub aa", Pki.From, Pki.To, V2xPermissions.All, 0, subKey);
        _verifier.AddAuthority(subAa);
        using var deep = _pki.NewSigner(1, issuer: subAa, issuerKey: subKey);

        AssertDropped(deep.Sign(Pki.Pcm(1, 1), includeCertificate: true, null), DropReason.UntrustedChain);
    }

    [Test]
    public void Verify_ExpiredCertificate_CertificateExpired()
    {
        using var old = _pki.NewSigner(1, from: Pki.From, to: Pki.Now - 1);

        AssertDropped(old.Sign(Pki.Pcm(1, 1), includeCertificate: true, null), DropReason.CertificateExpired);
    }

    [Test]
    public void Verify_CachedCertificateLaterExpired_CertificateExpired()
    {
        using var shortLived = _pki.NewSigner(1, from: Pki.From, to: Pki.Now + 1000);
        Assert.That(_verifier.Verify(shortLived.Sign(Pki.Pcm(1, 1), true, null), Pki.Now, out _), Is.EqualTo(DropReason.None));

        AssertDropped(shortLived.Sign(Pki.Pcm(1, 2, Pki.Now + 2000), false, null), DropReason.CertificateExpired, Pki.Now + 2000);
    }

    [Test]
    public void Verify_NotYetValidCertificate_CertificateNotYetValid()
    {
        using var early = _pki.NewSigner(1, from: Pki.Now + 10_000, to: Pki.To);

        AssertDropped(early.Sign(Pki.Pcm(1, 1), includeCertificate: true, null), DropReason.CertificateNotYetValid);
    }

    [Test]
    public void Verify_AtWithoutSendPcmSendingPcm_MissingPermission()
    {
        using var pamOnly = _pki.NewSigner(1, V2xPermissions.SendPam);

        AssertDropped(pamOnly.Sign(Pki.Pcm(1, 1), includeCertificate: true, null), DropReason.MissingPermission);
        Assert.That(_verifier.Verify(pamOnly.Sign(Pki.Message(V2xMessageType.Pam, 1, Pki.Now, 1), true, null), Pki.Now, out _), Is.EqualTo(DropReason.None));
    }

    [Test]
    public void Verify_IssuerWithoutIssuePermission_MissingPermission()
    {
        using var aaKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var weakAa = V2xCertificate.Issue(_pki.Root, _pki.RootKey, CertificateKind.Aa, "weak aa", Pki.From, Pki.To, V2xPermissions.Platooning | V2xPermissions.IssueCertificates, 0, aaKey);
        _verifier.AddAuthority(weakAa);
        using var greedy = _pki.NewSigner(1, V2xPermissions.Platooning | V2xPermissions.SendSpat, issuer: weakAa, issuerKey: aaKey);

        AssertDropped(greedy.Sign(Pki.Pcm(1, 1), includeCertificate: true, null), DropReason.MissingPermission);
    }

    [Test]
    public void Verify_HeaderSenderIsAnotherStation_StationIdMismatch()
    {
        var buffer = new byte[512];
        var length = _signer.SignCore(Pki.Pcm(2, 1), includeCertificate: true, null, buffer, checkStationId: false);

        AssertDropped(buffer[..length], DropReason.StationIdMismatch);
        Assert.Throws<ArgumentException>(() => _signer.Sign(Pki.Pcm(2, 1), true, null));
    }

    [Test]
    public void Verify_SameEnvelopeTwice_Replay()
    {
        var envelope = _signer.Sign(Pki.Pcm(1, 7), includeCertificate: true, null);
        Assert.That(_verifier.Verify(envelope, Pki.Now, out _), Is.EqualTo(DropReason.None));

        AssertDropped(envelope, DropReason.Replay, Pki.Now + 10);
        AssertDropped(_signer.Sign(Pki.Pcm(1, 6), false, null), DropReason.Replay, Pki.Now + 10);
        Assert.That(_verifier.Verify(_signer.Sign(Pki.Pcm(1, 8), false, null), Pki.Now + 10, out _), Is.EqualTo(DropReason.None));
    }

    [Test]
    public void Verify_SequenceRestartAfterFreshnessWindow_Accepted()
    {
        Assert.That(_verifier.Verify(_signer.Sign(Pki.Pcm(1, 100), true, null), Pki.Now, out _), Is.EqualTo(DropReason.None));

        Assert.That(_verifier.Verify(_signer.Sign(Pki.Pcm(1, 0, Pki.Now + 501), false, null), Pki.Now + 501, out _), Is.EqualTo(DropReason.None));
    }

    [Test]
    public void Verify_ReplayStateIsPerMessageType_PamWithLowerSequenceAccepted()
    {
        Assert.That(_verifier.Verify(_signer.Sign(Pki.Pcm(1, 100), true, null), Pki.Now, out _), Is.EqualTo(DropReason.None));

        Assert.That(_verifier.Verify(_signer.Sign(Pki.Message(V2xMessageType.Pam, 1, Pki.Now, 1), false, null), Pki.Now, out _), Is.EqualTo(DropReason.None));
    }

    [Test]
    public void Verify_RejectedMessage_DoesNotUpdateReplayState()
    {
        var good = _signer.Sign(Pki.Pcm(1, 9), includeCertificate: true, null);
        var bad = (byte[])good.Clone();
        bad[^1] ^= 1;
        AssertDropped(bad, DropReason.BadSignature);

        Assert.That(_verifier.Verify(good, Pki.Now, out _), Is.EqualTo(DropReason.None));
    }

    [TestCase(V2xMessageType.Pcm, 501UL)]
    [TestCase(V2xMessageType.Pam, 2001UL)]
    [TestCase(V2xMessageType.Pmm, 2001UL)]
    public void Verify_OlderThanTypeLimit_Stale(V2xMessageType type, ulong age)
    {
        var envelope = _signer.Sign(Pki.Message(type, 1, Pki.Now, 1), includeCertificate: true, null);
        Assert.That(_verifier.Verify(envelope, Pki.Now + age - 1, out _), Is.EqualTo(DropReason.None));

        AssertDropped(_signer.Sign(Pki.Message(type, 1, Pki.Now, 2), false, null), DropReason.Stale, Pki.Now + age);
    }

    [Test]
    public void Verify_GeneratedMoreThan200MsAhead_FutureDated()
    {
        Assert.That(_verifier.Verify(_signer.Sign(Pki.Pcm(1, 1, Pki.Now + 200), true, null), Pki.Now, out _), Is.EqualTo(DropReason.None));

        AssertDropped(_signer.Sign(Pki.Pcm(1, 2, Pki.Now + 201), true, null), DropReason.FutureDated);
    }

    [TestCase(true, false)]
    [TestCase(false, false)]
    [TestCase(true, true)]
    public void Verify_TruncatedAtEveryLength_Malformed(bool includeCertificate, bool encrypted)
    {
        using var key = GroupKey.Create(3);
        _verifier.AddGroupKey(key);
        var envelope = _signer.Sign(Pki.Pcm(1, 1), includeCertificate, encrypted ? key : null);

        for (var length = 0; length < envelope.Length; length++)
        {
            Assert.That(_verifier.Verify(envelope.AsSpan(0, length), Pki.Now, out _), Is.EqualTo(DropReason.Malformed), $"length {length}");
        }

        Assert.That(_verifier.GetDropCount(DropReason.Malformed), Is.EqualTo(envelope.Length));
    }

    [Test]
    public void Verify_TrailingBytes_Malformed()
    {
        var envelope = _signer.Sign(Pki.Pcm(1, 1), includeCertificate: true, null);

        AssertDropped([.. envelope, 0], DropReason.Malformed);
    }

    [Test]
    public void Verify_RandomGarbage_NeverAccepted()
    {
        var random = new Random(42);
        for (var i = 0; i < 200; i++)
        {
            var garbage = new byte[random.Next(1, 300)];
            random.NextBytes(garbage);
            garbage[0] = V2xEnvelope.Version;

            Assert.That(_verifier.Verify(garbage, Pki.Now, out _), Is.Not.EqualTo(DropReason.None));
        }

        Assert.That(_verifier.AcceptedCount, Is.Zero);
    }

    [Test]
    public void Verify_UnknownFlagBits_Malformed()
    {
        var envelope = _signer.Sign(Pki.Pcm(1, 1), includeCertificate: true, null);
        envelope[1] |= 0x80;

        AssertDropped(envelope, DropReason.Malformed);
    }

    [Test]
    public void Verify_OtherEnvelopeVersion_UnsupportedVersion()
    {
        var envelope = _signer.Sign(Pki.Pcm(1, 1), includeCertificate: true, null);
        envelope[0] = 2;

        AssertDropped(envelope, DropReason.UnsupportedVersion);
    }

    [Test]
    public void Verify_IncludedCertificateDoesNotMatchDigest_Malformed()
    {
        using var other = _pki.NewSigner(1);
        var envelope = _signer.Sign(Pki.Pcm(1, 1), includeCertificate: true, null);
        other.Certificate.Digest.WriteTo(envelope.AsSpan(2, 8));

        AssertDropped(envelope, DropReason.Malformed);
    }

    [Test]
    public void Verify_EncryptedRoundTrip_AcceptedWithPlaintext()
    {
        using var key = GroupKey.Create(77);
        _verifier.AddGroupKey(key);
        var message = Pki.Pcm(1, 1);
        var envelope = _signer.Sign(message, includeCertificate: true, key);

        Assert.That(envelope.AsSpan().IndexOf(message.AsSpan(MessageHeader.Size)), Is.EqualTo(-1), "body must not be in clear");
        Assert.That(_verifier.Verify(envelope, Pki.Now, out var result), Is.EqualTo(DropReason.None));
        Assert.That(result!.Message.ToArray(), Is.EqualTo(message));
        Assert.That(result.WasEncrypted, Is.True);
    }

    [Test]
    public void Verify_EncryptedWithUnknownKeyId_UnknownGroupKey()
    {
        using var key = GroupKey.Create(77);

        AssertDropped(_signer.Sign(Pki.Pcm(1, 1), includeCertificate: true, key), DropReason.UnknownGroupKey);
    }

    [Test]
    public void Verify_EncryptedWithDifferentKeyUnderSameId_DecryptionFailed()
    {
        using var senderKey = GroupKey.Create(77);
        using var receiverKey = GroupKey.Create(77);
        _verifier.AddGroupKey(receiverKey);
        var envelope = _signer.Sign(Pki.Pcm(1, 1), includeCertificate: true, senderKey);

        AssertDropped(envelope, DropReason.DecryptionFailed);
        _verifier.AddGroupKey(senderKey);
        Assert.That(_verifier.Verify(envelope, Pki.Now, out _), Is.EqualTo(DropReason.None), "the failed attempt did not update the replay state");
    }

    [Test]
    public void Verify_Drop_ReportsReasonAndSender()
    {
        using var pamOnly = _pki.NewSigner(4, V2xPermissions.SendPam);
        _verifier.Verify(pamOnly.Sign(Pki.Pcm(4, 1), true, null), Pki.Now, out _);

        Assert.That(_drops, Has.Count.EqualTo(1));
        Assert.That(_drops[0].SenderStationId, Is.EqualTo(4u));
        Assert.That(_drops[0].Signer, Is.EqualTo(pamOnly.Certificate.Digest));
    }
}
