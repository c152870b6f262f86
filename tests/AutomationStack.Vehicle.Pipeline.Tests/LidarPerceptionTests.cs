using AutomationStack.Contracts;
using AutomationStack.Tracking;

namespace AutomationStack.Vehicle.Pipeline.Tests;

/// <summary>The pipeline with <c>perception.lidar</c> on, fed by a fake detector that boxes the test world's leader.</summary>
internal sealed class LidarPerceptionTests
{
    private const double Speed = 20.0;

    private static readonly PipelineOptions Lidar = PipelineOptions.Default with { Perception = PerceptionOptions.Default with { Lidar = true } };

    /// <summary>Boxes the leader (ego frame, from the world's true state, with a length that jitters like a lidar box seen from behind); can be told to fail.</summary>
    private sealed class LeaderBoxDetector(TwoTruckWorld world) : IObjectDetector
    {
        private readonly ObjectDetection[] _boxes = new ObjectDetection[2];
        private int _calls;

        public bool Fail { get; set; }

        public bool SeesLeader { get; set; } = true;

        /// <summary>Scans left in which a false box stands in the ego lane 12 m ahead of the bumper (where the radar sees nothing).</summary>
        public int PhantomScans { get; set; }

        public ReadOnlySpan<ObjectDetection> Detect(LidarScan scan)
        {
            if (Fail)
            {
                throw new ObjectDetectorFaultException("inference failed (test)");
            }

            var count = 0;
            if (SeesLeader)
            {
                // The far end is a guess: the box length alternates 12 / 18 m while its rear face stays where it is.
                var length = _calls++ % 2 == 0 ? 12.0 : 18.0;
                var rear = world.LeaderX - (world.Truck.Length / 2) - world.FollowerX;
                _boxes[count++] = new ObjectDetection(1, rear + (length / 2), -world.FollowerY, length, 2.5, 0.0, 0.8);
            }

            if (PhantomScans > 0)
            {
                PhantomScans--;
                _boxes[count++] = new ObjectDetection(2, (world.Truck.Length / 2) + 12.0 + 7.5, -world.FollowerY, 15.0, 3.0, Math.PI / 2, 0.35);
            }

            return _boxes.AsSpan(0, count);
        }
    }

    private static SensorFrame FrameWithScan(TwoTruckWorld world, bool scan = true)
    {
        var frame = world.Frame(Speed);
        // A scan every other frame (the world runs at 20 Hz, the lidar at 10 Hz); the fake ignores the points.
        return scan && frame.FrameNumber % 2 == 0
            ? frame with { Lidar = new LidarScan(frame.FrameNumber, frame.StampNs, new LidarPose(0, 0, 3, 0), [], 0) }
            : frame;
    }

    private static List<VehicleOutput> Drive(TwoTruckWorld world, VehiclePipeline pipeline, int frames, bool scans = true)
    {
        var outputs = new List<VehicleOutput>();
        for (var k = 0; k < frames; k++)
        {
            var output = pipeline.Step(FrameWithScan(world, scans));
            outputs.Add(output);
            world.Advance(output.Command, 0);
        }

        return outputs;
    }

    [Test]
    public void Constructor_LidarWithoutDetector_ThrowsNamingTheParameter()
    {
        var world = new TwoTruckWorld(40.0, Speed);

        var ex = Assert.Throws<ArgumentException>(() => _ = new VehiclePipeline(world.Session, Lidar));

        Assert.That(ex!.Message, Does.Contain("perception.lidar"));
    }

    [Test]
    public void Step_TracksEstablished_LeadFromLidarAtTheRearFace()
    {
        var world = new TwoTruckWorld(40.0, Speed);
        using var pipeline = new VehiclePipeline(world.Session, Lidar, new LeaderBoxDetector(world));

        var outputs = Drive(world, pipeline, 60);

        var starting = outputs.First(o => o.Diagnostics.HasLead).Diagnostics.Perception;
        var last = outputs[^1].Diagnostics;
        Assert.That(outputs[0].Diagnostics.Perception.State, Is.EqualTo("starting"));
        Assert.That(starting.State, Is.EqualTo("starting"));
        Assert.That(starting.LeadSource, Is.EqualTo("radar"));
        Assert.That(last.Perception.State, Is.EqualTo("nominal"));
        Assert.That(last.Perception.LeadSource, Is.EqualTo("lidar+radar"));
        Assert.That(last.HasLead, Is.True);
        // The box length jumps by 6 m every scan; the near-face anchoring keeps the gap to the true one.
        Assert.That(last.LeadGap, Is.EqualTo(world.Gap).Within(0.5));
        Assert.That(outputs.SelectMany(o => o.Log).Select(l => l.Text), Does.Contain("perception starting→nominal (tracks established): lead from lidar"));
        Assert.That(outputs.All(o => (o.Diagnostics.Faults & (int)VehicleFaults.PerceptionFault) == 0), Is.True);
    }

    [Test]
    public void Step_TracksEstablished_ConfirmedTracksPublishedOncePerScan()
    {
        var world = new TwoTruckWorld(40.0, Speed);
        using var pipeline = new VehiclePipeline(world.Session, Lidar, new LeaderBoxDetector(world));

        var outputs = Drive(world, pipeline, 60);

        var published = outputs.Where(o => o.Diagnostics.Perception.Tracks is { Count: > 0 }).ToList();
        Assert.That(published, Is.Not.Empty);
        Assert.That(published.Count, Is.LessThan(outputs.Count / 2), "only with a processed scan, not every frame");
        var track = published[^1].Diagnostics.Perception.Tracks!.Single();
        Assert.That(track.Category, Is.EqualTo("truck"));
        // The leader's centre: the gap plus half of each truck ahead of the ego's centre, in its lane.
        Assert.That(track.X, Is.EqualTo(world.Gap + TruckParameters.Default.Length).Within(3.5));
        Assert.That(Math.Abs(track.Y), Is.LessThan(0.5));
    }

    [Test]
    public void Step_LidarSeesNothingWithinItsRange_RadarLeadNotUsed()
    {
        var world = new TwoTruckWorld(40.0, Speed);
        var detector = new LeaderBoxDetector(world) { SeesLeader = false };
        using var pipeline = new VehiclePipeline(world.Session, Lidar, detector);

        var outputs = Drive(world, pipeline, 40);

        // The radar still reports the leader 40 m ahead, inside the lidar's range: the lidar's "nothing" decides.
        Assert.That(outputs[^1].Diagnostics.Perception.State, Is.EqualTo("nominal"));
        Assert.That(outputs[^1].Diagnostics.HasLead, Is.False);
    }

    [Test]
    public void Step_LidarLosesTheLeadItConfirmed_RadarKeepsIt()
    {
        var world = new TwoTruckWorld(40.0, Speed);
        var detector = new LeaderBoxDetector(world);
        using var pipeline = new VehiclePipeline(world.Session, Lidar, detector);
        Drive(world, pipeline, 40);

        detector.SeesLeader = false;
        var outputs = Drive(world, pipeline, 20);

        // Lidar and radar agreed on this vehicle: the detector missing it leaves the radar's track of it as the lead.
        Assert.That(outputs.All(o => o.Diagnostics.HasLead), Is.True);
        Assert.That(outputs[^1].Diagnostics.Perception.LeadSource, Is.EqualTo("radar"));
        Assert.That(outputs[^1].Diagnostics.LeadGap, Is.EqualTo(world.Gap).Within(1.0));
    }

    [Test]
    public void Step_PhantomBoxForFourScansWithoutRadarSupport_NeverTheLead()
    {
        var world = new TwoTruckWorld(40.0, Speed);
        var detector = new LeaderBoxDetector(world);
        using var pipeline = new VehiclePipeline(world.Session, Lidar, detector);
        Drive(world, pipeline, 40);

        detector.PhantomScans = 4;
        var outputs = Drive(world, pipeline, 20);

        // Four scans confirm the false box as a track (3 of 4), but it is young and the radar sees nothing there.
        Assert.That(outputs.All(o => o.Diagnostics.LeadGap > 30), Is.True, string.Join(", ", outputs.Select(o => o.Diagnostics.LeadGap.ToString("F1", System.Globalization.CultureInfo.InvariantCulture))));
        Assert.That(outputs.Max(o => o.Diagnostics.Perception.ConfirmedTracks), Is.EqualTo(2));
        Assert.That(outputs.Min(o => o.Command.Acceleration), Is.GreaterThan(-0.5));
    }

    [Test]
    public void Step_LeadBeyondLidarRange_RadarLeadUsed()
    {
        var world = new TwoTruckWorld(120.0, Speed);
        var detector = new LeaderBoxDetector(world) { SeesLeader = false };
        using var pipeline = new VehiclePipeline(world.Session, Lidar, detector);

        var outputs = Drive(world, pipeline, 40);

        Assert.That(outputs[^1].Diagnostics.HasLead, Is.True);
        Assert.That(outputs[^1].Diagnostics.Perception.LeadSource, Is.EqualTo("radar"));
        Assert.That(outputs[^1].Diagnostics.LeadGap, Is.EqualTo(world.Gap).Within(1.0));
    }

    [Test]
    public void Step_DetectorFault_DegradesToRadarOnlyAccWithTheFallbackGapThenRecovers()
    {
        var world = new TwoTruckWorld(30.0, Speed);
        var detector = new LeaderBoxDetector(world);
        using var pipeline = new VehiclePipeline(world.Session, Lidar, detector);
        Drive(world, pipeline, 40);

        detector.Fail = true;
        var failing = Drive(world, pipeline, 800);
        detector.Fail = false;
        var recovering = Drive(world, pipeline, 40);

        var texts = failing.Concat(recovering).SelectMany(o => o.Log).Select(l => l.Text).ToList();
        Assert.That(texts.Any(t => t.StartsWith("perception nominal→degraded (detector fault: inference failed (test)): radar-only ACC, time gap ≥ 2.5 s", StringComparison.Ordinal)), Is.True);
        Assert.That(failing[^1].Diagnostics.Perception.State, Is.EqualTo("degraded"));
        Assert.That(failing[^1].Diagnostics.Perception.LeadSource, Is.EqualTo("radar"));
        Assert.That(failing[^1].Diagnostics.Perception.DetectorFaults, Is.EqualTo(400));
        Assert.That(failing.Where(o => o.Diagnostics.Perception.DetectorFaults > 0).All(o => o.Diagnostics.Mode == "Active"), Is.True);
        // Radar-only ACC opened the gap from 1.5 s (30 m at 20 m/s) to the fallback's: standstill gap + 2.5 s × speed.
        Assert.That(world.Gap, Is.EqualTo(Control.AccOptions.Default.StandstillGap + (2.5 * world.FollowerSpeed)).Within(2.0));
        Assert.That(texts, Does.Contain("perception degraded→nominal (recovered): lead from lidar"));
        Assert.That(recovering[^1].Diagnostics.Perception.State, Is.EqualTo("nominal"));
    }

    [Test]
    public void Step_ScansStop_TimesOutToDegraded()
    {
        var world = new TwoTruckWorld(40.0, Speed);
        using var pipeline = new VehiclePipeline(world.Session, Lidar, new LeaderBoxDetector(world));
        Drive(world, pipeline, 40);

        var outputs = Drive(world, pipeline, 20, scans: false);

        // 0.35 s without a scan at 20 Hz frames: the 8th frame after the last scan.
        var first = outputs.FindIndex(o => o.Diagnostics.Perception.State == "degraded");
        Assert.That(first, Is.InRange(5, 8));
        Assert.That(outputs[first].Diagnostics.Faults & (int)VehicleFaults.PerceptionFault, Is.Not.Zero);
        Assert.That(outputs[^1].Diagnostics.Perception.ScanTimeouts, Is.EqualTo(1));
        Assert.That(outputs[first].Log.Any(l => l.Level == LogLevel.Warning && l.Text.Contains("no lidar scan for", StringComparison.Ordinal)), Is.True);
    }
}
