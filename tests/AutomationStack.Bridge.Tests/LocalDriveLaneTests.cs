using AutomationStack.Bridge.Protocol;
using AutomationStack.Contracts;
using AutomationStack.Vehicle.BridgeClient;

namespace AutomationStack.Bridge.Tests;

/// <summary>The local Drive lane against a real bridge: same attach checks, lock-step and failure handling as gRPC.</summary>
public sealed class LocalDriveLaneTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Test]
    public async Task Connect_BridgeOnUnixSocket_OffersLocalLane()
    {
        await using var f = await BridgeFixture.StartAsync(duration: 0.1, unixSocket: true);

        var reply = await f.Client.ConnectAsync(new ConnectRequest { ProtocolVersion = ProtocolInfo.Version, ClientName = "test" });

        Assert.That(reply.LocalDriveSocket, Is.EqualTo(f.Server.LocalDriveSocketPath));
        Assert.That(File.Exists(reply.LocalDriveSocket), Is.True);
    }

    [Test]
    public async Task Connect_TcpOnlyBridge_OffersNoLocalLane()
    {
        await using var f = await BridgeFixture.StartAsync(duration: 0.1);

        var reply = await f.Client.ConnectAsync(new ConnectRequest { ProtocolVersion = ProtocolInfo.Version, ClientName = "test" });

        Assert.That(reply.LocalDriveSocket, Is.Empty);
    }

    [Test]
    public async Task BridgeVehicleInterface_AutoOverUnixSocket_RunsOnLocalLaneAndAnswersEveryFrame()
    {
        await using var f = await BridgeFixture.StartAsync(duration: 0.2, unixSocket: true);
        var runTask = f.StartRunAsync();
        await using var vehicle = new BridgeVehicleInterface(f.Server.LocalAddress, "truck1");

        await vehicle.ConnectAsync(CancellationToken.None);
        var frames = new List<long>();
        while (await vehicle.NextFrameAsync(CancellationToken.None) is { } frame)
        {
            frames.Add(frame.FrameNumber);
            await Task.Delay(5); // slower than the bridge: it must wait, not skip
            await vehicle.SendAsync(new VehicleOutput(frame.FrameNumber, new ActuationCommand(0, 0), [], [], default), CancellationToken.None);
        }

        var result = await runTask.WaitAsync(Wait);
        Assert.That(vehicle.ActiveLane, Is.EqualTo(DriveLane.Local));
        Assert.That(vehicle.Session.ControlPeriodSteps, Is.EqualTo(2));
        Assert.That(vehicle.Session.Parameters["acc.time_gap"], Is.EqualTo(1.5));
        Assert.That(frames, Is.EqualTo(new long[] { 2, 4, 6, 8, 10, 12, 14, 16, 18, 20 }));
        Assert.That(vehicle.EndReason, Is.EqualTo("end of scenario"));
        Assert.That(result.Vehicles[0].Failed, Is.False, result.Vehicles[0].FailureReason);
        Assert.That(result.Vehicles[0].FramesAnswered, Is.EqualTo(10));
    }

    [Test]
    public async Task BridgeVehicleInterface_GrpcLaneAskedOverUnixSocket_UsesDriveStream()
    {
        await using var f = await BridgeFixture.StartAsync(duration: 0.1, unixSocket: true);
        var runTask = f.StartRunAsync();
        await using var vehicle = new BridgeVehicleInterface(f.Server.LocalAddress, "truck1", new BridgeClientOptions { Lane = DriveLane.Grpc });

        await vehicle.ConnectAsync(CancellationToken.None);
        while (await vehicle.NextFrameAsync(CancellationToken.None) is { } frame)
        {
            await vehicle.SendAsync(new VehicleOutput(frame.FrameNumber, new ActuationCommand(0, 0), [], [], default), CancellationToken.None);
        }

        var result = await runTask.WaitAsync(Wait);
        Assert.That(vehicle.ActiveLane, Is.EqualTo(DriveLane.Grpc));
        Assert.That(result.Vehicles[0].FramesAnswered, Is.EqualTo(5));
    }

    [Test]
    public async Task BridgeVehicleInterface_LocalLaneNotOffered_ClearError()
    {
        await using var f = await BridgeFixture.StartAsync(duration: 0.1, unixSocket: true, localDriveLane: false);
        await using var vehicle = new BridgeVehicleInterface(f.Server.LocalAddress, "truck1", new BridgeClientOptions { Lane = DriveLane.Local });

        var ex = Assert.ThrowsAsync<BridgeConnectionException>(() => vehicle.ConnectAsync(CancellationToken.None));

        Assert.That(ex!.Message, Does.Contain("local Drive lane").And.Contain("offers none"));
    }

    [Test]
    public async Task BridgeVehicleInterface_UnknownVehicleOnLocalLane_RefusedNamingVehicle()
    {
        await using var f = await BridgeFixture.StartAsync(duration: 0.1, unixSocket: true);
        await using var vehicle = new BridgeVehicleInterface(f.Server.LocalAddress, "truck9", new BridgeClientOptions { Lane = DriveLane.Local });

        var ex = Assert.ThrowsAsync<BridgeConnectionException>(() => vehicle.ConnectAsync(CancellationToken.None));

        Assert.That(ex!.Message, Does.Contain("refused").And.Contain("NotFound").And.Contain("truck9"));
    }

    [Test]
    public async Task LocalLane_AttachWithWrongVersion_EndNamingBothVersions()
    {
        await using var f = await BridgeFixture.StartAsync(duration: 0.1, unixSocket: true);
        using var link = await DelimitedMessageSocket.ConnectUnixAsync(f.Server.LocalDriveSocketPath!, f.Token);

        await link.WriteAsync(new VehicleToBridge { Attach = new Attach { VehicleId = "truck1", ProtocolVersion = 99 } }, f.Token);
        var answer = await link.ReadAsync(BridgeToVehicle.Parser, f.Token);
        var after = await link.ReadAsync(BridgeToVehicle.Parser, f.Token);

        Assert.That(answer!.MessageCase, Is.EqualTo(BridgeToVehicle.MessageOneofCase.End));
        Assert.That(answer.End.Reason, Does.Contain("FailedPrecondition").And.Contain("99").And.Contain(ProtocolInfo.Version.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Assert.That(after, Is.Null, "the bridge closes the lane after refusing");
    }

    [Test]
    public async Task LocalLane_VehicleDisconnects_FailedAtOnceAndMinimalRiskStop()
    {
        await using var f = await BridgeFixture.StartAsync(duration: 2, vehicleTimeout: 10, unixSocket: true);
        var runTask = f.StartRunAsync();
        var link = await DelimitedMessageSocket.ConnectUnixAsync(f.Server.LocalDriveSocketPath!, f.Token);
        await link.WriteAsync(new VehicleToBridge { Attach = new Attach { VehicleId = "truck1", ProtocolVersion = ProtocolInfo.Version } }, f.Token);
        Assert.That((await link.ReadAsync(BridgeToVehicle.Parser, f.Token))!.MessageCase, Is.EqualTo(BridgeToVehicle.MessageOneofCase.Attached));
        Assert.That((await link.ReadAsync(BridgeToVehicle.Parser, f.Token))!.MessageCase, Is.EqualTo(BridgeToVehicle.MessageOneofCase.Frame));

        link.Dispose(); // as kill -9 would: the socket closes

        var result = await runTask.WaitAsync(Wait);
        Assert.That(result.Vehicles[0].Failed, Is.True);
        Assert.That(result.Vehicles[0].FailureReason, Does.Contain("closed").Or.Contain("connection lost"));
        Assert.That(result.Vehicles[0].FailureTime, Is.LessThan(1.0), "detected at once, not after the 10 s timeout");
    }

    [Test]
    public async Task LocalLane_GarbageInsteadOfCommand_TruckFailedRunGoesOn()
    {
        await using var f = await BridgeFixture.StartAsync(duration: 1, vehicleTimeout: 10, unixSocket: true);
        var runTask = f.StartRunAsync();
        using var raw = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
        await raw.ConnectAsync(new System.Net.Sockets.UnixDomainSocketEndPoint(f.Server.LocalDriveSocketPath!), f.Token);
        using var link = new DelimitedMessageSocket(raw);
        await link.WriteAsync(new VehicleToBridge { Attach = new Attach { VehicleId = "truck1", ProtocolVersion = ProtocolInfo.Version } }, f.Token);
        Assert.That((await link.ReadAsync(BridgeToVehicle.Parser, f.Token))!.MessageCase, Is.EqualTo(BridgeToVehicle.MessageOneofCase.Attached));

        await raw.SendAsync(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF }, System.Net.Sockets.SocketFlags.None, f.Token);

        var result = await runTask.WaitAsync(Wait);
        Assert.That(result.Vehicles[0].Failed, Is.True);
        Assert.That(result.Vehicles[0].FailureReason, Does.Contain("connection lost"));
        Assert.That(result.Kpi.SimulatedTime, Is.EqualTo(1.0).Within(1e-9), "the run went on to its end");
    }
}
