namespace AutomationStack.Platooning.Protocol.Tests;

internal sealed class V2xCodecRoundTripTests
{
    private const int PropertyCount = 10_000;

    private static IEnumerable<TestCaseData> TypicalMessages() =>
        Samples.Messages.Select(pair => new TestCaseData(pair.Key).SetArgDisplayNames(pair.Key));

    [TestCaseSource(nameof(TypicalMessages))]
    public void EncodeDecode_TypicalMessage_RoundTripsWithinHalfAStep(string name)
    {
        var body = Samples.Messages[name];
        var header = Samples.Header(body.MessageType);

        var (decodedHeader, decodedBody) = V2xCodec.Decode(V2xCodec.Encode(header, body));

        Assert.That(decodedHeader, Is.EqualTo(header));
        Assert.That(Samples.Diff(body, decodedBody), Is.Null);
    }

    [TestCaseSource(nameof(TypicalMessages))]
    public void EncodeDecodeEncode_TypicalMessage_GivesIdenticalBytes(string name)
    {
        var bytes = Samples.Encoded(name);
        var (header, body) = V2xCodec.Decode(bytes);

        Assert.That(V2xCodec.Encode(header, body), Is.EqualTo(bytes));
    }

    [Test]
    public void EncodeDecode_ExactValues_RoundTripExactly()
    {
        // Multiples of the resolution and the range ends decode to the same doubles.
        var pcm = new Pcm(7, 0, -V2xLimits.MaxPositionMagnitude, V2xLimits.MaxPositionMagnitude, Math.PI, V2xLimits.MaxSpeed,
            -V2xLimits.MaxAccelerationMagnitude, V2xLimits.MaxAccelerationMagnitude, V2xLimits.MaxTimeGap, V2xLimits.MaxVehicleLength, PcmStatus.None);

        var decoded = V2xCodec.Decode(Samples.Encode(pcm)).Body;

        Assert.That(decoded, Is.EqualTo(pcm));
    }

    [TestCase(V2xMessageType.Pam, 1)]
    [TestCase(V2xMessageType.Pcm, 2)]
    [TestCase(V2xMessageType.Pmm, 3)]
    public void EncodeDecode_SeededRandomValidMessages_RoundTrip(V2xMessageType type, int seed)
    {
        var rng = new Random(seed);
        Span<byte> buffer = stackalloc byte[V2xCodec.MaxMessageSize];
        for (var i = 0; i < PropertyCount; i++)
        {
            var header = Samples.RandomHeader(rng, type);
            var body = Samples.RandomBody(rng, type);

            var length = V2xCodec.Encode(header, body, buffer);
            var (decodedHeader, decodedBody) = V2xCodec.Decode(buffer[..length]);

            if (decodedHeader != header || Samples.Diff(body, decodedBody) is { } diff)
            {
                Assert.Fail($"message {i}: {body} -> {decodedHeader} {decodedBody}: {Samples.Diff(body, decodedBody)}");
            }
        }
    }

    [Test]
    public void Encode_Pcm_IsUnder100Bytes()
    {
        var size = Samples.Encode(Samples.Pcm()).Length;
        TestContext.Out.WriteLine($"encoded PCM (header + body): {size} bytes");

        Assert.That(size, Is.LessThan(100), $"encoded PCM is {size} bytes");
        Assert.That(size, Is.EqualTo(Pcm.EncodedSize), $"encoded PCM is {size} bytes");
    }

    [Test]
    public void Encode_JoinResponseWithLargestKey_IsMaxMessageSize()
    {
        var message = Samples.Pmm(new JoinResponse(true, JoinRejectReason.None, 1, 1, 1, Samples.Key(V2xLimits.MaxWrappedKeyBytes)));

        Assert.That(Samples.Encode(message), Has.Length.EqualTo(V2xCodec.MaxPlatooningMessageSize));
    }

    [Test]
    public void Encode_IntoSpan_ReturnsLengthAndWritesTheMessage()
    {
        var body = Samples.Pcm();
        var header = Samples.Header(V2xMessageType.Pcm);
        var buffer = new byte[128];

        var length = V2xCodec.Encode(header, body, buffer);

        Assert.That(buffer[..length], Is.EqualTo(V2xCodec.Encode(header, body)));
    }

    [Test]
    public void EncodeDecode_Pcm_AllocatesOnlyTheDecodedRecord()
    {
        var body = Samples.Pcm();
        var header = Samples.Header(V2xMessageType.Pcm);
        Span<byte> buffer = stackalloc byte[V2xCodec.MaxMessageSize];
        for (var i = 0; i < 100; i++)
        {
            V2xCodec.Decode(buffer[..V2xCodec.Encode(header, body, buffer)]);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        var length = V2xCodec.Encode(header, body, buffer);
        var afterEncode = GC.GetAllocatedBytesForCurrentThread();
        var decoded = V2xCodec.Decode(buffer[..length]);
        var afterDecode = GC.GetAllocatedBytesForCurrentThread();

        Assert.That(decoded.Body, Is.TypeOf<Pcm>());
        Assert.That(afterEncode - before, Is.Zero, "PCM encode allocated");
        Assert.That(afterDecode - afterEncode, Is.LessThanOrEqualTo(128), "PCM decode allocated more than one record");
    }

    [Test]
    public void Equals_WrappedKeysWithEqualBytes_AreEqual()
    {
        var key = Samples.Key(20);
        var copy = new WrappedGroupKey(key.KeyId, key.WrappedKey.ToArray());

        Assert.That(copy, Is.EqualTo(key));
        Assert.That(copy.GetHashCode(), Is.EqualTo(key.GetHashCode()));
        Assert.That(Samples.Key(21), Is.Not.EqualTo(key));
    }

    [Test]
    public void Diff_ValueOffByOneStep_IsReported()
    {
        var pcm = Samples.Pcm();

        Assert.That(Samples.Diff(pcm, pcm with { Speed = pcm.Speed + V2xLimits.SpeedResolution }), Does.Contain("speed"));
        Assert.That(Samples.Diff(pcm, pcm with { Index = 9 }), Is.Not.Null);
        Assert.That(Samples.Diff(pcm, pcm with { Speed = pcm.Speed + (V2xLimits.SpeedResolution / 4) }), Is.Null);
    }
}
