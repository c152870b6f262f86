using System.Buffers.Binary;
using AutomationStack.Bridge.Protocol;
using AutomationStack.Bridge.Protocol.Foxglove;
using AutomationStack.RoadMap;
using SignalHeadSite = AutomationStack.RoadMap.SignalHeadSite;
using KeyValuePair = AutomationStack.Bridge.Protocol.Foxglove.KeyValuePair;
using Google.Protobuf.WellKnownTypes;

namespace AutomationStack.Bridge;

/// <summary>
/// Builds the log's Foxglove topics from what the bridge records anyway, so that <c>run.mcap</c> opens in Foxglove's 3D
/// panel with no plug-in: <c>/foxglove/map</c> (lane centrelines, once), <c>/foxglove/scene</c> (every vehicle as an
/// oriented box — stack trucks labelled with their ids, background vehicles together in one entity — and signal heads
/// coloured by lamp, at <see cref="SceneRate"/>), <c>/foxglove/tf</c> (map →
/// each stack truck) and <c>/foxglove/lidar/&lt;truck&gt;</c> (the recorded lidar scans as point clouds). Frame
/// <c>map</c> is the map's frame (x east, y north, z up, metres). Pure: the same inputs give the same messages.
/// </summary>
internal sealed class FoxgloveScene
{
    /// <summary>Scene updates per simulated second.</summary>
    public const double SceneRate = 10.0;

    public const string MapTopic = "/foxglove/map";
    public const string SceneTopic = "/foxglove/scene";
    public const string TransformTopic = "/foxglove/tf";
    public const string MapFrame = "map";

    /// <summary>The entity holding every background vehicle's box.</summary>
    public const string TrafficEntity = "traffic";

    /// <summary>Point cloud layout: x, y, z float32 (m, sensor frame) and intensity uint8, 13 bytes a point.</summary>
    public const int PointStride = 13;

    private const double Half = 0.5;
    private const double LaneLineThickness = 0.15;
    private const double LabelHeight = 1.0;
    private const double LabelSize = 1.5;

    private static readonly Color StackTruckColour = new() { R = 0.10, G = 0.45, B = 0.95, A = 0.9 };
    private static readonly Color CarColour = new() { R = 0.65, G = 0.65, B = 0.65, A = 0.9 };
    private static readonly Color TruckColour = new() { R = 0.45, G = 0.45, B = 0.45, A = 0.9 };
    private static readonly Color AgvColour = new() { R = 1.0, G = 0.6, B = 0.1, A = 0.9 };
    private static readonly Color LaneColour = new() { R = 0.9, G = 0.9, B = 0.9, A = 1.0 };
    private static readonly Color LabelColour = new() { R = 1, G = 1, B = 1, A = 1 };

    public static string LidarTopic(string vehicleId) => $"/foxglove/lidar/{vehicleId}";

    /// <summary>The map's lanes as line strips (one entity, no lifetime: it stays).</summary>
    public static SceneUpdate Map(RoadNetwork map, long stampNs)
    {
        var entity = new SceneEntity { Timestamp = Stamp(stampNs), FrameId = MapFrame, Id = "map", FrameLocked = true };
        foreach (var lane in map.Lanes)
        {
            var line = new LinePrimitive
            {
                Type = LinePrimitive.Types.Type.LineStrip,
                Pose = Identity(),
                Thickness = LaneLineThickness,
                Color = LaneColour,
            };
            var points = lane.Centreline.Points;
            for (var i = 0; i < points.Length; i++)
            {
                line.Points.Add(new Point3 { X = points[i].X, Y = points[i].Y, Z = lane.Elevation.HeightAt(lane.Centreline.ArcLengths[i]) });
            }

            entity.Lines.Add(line);
        }

        var update = new SceneUpdate();
        update.Entities.Add(entity);
        return update;
    }

    /// <summary>Every vehicle and signal head now: the previous scene's entities are deleted first.</summary>
    public static SceneUpdate Scene(GroundTruth truth, IReadOnlyList<SignalHeadSite> heads)
    {
        var stamp = Stamp(truth.StampNs);
        var update = new SceneUpdate();
        update.Deletions.Add(new SceneEntityDeletion { Timestamp = stamp, Type = SceneEntityDeletion.Types.Type.All });
        // Stack trucks: one entity each, labelled, with metadata. Background vehicles (hundreds with SUMO): boxes only,
        // all in one "traffic" entity, so a scene update stays small (a cube is about 120 bytes).
        SceneEntity? traffic = null;
        foreach (var v in truth.Vehicles)
        {
            var cube = new CubePrimitive
            {
                Pose = PoseOf(v.X, v.Y, v.Z + (Half * v.Height), v.Heading),
                Size = new Vector3 { X = v.Length, Y = v.Width, Z = v.Height },
                Color = ColourOf(v),
            };
            if (v.Kind != VehicleKind.StackTruck)
            {
                traffic ??= new SceneEntity { Timestamp = stamp, FrameId = MapFrame, Id = TrafficEntity };
                traffic.Cubes.Add(cube);
                continue;
            }

            var entity = new SceneEntity { Timestamp = stamp, FrameId = MapFrame, Id = v.Id };
            entity.Metadata.Add(new KeyValuePair { Key = "kind", Value = v.Kind.ToString() });
            entity.Metadata.Add(new KeyValuePair { Key = "lane", Value = v.LaneId });
            entity.Cubes.Add(cube);
            entity.Texts.Add(new TextPrimitive
            {
                Pose = PoseOf(v.X, v.Y, v.Z + v.Height + LabelHeight, 0),
                Billboard = true,
                FontSize = LabelSize,
                Color = LabelColour,
                Text = v.Id,
            });
            update.Entities.Add(entity);
        }

        if (traffic is not null)
        {
            update.Entities.Add(traffic);
        }

        for (var i = 0; i < heads.Count && i < truth.SignalHeads.Count; i++)
        {
            var head = heads[i];
            var entity = new SceneEntity { Timestamp = stamp, FrameId = MapFrame, Id = "head/" + head.Id };
            entity.Cubes.Add(new CubePrimitive
            {
                Pose = PoseOf(head.X, head.Y, head.Height + (Half * SignalHeadSite.HousingHeight), head.Heading),
                Size = new Vector3 { X = SignalHeadSite.HousingWidth, Y = SignalHeadSite.HousingWidth, Z = SignalHeadSite.HousingHeight },
                Color = LampColour(truth.SignalHeads[i].Lamp),
            });
            update.Entities.Add(entity);
        }

        return update;
    }

    /// <summary>map → <paramref name="truth"/>'s pose (its geometric centre on the ground, x forward).</summary>
    public static FrameTransform Transform(VehicleTruth truth, long stampNs) => new()
    {
        Timestamp = Stamp(stampNs),
        ParentFrameId = MapFrame,
        ChildFrameId = truth.Id,
        Translation = new Vector3 { X = truth.X, Y = truth.Y, Z = truth.Z },
        Rotation = Yaw(truth.Heading),
    };

    /// <summary>A lidar scan (packed points, sensor frame) as a point cloud placed at the scan's sensor pose in the map.</summary>
    public static PointCloud Cloud(LidarScan scan)
    {
        var count = (int)scan.PointCount;
        var packed = scan.PackedPoints.Span;
        var data = new byte[count * PointStride];
        const int PackedStride = 7;
        const float CentimetresPerMetre = 100f;
        for (var i = 0; i < count && ((i + 1) * PackedStride) <= packed.Length; i++)
        {
            var p = packed.Slice(i * PackedStride, PackedStride);
            var d = data.AsSpan(i * PointStride, PointStride);
            BinaryPrimitives.WriteSingleLittleEndian(d, BinaryPrimitives.ReadInt16LittleEndian(p) / CentimetresPerMetre);
            BinaryPrimitives.WriteSingleLittleEndian(d[4..], BinaryPrimitives.ReadInt16LittleEndian(p[2..]) / CentimetresPerMetre);
            BinaryPrimitives.WriteSingleLittleEndian(d[8..], BinaryPrimitives.ReadInt16LittleEndian(p[4..]) / CentimetresPerMetre);
            d[12] = p[6];
        }

        var pose = scan.Pose ?? new LidarPose();
        var cloud = new PointCloud
        {
            Timestamp = Stamp(scan.StampNs),
            FrameId = MapFrame,
            Pose = PoseOf(pose.X, pose.Y, pose.Z, pose.Yaw),
            PointStride = PointStride,
            Data = Google.Protobuf.ByteString.CopyFrom(data),
        };
        cloud.Fields.Add(new PackedElementField { Name = "x", Offset = 0, Type = PackedElementField.Types.NumericType.Float32 });
        cloud.Fields.Add(new PackedElementField { Name = "y", Offset = 4, Type = PackedElementField.Types.NumericType.Float32 });
        cloud.Fields.Add(new PackedElementField { Name = "z", Offset = 8, Type = PackedElementField.Types.NumericType.Float32 });
        cloud.Fields.Add(new PackedElementField { Name = "intensity", Offset = 12, Type = PackedElementField.Types.NumericType.Uint8 });
        return cloud;
    }

    private static Color ColourOf(VehicleTruth v) => v.Kind == VehicleKind.StackTruck
        ? StackTruckColour
        : v.Category switch
        {
            VehicleCategory.Agv => AgvColour,
            VehicleCategory.Truck => TruckColour,
            _ => CarColour,
        };

    private static Color LampColour(SignalLampState lamp) => lamp switch
    {
        SignalLampState.Red => new Color { R = 1, G = 0, B = 0, A = 1 },
        SignalLampState.Amber => new Color { R = 1, G = 0.75, B = 0, A = 1 },
        SignalLampState.Green => new Color { R = 0, G = 0.9, B = 0.2, A = 1 },
        _ => new Color { R = 0.2, G = 0.2, B = 0.2, A = 1 },
    };

    private static Pose Identity() => new() { Position = new Vector3(), Orientation = new Quaternion { W = 1 } };

    private static Pose PoseOf(double x, double y, double z, double yaw) => new()
    {
        Position = new Vector3 { X = x, Y = y, Z = z },
        Orientation = Yaw(yaw),
    };

    private static Quaternion Yaw(double yaw) => new() { Z = Math.Sin(Half * yaw), W = Math.Cos(Half * yaw) };

    private static Timestamp Stamp(long stampNs) => new()
    {
        Seconds = stampNs / 1_000_000_000,
        Nanos = (int)(stampNs % 1_000_000_000),
    };
}
