using AutomationStack.Bridge.Protocol;
using AutomationStack.Mcap;
using Google.Protobuf;
using Grpc.Core;
using ContractPose = AutomationStack.Contracts.LidarPose;
using ContractScan = AutomationStack.Contracts.LidarScan;

namespace AutomationStack.Bridge.Tests;

[TestFixture]
[CancelAfter(120_000)]
public sealed class LidarBridgeTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Test]
    public void LidarScan_ToWireAndBack_PackedSevenBytesAPointExactForSensedValues()
    {
        // Sensed values: centimetres and 1/255 intensity steps (what LidarModel produces), so packing is lossless.
        static float Cm(double v) => ContractScan.FromCentimetres(ContractScan.ToCentimetres(v));
        static float I(double v) => ContractScan.FromIntensityByte(ContractScan.ToIntensityByte(v));
        float[] points = [Cm(1.5), Cm(-2.25), Cm(-4.3), I(0.65), Cm(119.99), Cm(0.13), Cm(-1.0), I(0.9), Cm(-327.67), 0f, 0f, I(0.1)];
        // A reused buffer longer than the scan: only PointCount points travel.
        var buffer = new float[points.Length + 8];
        points.CopyTo(buffer, 0);
        var scan = new ContractScan(120, 1_200_000_000, new ContractPose(7.25, 0, 4.3, 0.01), buffer, 3);

        var wire = ProtocolMapping.ToWire(scan);
        var parsed = LidarScan.Parser.ParseFrom(wire.ToByteArray());
        var back = ProtocolMapping.FromWire(parsed);

        Assert.That(wire.Points.IsEmpty, Is.True);
        Assert.That(wire.PackedPoints.Length, Is.EqualTo(3 * ProtocolMapping.PackedPointBytes));
        Assert.That(BitConverter.ToInt16(wire.PackedPoints.Span[2..4]), Is.EqualTo(-225), "int16 little-endian centimetres, then x, y, z, intensity byte");
        Assert.That(back.FrameNumber, Is.EqualTo(120));
        Assert.That(back.StampNs, Is.EqualTo(1_200_000_000));
        Assert.That(back.Pose, Is.EqualTo(scan.Pose));
        Assert.That(back.PointCount, Is.EqualTo(3));
        Assert.That(back.PointData.ToArray(), Is.EqualTo(points));
    }

    [Test]
    public void LidarScan_FloatEncoding_StillRead()
    {
        float[] points = [1.234f, -2.5f, 0.3f, 0.5f];
        var wire = new LidarScan { Frame = 3, PointCount = 1, Points = ByteString.CopyFrom(System.Runtime.InteropServices.MemoryMarshal.AsBytes(points.AsSpan())) };

        var back = ProtocolMapping.FromWire(wire);

        Assert.That(back.PointData.ToArray(), Is.EqualTo(points));
    }

    [Test]
    public void LidarScan_PackedWithWrongByteCount_ArgumentExceptionNamingCount()
    {
        var wire = new LidarScan { Frame = 5, PointCount = 2, PackedPoints = ByteString.CopyFrom(new byte[13]) };

        var ex = Assert.Throws<ArgumentException>(() => ProtocolMapping.FromWire(wire));

        Assert.That(ex!.Message, Does.Contain("packed_points").And.Contain("point_count = 2"));
    }

    [Test]
    public void LidarScan_FromWireWithWrongByteCount_ArgumentExceptionNamingCount()
    {
        var wire = new LidarScan { Frame = 5, PointCount = 2, Points = Google.Protobuf.ByteString.CopyFrom(new byte[20]) };

        var ex = Assert.Throws<ArgumentException>(() => ProtocolMapping.FromWire(wire));

        Assert.That(ex!.Message, Does.Contain("point_count = 2"));
    }

    [Test]
    public void Frame_WithLidar_MapsIntoSensorFrame()
    {
        var scan = new ContractScan(10, 100_000_000, new ContractPose(1, 0, 2, 0), [1f, 2f, 3f, ContractScan.FromIntensityByte(128)], 1);
        var frame = new Frame { Frame_ = 10, StampNs = 100_000_000, Lidar = ProtocolMapping.ToWire(scan) };

        var sensorFrame = ProtocolMapping.FromWire(Frame.Parser.ParseFrom(frame.ToByteArray()));
        var without = ProtocolMapping.FromWire(new Frame { Frame_ = 12 });

        Assert.That(sensorFrame.Lidar, Is.Not.Null);
        Assert.That(sensorFrame.Lidar!.PointData.ToArray(), Is.EqualTo(new[] { 1f, 2f, 3f, 128 / 255f }));
        Assert.That(without.Lidar, Is.Null);
    }

    [Test]
    public void Blueprint_HeightAndCategory_RoundTrip()
    {
        var agv = Simulation.BackgroundBodies.Agv;

        var back = ProtocolMapping.FromWire(ProtocolMapping.ToWire(agv));
        var old = ProtocolMapping.FromWire(new Blueprint { Mass = 1, Length = 2, Width = 1, Wheelbase = 1 });

        Assert.That(back, Is.EqualTo(agv));
        Assert.That((old.Height, old.Category), Is.EqualTo((4.0, Contracts.VehicleCategory.Truck)), "an older peer's blueprint reads as a truck");
    }

    [Test]
    public async Task Run_LidarEnabled_ScanEveryTenStepsInFramesAndRecordingGroundTruthHasLabels()
    {
        await using var f = await BridgeFixture.StartAsync(duration: 0.5, events: "sensors: {lidar: {enabled: true, record_every: 2}}");
        var runTask = f.StartRunAsync();
        await f.Client.SpawnVehicleAsync(
            new SpawnRequest { VehicleId = "car9", Kind = VehicleKind.Background, LaneId = "R/0", S = 140, Speed = 10 },
            deadline: DateTime.UtcNow + Wait);
        using var call = f.Client.Drive(deadline: DateTime.UtcNow + Wait);
        await call.RequestStream.WriteAsync(new VehicleToBridge { Attach = new Attach { VehicleId = "truck1", ProtocolVersion = ProtocolInfo.Version } });
        Assert.That(await call.ResponseStream.MoveNext(), Is.True);

        var scans = new List<(long Frame, LidarScan Scan)>();
        while (await call.ResponseStream.MoveNext())
        {
            var message = call.ResponseStream.Current;
            if (message.MessageCase == BridgeToVehicle.MessageOneofCase.End)
            {
                break;
            }

            if (message.Frame.Lidar is { } lidar)
            {
                scans.Add((message.Frame.Frame_, lidar));
            }

            await call.RequestStream.WriteAsync(new VehicleToBridge { Command = new Command { VehicleId = "truck1", Frame = message.Frame.Frame_ } });
        }

        await runTask.WaitAsync(Wait);

        Assert.That(scans.Select(s => s.Frame), Is.EqualTo(new long[] { 10, 20, 30, 40, 50 }));
        Assert.That(scans.Select(s => s.Scan.Frame), Is.EqualTo(new long[] { 10, 20, 30, 40, 50 }));
        Assert.That(scans.Select(s => s.Scan.PackedPoints.Length), Is.EqualTo(scans.Select(s => (int)s.Scan.PointCount * ProtocolMapping.PackedPointBytes)));
        Assert.That(scans[0].Scan.PointCount, Is.GreaterThan(1000u));
        Assert.That(scans[0].Scan.Pose.Z, Is.EqualTo(4.3).Within(1e-12));

        var (frames, truth) = ReadRecording(f.Recording);
        // record_every: 2 keeps the 1st, 3rd and 5th scan in the log; the vehicle got all five.
        Assert.That(frames.Where(fr => fr.Lidar is not null).Select(fr => fr.Frame_), Is.EqualTo(new long[] { 10, 30, 50 }), "every second scan is recorded with its frame");
        Assert.That(frames.Where(fr => fr.Lidar is not null).Select(fr => fr.Lidar.PackedPoints), Is.EqualTo(new[] { scans[0].Scan.PackedPoints, scans[2].Scan.PackedPoints, scans[4].Scan.PackedPoints }));
        var car = truth.Vehicles.Single(v => v.Id == "car9");
        var truck = truth.Vehicles.Single(v => v.Id == "truck1");
        Assert.That((car.Category, car.Height, car.Length, car.Width), Is.EqualTo((VehicleCategory.Car, 1.5, 4.6, 1.9)));
        Assert.That((truck.Category, truck.Height, truck.Length), Is.EqualTo((VehicleCategory.Truck, 4.0, 16.5)));
    }

    [Test]
    public async Task Run_LidarOff_FramesCarryNoScan()
    {
        await using var f = await BridgeFixture.StartAsync(duration: 0.2);
        var runTask = f.StartRunAsync();
        using var call = f.Client.Drive(deadline: DateTime.UtcNow + Wait);
        await call.RequestStream.WriteAsync(new VehicleToBridge { Attach = new Attach { VehicleId = "truck1", ProtocolVersion = ProtocolInfo.Version } });
        Assert.That(await call.ResponseStream.MoveNext(), Is.True);
        var withLidar = 0;
        while (await call.ResponseStream.MoveNext() && call.ResponseStream.Current.MessageCase == BridgeToVehicle.MessageOneofCase.Frame)
        {
            var frame = call.ResponseStream.Current.Frame;
            withLidar += frame.Lidar is null ? 0 : 1;
            await call.RequestStream.WriteAsync(new VehicleToBridge { Command = new Command { VehicleId = "truck1", Frame = frame.Frame_ } });
        }

        await runTask.WaitAsync(Wait);

        Assert.That(withLidar, Is.Zero);
    }

    private static (List<Frame> Frames, GroundTruth Last) ReadRecording(MemoryStream recording)
    {
        var path = Path.Combine(Path.GetTempPath(), "as-lidar-" + Guid.NewGuid().ToString("N") + ".mcap");
        File.WriteAllBytes(path, recording.ToArray());
        try
        {
            using var reader = McapReader.Open(path);
            reader.Validate();
            var frames = reader.ReadMessages("/vehicle/truck1/frame").Select(m => Frame.Parser.ParseFrom(m.Data.Span)).ToList();
            return (frames, GroundTruth.Parser.ParseFrom(reader.ReadMessages("/ground_truth").Last().Data.Span));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
