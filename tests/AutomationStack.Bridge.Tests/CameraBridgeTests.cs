using AutomationStack.Bridge.Protocol;
using AutomationStack.Mcap;
using Google.Protobuf;
using Grpc.Core;
using ContractImage = AutomationStack.Contracts.CameraImage;
using ContractMount = AutomationStack.Contracts.CameraMount;

namespace AutomationStack.Bridge.Tests;

[TestFixture]
[CancelAfter(120_000)]
public sealed class CameraBridgeTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Test]
    public void CameraImage_ToWireAndBack_SamePixelsPoseIntrinsicsAndStamp()
    {
        var pixels = Enumerable.Range(0, 4 * 2 * 3).Select(i => (byte)(i * 7)).ToArray();
        var image = new ContractImage(120, 1_200_000_000, new ContractMount(7.95, 0, 2.5, 0, 0.02), 966, 965, 2, 1, 4, 2, pixels);

        var wire = ProtocolMapping.ToWire(image);
        var back = ProtocolMapping.FromWire(CameraImage.Parser.ParseFrom(wire.ToByteArray()));

        Assert.That((back.FrameNumber, back.StampNs, back.Width, back.Height), Is.EqualTo((120L, 1_200_000_000L, 4, 2)));
        Assert.That(back.Pose, Is.EqualTo(image.Pose));
        Assert.That((back.Fx, back.Fy, back.Cx, back.Cy), Is.EqualTo((966.0, 965.0, 2.0, 1.0)));
        Assert.That(back.Rgb.ToArray(), Is.EqualTo(pixels));
    }

    [Test]
    public void CameraImage_FromWireWithWrongByteCount_ArgumentExceptionNamingSize()
    {
        var wire = new CameraImage { Frame = 5, Width = 4, Height = 2, Rgb = ByteString.CopyFrom(new byte[20]) };

        var ex = Assert.Throws<ArgumentException>(() => ProtocolMapping.FromWire(wire));

        Assert.That(ex!.Message, Does.Contain("4 × 2 × 3"));
    }

    [Test]
    public void Frame_WithCamera_MapsIntoSensorFrame()
    {
        var image = new ContractImage(10, 100_000_000, new ContractMount(1, 0, 2, 0, 0), 10, 10, 8, 8, 16, 16, new byte[16 * 16 * 3]);
        var frame = new Frame { Frame_ = 10, StampNs = 100_000_000, Camera = ProtocolMapping.ToWire(image) };

        var sensorFrame = ProtocolMapping.FromWire(Frame.Parser.ParseFrom(frame.ToByteArray()));
        var without = ProtocolMapping.FromWire(new Frame { Frame_ = 12 });

        Assert.That(sensorFrame.Camera, Is.Not.Null);
        Assert.That(sensorFrame.Camera!.Rgb.Length, Is.EqualTo(768));
        Assert.That(without.Camera, Is.Null);
    }

    [Test]
    public void WorldInfo_SignalHeads_RoundTripIntoRoadNetwork()
    {
        var lane = new RoadMap.Lane("R/0", "R", 0, new Geometry.Polyline([new(0, 0), new(100, 0)]), 3.5, 20, RoadMap.ElevationProfile.Flat, null, null);
        var map = new RoadMap.RoadNetwork("m", [lane], [new RoadMap.SignalHeadSite("S1", 50, 2.6, 2.5, Math.PI, ["R/0"])]);
        var info = new WorldInfo { MapName = "m" };
        ProtocolMapping.AddLanes(map, info.Lanes);
        ProtocolMapping.AddSignalHeads(map, info.SignalHeads);

        var back = ProtocolMapping.ToRoadNetwork(WorldInfo.Parser.ParseFrom(info.ToByteArray()));

        Assert.That(back.SignalHeads, Has.Count.EqualTo(1));
        var head = back.SignalHeads[0];
        Assert.That((head.Id, head.X, head.Y, head.Height, head.Heading), Is.EqualTo(("S1", 50.0, 2.6, 2.5, Math.PI)));
        Assert.That(head.LaneIds, Is.EqualTo(new[] { "R/0" }));
    }

    [Test]
    public async Task Run_CameraEnabled_ImageEveryTenStepsInFramesEverySecondOneRecordedOnItsTopic()
    {
        await using var f = await BridgeFixture.StartAsync(duration: 0.5, events: "sensors: {camera: {enabled: true, width: 64, height: 36, record_every: 2}}");
        var runTask = f.StartRunAsync();
        using var call = f.Client.Drive(deadline: DateTime.UtcNow + Wait);
        await call.RequestStream.WriteAsync(new VehicleToBridge { Attach = new Attach { VehicleId = "truck1", ProtocolVersion = ProtocolInfo.Version } });
        Assert.That(await call.ResponseStream.MoveNext(), Is.True);

        var images = new List<(long Frame, CameraImage Image)>();
        while (await call.ResponseStream.MoveNext())
        {
            var message = call.ResponseStream.Current;
            if (message.MessageCase == BridgeToVehicle.MessageOneofCase.End)
            {
                break;
            }

            if (message.Frame.Camera is { } camera)
            {
                images.Add((message.Frame.Frame_, camera));
            }

            await call.RequestStream.WriteAsync(new VehicleToBridge { Command = new Command { VehicleId = "truck1", Frame = message.Frame.Frame_ } });
        }

        var result = await runTask.WaitAsync(Wait);

        Assert.That(images.Select(i => i.Frame), Is.EqualTo(new long[] { 10, 20, 30, 40, 50 }));
        Assert.That(images.Select(i => i.Image.Frame), Is.EqualTo(new long[] { 10, 20, 30, 40, 50 }));
        Assert.That(images.All(i => i.Image.Rgb.Length == 64 * 36 * 3 && i.Image.Width == 64 && i.Image.Height == 36), Is.True);
        Assert.That((result.Timings.CameraImages, result.Timings.CameraImagesRecorded), Is.EqualTo((5L, 3L)));

        var path = Path.Combine(Path.GetTempPath(), "as-camera-" + Guid.NewGuid().ToString("N") + ".mcap");
        File.WriteAllBytes(path, f.Recording.ToArray());
        try
        {
            using var reader = McapReader.Open(path);
            reader.Validate();
            var frames = reader.ReadMessages("/vehicle/truck1/frame").Select(m => Frame.Parser.ParseFrom(m.Data.Span)).ToList();
            var recorded = reader.ReadMessages("/vehicle/truck1/camera").Select(m => CameraImage.Parser.ParseFrom(m.Data.Span)).ToList();
            Assert.That(frames.Count(fr => fr.Camera is not null), Is.Zero, "images are recorded on their own topic, not in the frames");
            Assert.That(recorded.Select(i => i.Frame), Is.EqualTo(new long[] { 10, 30, 50 }), "every 2nd image, the first included");
            Assert.That(recorded[1].Rgb, Is.EqualTo(images[2].Image.Rgb));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public async Task Run_CameraRecordEveryZero_ImagesSentNoneRecordedNoTopic()
    {
        await using var f = await BridgeFixture.StartAsync(duration: 0.2, events: "sensors: {camera: {enabled: true, width: 32, height: 18, record_every: 0}}");
        var runTask = f.StartRunAsync();
        using var call = f.Client.Drive(deadline: DateTime.UtcNow + Wait);
        await call.RequestStream.WriteAsync(new VehicleToBridge { Attach = new Attach { VehicleId = "truck1", ProtocolVersion = ProtocolInfo.Version } });
        Assert.That(await call.ResponseStream.MoveNext(), Is.True);
        var withCamera = 0;
        while (await call.ResponseStream.MoveNext() && call.ResponseStream.Current.MessageCase == BridgeToVehicle.MessageOneofCase.Frame)
        {
            var frame = call.ResponseStream.Current.Frame;
            withCamera += frame.Camera is null ? 0 : 1;
            await call.RequestStream.WriteAsync(new VehicleToBridge { Command = new Command { VehicleId = "truck1", Frame = frame.Frame_ } });
        }

        var result = await runTask.WaitAsync(Wait);

        Assert.That(withCamera, Is.EqualTo(2));
        Assert.That(result.Timings.CameraImagesRecorded, Is.Zero);
        var path = Path.Combine(Path.GetTempPath(), "as-camera-" + Guid.NewGuid().ToString("N") + ".mcap");
        File.WriteAllBytes(path, f.Recording.ToArray());
        try
        {
            using var reader = McapReader.Open(path);
            Assert.That(reader.ReadMessages("/vehicle/truck1/camera"), Is.Empty);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
