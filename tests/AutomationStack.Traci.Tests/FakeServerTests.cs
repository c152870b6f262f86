using System.Net;
using System.Net.Sockets;

namespace AutomationStack.Traci.Tests;

/// <summary>The client's socket handling against a scripted loopback server (no SUMO needed).</summary>
[TestFixture]
[CancelAfter(30_000)]
internal sealed class FakeServerTests
{
    /// <summary>Accepts one connection, reads one request message and answers with <paramref name="reply"/> (or closes).</summary>
    private static (TcpListener Listener, Task Server) Serve(byte[]? reply, bool closeAfter = true, int holdMs = 0)
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var server = Task.Run(async () =>
        {
            using var socket = await listener.AcceptSocketAsync();
            var header = new byte[4];
            await ReceiveExactly(socket, header);
            int length = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(header);
            await ReceiveExactly(socket, new byte[length - 4]);
            if (reply is not null) await socket.SendAsync(reply);
            if (holdMs > 0) await Task.Delay(holdMs);
            if (closeAfter) socket.Shutdown(SocketShutdown.Both);
        });
        return (listener, server);
    }

    private static async Task ReceiveExactly(Socket socket, byte[] buffer)
    {
        int received = 0;
        while (received < buffer.Length)
        {
            int n = await socket.ReceiveAsync(buffer.AsMemory(received));
            if (n == 0) throw new IOException("client closed");
            received += n;
        }
    }

    private static TraciClient Connect(TcpListener listener, TimeSpan timeout) =>
        TraciClient.Connect((IPEndPoint)listener.LocalEndpoint, timeout);

    private static byte[] Framed(byte[] body)
    {
        var message = new byte[body.Length + 4];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(message, message.Length);
        body.CopyTo(message, 4);
        return message;
    }

    [Test]
    public async Task GetVersion_ScriptedReply_ReturnsIt()
    {
        var body = new Bytes().Status(0x00).Command(0x00, new Bytes().I32(20).Str("fake")).ToArray();
        var (listener, server) = Serve(Framed(body));
        using var client = Connect(listener, TimeSpan.FromSeconds(5));
        Assert.That(client.GetVersion(), Is.EqualTo((20, "fake")));
        await server;
        listener.Stop();
    }

    [Test]
    public async Task SimulationStep_ServerClosesConnection_ThrowsConnectionExceptionThenStaysBroken()
    {
        var (listener, server) = Serve(null);
        using var client = Connect(listener, TimeSpan.FromSeconds(5));
        var ex = Assert.Throws<TraciConnectionException>(() => client.SimulationStep());
        Assert.That(ex!.Message, Does.Contain("0x02"));
        Assert.Throws<TraciConnectionException>(() => client.GetVersion());
        await server;
        listener.Stop();
    }

    [Test]
    public async Task SimulationStep_ServerSilent_TimesOutWithConnectionException()
    {
        var (listener, server) = Serve(null, closeAfter: false, holdMs: 1500);
        using var client = Connect(listener, TimeSpan.FromMilliseconds(300));
        var ex = Assert.Throws<TraciConnectionException>(() => client.SimulationStep());
        Assert.That(ex!.Message, Does.Contain("TimedOut"));
        await server;
        listener.Stop();
    }

    [TestCase(int.MaxValue)]
    [TestCase(3)]
    [TestCase(-1)]
    public async Task SimulationStep_ImpossibleMessageLength_ThrowsProtocolException(int length)
    {
        var reply = new byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(reply, length);
        var (listener, server) = Serve(reply, closeAfter: false, holdMs: 200);
        using var client = Connect(listener, TimeSpan.FromSeconds(5));
        var ex = Assert.Throws<TraciProtocolException>(() => client.SimulationStep());
        Assert.That(ex!.Field, Is.EqualTo("message length"));
        Assert.Throws<TraciConnectionException>(() => client.SimulationStep());
        await server;
        listener.Stop();
    }

    [Test]
    public async Task SimulationStep_LengthHeaderLargerThanData_ThrowsWithoutAllocatingTheClaimedSize()
    {
        var reply = new byte[4 + 10];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(reply, TraciClient.MaxReplyBytes);
        var (listener, server) = Serve(reply);
        using var client = Connect(listener, TimeSpan.FromSeconds(5));
        long before = GC.GetAllocatedBytesForCurrentThread();
        Assert.Throws<TraciConnectionException>(() => client.SimulationStep());
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.That(allocated, Is.LessThan(1_000_000), "a lying length header must not make the client allocate 64 MiB");
        await server;
        listener.Stop();
    }

    [Test]
    public void Connect_NothingListening_ThrowsConnectionException()
    {
        int port = SumoProcess.FreeLoopbackPort();
        Assert.Throws<TraciConnectionException>(() =>
            TraciClient.Connect(new IPEndPoint(IPAddress.Loopback, port), TimeSpan.FromSeconds(2)));
    }
}
