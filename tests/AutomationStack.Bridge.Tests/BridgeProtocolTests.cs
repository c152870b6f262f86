using AutomationStack.Bridge.Protocol;
using AutomationStack.Mcap;
using AutomationStack.Vehicle.BridgeClient;
using Grpc.Core;

namespace AutomationStack.Bridge.Tests;

[TestFixture]
[CancelAfter(120_000)]
public sealed class BridgeProtocolTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Test]
    public async Task Connect_WrongProtocolVersion_FailedPreconditionNamingBothVersions()
    {
        await using var f = await BridgeFixture.StartAsync(duration: 1);

        var ex = Assert.ThrowsAsync<RpcException>(async () =>
            await f.Client.ConnectAsync(new ConnectRequest { ProtocolVersion = ProtocolInfo.Version + 1 }, deadline: DateTime.UtcNow + Wait));

        Assert.That(ex!.StatusCode, Is.EqualTo(StatusCode.FailedPrecondition));
        Assert.That(ex.Status.Detail, Does.Contain($"v{ProtocolInfo.Version}").And.Contain($"v{ProtocolInfo.Version + 1}"));
    }

    [Test]
    public async Task Drive_AttachWithWrongVersion_FailedPrecondition()
    {
        await using var f = await BridgeFixture.StartAsync(duration: 1);
        using var call = f.Client.Drive(deadline: DateTime.UtcNow + Wait);

        await call.RequestStream.WriteAsync(new VehicleToBridge { Attach = new Attach { VehicleId = "truck1", ProtocolVersion = 99 } });
        var ex = Assert.ThrowsAsync<RpcException>(async () => await call.ResponseStream.MoveNext());

        Assert.That(ex!.StatusCode, Is.EqualTo(StatusCode.FailedPrecondition));
        Assert.That(ex.Status.Detail, Does.Contain("v99"));
    }

    [Test]
    public async Task Drive_UnknownVehicle_NotFound()
    {
        await using var f = await BridgeFixture.StartAsync(duration: 1);
        using var call = f.Client.Drive(deadline: DateTime.UtcNow + Wait);

        await call.RequestStream.WriteAsync(new VehicleToBridge { Attach = new Attach { VehicleId = "nobody", ProtocolVersion = ProtocolInfo.Version } });
        var ex = Assert.ThrowsAsync<RpcException>(async () => await call.ResponseStream.MoveNext());

        Assert.That(ex!.StatusCode, Is.EqualTo(StatusCode.NotFound));
        Assert.That(ex.Status.Detail, Does.Contain("nobody"));
    }

    [Test]
    public async Task GetWorldInfo_Always_ReturnsMapStepSeedAndMode()
    {
        await using var f = await BridgeFixture.StartAsync(duration: 1);

        var info = await f.Client.GetWorldInfoAsync(new WorldInfoRequest(), deadline: DateTime.UtcNow + Wait);

        Assert.That(info.Lanes, Has.Count.EqualTo(1));
        Assert.That(info.Lanes[0].Id, Is.EqualTo("R/0"));
        Assert.That(info.StepNs, Is.EqualTo(10_000_000));
        Assert.That(info.Seed, Is.EqualTo(3UL));
        Assert.That(info.Mode, Is.EqualTo(Mode.Lockstep));
        Assert.That(ProtocolMapping.ToRoadNetwork(info).GetLane("R/0").Centreline.Length, Is.EqualTo(2000).Within(1e-6));
    }

    [Test]
    public async Task Drive_SlowVehicle_BridgeWaitsForEveryFrame()
    {
        await using var f = await BridgeFixture.StartAsync(duration: 0.2);
        var runTask = f.StartRunAsync();
        using var call = await AttachAsync(f);
        Assert.That(call.ResponseStream.Current.Attached.ControlPeriodSteps, Is.EqualTo(2));
        Assert.That(call.ResponseStream.Current.Attached.Parameters["acc.time_gap"], Is.EqualTo(1.5));

        var frames = new List<long>();
        var stamps = new List<long>();
        while (await call.ResponseStream.MoveNext())
        {
            var message = call.ResponseStream.Current;
            if (message.MessageCase == BridgeToVehicle.MessageOneofCase.End)
            {
                break;
            }

            frames.Add(message.Frame.Frame_);
            stamps.Add(message.Frame.StampNs);
            await Task.Delay(20); // much slower than real time: the bridge must wait, not skip
            await call.RequestStream.WriteAsync(new VehicleToBridge { Command = new Command { VehicleId = "truck1", Frame = message.Frame.Frame_, Acceleration = 0 } });
        }

        var result = await runTask.WaitAsync(Wait);

        Assert.That(frames, Is.EqualTo(new long[] { 2, 4, 6, 8, 10, 12, 14, 16, 18, 20 }));
        Assert.That(stamps[0], Is.EqualTo(20_000_000));
        Assert.That(result.Vehicles[0].Failed, Is.False);
        Assert.That(result.Vehicles[0].MissedFrames, Is.Zero);
        Assert.That(result.Vehicles[0].FramesAnswered, Is.EqualTo(10));
        Assert.That(result.Kpi.Frames, Is.EqualTo(20));
    }

    [Test]
    public async Task Drive_VehicleStopsAnswering_FailedAndMinimalRiskStop()
    {
        await using var f = await BridgeFixture.StartAsync(duration: 6, vehicleTimeout: 0.3);
        var runTask = f.StartRunAsync();
        using var call = await AttachAsync(f);
        for (var i = 0; i < 3; i++)
        {
            Assert.That(await call.ResponseStream.MoveNext(), Is.True);
            var frame = call.ResponseStream.Current.Frame;
            await call.RequestStream.WriteAsync(new VehicleToBridge { Command = new Command { VehicleId = "truck1", Frame = frame.Frame_, Acceleration = 0 } });
        }

        // Keep the stream open but answer nothing more.
        var result = await runTask.WaitAsync(Wait);

        var truck = result.Vehicles[0];
        Assert.That(truck.Failed, Is.True);
        Assert.That(truck.FailureReason, Does.Contain("vehicle_timeout"));
        Assert.That(truck.MissedFrames, Is.EqualTo(1));
        var last = LastGroundTruth(f.Recording);
        Assert.That(last.Vehicles[0].Speed, Is.LessThan(0.05), "braked to standstill within the run");
        Assert.That(last.Vehicles[0].Status, Is.EqualTo(VehicleStatus.Stopped));
        Assert.That(Math.Abs(last.Vehicles[0].Offset), Is.LessThan(0.3));
    }

    [Test]
    public async Task Drive_VehicleDisconnects_FailedWithConnectionReason()
    {
        await using var f = await BridgeFixture.StartAsync(duration: 2, vehicleTimeout: 10);
        var runTask = f.StartRunAsync();
        var call = await AttachAsync(f);
        Assert.That(await call.ResponseStream.MoveNext(), Is.True, "first frame");

        call.Dispose(); // cancels the call: the bridge sees the stream break

        var result = await runTask.WaitAsync(Wait);
        Assert.That(result.Vehicles[0].Failed, Is.True);
        Assert.That(result.Vehicles[0].FailureReason, Does.Contain("connection lost").Or.Contain("closed"));
        Assert.That(result.Vehicles[0].FailureTime, Is.LessThan(1.0), "detected at once, not after the 10 s timeout");
    }

    [Test]
    public async Task Attach_NoVehicleProcess_FailedAfterAttachTimeout()
    {
        await using var f = await BridgeFixture.StartAsync(duration: 1, attachTimeout: 0.2);

        var result = await f.StartRunAsync().WaitAsync(Wait);

        Assert.That(result.Vehicles[0].Failed, Is.True);
        Assert.That(result.Vehicles[0].FailureReason, Does.Contain("attached"));
    }

    [Test]
    public async Task BridgeVehicleInterface_Connect_FillsSessionFromBridge()
    {
        await using var f = await BridgeFixture.StartAsync(duration: 0.1);
        var runTask = f.StartRunAsync();
        await using var vehicle = new BridgeVehicleInterface(f.Server.Address, "truck1");

        await vehicle.ConnectAsync(CancellationToken.None);
        var frames = 0;
        while (await vehicle.NextFrameAsync(CancellationToken.None) is { } frame)
        {
            frames++;
            await vehicle.SendAsync(new Contracts.VehicleOutput(frame.FrameNumber, new Contracts.ActuationCommand(0, 0), [], [], default), CancellationToken.None);
        }

        await runTask.WaitAsync(Wait);
        Assert.That(vehicle.Session.VehicleId, Is.EqualTo("truck1"));
        Assert.That(vehicle.Session.StepLength, Is.EqualTo(0.01).Within(1e-12));
        Assert.That(vehicle.Session.ControlPeriodSteps, Is.EqualTo(2));
        Assert.That(vehicle.Session.Parameters["acc.time_gap"], Is.EqualTo(1.5));
        Assert.That(vehicle.Session.Map.Lanes, Has.Count.EqualTo(1));
        Assert.That(frames, Is.EqualTo(5));
        Assert.That(vehicle.EndReason, Is.EqualTo("end of scenario"));
    }

    [Test]
    public async Task StreamGroundTruth_DuringRun_OneMessagePerStep()
    {
        await using var f = await BridgeFixture.StartAsync(duration: 0.5, attachTimeout: 0.05);
        using var gt = f.Client.StreamGroundTruth(new GroundTruthRequest(), deadline: DateTime.UtcNow + Wait);
        var registered = DateTime.UtcNow + Wait;
        while (f.Run.GroundTruthSubscriberCount == 0)
        {
            Assert.That(DateTime.UtcNow, Is.LessThan(registered), "the ground-truth subscription never registered");
            await Task.Delay(10);
        }

        var result = await f.StartRunAsync().WaitAsync(Wait);
        var frames = new List<long>();
        while (await gt.ResponseStream.MoveNext())
        {
            frames.Add(gt.ResponseStream.Current.Frame);
        }

        Assert.That(frames, Has.Count.EqualTo(result.Kpi.Frames));
        Assert.That(frames[0], Is.EqualTo(1));
    }

    [Test]
    public async Task SpawnVehicle_UnknownLane_InvalidArgumentNamingLane()
    {
        await using var f = await BridgeFixture.StartAsync(duration: 1);

        var ex = Assert.ThrowsAsync<RpcException>(async () => await f.Client.SpawnVehicleAsync(
            new SpawnRequest { VehicleId = "car9", Kind = VehicleKind.Background, LaneId = "X/0", S = 10, Speed = 5 },
            deadline: DateTime.UtcNow + Wait));

        Assert.That(ex!.StatusCode, Is.EqualTo(StatusCode.InvalidArgument));
        Assert.That(ex.Status.Detail, Does.Contain("X/0"));
    }

    [Test]
    public async Task SpawnVehicle_BackgroundCarBeforeStart_AppearsInGroundTruthAndIsDestroyable()
    {
        await using var f = await BridgeFixture.StartAsync(duration: 0.5, attachTimeout: 1.0);
        var runTask = f.StartRunAsync();

        var reply = await f.Client.SpawnVehicleAsync(
            new SpawnRequest { VehicleId = "car9", Kind = VehicleKind.Background, LaneId = "R/0", S = 400, Speed = 10 },
            deadline: DateTime.UtcNow + Wait);
        var again = Assert.ThrowsAsync<RpcException>(async () => await f.Client.SpawnVehicleAsync(
            new SpawnRequest { VehicleId = "car9", Kind = VehicleKind.Background, LaneId = "R/0", S = 600, Speed = 10 },
            deadline: DateTime.UtcNow + Wait));
        await runTask.WaitAsync(Wait);

        Assert.That(reply.StationId, Is.GreaterThan(0u));
        Assert.That(again!.StatusCode, Is.EqualTo(StatusCode.AlreadyExists));
        var last = LastGroundTruth(f.Recording);
        Assert.That(last.Vehicles.Select(v => v.Id), Does.Contain("car9"));
    }

    [Test]
    public async Task Drive_RealtimeModeSlowVehicle_PacedByWallClockLateFramesCountedNotFailed()
    {
        await using var f = await BridgeFixture.StartAsync(duration: 0.5, vehicleTimeout: 2, mode: "realtime");
        var runTask = f.StartRunAsync();
        using var call = await AttachAsync(f);
        Assert.That(call.ResponseStream.Current.Attached.Mode, Is.EqualTo(Mode.Realtime));
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var frames = 0;
        while (await call.ResponseStream.MoveNext())
        {
            var message = call.ResponseStream.Current;
            if (message.MessageCase == BridgeToVehicle.MessageOneofCase.End)
            {
                break;
            }

            frames++;
            if (frames % 5 == 0)
            {
                await Task.Delay(40); // misses its step deadline: the bridge must not wait for it
            }

            await call.RequestStream.WriteAsync(new VehicleToBridge { Command = new Command { VehicleId = "truck1", Frame = message.Frame.Frame_, Acceleration = 0 } });
        }

        var result = await runTask.WaitAsync(Wait);

        Assert.That(watch.Elapsed.TotalSeconds, Is.GreaterThanOrEqualTo(0.4), "wall-clock paced");
        Assert.That(result.Kpi.Frames, Is.EqualTo(50));
        Assert.That(result.Vehicles[0].Failed, Is.False);
        Assert.That(result.Vehicles[0].LateFrames, Is.GreaterThan(0));
    }

    [Test]
    public async Task Drive_RealtimeModeVehicleCatchesUpAfterStall_StaleAnswersDroppedNotFailed()
    {
        await using var f = await BridgeFixture.StartAsync(duration: 1.0, vehicleTimeout: 2, mode: "realtime");
        var runTask = f.StartRunAsync();
        using var call = await AttachAsync(f);
        var first = true;
        while (await call.ResponseStream.MoveNext())
        {
            var message = call.ResponseStream.Current;
            if (message.MessageCase == BridgeToVehicle.MessageOneofCase.End)
            {
                break;
            }

            if (first)
            {
                first = false;
                await Task.Delay(400); // a stall: about 20 frames queue up, then are answered in a burst
            }

            await call.RequestStream.WriteAsync(new VehicleToBridge { Command = new Command { VehicleId = "truck1", Frame = message.Frame.Frame_, Acceleration = 0 } });
        }

        var result = await runTask.WaitAsync(Wait);

        Assert.That(result.Vehicles[0].Failed, Is.False, result.Vehicles[0].FailureReason);
        Assert.That(result.Vehicles[0].StaleCommands, Is.GreaterThan(8));
    }

    [Test]
    public async Task Run_V2xChannelEvent_ChannelChangedAndRestoredAtEventTimesAndRecorded()
    {
        await using var f = await BridgeFixture.StartAsync(duration: 1, attachTimeout: 0.05, events: "events: [{at: 0.3, until: 0.6, type: v2x, channel: {loss: 1}}]");

        await f.StartRunAsync().WaitAsync(Wait);

        var channelEvents = ReadEvents(f.Recording).Where(e => e.Kind == "v2x_channel").ToList();
        Assert.That(channelEvents.Select(e => e.StampNs), Is.EqualTo(new long[] { 300_000_000, 600_000_000 }));
        Assert.That(channelEvents[0].Detail, Does.Contain("loss 1"));
        Assert.That(channelEvents[1].Detail, Does.Contain("restored"));
    }

    /// <summary>Opens Drive for truck1, sends Attach and reads the Attached answer.</summary>
    private static async Task<AsyncDuplexStreamingCall<VehicleToBridge, BridgeToVehicle>> AttachAsync(BridgeFixture f)
    {
        var call = f.Client.Drive(deadline: DateTime.UtcNow + Wait);
        await call.RequestStream.WriteAsync(new VehicleToBridge { Attach = new Attach { VehicleId = "truck1", ProtocolVersion = ProtocolInfo.Version } });
        Assert.That(await call.ResponseStream.MoveNext(), Is.True, "no Attached answer");
        Assert.That(call.ResponseStream.Current.MessageCase, Is.EqualTo(BridgeToVehicle.MessageOneofCase.Attached));
        return call;
    }

    private static List<RunEvent> ReadEvents(MemoryStream recording)
    {
        var path = Path.Combine(Path.GetTempPath(), "as-bridge-" + Guid.NewGuid().ToString("N") + ".mcap");
        File.WriteAllBytes(path, recording.ToArray());
        try
        {
            using var reader = McapReader.Open(path);
            return [.. reader.ReadMessages("/events").Select(m => RunEvent.Parser.ParseFrom(m.Data.Span))];
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static GroundTruth LastGroundTruth(MemoryStream recording)
    {
        var path = Path.Combine(Path.GetTempPath(), "as-bridge-" + Guid.NewGuid().ToString("N") + ".mcap");
        File.WriteAllBytes(path, recording.ToArray());
        try
        {
            using var reader = McapReader.Open(path);
            reader.Validate();
            return GroundTruth.Parser.ParseFrom(reader.ReadMessages("/ground_truth").Last().Data.Span);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
