using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using AutomationStack.Contracts;
using AutomationStack.Geometry;
using AutomationStack.Perception;
using AutomationStack.RoadMap;
using AutomationStack.Simulation;

namespace AutomationStack.Vehicle.Tests;

/// <summary>The vehicle process with lidar perception: model loading, the real ONNX detector in the loop, and ground-truth isolation.</summary>
public sealed class PerceptionHostTests
{
    private static readonly Dictionary<string, double> LidarOn = new() { ["perception.lidar"] = 1 };

    /// <summary>
    /// A world of one truck driving at 20 m/s with another truck 40 m ahead at the same speed; the scans come from the
    /// simulator's lidar model (ray casting, noise), the radar sees nothing (so a lead can only come from the lidar).
    /// </summary>
    private sealed class LidarWorld(int frames, IReadOnlyDictionary<string, double> parameters) : IVehicleInterface
    {
        private readonly LidarModel _lidar = new(new LidarOptions { Enabled = true });
        private readonly DeterministicRandom _noise = new(11);
        private int _next;

        public List<VehicleOutput> Sent { get; } = [];

        public VehicleSession Session { get; private set; } = null!;

        public double Gap => 40.0;

        public Task ConnectAsync(CancellationToken cancellationToken)
        {
            var lane = new Lane("R/0", "R", 0, new Polyline([new Vec2(0, 0), new Vec2(5000, 0)]), 3.5, 30, ElevationProfile.Flat, null, null);
            Session = new VehicleSession("truck1", 1, TruckParameters.Default, new RoadNetwork("test", [lane]), 0.01, 2, 1, parameters);
            return Task.CompletedTask;
        }

        public ValueTask<SensorFrame?> NextFrameAsync(CancellationToken cancellationToken)
        {
            if (_next >= frames)
            {
                return ValueTask.FromResult<SensorFrame?>(null);
            }

            var i = _next++;
            var stamp = i * 20_000_000L;
            var x = 100 + (20.0 * stamp / 1e9);
            var truck = TruckParameters.Default;
            LidarScan? scan = null;
            if (i % 5 == 0)
            {
                // 10 Hz: a scan every fifth 50 Hz frame.
                LidarTarget[] ahead = [new(x + truck.Length + Gap, 0, 0, truck.Length, truck.Width, truck.Height, VehicleCategory.Truck)];
                var s = _lidar.ScanTargets(x, 0, 0, truck, ahead, [], _noise, i * 2, stamp);
                scan = s with { Points = s.PointData.ToArray() };
            }

            return ValueTask.FromResult<SensorFrame?>(new SensorFrame(i * 2, stamp, new EgoMeasurement(stamp, x, 0, 0, 20, 0, 0, true), [], [], new DriverInput(20, 0), "R/0", scan));
        }

        public ValueTask SendAsync(VehicleOutput output, CancellationToken cancellationToken)
        {
            Sent.Add(output);
            return ValueTask.CompletedTask;
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    private static string RepositoryModels()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "AutomationStack.sln")))
            {
                return Path.Combine(dir.FullName, "models");
            }
        }

        throw new DirectoryNotFoundException("repository root (AutomationStack.sln) not found above " + AppContext.BaseDirectory);
    }

    [Test]
    public void RunAsync_LidarPerceptionModelMissing_ThrowsNamingTheFileBeforeTheFirstFrame()
    {
        var world = new LidarWorld(10, LidarOn);
        var missing = Path.Combine(Path.GetTempPath(), "automationstack-no-models-" + Guid.NewGuid().ToString("N"));

        var ex = Assert.ThrowsAsync<PerceptionModelException>(async () => await VehicleHost.RunAsync(world, new VehicleHostOptions { ModelsDirectory = missing }, CancellationToken.None));

        Assert.That(ex!.Message, Does.Contain(Path.Combine(missing, "object_detector.onnx")));
        Assert.That(ex.Message, Does.Contain("not found"));
        Assert.That(world.Sent, Is.Empty);
    }

    [Test]
    public void RunAsync_LidarPerceptionModelCorrupt_ThrowsNamingTheFile()
    {
        var dir = Directory.CreateTempSubdirectory("automationstack-models-");
        try
        {
            var path = Path.Combine(dir.FullName, "object_detector.onnx");
            File.WriteAllBytes(path, [1, 2, 3, 4, 5, 6, 7, 8]);
            var world = new LidarWorld(10, LidarOn);

            var ex = Assert.ThrowsAsync<PerceptionModelException>(async () => await VehicleHost.RunAsync(world, new VehicleHostOptions { ModelsDirectory = dir.FullName }, CancellationToken.None));

            Assert.That(ex!.ModelPath, Is.EqualTo(path));
            Assert.That(world.Sent, Is.Empty);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Test]
    public void VehicleHost_DefaultModelsFolder_HoldsTheCommittedDetector()
    {
        // The build copies models/*.onnx next to the vehicle executable: the process finds them without --models.
        var shipped = Path.Combine(VehicleHostOptions.DefaultModelsDirectory, "object_detector.onnx");

        Assert.That(File.Exists(shipped), Is.True, shipped);
        Assert.That(File.ReadAllBytes(shipped), Is.EqualTo(File.ReadAllBytes(Path.Combine(RepositoryModels(), "object_detector.onnx"))));
    }

    [Test]
    public async Task RunAsync_RealDetectorOnSimulatedScans_FollowsTheTruckAheadFromLidar()
    {
        var world = new LidarWorld(150, LidarOn);

        await VehicleHost.RunAsync(world, new VehicleHostOptions { ModelsDirectory = RepositoryModels() }, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(60));

        var last = world.Sent[^1].Diagnostics;
        Assert.That(last.Perception.State, Is.EqualTo("nominal"));
        Assert.That(last.Perception.LeadSource, Is.EqualTo("lidar"));
        Assert.That(last.HasLead, Is.True);
        Assert.That(last.LeadGap, Is.EqualTo(world.Gap).Within(1.0));
        Assert.That(last.LeadSpeed, Is.EqualTo(20.0).Within(1.0));
        Assert.That(world.Sent.All(o => (o.Diagnostics.Faults & 0x100) == 0), Is.True);
    }

    /// <summary>
    /// Ground truth is for recording, KPIs and labels: no assembly of the vehicle process (the executable and every
    /// AutomationStack assembly it loads, except the generated wire contract that also serves tools) references the
    /// ground-truth stream or its message types.
    /// </summary>
    [Test]
    public void VehicleProcess_Assemblies_NeverReferenceGroundTruth()
    {
        var forbiddenMembers = new HashSet<string>(StringComparer.Ordinal) { "StreamGroundTruth", "StreamGroundTruthAsync", "SubscribeGroundTruth" };
        var forbiddenTypes = new HashSet<string>(StringComparer.Ordinal) { "GroundTruth", "GroundTruthRequest", "VehicleTruth" };
        var closure = new SortedSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>();
        pending.Push("AutomationStack.Vehicle");
        var checkedCount = 0;
        var findings = new List<string>();
        while (pending.Count > 0)
        {
            var name = pending.Pop();
            if (!closure.Add(name))
            {
                continue;
            }

            var path = Path.Combine(AppContext.BaseDirectory, name + ".dll");
            using var pe = new PEReader(File.OpenRead(path));
            var md = pe.GetMetadataReader();
            foreach (var handle in md.AssemblyReferences)
            {
                var reference = md.GetString(md.GetAssemblyReference(handle).Name);
                if (reference.StartsWith("AutomationStack.", StringComparison.Ordinal))
                {
                    pending.Push(reference);
                }
            }

            if (name == "AutomationStack.Bridge.Protocol")
            {
                continue;
            }

            checkedCount++;
            foreach (var handle in md.MemberReferences)
            {
                var member = md.GetString(md.GetMemberReference(handle).Name);
                if (forbiddenMembers.Contains(member))
                {
                    findings.Add($"{name}: member reference {member}");
                }
            }

            foreach (var handle in md.TypeReferences)
            {
                var type = md.GetString(md.GetTypeReference(handle).Name);
                if (forbiddenTypes.Contains(type))
                {
                    findings.Add($"{name}: type reference {type}");
                }
            }
        }

        Assert.That(closure, Does.Contain("AutomationStack.Vehicle.Pipeline").And.Contain("AutomationStack.Perception").And.Contain("AutomationStack.Vehicle.BridgeClient"));
        Assert.That(checkedCount, Is.GreaterThanOrEqualTo(10));
        Assert.That(findings, Is.Empty);
    }
}

/// <summary>The camera's signal-head stage with the real ONNX classifier on images the simulator's renderer draws.</summary>
public sealed class SignalLightHostTests
{
    private const int Width = 800;
    private const int Height = 450;
    private const double Fov = 45.0 * Math.PI / 180.0;

    /// <summary>An image from a camera 2.5 m up at (0, 0) looking along +x, with one head facing it.</summary>
    private static (CameraImage Image, RoadMap.SignalHeadSite Site) Render(double distance, double lateral, Simulation.Camera.SignalLamp lamp)
    {
        var scene = new Simulation.Camera.CameraScene();
        scene.Heads.Add(new Simulation.Camera.SignalHead(distance, lateral, 2.5, Math.PI, lamp));
        var renderer = new Simulation.Camera.CameraRenderer(Width, Height);
        var pose = new Simulation.Camera.CameraPose(0, 0, 2.5, 0, 0, Width, Height, Fov);
        renderer.Render(scene, pose, 2.0, 7);
        var f = pose.FocalLength;
        var image = new CameraImage(0, 0, new CameraMount(0, 0, 2.5, 0, 0), f, f, Width / 2.0, Height / 2.0, Width, Height, renderer.Rgb.ToArray());
        return (image, new RoadMap.SignalHeadSite("H1", distance, lateral, 2.5, Math.PI, ["R/0"]));
    }

    [TestCase(Simulation.Camera.SignalLamp.Red, Pipeline.SignalLight.Red)]
    [TestCase(Simulation.Camera.SignalLamp.Amber, Pipeline.SignalLight.Amber)]
    [TestCase(Simulation.Camera.SignalLamp.Green, Pipeline.SignalLight.Green)]
    public void Classify_RenderedHeadAt40Metres_ProjectedFromTheMapAndClassified(Simulation.Camera.SignalLamp lamp, Pipeline.SignalLight expected)
    {
        var (image, site) = Render(40, 2.0, lamp);
        using var classifier = new OnnxSignalLightClassifier(Path.Combine(RepositoryModels(), OnnxSignalLightClassifier.FileName), TimeSpan.Zero);

        var projected = Pipeline.SignalHeadProjector.TryProject(site, 0, 0, 0, image, out var box);
        var reading = classifier.Classify(image, box);

        Assert.That(projected, Is.True);
        // The renderer's own projection of the same housing (what the training crops were cut from).
        Assert.That(Simulation.Camera.CameraRenderer.TryProjectHead(new Simulation.Camera.SignalHead(40, 2.0, 2.5, Math.PI, lamp), new Simulation.Camera.CameraPose(0, 0, 2.5, 0, 0, Width, Height, Fov), out var rect), Is.True);
        Assert.That(box.X, Is.EqualTo(rect.X).Within(1.0));
        Assert.That(box.Y, Is.EqualTo(rect.Y).Within(1.0));
        Assert.That(box.Height, Is.EqualTo(rect.Height).Within(1.0));
        Assert.That(reading.State, Is.EqualTo(expected));
        Assert.That(reading.Fault, Is.False);
    }

    [Test]
    public void TryProject_HeadBehindOrOutsideTheImage_False()
    {
        var (image, site) = Render(40, 2.0, Simulation.Camera.SignalLamp.Red);

        Assert.That(Pipeline.SignalHeadProjector.TryProject(site with { X = -20 }, 0, 0, 0, image, out _), Is.False);
        Assert.That(Pipeline.SignalHeadProjector.TryProject(site with { Y = 30 }, 0, 0, 0, image, out _), Is.False);
    }

    [Test]
    public void RunAsync_CameraLightsModelMissing_ThrowsNamingTheFile()
    {
        var missing = Path.Combine(Path.GetTempPath(), "automationstack-no-models-" + Guid.NewGuid().ToString("N"));
        var options = Pipeline.PipelineOptions.Default with { Perception = Pipeline.PerceptionOptions.Default with { CameraLights = true } };

        var ex = Assert.Throws<PerceptionModelException>(() => VehicleHost.CreateLightClassifier(options, new VehicleHostOptions { ModelsDirectory = missing }));

        Assert.That(ex!.Message, Does.Contain(Path.Combine(missing, "traffic_light_classifier.onnx")));
    }

    private static string RepositoryModels()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "AutomationStack.sln")))
            {
                return Path.Combine(dir.FullName, "models");
            }
        }

        throw new DirectoryNotFoundException("repository root not found");
    }
}
