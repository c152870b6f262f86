using System.Buffers.Binary;
using AutomationStack.Bridge.Protocol;
using AutomationStack.Mcap;
using Google.Protobuf;

namespace AutomationStack.Visualizer.Tests;

/// <summary>
/// A tiny run log and map written by the tests: a 400 m two-lane road (A1/0 centre y = −5.25, A1/1 y = −1.75) with
/// one signal head H1 at (200, −8) and its stop line at x = 190; 2 s of ground truth at 100 Hz: truck1 (stack, lead,
/// x = 100 + 10 t), truck2 (stack, x = 70 + 10 t, CACC until 1 s then ACC fallback), car1 (A1/1, x = 150 + 8 t),
/// agv1 parked at (50, 30) heading north; H1 and its group red with 5 s left; one lidar scan of truck1 at 1 s with
/// a cluster at its sensor's (20, 8, −2) (map (130, 2.75, 1)); one event v2x_loss of truck2 at 0.5 s.
/// </summary>
internal static class TestLog
{
    public const double StepSeconds = 0.01;
    public const int Steps = 200;
    public const double Truck1X0 = 100;
    public const double Truck2X0 = 70;
    public const double Speed = 10;
    public const double LaneY = -5.25;
    public const double TruckLength = 16.5;
    public const double LidarMountZ = 3;
    public const double ScanTime = 1.0;
    public const double ClusterSensorX = 20;
    public const double ClusterSensorY = 8;
    public const double ClusterSensorZ = -2;
    public const int ClusterPoints = 60;
    public const double LightX = 200;
    public const double LightY = -8;
    public const double EventTime = 0.5;
    public const double CaccUntil = 1.0;
    public const long RedLikelyEndNs = 5_000_000_000;

    public const string Map = """
        format: automationstack-map/1
        name: viz-test
        roads:
          - id: A1
            lane_count: 2
            lane_width: 3.5
            speed_limit_kph: 80
            start: {x: 0, y: 0, heading_deg: 0}
            segments:
              - straight: {length: 400}
        signal_heads:
          - {id: H1, x: 200, y: -8, height: 2.5, heading_deg: 180, lanes: [A1/0, A1/1]}
        intersections:
          - id: 1
            x: 200
            y: -12
            signal_groups:
              - id: 1
                heads: [H1]
                ingress:
                  - {lane: A1/0, stop_line_s: 190, egress: [A1/0]}
        """;

    /// <summary>Writes run.mcap and map.yaml into <paramref name="folder"/>; returns their paths.</summary>
    public static (string Log, string Map) Write(string folder)
    {
        Directory.CreateDirectory(folder);
        var mapPath = Path.Combine(folder, "map.yaml");
        File.WriteAllText(mapPath, Map);
        var logPath = Path.Combine(folder, "run.mcap");
        using var stream = File.Create(logPath);
        using var writer = new McapWriter(stream, new McapWriterOptions { Profile = string.Empty });
        var descriptors = ProtobufSchemas.FileDescriptorSet(Frame.Descriptor);
        var schemas = new Dictionary<string, ushort>();
        ushort Channel(string topic, Google.Protobuf.Reflection.MessageDescriptor d)
        {
            if (!schemas.TryGetValue(d.FullName, out var schema))
            {
                schema = writer.RegisterSchema(d.FullName, "protobuf", descriptors);
                schemas[d.FullName] = schema;
            }

            return writer.RegisterChannel(schema, topic, "protobuf");
        }

        writer.WriteMetadata("run", new Dictionary<string, string> { ["scenario"] = "viz-test", ["step_ns"] = "10000000", ["map"] = "viz-test" });
        var gtChannel = Channel("/ground_truth", GroundTruth.Descriptor);
        var eventsChannel = Channel("/events", RunEvent.Descriptor);
        var frame1 = Channel("/vehicle/truck1/frame", Frame.Descriptor);
        var command1 = Channel("/vehicle/truck1/command", Command.Descriptor);
        var frame2 = Channel("/vehicle/truck2/frame", Frame.Descriptor);
        var command2 = Channel("/vehicle/truck2/command", Command.Descriptor);
        void Write(ushort channel, IMessage message, long ns) => writer.WriteMessage(channel, (ulong)ns, (ulong)ns, message.ToByteArray());

        for (var step = 1; step <= Steps; step++)
        {
            var t = step * StepSeconds;
            var ns = step * 10_000_000L;
            var gt = new GroundTruth { Frame = step, StampNs = ns };
            gt.Vehicles.Add(Truck("truck1", Truck1X0 + (Speed * t)));
            gt.Vehicles.Add(Truck("truck2", Truck2X0 + (Speed * t)));
            gt.Vehicles.Add(new VehicleTruth
            {
                Id = "car1", Kind = VehicleKind.Background, Category = VehicleCategory.Car, X = 150 + (8 * t), Y = -1.75, S = 150 + (8 * t),
                LaneId = "A1/1", Length = 4.5, Width = 1.8, Height = 1.5, Speed = 8, Status = VehicleStatus.Active,
            });
            gt.Vehicles.Add(new VehicleTruth
            {
                Id = "agv1", Kind = VehicleKind.Background, Category = VehicleCategory.Agv, X = 50, Y = 30, Heading = Math.PI / 2,
                LaneId = "V1/0", Length = 15, Width = 3, Height = 2, Status = VehicleStatus.Active,
            });
            gt.SignalHeads.Add(new SignalHeadTruth { Id = "H1", Lamp = SignalLampState.Red });
            var intersection = new IntersectionTruth { Id = 1, StationId = 900 };
            intersection.Groups.Add(new SignalGroupTruth { Id = 1, State = SignalLampState.Red, LikelyEndNs = RedLikelyEndNs, MinEndNs = RedLikelyEndNs, MaxEndNs = RedLikelyEndNs });
            gt.Intersections.Add(intersection);
            Write(gtChannel, gt, ns);

            if (step % 2 == 0)
            {
                var f1 = new Frame { VehicleId = "truck1", Frame_ = step, StampNs = ns };
                if (Math.Abs(t - ScanTime) < 1e-9)
                {
                    f1.Lidar = Scan(step, ns);
                }

                Write(frame1, f1, ns);
                Write(frame2, new Frame { VehicleId = "truck2", Frame_ = step, StampNs = ns }, ns);
                Write(command1, Diagnostics("truck1", step, "Leader", "Cacc", 0, hasLead: false), ns);
                var c2 = Diagnostics("truck2", step, "Follower", t <= CaccUntil ? "Cacc" : "Acc", 1, hasLead: true);
                if (Math.Abs(t - ScanTime) < 1e-9)
                {
                    // truck2's lidar track of truck1, 30 m ahead in its own frame, published with this scan's command.
                    c2.Diagnostics.Perception = new PerceptionDiagnostics { State = "nominal", ConfirmedTracks = 1 };
                    c2.Diagnostics.Perception.Tracks.Add(new PerceivedObject
                    {
                        Id = 7, Category = "truck", X = Truck1X0 - Truck2X0, Y = 0, Length = TruckLength, Width = 2.55, Yaw = 0, Speed = Speed,
                    });
                }

                Write(command2, c2, ns);
            }

            if (Math.Abs(t - EventTime) < 1e-9)
            {
                Write(eventsChannel, new RunEvent { StampNs = ns, Kind = "v2x_loss", VehicleId = "truck2", Detail = "test" }, ns);
            }
        }

        writer.Finish();
        return (logPath, mapPath);
    }

    private static VehicleTruth Truck(string id, double x) => new()
    {
        Id = id, Kind = VehicleKind.StackTruck, Category = VehicleCategory.Truck, X = x, Y = LaneY, S = x, LaneId = "A1/0",
        Length = TruckLength, Width = 2.55, Height = 4, Speed = Speed, Acceleration = 0.1, Status = VehicleStatus.Active,
    };

    private static LidarScan Scan(long frame, long ns)
    {
        var packed = new byte[ClusterPoints * 7];
        for (var i = 0; i < ClusterPoints; i++)
        {
            var p = packed.AsSpan(i * 7);

            // A 0.6 m × 0.6 m patch around the cluster point.
            BinaryPrimitives.WriteInt16LittleEndian(p, (short)((ClusterSensorX * 100) + ((i % 6) * 10) - 25));
            BinaryPrimitives.WriteInt16LittleEndian(p[2..], (short)((ClusterSensorY * 100) + ((i / 6 % 6) * 10) - 25));
            BinaryPrimitives.WriteInt16LittleEndian(p[4..], (short)(ClusterSensorZ * 100));
            p[6] = 200;
        }

        return new LidarScan
        {
            Frame = frame, StampNs = ns, Pose = new LidarPose { X = 0, Y = 0, Z = LidarMountZ, Yaw = 0 }, PointCount = ClusterPoints,
            PackedPoints = ByteString.CopyFrom(packed),
        };
    }

    private static Command Diagnostics(string id, long frame, string role, string mode, int index, bool hasLead) => new()
    {
        VehicleId = id,
        Frame = frame,
        Acceleration = 0,
        Diagnostics = new Bridge.Protocol.Diagnostics
        {
            Mode = "Active",
            HasLead = hasLead,
            LeadGap = hasLead ? Truck1X0 - Truck2X0 - TruckLength : 0,
            Platoon = new PlatoonDiagnostics { State = "Platooning", Role = role, LongitudinalMode = mode, PlatoonId = 1, Index = index },
        },
    };
}
