using AutomationStack.Visualizer.Model;

namespace AutomationStack.Visualizer.Tests;

/// <summary>Pixels of headless frames (EGL surfaceless, llvmpipe): what the log holds is drawn where it should be.</summary>
[TestFixture]
public sealed class HeadlessRenderTests
{
    private const int Width = 640;
    private const int Height = 480;

    private string _folder = null!;
    private ReplayIndex _replay = null!;
    private SceneBuilder _builder = null!;
    private HeadlessFrameRenderer _renderer = null!;

    [OneTimeSetUp]
    public void SetUp()
    {
        _folder = Path.Combine(Path.GetTempPath(), $"viz-render-{Environment.ProcessId}-{Guid.NewGuid():N}");
        var (log, map) = TestLog.Write(_folder);
        _replay = ReplayIndex.Open(log);
        var (layout, _) = RoadLayoutBuilder.Locate(_replay, map);
        _builder = new SceneBuilder(_replay, layout);
        _renderer = new HeadlessFrameRenderer(layout, Width, Height);
    }

    [OneTimeTearDown]
    public void TearDown()
    {
        _renderer.Dispose();
        _replay.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    [Test]
    public void Render_TopView_TrucksBoxesAtLoggedPositions()
    {
        var (scene, camera) = Render(1.0, "truck1", ViewMode.Top, centreX: null, centreY: null);

        var truck1 = scene.Find("truck1")!.Value;
        var truck2 = scene.Find("truck2")!.Value;
        AssertColourAt(camera, truck1.X, truck1.Y, Palette.SelectedTruck);
        AssertColourAt(camera, truck2.X, truck2.Y, Palette.StackTruck);
        AssertColourAt(camera, TestLog.Truck1X0 + TestLog.Speed, TestLog.LaneY + 3.0, Palette.Road, "beside the truck: the other lane, not truck");
    }

    [Test]
    public void Render_TopView_BackgroundCarAndAgvInTheirColours()
    {
        var (scene, camera) = Render(1.0, "truck1", ViewMode.Top, centreX: 100, centreY: 10);

        var car = scene.Find("car1")!.Value;
        var agv = scene.Find("agv1")!.Value;
        AssertColourAt(camera, car.X - 1, car.Y, Palette.BackgroundVehicle);
        AssertColourAt(camera, agv.X, agv.Y - 2, Palette.Agv);
    }

    [Test]
    public void Render_RedLight_DrawnRed()
    {
        var (_, camera) = Render(1.0, "truck1", ViewMode.Top, centreX: TestLog.LightX, centreY: TestLog.LightY);

        AssertColourAt(camera, TestLog.LightX, TestLog.LightY, Palette.LightRed);
    }

    [Test]
    public void Render_RedStopLine_DrawnRedAcrossItsLane()
    {
        var (_, camera) = Render(1.0, "truck1", ViewMode.Top, centreX: 190, centreY: TestLog.LaneY);

        AssertColourAt(camera, 190, TestLog.LaneY + 1.2, Palette.LightRed);
    }

    [Test]
    public void Render_LidarScanOfFollowedTruck_PointsDrawnAtTheirPlace()
    {
        var (_, camera) = Render(1.2, "truck1", ViewMode.Top, centreX: null, centreY: null);

        var x = TestLog.Truck1X0 + (TestLog.Speed * TestLog.ScanTime) + TestLog.ClusterSensorX;
        var y = TestLog.LaneY + TestLog.ClusterSensorY;
        AssertColourAt(camera, x, y, Palette.LidarObstacle);
    }

    [Test]
    public void Render_CaccLink_GreenBetweenTheTrucks()
    {
        var (_, camera) = Render(0.8, "truck1", ViewMode.Top, centreX: null, centreY: null);

        // The gap between truck2's front (70 + 8 + 8.25) and truck1's rear (100 + 8 − 8.25).
        AssertColourAt(camera, 93, TestLog.LaneY, Palette.LinkCacc);
    }

    [Test]
    public void Render_ChaseView_FollowedTruckInFrontOfTheCamera()
    {
        var (scene, camera) = Render(1.0, "truck1", ViewMode.Chase, centreX: null, centreY: null);

        var truck1 = scene.Find("truck1")!.Value;
        var roof = camera.WorldToPixel(truck1.X, truck1.Y, truck1.Height)!.Value;
        Assert.That(roof.X, Is.EqualTo(Width / 2.0).Within(1));
        AssertColourAt(camera, truck1.X - 2, truck1.Y, Palette.SelectedTruck, "roof", truck1.Height);
    }

    private (Scene Scene, ViewCamera Camera) Render(double time, string follow, ViewMode mode, double? centreX, double? centreY)
    {
        var scene = _builder.Build(time, follow);
        var camera = centreX is { } cx && centreY is { } cy
            ? new ViewCamera(mode, cx, cy, 0, Width, Height)
            : ReplaySession.CameraFor(scene, mode, Width, Height, _builder.Layout);
        var mesh = new SceneMesh();
        MeshBuilder.BuildScene(scene, mesh);
        _renderer.Render(mesh, camera.Matrix);
        return (scene, camera);
    }

    private void AssertColourAt(ViewCamera camera, double x, double y, Rgba expected, string? what = null, double z = 0)
    {
        var p = camera.WorldToPixel(x, y, z)!.Value;
        var (px, py) = ((int)Math.Floor(p.X), (int)Math.Floor(p.Y));
        Assert.That(px is >= 0 and < Width && py is >= 0 and < Height, $"({x}, {y}) projects outside the frame: {p}");
        var actual = _renderer.PixelAt(px, py);
        var want = expected.ToBytes();
        Assert.That(
            Math.Abs(actual.R - want.R) <= 3 && Math.Abs(actual.G - want.G) <= 3 && Math.Abs(actual.B - want.B) <= 3,
            $"{what ?? "pixel"} at world ({x}, {y}) = pixel ({px}, {py}): expected {want}, got {actual}");
    }
}
