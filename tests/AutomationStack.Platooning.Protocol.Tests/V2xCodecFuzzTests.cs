namespace AutomationStack.Platooning.Protocol.Tests;

internal sealed class V2xCodecFuzzTests
{
    private const int Iterations = 100_000;

    [Test]
    public void Decode_SeededRandomBytes_SucceedsOrThrowsV2xDecodeException()
    {
        var rng = new Random(20_260_101);
        var buffer = new byte[V2xCodec.MaxMessageSize + 8];
        var outcomes = new Outcomes();
        for (var i = 0; i < Iterations; i++)
        {
            var message = buffer.AsSpan(0, rng.Next(buffer.Length + 1));
            rng.NextBytes(message);
            if (i % 2 == 0 && message.Length >= 2)
            {
                // Half get a valid version and type so the body decoders see random bytes too.
                message[0] = MessageHeader.ProtocolVersion;
                message[1] = (byte)rng.Next(1, 4);
            }

            outcomes.Decode(message, i);
        }

        TestContext.Out.WriteLine(outcomes);
        Assert.That(outcomes.Rejected, Is.GreaterThan(0));
    }

    [Test]
    public void Decode_SeededBitFlipsOfValidMessages_SucceedsOrThrowsV2xDecodeException()
    {
        var rng = new Random(4242);
        var types = new[] { V2xMessageType.Pam, V2xMessageType.Pcm, V2xMessageType.Pmm };
        var outcomes = new Outcomes();
        for (var i = 0; i < Iterations; i++)
        {
            var type = types[i % types.Length];
            var bytes = V2xCodec.Encode(Samples.RandomHeader(rng, type), Samples.RandomBody(rng, type));
            var flips = rng.Next(3) == 0 ? rng.Next(2, 9) : 1;
            for (var f = 0; f < flips; f++)
            {
                bytes[rng.Next(bytes.Length)] ^= (byte)(1 << rng.Next(8));
            }

            outcomes.Decode(bytes, i);
        }

        TestContext.Out.WriteLine(outcomes);
        Assert.That(outcomes.Decoded, Is.GreaterThan(0));
        Assert.That(outcomes.Rejected, Is.GreaterThan(0));
    }

    /// <summary>Counts decode outcomes; anything but a <see cref="V2xDecodeException"/> escapes and fails the test.</summary>
    private sealed class Outcomes
    {
        public int Decoded { get; private set; }

        public int Rejected { get; private set; }

        public void Decode(ReadOnlySpan<byte> message, int iteration)
        {
            (MessageHeader Header, V2xBody Body) decoded;
            try
            {
                decoded = V2xCodec.Decode(message);
            }
            catch (V2xDecodeException)
            {
                Rejected++;
                return;
            }

            Decoded++;

            // Whatever decodes is canonical: it re-encodes to the very same bytes.
            var again = V2xCodec.Encode(decoded.Header, decoded.Body);
            if (!again.AsSpan().SequenceEqual(message))
            {
                Assert.Fail($"iteration {iteration}: {Convert.ToHexString(message)} decoded to {decoded.Body} but re-encodes as {Convert.ToHexString(again)}");
            }
        }

        public override string ToString() => $"decoded {Decoded}, rejected {Rejected}";
    }
}
