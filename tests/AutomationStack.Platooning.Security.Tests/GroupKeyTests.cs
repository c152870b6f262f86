using System.Security.Cryptography;
using AutomationStack.Platooning.Protocol;

namespace AutomationStack.Platooning.Security.Tests;

internal sealed class GroupKeyTests
{
    [Test]
    public void WrapUnwrap_ToRecipient_RoundTrips()
    {
        using var pki = new Pki();
        using var recipient = pki.NewSigner(2);
        using var key = GroupKey.Create(9);

        var wrapped = KeyWrap.Wrap(key, recipient.Certificate);
        using var unwrapped = KeyWrap.Unwrap(wrapped, recipient);

        Assert.Multiple(() =>
        {
            Assert.That(wrapped, Has.Length.LessThanOrEqualTo(160));
            Assert.That(wrapped, Has.Length.EqualTo(KeyWrap.WrappedSize));
            Assert.That(unwrapped.Id, Is.EqualTo(9u));
            Assert.That(unwrapped.KeyBytes.ToArray(), Is.EqualTo(key.KeyBytes.ToArray()));
        });
    }

    [Test]
    public void Unwrap_WrongRecipient_ThrowsCryptographicException()
    {
        using var pki = new Pki();
        using var recipient = pki.NewSigner(2);
        using var other = pki.NewSigner(3);
        using var key = GroupKey.Create(9);
        var wrapped = KeyWrap.Wrap(key, recipient.Certificate);

        Assert.Throws<CryptographicException>(() => KeyWrap.Unwrap(wrapped, other));
    }

    [Test]
    public void Unwrap_TamperedKeyId_ThrowsCryptographicException()
    {
        using var pki = new Pki();
        using var recipient = pki.NewSigner(2);
        using var key = GroupKey.Create(9);
        var wrapped = KeyWrap.Wrap(key, recipient.Certificate);
        wrapped[4] ^= 1;

        Assert.Throws<CryptographicException>(() => KeyWrap.Unwrap(wrapped, recipient));
    }

    [Test]
    public void Unwrap_Truncated_ThrowsDecodeException()
    {
        using var pki = new Pki();
        using var recipient = pki.NewSigner(2);
        using var key = GroupKey.Create(9);
        var wrapped = KeyWrap.Wrap(key, recipient.Certificate);

        Assert.Throws<V2xDecodeException>(() => KeyWrap.Unwrap(wrapped.AsSpan(0, wrapped.Length - 1), recipient));
    }

    [Test]
    public void UnwrappedKey_DecryptsEnvelopeFromSender_Accepted()
    {
        using var pki = new Pki();
        using var leader = pki.NewSigner(1);
        using var follower = pki.NewSigner(2);
        using var key = GroupKey.Create(5);
        using var received = KeyWrap.Unwrap(KeyWrap.Wrap(key, follower.Certificate), follower);
        using var verifier = pki.NewVerifier();
        verifier.AddGroupKey(received);

        Assert.That(verifier.Verify(leader.Sign(Pki.Pcm(1, 1), true, key), Pki.Now, out _), Is.EqualTo(DropReason.None));
    }

    [Test]
    public void ToStringAndExceptions_NeverContainKeyMaterial()
    {
        using var pki = new Pki();
        using var signer = pki.NewSigner(2);
        using var other = pki.NewSigner(3);
        using var key = GroupKey.Create(0xABCD);
        var secrets = new List<byte[]> { key.KeyBytes.ToArray(), signer.PrivateKey.ExportParameters(true).D! };
        var texts = new List<string> { key.ToString(), signer.ToString(), signer.Certificate.ToString() };
        texts.Add(Assert.Throws<CryptographicException>(() => KeyWrap.Unwrap(KeyWrap.Wrap(key, signer.Certificate), other))!.ToString());
        texts.Add(Assert.Throws<ArgumentException>(() => _ = new GroupKey(1, secrets[0].AsSpan(0, 31)))!.ToString());
        texts.Add(Assert.Throws<ArgumentException>(() => signer.Sign(Pki.Pcm(9, 1), false, key))!.ToString());
        var drops = new List<V2xDrop>();
        using var verifier = pki.NewVerifier(drops.Add);
        using var wrong = GroupKey.Create(0xABCD);
        verifier.AddGroupKey(wrong);
        verifier.Verify(signer.Sign(Pki.Pcm(2, 1), true, key), Pki.Now, out _);
        texts.AddRange(drops.Select(d => d.ToString()));

        foreach (var secret in secrets)
        {
            var forms = new[]
            {
                Convert.ToHexString(secret), Convert.ToHexStringLower(secret), Convert.ToBase64String(secret),
                Convert.ToHexString(secret.AsSpan(0, 8)), Convert.ToHexStringLower(secret.AsSpan(0, 8)), Convert.ToBase64String(secret.AsSpan(0, 9)),
            };
            foreach (var text in texts)
            {
                foreach (var form in forms)
                {
                    Assert.That(text, Does.Not.Contain(form));
                }
            }
        }

        Assert.That(key.ToString(), Is.EqualTo("GroupKey(id=43981)"));
        Assert.That(drops.Single().Reason, Is.EqualTo(DropReason.DecryptionFailed));
    }

    [Test]
    public void Derive_SameLeaderPlatoonGeneration_SameKeyAndId()
    {
        using var pki = new Pki();
        using var leader = pki.NewSigner(1);
        using var a = GroupKey.Derive(leader, 7, 1);
        using var b = GroupKey.Derive(leader, 7, 1);

        Assert.That(a.Id, Is.EqualTo(b.Id));
        Assert.That(a.KeyBytes.ToArray(), Is.EqualTo(b.KeyBytes.ToArray()));
    }

    [Test]
    public void Derive_OtherGenerationPlatoonOrLeader_UnrelatedKeys()
    {
        using var pki = new Pki();
        using var leader = pki.NewSigner(1);
        using var other = pki.NewSigner(2);
        using var baseline = GroupKey.Derive(leader, 7, 1);
        using var nextGeneration = GroupKey.Derive(leader, 7, 2);
        using var otherPlatoon = GroupKey.Derive(leader, 8, 1);
        using var otherLeader = GroupKey.Derive(other, 7, 1);

        foreach (var key in new[] { nextGeneration, otherPlatoon, otherLeader })
        {
            Assert.That(key.KeyBytes.ToArray(), Is.Not.EqualTo(baseline.KeyBytes.ToArray()));
            Assert.That(key.Id, Is.Not.EqualTo(baseline.Id));
        }
    }

    [Test]
    public void WrapDeterministic_SameInputsTwice_ByteIdenticalAndUnwraps()
    {
        using var pki = new Pki();
        using var leader = pki.NewSigner(1);
        using var recipient = pki.NewSigner(2);
        using var key = GroupKey.Derive(leader, 7, 1);

        var first = KeyWrap.Wrap(key, recipient.Certificate, leader);
        var second = KeyWrap.Wrap(key, recipient.Certificate, leader);
        using var unwrapped = KeyWrap.Unwrap(first, recipient);

        Assert.That(second, Is.EqualTo(first));
        Assert.That(first, Has.Length.EqualTo(KeyWrap.WrappedSize));
        Assert.That(unwrapped.Id, Is.EqualTo(key.Id));
        Assert.That(unwrapped.KeyBytes.ToArray(), Is.EqualTo(key.KeyBytes.ToArray()));
    }

    [Test]
    public void WrapDeterministic_OtherRecipientOrKey_OtherEphemeral()
    {
        using var pki = new Pki();
        using var leader = pki.NewSigner(1);
        using var recipient = pki.NewSigner(2);
        using var third = pki.NewSigner(3);
        using var key = GroupKey.Derive(leader, 7, 1);
        using var next = GroupKey.Derive(leader, 7, 2);
        static byte[] Ephemeral(byte[] wrapped) => wrapped.AsSpan(5, 65).ToArray();

        var baseline = KeyWrap.Wrap(key, recipient.Certificate, leader);

        Assert.That(Ephemeral(KeyWrap.Wrap(key, third.Certificate, leader)), Is.Not.EqualTo(Ephemeral(baseline)));
        Assert.That(Ephemeral(KeyWrap.Wrap(next, recipient.Certificate, leader)), Is.Not.EqualTo(Ephemeral(baseline)));
        Assert.Throws<CryptographicException>(() => KeyWrap.Unwrap(baseline, third));
    }

    [Test]
    public void ToString_DerivedKey_ShowsIdOnly()
    {
        using var pki = new Pki();
        using var leader = pki.NewSigner(1);
        using var key = GroupKey.Derive(leader, 7, 1);

        Assert.That(key.ToString(), Is.EqualTo($"GroupKey(id={key.Id})"));
    }
}
