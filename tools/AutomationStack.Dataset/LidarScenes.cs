using AutomationStack.Contracts;
using AutomationStack.Perception;
using AutomationStack.Simulation;

namespace AutomationStack.Dataset;

/// <summary>One generated lidar frame: the scan's points and pose, and the labelled boxes in the vehicle frame.</summary>
/// <param name="Boxes">Boxes with at least <see cref="LidarScenes.MinPoints"/> lidar points: detections must find these.</param>
/// <param name="Sparse">Boxes with fewer points (hidden or far): neither required nor counted as false positives.</param>
internal sealed record LidarFrame(float[] Points, int PointCount, SensorPose Pose, BevBox[] Boxes, BevBox[] Sparse);

/// <summary>
/// Random lidar scenes around a stack truck, one per seed, in the truck's frame (it stands at the origin heading +x):
/// 70 % roads (two or three lanes each way, traffic in and against the truck's direction, posts every 25 m along both
/// edges; 35 % of them one carriageway only, posts on both its edges; half with a vehicle straight ahead in the ego
/// lane, a third with a truck or car straight behind) and 30 % open terminal yards (AGVs, trucks and cars at any of four headings ± noise, or any heading). 5–25
/// vehicles, non-overlapping: cars 4.2–5.0 × 1.8–2.0 × 1.4–1.7 m, trucks 10–18.75 × 2.5–2.6 × 3.4–4.0 m, AGVs
/// 14.3–15.3 × 3.0 × 1.8–4.4 m (empty or loaded). The scan is the simulator's <see cref="LidarModel"/> with the
/// default roof lidar of the truck; labels are the boxes, split by lidar point count.
/// </summary>
internal sealed class LidarScenes
{
    public const int MinPoints = 5;

    private static readonly TruckParameters Ego = new();

    private readonly LidarModel _lidar = new(new LidarOptions { Enabled = true });
    private readonly List<LidarTarget> _targets = [];
    private readonly List<RoadPost> _posts = [];
    private readonly BevGridSpec _spec;

    public LidarScenes(BevGridSpec spec)
    {
        _spec = spec;
    }

    public LidarFrame Generate(ulong seed)
    {
        var rng = new DeterministicRandom(seed ^ 0x11DA_4000_0000_0000);
        _targets.Clear();
        _posts.Clear();
        if (rng.NextDouble() < 0.7)
        {
            Road(rng);
        }
        else
        {
            Yard(rng);
        }

        var scan = _lidar.ScanTargets(0, 0, 0, Ego, [.. _targets], [.. _posts], rng, 0, 0);
        var pose = new SensorPose(scan.Pose.X, scan.Pose.Y, scan.Pose.Z, scan.Pose.Yaw);
        var points = scan.Points.AsSpan(0, scan.PointCount * 4).ToArray();
        var boxes = new List<BevBox>();
        var sparse = new List<BevBox>();
        foreach (var t in _targets)
        {
            var box = new BevBox(ClassOf(t.Category), t.X, t.Y, t.Length, t.Width, t.Heading);
            (CountPoints(points, pose, t) >= MinPoints ? boxes : sparse).Add(box);
        }

        return new LidarFrame(points, scan.PointCount, pose, [.. boxes], [.. sparse]);
    }

    private static DetectionClass ClassOf(VehicleCategory category) => category switch
    {
        VehicleCategory.Car => DetectionClass.Car,
        VehicleCategory.Agv => DetectionClass.Agv,
        _ => DetectionClass.Truck,
    };

    /// <summary>Points inside the target's box (above the ground cut), in the vehicle frame.</summary>
    private int CountPoints(ReadOnlySpan<float> points, SensorPose pose, in LidarTarget t)
    {
        var (c, s) = (Math.Cos(t.Heading), Math.Sin(t.Heading));
        var (hl, hw) = ((t.Length / 2) + 0.05, (t.Width / 2) + 0.05);
        var n = 0;
        for (var i = 0; i + 3 < points.Length; i += 4)
        {
            var z = pose.Z + points[i + 2];
            if (z < _spec.GroundHeight)
            {
                continue;
            }

            var dx = pose.X + points[i] - t.X;
            var dy = pose.Y + points[i + 1] - t.Y;
            if (Math.Abs((dx * c) + (dy * s)) <= hl && Math.Abs((-dx * s) + (dy * c)) <= hw)
            {
                n++;
            }
        }

        return n;
    }

    private void Road(DeterministicRandom rng)
    {
        var lanes = rng.NextDouble() < 0.5 ? 2 : 3;
        var laneWidth = Between(rng, 3.5, 3.75);
        var median = Between(rng, 1, 4);
        var egoLane = (int)(rng.NextDouble() * lanes);
        // Lanes of our direction: index 0 rightmost; y of lane k relative to the ego lane. Opposite lanes to the left.
        var ours = Enumerable.Range(0, lanes).Select(k => (k - egoLane) * laneWidth).ToArray();
        var leftEdge = ours[^1] + (laneWidth / 2);
        var theirs = Enumerable.Range(0, lanes).Select(k => leftEdge + median + ((k + 0.5) * laneWidth)).ToArray();
        var rightEdge = ours[0] - (laneWidth / 2);
        // A third of the roads are one carriageway of a divided motorway as the simulator's maps draw it: posts on
        // both edges of our lanes, nothing beyond.
        var oneWay = rng.NextDouble() < 0.35;
        var farEdge = oneWay ? leftEdge : theirs[^1] + (laneWidth / 2);
        var phase = Between(rng, 0, 25);
        for (var x = -60 + phase; x < 130; x += 25)
        {
            _posts.Add(new RoadPost(x, rightEdge - 0.5, 0));
            _posts.Add(new RoadPost(x, farEdge + 0.5, 0));
        }

        // Half the roads have a vehicle straight ahead in the ego lane (the lead the ACC follows, seen from behind)
        // and a third one straight behind (a platoon follower): the cases the closed loop depends on most.
        if (rng.NextDouble() < 0.5)
        {
            var roll = rng.NextDouble();
            var category = roll < 0.6 ? VehicleCategory.Truck : roll < 0.9 ? VehicleCategory.Car : VehicleCategory.Agv;
            TryAdd(rng, Between(rng, 14, 88), rng.NextGaussian() * 0.2, rng.NextGaussian() * 0.01, category);
        }

        if (rng.NextDouble() < 0.33)
        {
            TryAdd(rng, Between(rng, -40, -14), rng.NextGaussian() * 0.2, rng.NextGaussian() * 0.01, rng.NextDouble() < 0.7 ? VehicleCategory.Truck : VehicleCategory.Car);
        }

        var count = 5 + (int)(rng.NextDouble() * 21);
        for (var attempt = 0; attempt < count * 4 && _targets.Count < count; attempt++)
        {
            var against = !oneWay && rng.NextDouble() < 0.4;
            var lanesOf = against ? theirs : ours;
            var y = lanesOf[(int)(rng.NextDouble() * lanes)] + (rng.NextGaussian() * 0.25);
            var heading = (against ? Math.PI : 0) + (rng.NextGaussian() * 0.03);
            var roll = rng.NextDouble();
            var category = roll < 0.5 ? VehicleCategory.Car : roll < 0.85 ? VehicleCategory.Truck : VehicleCategory.Agv;
            TryAdd(rng, Between(rng, -45, 90), y, heading, category);
        }
    }

    private void Yard(DeterministicRandom rng)
    {
        var count = 5 + (int)(rng.NextDouble() * 21);
        for (var attempt = 0; attempt < count * 4 && _targets.Count < count; attempt++)
        {
            var heading = rng.NextDouble() < 0.7 ? (Math.Floor(rng.NextDouble() * 4) * Math.PI / 2) + (rng.NextGaussian() * 0.1) : Between(rng, -Math.PI, Math.PI);
            var roll = rng.NextDouble();
            var category = roll < 0.4 ? VehicleCategory.Agv : roll < 0.8 ? VehicleCategory.Truck : VehicleCategory.Car;
            TryAdd(rng, Between(rng, -45, 90), Between(rng, -45, 45), heading, category);
        }
    }

    private void TryAdd(DeterministicRandom rng, double x, double y, double heading, VehicleCategory category)
    {
        var (length, width, height) = category switch
        {
            VehicleCategory.Car => (Between(rng, 4.2, 5.0), Between(rng, 1.8, 2.0), Between(rng, 1.4, 1.7)),
            VehicleCategory.Truck => (Between(rng, 10, 18.75), Between(rng, 2.5, 2.6), Between(rng, 3.4, 4.0)),
            _ => (Between(rng, 14.3, 15.3), 3.0, rng.NextDouble() < 0.5 ? Between(rng, 1.8, 2.4) : Between(rng, 4.0, 4.4)),
        };
        heading = Math.IEEERemainder(heading, 2 * Math.PI);
        var candidate = new BevBox(DetectionClass.Car, x, y, length + 1.0, width + 0.6, heading);
        // Keep clear of the ego truck (16.5 × 2.55 at the origin) and of every vehicle already placed.
        if (RotatedNms.BevIou(candidate, new BevBox(DetectionClass.Truck, 0, 0, Ego.Length + 2, Ego.Width + 1, 0)) > 0)
        {
            return;
        }

        foreach (var t in _targets)
        {
            if (RotatedNms.BevIou(candidate, new BevBox(DetectionClass.Car, t.X, t.Y, t.Length + 1.0, t.Width + 0.6, t.Heading)) > 0)
            {
                return;
            }
        }

        _targets.Add(new LidarTarget(x, y, heading, length, width, height, category));
    }

    private static double Between(DeterministicRandom rng, double min, double max) => min + ((max - min) * rng.NextDouble());
}
