using System.Net.Sockets;
using AutomationStack.Bridge.Protocol;
using Google.Protobuf;

namespace AutomationStack.Bridge.Tests;

/// <summary>Framing of the local Drive lane over a real Unix socket pair.</summary>
public sealed class DelimitedMessageSocketTests
{
    private string _dir = string.Empty;

    [SetUp]
    public void SetUp()
    {
        _dir = Path.Combine(Path.GetTempPath(), "as-dms-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_dir);
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    [Test]
    public async Task ReadAsync_MessagesWrittenBackToBack_ReadInOrder()
    {
        var (a, b) = await PairAsync();
        using var writer = new DelimitedMessageSocket(a);
        using var reader = new DelimitedMessageSocket(b);

        for (var i = 1; i <= 100; i++)
        {
            await writer.WriteAsync(Command(i), CancellationToken.None);
        }

        for (var i = 1; i <= 100; i++)
        {
            var m = await reader.ReadAsync(VehicleToBridge.Parser, CancellationToken.None);
            Assert.That(m!.Command.Frame, Is.EqualTo(i));
        }
    }

    [Test]
    public async Task ReadAsync_BytesArriveOneAtATime_ReassemblesMessage()
    {
        var (a, b) = await PairAsync();
        using var reader = new DelimitedMessageSocket(b);
        var message = new VehicleToBridge { Command = new Command { VehicleId = new string('x', 300), Frame = 42 } };
        var bytes = Delimited(message);
        Assert.That(bytes[0] & 0x80, Is.Not.Zero, "a two-byte length prefix, so the prefix itself is split");

        var read = reader.ReadAsync(VehicleToBridge.Parser, CancellationToken.None).AsTask();
        foreach (var x in bytes)
        {
            await a.SendAsync(new[] { x }, SocketFlags.None);
            await Task.Delay(1);
        }

        Assert.That((await read)!.Command.Frame, Is.EqualTo(42));
        a.Dispose();
    }

    [Test]
    public async Task ReadAsync_LargeMessage_GrowsBuffer()
    {
        var (a, b) = await PairAsync();
        using var writer = new DelimitedMessageSocket(a);
        using var reader = new DelimitedMessageSocket(b);
        var big = new BridgeToVehicle { Frame = new Frame { VehicleId = "t", Frame_ = 7 } };
        big.Frame.V2X.Add(new V2xMessage { Payload = ByteString.CopyFrom(new byte[200_000]) });

        var write = writer.WriteAsync(big, CancellationToken.None).AsTask();
        var m = await reader.ReadAsync(BridgeToVehicle.Parser, CancellationToken.None);
        await write;

        Assert.That(m!.Frame.V2X[0].Payload.Length, Is.EqualTo(200_000));
    }

    [Test]
    public async Task ReadAsync_PeerClosesBetweenMessages_ReturnsNull()
    {
        var (a, b) = await PairAsync();
        using var reader = new DelimitedMessageSocket(b);
        using (var writer = new DelimitedMessageSocket(a))
        {
            await writer.WriteAsync(Command(1), CancellationToken.None);
        }

        Assert.That(await reader.ReadAsync(VehicleToBridge.Parser, CancellationToken.None), Is.Not.Null);
        Assert.That(await reader.ReadAsync(VehicleToBridge.Parser, CancellationToken.None), Is.Null);
    }

    [Test]
    public async Task ReadAsync_PeerClosesInsideMessage_EndOfStream()
    {
        var (a, b) = await PairAsync();
        using var reader = new DelimitedMessageSocket(b);
        var bytes = Delimited(Command(5));
        await a.SendAsync(bytes.AsMemory(0, bytes.Length - 2), SocketFlags.None);
        a.Dispose();

        Assert.ThrowsAsync<EndOfStreamException>(async () => await reader.ReadAsync(VehicleToBridge.Parser, CancellationToken.None));
    }

    [Test]
    public async Task ReadAsync_LengthOverLimit_InvalidDataNamingLimit()
    {
        var (a, b) = await PairAsync();
        using var reader = new DelimitedMessageSocket(b);
        // 2^28: over the 64 MiB limit, so nothing is allocated for it.
        await a.SendAsync(new byte[] { 0x80, 0x80, 0x80, 0x80, 0x01 }, SocketFlags.None);

        var ex = Assert.ThrowsAsync<InvalidDataException>(async () => await reader.ReadAsync(VehicleToBridge.Parser, CancellationToken.None));
        Assert.That(ex!.Message, Does.Contain("exceeds the limit"));
        a.Dispose();
    }

    [Test]
    public async Task ReadAsync_UnterminatedLengthPrefix_InvalidData()
    {
        var (a, b) = await PairAsync();
        using var reader = new DelimitedMessageSocket(b);
        await a.SendAsync(new byte[] { 0x80, 0x80, 0x80, 0x80, 0x80, 0x01 }, SocketFlags.None);

        var ex = Assert.ThrowsAsync<InvalidDataException>(async () => await reader.ReadAsync(VehicleToBridge.Parser, CancellationToken.None));
        Assert.That(ex!.Message, Does.Contain("length prefix"));
        a.Dispose();
    }

    [Test]
    public async Task ReadAsync_BodyNotAMessage_InvalidDataNamingType()
    {
        var (a, b) = await PairAsync();
        using var reader = new DelimitedMessageSocket(b);
        await a.SendAsync(new byte[] { 0x03, 0xFF, 0xFF, 0xFF }, SocketFlags.None);

        var ex = Assert.ThrowsAsync<InvalidDataException>(async () => await reader.ReadAsync(VehicleToBridge.Parser, CancellationToken.None));
        Assert.That(ex!.Message, Does.Contain(nameof(VehicleToBridge)));
        a.Dispose();
    }

    private static VehicleToBridge Command(long frame) => new() { Command = new Command { VehicleId = "truck1", Frame = frame, Acceleration = -0.5 } };

    private static byte[] Delimited(IMessage message)
    {
        using var stream = new MemoryStream();
        message.WriteDelimitedTo(stream);
        return stream.ToArray();
    }

    private async Task<(Socket Client, Socket Server)> PairAsync()
    {
        var path = Path.Combine(_dir, Guid.NewGuid().ToString("N")[..8] + ".sock");
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        listener.Listen(1);
        var client = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        var accept = listener.AcceptAsync();
        await client.ConnectAsync(new UnixDomainSocketEndPoint(path));
        return (client, await accept);
    }
}
