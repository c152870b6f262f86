namespace AutomationStack.Platooning.Protocol.Tests;

internal sealed class MessageHeaderTests
{
    [Test]
    public void WriteRead_AnyHeader_RoundTrips()
    {
        var header = new MessageHeader(V2xMessageType.Pcm, 0xDEADBEEF, 1_764_000_000_123UL, 42);
        Span<byte> buffer = stackalloc byte[MessageHeader.Size];
        var writer = new WireWriter(buffer);
        header.Write(ref writer);

        Assert.That(writer.Position, Is.EqualTo(MessageHeader.Size));
        Assert.That(MessageHeader.Peek(buffer), Is.EqualTo(header));
    }

    [Test]
    public void Read_OtherVersion_RejectedNamingVersion()
    {
        var bytes = new byte[MessageHeader.Size];
        bytes[0] = 9;
        bytes[1] = 2;

        var ex = Assert.Throws<V2xDecodeException>(() => MessageHeader.Peek(bytes));
        Assert.That(ex!.Field, Is.EqualTo("header.version"));
    }

    [Test]
    public void Read_UnknownType_Rejected()
    {
        var bytes = new byte[MessageHeader.Size];
        bytes[0] = MessageHeader.ProtocolVersion;
        bytes[1] = 77;

        var ex = Assert.Throws<V2xDecodeException>(() => MessageHeader.Peek(bytes));
        Assert.That(ex!.Field, Is.EqualTo("header.type"));
    }

    [Test]
    public void Read_Truncated_RejectedNamingField()
    {
        var bytes = new byte[] { MessageHeader.ProtocolVersion, 2, 0, 0 };

        var ex = Assert.Throws<V2xDecodeException>(() => MessageHeader.Peek(bytes));
        Assert.That(ex!.Field, Is.EqualTo("header.sender_station_id"));
        Assert.That(ex.Message, Does.Contain("truncated"));
    }
}
