using AutomationStack.Contracts;
using AutomationStack.Geometry;
using AutomationStack.RoadMap;
using Google.Protobuf;
using Google.Protobuf.Collections;

namespace AutomationStack.Bridge.Protocol;

/// <summary>Conversions between wire messages and the stack's contract types; the only place they are written.</summary>
public static class ProtocolMapping
{
    public static Blueprint ToWire(TruckParameters p)
    {
        ArgumentNullException.ThrowIfNull(p);
        return new Blueprint
        {
            Mass = p.Mass,
            Length = p.Length,
            Width = p.Width,
            Wheelbase = p.Wheelbase,
            RearAxleToCentre = p.RearAxleToCentre,
            MaxAcceleration = p.MaxAcceleration,
            MaxDeceleration = p.MaxDeceleration,
            ActuatorTimeConstant = p.ActuatorTimeConstant,
            MaxSteeringAngle = p.MaxSteeringAngle,
            MaxSteeringRate = p.MaxSteeringRate,
            FrontalArea = p.FrontalArea,
            DragCoefficient = p.DragCoefficient,
            RollingResistance = p.RollingResistance,
            MaxPower = p.MaxPower,
            Height = p.Height,
            Category = ToWire(p.Category),
        };
    }

    public static VehicleCategory ToWire(AutomationStack.Contracts.VehicleCategory category) => category switch
    {
        AutomationStack.Contracts.VehicleCategory.Car => VehicleCategory.Car,
        AutomationStack.Contracts.VehicleCategory.Agv => VehicleCategory.Agv,
        _ => VehicleCategory.Truck,
    };

    /// <summary>Unspecified (an older peer) reads as a truck.</summary>
    public static AutomationStack.Contracts.VehicleCategory FromWire(VehicleCategory category) => category switch
    {
        VehicleCategory.Car => AutomationStack.Contracts.VehicleCategory.Car,
        VehicleCategory.Agv => AutomationStack.Contracts.VehicleCategory.Agv,
        _ => AutomationStack.Contracts.VehicleCategory.Truck,
    };

    /// <summary>
    /// Wire form of a scan: the used points copied as float32 little-endian bytes (one copy, no per-point work on
    /// little-endian machines).
    /// </summary>
    /// <summary>Bytes per point in <c>packed_points</c>: x, y, z int16 centimetres, intensity uint8.</summary>
    public const int PackedPointBytes = 7;

    /// <summary>
    /// Wire form of a scan in the packed encoding (7 bytes a point): exact for the simulator's quantised points (1 cm,
    /// 1/255), coordinates beyond ±327.67 m saturate.
    /// </summary>
    public static LidarScan ToWire(AutomationStack.Contracts.LidarScan scan)
    {
        ArgumentNullException.ThrowIfNull(scan);
        var floats = scan.PointData;
        var bytes = new byte[scan.PointCount * PackedPointBytes];
        for (var i = 0; i < scan.PointCount; i++)
        {
            var o = i * PackedPointBytes;
            var f = i * AutomationStack.Contracts.LidarScan.Stride;
            System.Buffers.Binary.BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(o), AutomationStack.Contracts.LidarScan.ToCentimetres(floats[f]));
            System.Buffers.Binary.BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(o + 2), AutomationStack.Contracts.LidarScan.ToCentimetres(floats[f + 1]));
            System.Buffers.Binary.BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(o + 4), AutomationStack.Contracts.LidarScan.ToCentimetres(floats[f + 2]));
            bytes[o + 6] = AutomationStack.Contracts.LidarScan.ToIntensityByte(floats[f + 3]);
        }

        return new LidarScan
        {
            Frame = scan.FrameNumber,
            StampNs = scan.StampNs,
            Pose = new LidarPose { X = scan.Pose.X, Y = scan.Pose.Y, Z = scan.Pose.Z, Yaw = scan.Pose.Yaw },
            PointCount = (uint)scan.PointCount,
            PackedPoints = ByteString.CopyFrom(bytes),
        };
    }

    /// <summary>Contract form of a wire scan; throws <see cref="ArgumentException"/> when the bytes do not hold point_count points.</summary>
    public static AutomationStack.Contracts.LidarScan FromWire(LidarScan scan)
    {
        ArgumentNullException.ThrowIfNull(scan);
        const int pointBytes = AutomationStack.Contracts.LidarScan.Stride * sizeof(float);
        if (!scan.PackedPoints.IsEmpty || (scan.PointCount > 0 && scan.Points.IsEmpty))
        {
            return FromPacked(scan);
        }

        if ((long)scan.PointCount * pointBytes != scan.Points.Length)
        {
            throw new ArgumentException($"lidar scan of frame {scan.Frame}: {scan.Points.Length} bytes do not hold point_count = {scan.PointCount} points of {pointBytes} bytes", nameof(scan));
        }

        var floats = new float[scan.PointCount * AutomationStack.Contracts.LidarScan.Stride];
        var bytes = scan.Points.Span;
        if (BitConverter.IsLittleEndian)
        {
            bytes.CopyTo(System.Runtime.InteropServices.MemoryMarshal.AsBytes(floats.AsSpan()));
        }
        else
        {
            for (var i = 0; i < floats.Length; i++)
            {
                floats[i] = System.Buffers.Binary.BinaryPrimitives.ReadSingleLittleEndian(bytes[(i * sizeof(float))..]);
            }
        }

        return ToContract(scan, floats);
    }

    private static AutomationStack.Contracts.LidarScan ToContract(LidarScan scan, float[] points)
    {
        var pose = scan.Pose ?? new LidarPose();
        return new AutomationStack.Contracts.LidarScan(
            scan.Frame,
            scan.StampNs,
            new AutomationStack.Contracts.LidarPose(pose.X, pose.Y, pose.Z, pose.Yaw),
            points,
            (int)scan.PointCount);
    }

    private static AutomationStack.Contracts.LidarScan FromPacked(LidarScan scan)
    {
        if (!scan.Points.IsEmpty)
        {
            throw new ArgumentException($"lidar scan of frame {scan.Frame}: both points and packed_points are set; expected one encoding", nameof(scan));
        }

        if ((long)scan.PointCount * PackedPointBytes != scan.PackedPoints.Length)
        {
            throw new ArgumentException($"lidar scan of frame {scan.Frame}: {scan.PackedPoints.Length} bytes of packed_points do not hold point_count = {scan.PointCount} points of {PackedPointBytes} bytes", nameof(scan));
        }

        var floats = new float[scan.PointCount * AutomationStack.Contracts.LidarScan.Stride];
        var bytes = scan.PackedPoints.Span;
        for (var i = 0; i < (int)scan.PointCount; i++)
        {
            var o = i * PackedPointBytes;
            var f = i * AutomationStack.Contracts.LidarScan.Stride;
            floats[f] = AutomationStack.Contracts.LidarScan.FromCentimetres(System.Buffers.Binary.BinaryPrimitives.ReadInt16LittleEndian(bytes[o..]));
            floats[f + 1] = AutomationStack.Contracts.LidarScan.FromCentimetres(System.Buffers.Binary.BinaryPrimitives.ReadInt16LittleEndian(bytes[(o + 2)..]));
            floats[f + 2] = AutomationStack.Contracts.LidarScan.FromCentimetres(System.Buffers.Binary.BinaryPrimitives.ReadInt16LittleEndian(bytes[(o + 4)..]));
            floats[f + 3] = AutomationStack.Contracts.LidarScan.FromIntensityByte(bytes[o + 6]);
        }

        return ToContract(scan, floats);
    }

    /// <summary>Wire form of a camera image: the pixels copied once.</summary>
    public static CameraImage ToWire(AutomationStack.Contracts.CameraImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        return new CameraImage
        {
            Frame = image.FrameNumber,
            StampNs = image.StampNs,
            Pose = new CameraMount { X = image.Pose.X, Y = image.Pose.Y, Z = image.Pose.Z, Yaw = image.Pose.Yaw, Pitch = image.Pose.Pitch },
            Fx = image.Fx,
            Fy = image.Fy,
            Cx = image.Cx,
            Cy = image.Cy,
            Width = (uint)image.Width,
            Height = (uint)image.Height,
            Rgb = ByteString.CopyFrom(image.Rgb.Span),
        };
    }

    /// <summary>Contract form of a wire image (no copy of the pixels); throws <see cref="ArgumentException"/> when the bytes do not hold width × height × 3.</summary>
    public static AutomationStack.Contracts.CameraImage FromWire(CameraImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        var expected = (long)image.Width * image.Height * AutomationStack.Contracts.CameraImage.Channels;
        if (expected != image.Rgb.Length || image.Width == 0 || image.Height == 0 || image.Width > int.MaxValue || image.Height > int.MaxValue)
        {
            throw new ArgumentException($"camera image of frame {image.Frame}: {image.Rgb.Length} bytes do not hold width × height × 3 = {image.Width} × {image.Height} × 3 (and both must be above 0)", nameof(image));
        }

        var pose = image.Pose ?? new CameraMount();
        return new AutomationStack.Contracts.CameraImage(
            image.Frame,
            image.StampNs,
            new AutomationStack.Contracts.CameraMount(pose.X, pose.Y, pose.Z, pose.Yaw, pose.Pitch),
            image.Fx,
            image.Fy,
            image.Cx,
            image.Cy,
            (int)image.Width,
            (int)image.Height,
            image.Rgb.Memory);
    }

    /// <summary>Adds the map's signal heads to <paramref name="target"/> (world info).</summary>
    public static void AddSignalHeads(RoadNetwork map, RepeatedField<SignalHeadSite> target)
    {
        ArgumentNullException.ThrowIfNull(map);
        ArgumentNullException.ThrowIfNull(target);
        foreach (var head in map.SignalHeads)
        {
            target.Add(new SignalHeadSite { Id = head.Id, X = head.X, Y = head.Y, Height = head.Height, Heading = head.Heading, LaneIds = { head.LaneIds } });
        }
    }

    public static TruckParameters FromWire(Blueprint b)
    {
        ArgumentNullException.ThrowIfNull(b);
        return new TruckParameters
        {
            Mass = b.Mass,
            Length = b.Length,
            Width = b.Width,
            Wheelbase = b.Wheelbase,
            RearAxleToCentre = b.RearAxleToCentre,
            MaxAcceleration = b.MaxAcceleration,
            MaxDeceleration = b.MaxDeceleration,
            ActuatorTimeConstant = b.ActuatorTimeConstant,
            MaxSteeringAngle = b.MaxSteeringAngle,
            MaxSteeringRate = b.MaxSteeringRate,
            FrontalArea = b.FrontalArea,
            DragCoefficient = b.DragCoefficient,
            RollingResistance = b.RollingResistance,
            MaxPower = b.MaxPower,
            Height = b.Height > 0 ? b.Height : TruckParameters.Default.Height,
            Category = FromWire(b.Category),
        };
    }

    public static void AddLanes(RoadNetwork map, RepeatedField<Lane> target)
    {
        ArgumentNullException.ThrowIfNull(map);
        ArgumentNullException.ThrowIfNull(target);
        foreach (var lane in map.Lanes)
        {
            var wire = new Lane
            {
                Id = lane.Id,
                RoadId = lane.RoadId,
                Index = lane.Index,
                Width = lane.Width,
                SpeedLimit = lane.SpeedLimit,
                LeftNeighbourId = lane.LeftNeighbourId ?? string.Empty,
                RightNeighbourId = lane.RightNeighbourId ?? string.Empty,
            };
            foreach (var p in lane.Centreline.Points)
            {
                wire.Xs.Add(p.X);
                wire.Ys.Add(p.Y);
            }

            foreach (var s in lane.Elevation.Stations)
            {
                wire.ElevationS.Add(s);
            }

            foreach (var z in lane.Elevation.Heights)
            {
                wire.ElevationZ.Add(z);
            }

            target.Add(wire);
        }
    }

    /// <summary>Rebuilds the road network from world info; throws <see cref="ArgumentException"/> naming the lane on malformed data.</summary>
    public static RoadNetwork ToRoadNetwork(WorldInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        var lanes = new List<AutomationStack.RoadMap.Lane>(info.Lanes.Count);
        foreach (var wire in info.Lanes)
        {
            if (wire.Xs.Count != wire.Ys.Count || wire.Xs.Count < 2)
            {
                throw new ArgumentException($"world info lane '{wire.Id}': centreline needs ≥ 2 points with matching xs/ys");
            }

            var points = new Vec2[wire.Xs.Count];
            for (var i = 0; i < points.Length; i++)
            {
                points[i] = new Vec2(wire.Xs[i], wire.Ys[i]);
            }

            var elevation = wire.ElevationS.Count == 0
                ? ElevationProfile.Flat
                : new ElevationProfile([.. wire.ElevationS], [.. wire.ElevationZ]);
            lanes.Add(new AutomationStack.RoadMap.Lane(
                wire.Id,
                wire.RoadId,
                wire.Index,
                new Polyline(points),
                wire.Width,
                wire.SpeedLimit,
                elevation,
                string.IsNullOrEmpty(wire.LeftNeighbourId) ? null : wire.LeftNeighbourId,
                string.IsNullOrEmpty(wire.RightNeighbourId) ? null : wire.RightNeighbourId));
        }

        var heads = new List<AutomationStack.RoadMap.SignalHeadSite>(info.SignalHeads.Count);
        foreach (var h in info.SignalHeads)
        {
            heads.Add(new AutomationStack.RoadMap.SignalHeadSite(h.Id, h.X, h.Y, h.Height, h.Heading, [.. h.LaneIds]));
        }

        return new RoadNetwork(info.MapName, lanes, heads);
    }

    public static SensorFrame FromWire(Frame frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        var ego = frame.Ego ?? new EgoMeasurement();
        var radar = frame.Radar.Count == 0 ? Array.Empty<AutomationStack.Contracts.RadarDetection>() : new AutomationStack.Contracts.RadarDetection[frame.Radar.Count];
        for (var i = 0; i < radar.Length; i++)
        {
            var d = frame.Radar[i];
            radar[i] = new AutomationStack.Contracts.RadarDetection(d.Range, d.RangeRate, d.Azimuth);
        }

        var v2x = frame.V2X.Count == 0 ? Array.Empty<AutomationStack.Contracts.V2xMessage>() : new AutomationStack.Contracts.V2xMessage[frame.V2X.Count];
        for (var i = 0; i < v2x.Length; i++)
        {
            var m = frame.V2X[i];
            v2x[i] = new AutomationStack.Contracts.V2xMessage(m.SenderStationId, m.StampNs, m.Payload.Memory);
        }

        var driver = frame.Driver ?? new DriverInput();
        return new SensorFrame(
            frame.Frame_,
            frame.StampNs,
            new AutomationStack.Contracts.EgoMeasurement(frame.StampNs, ego.X, ego.Y, ego.Heading, ego.Speed, ego.LongitudinalAcceleration, ego.YawRate, ego.GnssValid),
            radar,
            v2x,
            new AutomationStack.Contracts.DriverInput(driver.SetSpeed, driver.BrakeDeceleration, FromWire(driver.Platoon)),
            frame.TargetLaneId,
            frame.Lidar is null ? null : FromWire(frame.Lidar),
            frame.Camera is null ? null : FromWire(frame.Camera),
            (SensorSet)(frame.UnavailableSensors & (uint)SensorAll));
    }

    private const SensorSet SensorAll = SensorSet.Radar | SensorSet.Lidar | SensorSet.Camera | SensorSet.Gnss | SensorSet.Imu | SensorSet.Odometry;

    public static AutomationStack.Contracts.PlatoonRequest FromWire(PlatoonRequest? request) => request is null
        ? default
        : new AutomationStack.Contracts.PlatoonRequest((AutomationStack.Contracts.PlatoonCommand)request.Command, request.PlatoonId, request.Index, request.TimeGap, request.Sequence);

    public static PlatoonRequest ToWire(AutomationStack.Contracts.PlatoonRequest request) => new()
    {
        Command = (PlatoonCommand)request.Command,
        PlatoonId = request.PlatoonId,
        Index = request.Index,
        TimeGap = request.TimeGap,
        Sequence = request.Sequence,
    };

    public static Command ToWire(string vehicleId, VehicleOutput output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var command = new Command
        {
            VehicleId = vehicleId,
            Frame = output.FrameNumber,
            Acceleration = output.Command.Acceleration,
            SteeringAngle = output.Command.SteeringAngle,
            Diagnostics = new Diagnostics
            {
                Mode = output.Diagnostics.Mode ?? string.Empty,
                HasLead = output.Diagnostics.HasLead,
                LeadGap = output.Diagnostics.LeadGap,
                LeadSpeed = output.Diagnostics.LeadSpeed,
                EstimatedSpeed = output.Diagnostics.EstimatedSpeed,
                AccelerationRequest = output.Diagnostics.AccelerationRequest,
                Faults = output.Diagnostics.Faults,
                Platoon = string.IsNullOrEmpty(output.Diagnostics.Platoon.State) ? null : new PlatoonDiagnostics
                {
                    State = output.Diagnostics.Platoon.State,
                    Role = output.Diagnostics.Platoon.Role ?? string.Empty,
                    LongitudinalMode = output.Diagnostics.Platoon.LongitudinalMode ?? string.Empty,
                    PlatoonId = output.Diagnostics.Platoon.PlatoonId,
                    Index = output.Diagnostics.Platoon.Index,
                    TimeGap = output.Diagnostics.Platoon.TimeGap,
                    DesiredGap = output.Diagnostics.Platoon.DesiredGap,
                    PredecessorStationId = output.Diagnostics.Platoon.PredecessorStationId,
                    V2XAccepted = output.Diagnostics.Platoon.V2xAccepted,
                    V2XDropped = output.Diagnostics.Platoon.V2xDropped,
                    V2XEncryptedAccepted = output.Diagnostics.Platoon.V2xEncryptedAccepted,
                    V2XEncryptedSent = output.Diagnostics.Platoon.V2xEncryptedSent,
                    GroupKeysInstalled = output.Diagnostics.Platoon.GroupKeysInstalled,
                    V2XDrops = { output.Diagnostics.Platoon.V2xDropsByReason?.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal) ?? [] },
                },
                Perception = string.IsNullOrEmpty(output.Diagnostics.Perception.State) ? null : new PerceptionDiagnostics
                {
                    State = output.Diagnostics.Perception.State,
                    LeadSource = output.Diagnostics.Perception.LeadSource ?? string.Empty,
                    Detections = output.Diagnostics.Perception.Detections,
                    ConfirmedTracks = output.Diagnostics.Perception.ConfirmedTracks,
                    DetectorFaults = output.Diagnostics.Perception.DetectorFaults,
                    ScanTimeouts = output.Diagnostics.Perception.ScanTimeouts,
                    CutIns = output.Diagnostics.Perception.CutIns,
                    Tracks =
                    {
                        (output.Diagnostics.Perception.Tracks ?? []).Select(t => new PerceivedObject
                        {
                            Id = t.Id,
                            Category = t.Category,
                            X = t.X,
                            Y = t.Y,
                            Length = t.Length,
                            Width = t.Width,
                            Yaw = t.Yaw,
                            Speed = t.Speed,
                        }),
                    },
                },
                Signal = output.Diagnostics.Signal is { HeadId: null, HeadsClassified: 0, ClassifierFaults: 0 } ? null : new SignalDiagnostics
                {
                    HeadId = output.Diagnostics.Signal.HeadId ?? string.Empty,
                    State = output.Diagnostics.Signal.State ?? string.Empty,
                    Confidence = output.Diagnostics.Signal.Confidence,
                    Distance = output.Diagnostics.Signal.Distance,
                    HeadsClassified = output.Diagnostics.Signal.HeadsClassified,
                    ClassifierFaults = output.Diagnostics.Signal.ClassifierFaults,
                },
            },
        };
        foreach (var m in output.V2xToSend)
        {
            command.V2X.Add(new V2xMessage
            {
                SenderStationId = m.SenderStationId,
                StampNs = m.StampNs,
                Payload = Google.Protobuf.ByteString.CopyFrom(m.Payload.Span),
            });
        }

        foreach (var line in output.Log)
        {
            command.Log.Add(new LogLine { StampNs = line.StampNs, Source = vehicleId, Level = (LogLevel)(int)line.Level, Text = line.Text });
        }

        return command;
    }
}
