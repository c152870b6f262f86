using AutomationStack.Contracts;
using AutomationStack.Geometry;
using AutomationStack.RoadMap;

namespace AutomationStack.Simulation.Tests;

public class LidarTests
{
    private const double EgoS = 100;
    private const double Degree = Math.PI / 180;

    private static readonly TruckParameters Truck = TruckParameters.Default;

    /// <summary>Sensor x on the road when the ego's centre is at <see cref="EgoS"/>: front minus 1 m.</summary>
    private static readonly double SensorX = EgoS + (0.5 * Truck.Length) - 1.0;

    /// <summary>Sensor height: roof + 0.3 m.</summary>
    private static readonly double SensorZ = Truck.Height + 0.3;

    [Test]
    public void MeasureLidar_TruckAhead_PointsOnItsRearFaceAtTheKnownRange()
    {
        var world = LidarWorld(NoiseFree());
        world.AddTruck("lead", Truck, TestWorlds.LaneZero, 150, 0);
        var expected = 150 - (0.5 * Truck.Length) - SensorX;

        var scan = world.MeasureLidar("ego");

        var face = Points(scan).Where(p => Math.Abs(p.Y) < 0.5 * Truck.Width && p.X > 1 && p.Z > -SensorZ + 0.05).ToList();
        Assert.That(face, Has.Count.GreaterThan(50), "the truck's rear face fills several beams and columns");
        Assert.Multiple(() =>
        {
            Assert.That(face.Select(p => (double)p.X), Has.All.EqualTo(expected).Within(1e-3));
            Assert.That(face.Select(p => (double)p.Z), Has.All.InRange(-SensorZ, Truck.Height - SensorZ + 1e-3));
            Assert.That(face.Select(p => (double)p.Intensity), Has.All.InRange(0.6, 0.7), "truck intensity band");
        });
    }

    [Test]
    public void MeasureLidar_TruckAheadWithRangeNoise_RangeScattersWithTheConfiguredSigma()
    {
        var world = LidarWorld(NoiseFree() with { Lidar = new LidarOptions { Dropout = 0, RangeNoise = 0.02 } });
        world.AddTruck("lead", Truck, TestWorlds.LaneZero, 150, 0);
        var expected = 150 - (0.5 * Truck.Length) - SensorX;

        var errors = new List<double>();
        for (var i = 0; i < 20; i++)
        {
            var scan = world.MeasureLidar("ego");
            foreach (var p in Points(scan).Where(p => Math.Abs(p.Y) < 1 && p.X > 1 && p.Z > -SensorZ + 0.05))
            {
                // Noise acts along the ray: project back on the ray's horizontal direction.
                var range = Math.Sqrt((p.X * p.X) + (p.Y * p.Y) + (p.Z * p.Z));
                var trueRange = range * expected / p.X;
                errors.Add(range - trueRange);
            }
        }

        var mean = errors.Average();
        var sigma = Math.Sqrt(errors.Sum(e => (e - mean) * (e - mean)) / errors.Count);
        Assert.That(errors, Has.Count.GreaterThan(1000));
        Assert.That(mean, Is.EqualTo(0).Within(0.003));
        Assert.That(sigma, Is.EqualTo(0.02).Within(0.002));
    }

    [Test]
    public void MeasureLidar_OnRotatedRoad_SensorFramePointsUnchanged()
    {
        var straight = LidarWorld(NoiseFree());
        straight.AddTruck("lead", Truck, TestWorlds.LaneZero, 150, 0);
        var rotated = new World(RotatedRoad(0.7), NoiseFree(), TestWorlds.Seed);
        rotated.AddTruck("ego", Truck, TestWorlds.LaneZero, EgoS, 0);
        rotated.AddTruck("lead", Truck, TestWorlds.LaneZero, 150, 0);

        var a = Points(straight.MeasureLidar("ego")).Where(p => p.Intensity is >= 0.5f and < 0.8f).ToList();
        var b = Points(rotated.MeasureLidar("ego")).Where(p => p.Intensity is >= 0.5f and < 0.8f).ToList();

        // Rays that graze an edge may flip with rounding; every point has its twin in the other scan.
        Assert.That(a, Has.Count.GreaterThan(50));
        Assert.That(b.Count, Is.EqualTo(a.Count).Within(4));
        var farthest = b.Max(p => a.Min(q => Math.Abs(p.X - q.X) + Math.Abs(p.Y - q.Y) + Math.Abs(p.Z - q.Z)));
        Assert.That(farthest, Is.LessThan(1e-3));
    }

    [Test]
    public void MeasureLidar_EgoAlone_NoPointFromItsOwnBody()
    {
        var world = LidarWorld(NoiseFree());

        var scan = world.MeasureLidar("ego");

        var pose = scan.Pose;
        var inside = Points(scan).Count(p =>
        {
            var x = p.X + pose.X;
            var z = p.Z + pose.Z;
            return Math.Abs(x) <= 0.5 * Truck.Length && Math.Abs(p.Y) <= 0.5 * Truck.Width && z > 0.05;
        });
        Assert.That(scan.PointCount, Is.GreaterThan(1000));
        Assert.That(inside, Is.Zero);
        Assert.That(Points(scan).Select(p => (double)p.Intensity), Has.None.InRange(0.5, 0.8), "no vehicle returns");
    }

    [Test]
    public void MeasureLidar_DownwardBeam_HitsTheGroundAtTheAnalyticRange()
    {
        var world = LidarWorld(NoiseFree());

        var scan = world.MeasureLidar("ego");

        // The lowest beam (−15°) reaches the ground at h / sin 15° in every column.
        var expected = SensorZ / Math.Sin(15 * Degree);
        var lowest = Points(scan).Where(p => Math.Abs(Math.Atan2(p.Z, Math.Sqrt((p.X * p.X) + (p.Y * p.Y))) + (15 * Degree)) < 0.05 * Degree).ToList();
        Assert.That(lowest, Has.Count.EqualTo(900), "one point per 0.4° column");
        Assert.Multiple(() =>
        {
            // Points are sensed to 1 cm per axis: a range within √3 × 0.5 cm, z within 0.5 cm.
            Assert.That(lowest.Select(p => Math.Sqrt((p.X * p.X) + (p.Y * p.Y) + (p.Z * p.Z))), Has.All.EqualTo(expected).Within(0.009));
            Assert.That(lowest.Select(p => (double)p.Z), Has.All.EqualTo(-SensorZ).Within(0.0051));
            Assert.That(lowest.Select(p => (double)p.Intensity), Has.All.InRange(0.05, 0.15));
        });
    }

    [Test]
    public void MeasureLidar_UpwardBeams_ReturnNothingOnAnEmptyRoad()
    {
        var world = LidarWorld(NoiseFree());

        var scan = world.MeasureLidar("ego");

        Assert.That(Points(scan).Select(p => (double)p.Z), Has.All.LessThan(0), "nothing above the sensor to hit");
    }

    [Test]
    public void MeasureLidar_CarHiddenBehindTruck_GetsNoPoints()
    {
        var hidden = LidarWorld(NoiseFree());
        hidden.AddTruck("near", Truck, TestWorlds.LaneZero, 140, 0);
        hidden.AddBackground("far", BackgroundBodies.Car, new IdmParameters(), TestWorlds.LaneZero, 190, 0);
        var open = LidarWorld(NoiseFree());
        open.AddBackground("far", BackgroundBodies.Car, new IdmParameters(), TestWorlds.LaneZero, 190, 0);

        var withTruck = Points(hidden.MeasureLidar("ego")).Count(IsCar);
        var without = Points(open.MeasureLidar("ego")).Count(IsCar);

        Assert.That(without, Is.GreaterThanOrEqualTo(4), "the car alone is seen (a few columns of two beams at 80 m)");
        Assert.That(withTruck, Is.Zero, "the truck in front hides it");

        static bool IsCar(LidarPoint p) => p.Intensity is >= 0.5f and < 0.6f;
    }

    [Test]
    public void MeasureLidar_TruckBehindTruck_HiddenPartGetsNoPoints()
    {
        var hidden = LidarWorld(NoiseFree());
        hidden.AddTruck("near", Truck, TestWorlds.LaneZero, 140, 0);
        hidden.AddTruck("far", Truck, TestWorlds.LaneZero, 200, 0);
        var open = LidarWorld(NoiseFree());
        open.AddTruck("far", Truck, TestWorlds.LaneZero, 200, 0);

        // A ray that reaches the far truck passed over the near truck's rear roof edge (4 m high, nearRear ahead of
        // the sensor), so at the far truck it is above this line; everything below it is hidden.
        var nearRear = 140 - (0.5 * Truck.Length) - SensorX;
        var farRear = 200 - (0.5 * Truck.Length) - SensorX;
        var line = SensorZ - ((SensorZ - Truck.Height) * farRear / nearRear);
        var seenBehind = Points(hidden.MeasureLidar("ego")).Where(p => IsTruck(p) && p.X > farRear - 0.1).ToList();
        var seenAlone = Points(open.MeasureLidar("ego")).Where(p => IsTruck(p) && p.X > farRear - 0.1).ToList();

        Assert.That(seenAlone.Count(p => p.Z + SensorZ < line), Is.GreaterThanOrEqualTo(10), "alone, its lower part is seen");
        Assert.That(seenBehind.Select(p => p.Z + SensorZ), Has.All.GreaterThanOrEqualTo(line - 1e-3), "behind the near truck it is not");

        static bool IsTruck(LidarPoint p) => p.Intensity is >= 0.6f and < 0.7f;
    }

    [Test]
    public void MeasureLidar_Dropout_RemovesTheConfiguredFractionOfReturns()
    {
        const double dropout = 0.1;
        var all = LidarWorld(NoiseFree()).MeasureLidar("ego").PointCount;
        var world = LidarWorld(NoiseFree() with { Lidar = new LidarOptions { Dropout = dropout, RangeNoise = 0 } });

        var kept = 0;
        const int scans = 10;
        for (var i = 0; i < scans; i++)
        {
            kept += world.MeasureLidar("ego").PointCount;
        }

        var lost = 1.0 - (kept / (double)(scans * all));
        // ±5σ of a binomial fraction over ~180 000 returns.
        Assert.That(lost, Is.EqualTo(dropout).Within(0.004));
    }

    [Test]
    public void MeasureLidar_SameSeed_IdenticalPoints()
    {
        float[] Run(ulong seed)
        {
            var world = new World(TestWorlds.Straight(laneCount: 2), new WorldOptions { Lidar = new LidarOptions() }, seed);
            world.AddTruck("ego", Truck, TestWorlds.LaneZero, EgoS, 20);
            world.AddTruck("lead", Truck, TestWorlds.LaneZero, 150, 20);
            world.AddBackground("car", BackgroundBodies.Car, new IdmParameters(), TestWorlds.LaneOne, 120, 25);
            TestWorlds.Run(world, 0.5);
            world.MeasureLidar("ego");
            TestWorlds.Run(world, 0.1);
            return world.MeasureLidar("ego").PointData.ToArray();
        }

        var first = Run(7);
        var second = Run(7);
        var other = Run(8);

        Assert.That(second, Is.EqualTo(first));
        Assert.That(other, Is.Not.EqualTo(first));
    }

    [Test]
    public void MeasureLidar_DrawsOnlyFromItsOwnStream_RadarUnchanged()
    {
        var radar = new List<RadarDetection>();
        var withLidar = LidarWorld(new WorldOptions());
        withLidar.AddTruck("lead", Truck, TestWorlds.LaneZero, 150, 0);
        var without = LidarWorld(new WorldOptions());
        without.AddTruck("lead", Truck, TestWorlds.LaneZero, 150, 0);

        withLidar.MeasureLidar("ego");
        withLidar.MeasureRadar("ego", radar);
        var a = radar.ToArray();
        without.MeasureRadar("ego", radar);

        Assert.That(radar, Is.EqualTo(a));
    }

    [Test]
    public void RoadPosts_StraightTwoLaneRoad_EveryTwentyFiveMetresOnBothOuterEdges()
    {
        var world = new World(TestWorlds.Straight(laneCount: 2, length: 1000), NoiseFree(), TestWorlds.Seed);

        var posts = world.RoadPosts;

        var right = -(0.5 * TestWorlds.LaneWidth) - RoadFurniture.PostSetback;
        var left = TestWorlds.LaneWidth + (0.5 * TestWorlds.LaneWidth) + RoadFurniture.PostSetback;
        Assert.That(posts, Has.Count.EqualTo(2 * 41));
        Assert.That(posts.Count(p => Math.Abs(p.Y - right) < 1e-9), Is.EqualTo(41));
        Assert.That(posts.Count(p => Math.Abs(p.Y - left) < 1e-9), Is.EqualTo(41));
        Assert.That(posts.Select(p => p.X % 25), Has.All.EqualTo(0).Within(1e-9));
    }

    [Test]
    public void MeasureLidar_RoadPosts_ReturnPointsAtThePostPositions()
    {
        var world = LidarWorld(NoiseFree());

        var scan = world.MeasureLidar("ego");

        var posts = world.RoadPosts;
        var returns = Points(scan).Where(p => p.Intensity > 0.85f).ToList();
        Assert.That(returns, Has.Count.GreaterThan(5));
        foreach (var p in returns)
        {
            // Sensor frame = map frame shifted to the sensor (heading 0 on this road).
            var x = p.X + SensorX;
            var y = p.Y;
            var nearest = posts.Min(q => Math.Max(Math.Abs(q.X - x), Math.Abs(q.Y - y)));
            Assert.That(nearest, Is.LessThanOrEqualTo((0.5 * RoadPost.Size) + 1e-3));
            Assert.That(p.Z + SensorZ, Is.InRange(-1e-3, RoadPost.Height + 1e-3));
        }
    }

    [Test]
    public void MeasureLidar_ScanPoseAndStamp_DescribeTheRoofMount()
    {
        var world = LidarWorld(NoiseFree());
        TestWorlds.Run(world, 0.1);

        var scan = world.MeasureLidar("ego");

        Assert.That(scan.Pose, Is.EqualTo(new LidarPose((0.5 * Truck.Length) - 1.0, 0, Truck.Height + 0.3, 0)));
        Assert.That(world.LidarPoseOf("ego"), Is.EqualTo(scan.Pose));
        Assert.That(scan.FrameNumber, Is.EqualTo(world.Frame));
        Assert.That(scan.StampNs, Is.EqualTo(world.StampNs));
    }

    [Test]
    public void MeasureLidar_AfterWarmUp_AllocatesOnlyTheScanRecord()
    {
        var world = LidarWorld(new WorldOptions());
        for (var i = 0; i < 10; i++)
        {
            world.AddBackground($"car{i}", BackgroundBodies.Car, new IdmParameters(), i % 2 == 0 ? TestWorlds.LaneOne : TestWorlds.LaneZero, 130 + (20 * i), 20);
        }

        world.MeasureLidar("ego");
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 10; i++)
        {
            world.MeasureLidar("ego");
        }

        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.LessThanOrEqualTo(10 * 128));
    }

    private static WorldOptions NoiseFree() => TestWorlds.NoiseFree() with { Lidar = new LidarOptions { RangeNoise = 0, Dropout = 0 } };

    /// <summary>A two-lane straight road with the ego truck standing at s = 100 m of the right lane.</summary>
    private static World LidarWorld(WorldOptions options)
    {
        var world = new World(TestWorlds.Straight(laneCount: 2, length: 1000), options, TestWorlds.Seed);
        world.AddTruck("ego", Truck, TestWorlds.LaneZero, EgoS, 0);
        return world;
    }

    /// <summary><see cref="TestWorlds.Straight"/> with two lanes, turned by <paramref name="heading"/> about the origin.</summary>
    private static RoadNetwork RotatedRoad(double heading)
    {
        var straight = TestWorlds.Straight(laneCount: 2, length: 1000);
        var lanes = straight.Lanes.Select(l =>
        {
            var points = new Vec2[l.Centreline.Count];
            for (var i = 0; i < points.Length; i++)
            {
                points[i] = l.Centreline.Points[i].Rotate(heading);
            }

            return l with { Centreline = new Polyline(points) };
        }).ToList();
        return new RoadNetwork("rotated", lanes);
    }

    private static List<LidarPoint> Points(LidarScan scan)
    {
        var data = scan.PointData;
        var result = new List<LidarPoint>(scan.PointCount);
        for (var i = 0; i < scan.PointCount; i++)
        {
            var o = i * LidarScan.Stride;
            result.Add(new LidarPoint(data[o], data[o + 1], data[o + 2], data[o + 3]));
        }

        return result;
    }

    private readonly record struct LidarPoint(float X, float Y, float Z, float Intensity);
}
