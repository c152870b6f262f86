using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using AutomationStack.Contracts;
using AutomationStack.Platooning.Protocol;
using AutomationStack.Platooning.Security;
using AutomationStack.RoadMap;

namespace AutomationStack.Vehicle.V2xUdp.Tests;

/// <summary>Options parsing and validation: every error names its option.</summary>
[TestFixture]
public sealed class UdpV2xOptionsTests
{
    [TestCase("10.200.0.255", "--v2x-udp")]
    [TestCase("10.200.0.255:0", "--v2x-udp")]
    [TestCase("10.200.0.255:70000", "--v2x-udp")]
    [TestCase("10.200.0.255:port", "--v2x-udp")]
    [TestCase("[ff02::1]:47000", "--v2x-udp")]
    [TestCase("host.example:47000", "--v2x-udp")]
    [TestCase("10.200:47000", "--v2x-udp")]
    [TestCase("127.0.0.1:47000", "--v2x-udp")]
    [TestCase("0.0.0.0:47000", "--v2x-udp")]
    public void Parse_BadDestination_ThrowsNamingOption(string value, string option)
    {
        var ex = Assert.Throws<UdpV2xConfigurationException>(() => UdpV2xOptions.Parse(value, null));
        Assert.That(ex!.Option, Is.EqualTo(option));
        Assert.That(ex.Message, Does.StartWith(option + ":"));
    }

    [TestCase("eth0")]
    [TestCase("239.1.2.3")]
    [TestCase("198.51.100.77")] // TEST-NET-2 (documentation range): not an address of a test host
    public void Parse_BadInterface_ThrowsNamingOption(string value)
    {
        var ex = Assert.Throws<UdpV2xConfigurationException>(() => UdpV2xOptions.Parse("239.20.0.1:47000", value));
        Assert.That(ex!.Option, Is.EqualTo("--v2x-udp-interface"));
    }

    [Test]
    public void Parse_MulticastGroup_IsMulticast()
    {
        var options = UdpV2xOptions.Parse("239.20.0.1:47000", "127.0.0.1");
        Assert.Multiple(() =>
        {
            Assert.That(options.IsMulticast, Is.True);
            Assert.That(options.Destination, Is.EqualTo(new IPEndPoint(IPAddress.Parse("239.20.0.1"), 47000)));
            Assert.That(options.Interface, Is.EqualTo(IPAddress.Loopback));
        });
    }

    [Test]
    public void Parse_BroadcastAddress_IsNotMulticast()
    {
        Assert.That(UdpV2xOptions.Parse("10.200.0.255:47000", null).IsMulticast, Is.False);
    }

    [Test]
    public void Transport_BroadcastAddressOfNoLocalSubnet_ThrowsNamingOption()
    {
        // 198.51.100.255 (TEST-NET-2) is the broadcast address of no subnet of a test host: the receive socket cannot bind to it.
        var options = UdpV2xOptions.Parse("198.51.100.255:47000", null);
        var ex = Assert.Throws<UdpV2xConfigurationException>(() => new UdpV2xTransport(options).Dispose());
        Assert.That(ex!.Option, Is.EqualTo("--v2x-udp"));
    }
}

/// <summary>The sender station id is read from the envelope's (clear) message header.</summary>
[TestFixture]
public sealed class EnvelopeStationTests
{
    [TestCase(false, false)]
    [TestCase(true, false)]
    [TestCase(false, true)]
    [TestCase(true, true)]
    public void TryRead_WellFormedEnvelope_ReturnsHeaderStation(bool certificate, bool encrypted)
    {
        var envelope = TestEnvelopes.Build(0xC0FFEE01, certificate, encrypted);
        Assert.That(EnvelopeStation.TryRead(envelope, out var station), Is.True);
        Assert.That(station, Is.EqualTo(0xC0FFEE01u));
    }

    [Test]
    public void TryRead_TruncatedOrWrongVersion_False()
    {
        var envelope = TestEnvelopes.Build(7, certificate: true, encrypted: false);
        Assert.Multiple(() =>
        {
            Assert.That(EnvelopeStation.TryRead(envelope.AsSpan(0, 20), out _), Is.False);
            Assert.That(EnvelopeStation.TryRead([], out _), Is.False);
            var other = envelope.ToArray();
            other[0] = 2;
            Assert.That(EnvelopeStation.TryRead(other, out _), Is.False);
            other = envelope.ToArray();
            other[1] = 0x80;
            Assert.That(EnvelopeStation.TryRead(other, out _), Is.False);
        });
    }
}

/// <summary>
/// The decorator over real sockets on the loopback broadcast address 127.255.255.255 (never leaves the host): out as
/// datagrams and not to the world, in on the next frame, own echoes dropped, bounded queue dropping the oldest.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class UdpV2xVehicleInterfaceTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);

    [Test]
    public async Task SendAsync_V2xToSend_GoesAsDatagramsNotToWorld()
    {
        var options = LoopbackOptions();
        var worldA = new FakeWorld(stationId: 1);
        var worldB = new FakeWorld(stationId: 2);
        await using var a = new UdpV2xVehicleInterface(worldA, options);
        await using var b = new UdpV2xVehicleInterface(worldB, options);
        await a.ConnectAsync(CancellationToken.None);
        await b.ConnectAsync(CancellationToken.None);

        await a.NextFrameAsync(CancellationToken.None);
        var envelope = TestEnvelopes.Build(1, certificate: false, encrypted: false);
        await a.SendAsync(Output(0, new V2xMessage(1, 0, envelope)), CancellationToken.None);

        Assert.That(worldA.Sent, Has.Count.EqualTo(1));
        Assert.That(worldA.Sent[0].V2xToSend, Is.Empty);
        await Until(() => b.Counters.Received >= 1);
        var frame = await b.NextFrameAsync(CancellationToken.None);
        Assert.That(frame, Is.Not.Null);
        Assert.That(frame!.V2x, Has.Count.EqualTo(2)); // the world's own message first, then the datagram
        Assert.Multiple(() =>
        {
            Assert.That(frame.V2x[0], Is.SameAs(worldB.WorldMessage));
            Assert.That(frame.V2x[1].SenderStationId, Is.EqualTo(1u));
            Assert.That(frame.V2x[1].StampNs, Is.EqualTo(frame.StampNs));
            Assert.That(frame.V2x[1].Payload.ToArray(), Is.EqualTo(envelope));
            Assert.That(a.Counters.Sent, Is.EqualTo(1));
        });

        // The first datagram is reported once, in the next output's log.
        await b.SendAsync(Output(frame.FrameNumber), CancellationToken.None);
        Assert.That(worldB.Sent[^1].Log.Select(l => l.Text), Has.Some.Contains("v2x-udp: first datagram received from station 1"));
    }

    [Test]
    public async Task NextFrameAsync_OwnEcho_Ignored()
    {
        var world = new FakeWorld(stationId: 5, worldMessage: false);
        await using var udp = new UdpV2xVehicleInterface(world, LoopbackOptions());
        await udp.ConnectAsync(CancellationToken.None);
        await udp.NextFrameAsync(CancellationToken.None);
        await udp.SendAsync(Output(0, new V2xMessage(5, 0, TestEnvelopes.Build(5, false, false))), CancellationToken.None);
        await Until(() => udp.Counters.OwnIgnored >= 1);
        var frame = await udp.NextFrameAsync(CancellationToken.None);
        Assert.That(frame!.V2x, Is.Empty);
        Assert.That(udp.Counters.Received, Is.Zero);
    }

    [Test]
    public async Task NextFrameAsync_QueueFull_DropsOldestAndCounts()
    {
        var options = LoopbackOptions() with { QueueCapacity = 2 };
        var world = new FakeWorld(stationId: 9, worldMessage: false);
        await using var udp = new UdpV2xVehicleInterface(world, options);
        await udp.ConnectAsync(CancellationToken.None);
        using var sender = new UdpV2xTransport(options);
        for (uint station = 11; station <= 15; station++)
        {
            Assert.That(sender.Send(TestEnvelopes.Build(station, false, false)), Is.True);
        }

        await Until(() => udp.Counters.Received >= 5);
        var frame = await udp.NextFrameAsync(CancellationToken.None);
        Assert.Multiple(() =>
        {
            Assert.That(frame!.V2x.Select(m => m.SenderStationId), Is.EqualTo(new uint[] { 14, 15 }));
            Assert.That(udp.Counters.QueueOverflow, Is.EqualTo(3));
        });
    }

    [Test]
    public async Task NextFrameAsync_MalformedDatagram_DroppedAndCounted()
    {
        var options = LoopbackOptions();
        var world = new FakeWorld(stationId: 3, worldMessage: false);
        await using var udp = new UdpV2xVehicleInterface(world, options);
        await udp.ConnectAsync(CancellationToken.None);
        using var raw = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { EnableBroadcast = true };
        raw.SendTo("not an envelope"u8, options.Destination);
        await Until(() => udp.Counters.Malformed >= 1);
        var frame = await udp.NextFrameAsync(CancellationToken.None);
        Assert.That(frame!.V2x, Is.Empty);
    }

    [Test]
    public async Task DisposeAsync_ClosesTransportAndInner()
    {
        var world = new FakeWorld(stationId: 4, worldMessage: false);
        var udp = new UdpV2xVehicleInterface(world, LoopbackOptions());
        await udp.ConnectAsync(CancellationToken.None);
        await udp.DisposeAsync();
        Assert.That(world.Disposed, Is.True);
        Assert.ThrowsAsync<ObjectDisposedException>(async () => await udp.SendAsync(Output(0), CancellationToken.None));
    }

    [Test]
    public async Task DisposeAsync_LeaveInnerOpen_InnerNotDisposed()
    {
        var world = new FakeWorld(stationId: 4, worldMessage: false);
        var udp = new UdpV2xVehicleInterface(world, LoopbackOptions(), leaveInnerOpen: true);
        await udp.DisposeAsync();
        Assert.That(world.Disposed, Is.False);
    }

    private static UdpV2xOptions LoopbackOptions()
    {
        // A free UDP port: bound briefly on loopback, then released.
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var port = ((IPEndPoint)probe.LocalEndPoint!).Port;
        return UdpV2xOptions.Parse($"127.255.255.255:{port}", "127.0.0.1");
    }

    private static VehicleOutput Output(long frame, params V2xMessage[] v2x) =>
        new(frame, new ActuationCommand(0, 0), v2x, [], default);

    private static async Task Until(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(Wait);
        while (!condition())
        {
            await Task.Delay(5, timeout.Token);
        }
    }

    private sealed class FakeWorld(uint stationId, bool worldMessage = true) : IVehicleInterface
    {
        private long _frame;

        public List<VehicleOutput> Sent { get; } = [];

        public bool Disposed { get; private set; }

        public V2xMessage WorldMessage { get; } = new(77, 0, new byte[] { 1 });

        public VehicleSession Session { get; } = new(
            "fake", stationId, null!, new RoadNetwork("fake", []), 0.01, 2, 1, new Dictionary<string, double>());

        public Task ConnectAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public ValueTask<SensorFrame?> NextFrameAsync(CancellationToken cancellationToken)
        {
            var n = _frame;
            _frame += 2;
            return ValueTask.FromResult<SensorFrame?>(new SensorFrame(n, n * 10_000_000, default, [], worldMessage ? [WorldMessage] : [], default, string.Empty));
        }

        public ValueTask SendAsync(VehicleOutput output, CancellationToken cancellationToken)
        {
            Sent.Add(output);
            return ValueTask.CompletedTask;
        }

        public ValueTask DisposeAsync()
        {
            Disposed = true;
            return ValueTask.CompletedTask;
        }
    }
}

/// <summary>Envelopes laid out as <see cref="V2xEnvelope"/> documents (contents other than the header are filler).</summary>
internal static class TestEnvelopes
{
    public static byte[] Build(uint station, bool certificate, bool encrypted)
    {
        var bytes = new List<byte> { V2xEnvelope.Version, (byte)((certificate ? EnvelopeFlags.CertificateIncluded : 0) | (encrypted ? EnvelopeFlags.Encrypted : 0)) };
        bytes.AddRange(new byte[HashedId8.Size]);
        if (certificate)
        {
            bytes.AddRange(new byte[] { 0, 40 });
            bytes.AddRange(Enumerable.Repeat((byte)0xCE, 40));
        }

        var header = new byte[MessageHeader.Size];
        header[0] = MessageHeader.ProtocolVersion;
        header[1] = (byte)V2xMessageType.Pcm;
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(2), station);
        if (encrypted)
        {
            bytes.AddRange(header);
            bytes.AddRange(new byte[4 + GroupKey.NonceSize + 2 + 10 + GroupKey.TagSize]);
        }
        else
        {
            bytes.AddRange(new byte[] { 0, MessageHeader.Size + 10 });
            bytes.AddRange(header);
            bytes.AddRange(new byte[10]);
        }

        bytes.AddRange(new byte[V2xEnvelope.SignatureSize]);
        return [.. bytes];
    }
}
