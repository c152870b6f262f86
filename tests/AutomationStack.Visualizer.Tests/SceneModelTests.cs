using AutomationStack.Visualizer.Model;

namespace AutomationStack.Visualizer.Tests;

[TestFixture]
public sealed class SceneModelTests
{
    private string _folder = null!;
    private ReplayIndex _replay = null!;
    private SceneBuilder _builder = null!;

    [OneTimeSetUp]
    public void SetUp()
    {
        _folder = Path.Combine(Path.GetTempPath(), $"viz-model-{Environment.ProcessId}-{Guid.NewGuid():N}");
        var (log, map) = TestLog.Write(_folder);
        _replay = ReplayIndex.Open(log);
        var (layout, note) = RoadLayoutBuilder.Locate(_replay, map);
        Assert.That(note, Is.Null);
        _builder = new SceneBuilder(_replay, layout);
    }

    [OneTimeTearDown]
    public void TearDown()
    {
        _replay.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    [Test]
    public void Open_TinyLog_TimeRangeTrucksAndMetadata()
    {
        Assert.That(_replay.StartTime, Is.EqualTo(0.01).Within(1e-9));
        Assert.That(_replay.EndTime, Is.EqualTo(2.0).Within(1e-9));
        Assert.That(_replay.StackTrucks, Is.EqualTo(new[] { "truck1", "truck2" }));
        Assert.That(_replay.Metadata["map"], Is.EqualTo("viz-test"));
        Assert.That(_replay.StepNs, Is.EqualTo(10_000_000));
    }

    [Test]
    public void GroundTruthAt_BetweenSteps_LastAtOrBefore()
    {
        var truth = _replay.GroundTruthAt(1.2345);

        Assert.That(truth.StampNs, Is.EqualTo(1_230_000_000));
    }

    [Test]
    public void GroundTruthAt_SeekBackAndForth_SameAnswer()
    {
        var late = _replay.GroundTruthAt(1.9).StampNs;
        var early = _replay.GroundTruthAt(0.1).StampNs;

        Assert.That((early, late, _replay.GroundTruthAt(1.9).StampNs), Is.EqualTo((100_000_000L, 1_900_000_000L, 1_900_000_000L)));
    }

    [Test]
    public void Build_AtOneSecond_VehiclesAtLoggedPosesWithClasses()
    {
        var scene = _builder.Build(1.0, "truck1");

        var truck1 = scene.Find("truck1")!.Value;
        Assert.That((truck1.X, truck1.Y, truck1.Class), Is.EqualTo((TestLog.Truck1X0 + TestLog.Speed, TestLog.LaneY, VehicleClass.StackTruck)));
        Assert.That(scene.Find("car1")!.Value.Class, Is.EqualTo(VehicleClass.Background));
        Assert.That(scene.Find("agv1")!.Value.Class, Is.EqualTo(VehicleClass.Agv));
    }

    [Test]
    public void Build_JustAfterAScanWithTracks_DetectedBoxOverTheTrackedTruck()
    {
        var scene = _builder.Build(TestLog.ScanTime + 0.05, "truck2");

        var box = scene.Detected.Single();
        var truck1 = scene.Find("truck1")!.Value;
        Assert.That(box.Id, Is.EqualTo(7));
        Assert.That(box.Category, Is.EqualTo("truck"));
        Assert.That(box.X, Is.EqualTo(truck1.X).Within(1e-6));
        Assert.That(box.Y, Is.EqualTo(truck1.Y).Within(1e-6));
        Assert.That(box.Length, Is.EqualTo(TestLog.TruckLength));
    }

    [Test]
    public void Build_LongAfterTheScanOrAnotherTruck_NoDetectedBoxes()
    {
        Assert.That(_builder.Build(TestLog.ScanTime + 0.5, "truck2").Detected, Is.Empty);
        Assert.That(_builder.Build(TestLog.ScanTime + 0.05, "truck1").Detected, Is.Empty);
    }

    [Test]
    public void Build_FollowerInCacc_LinkToPredecessorIsCacc()
    {
        var scene = _builder.Build(0.8, "truck1");

        Assert.That(scene.Links, Is.EqualTo(new[] { new PlatoonLink("truck2", "truck1", LinkMode.Cacc) }));
    }

    [Test]
    public void Build_FollowerFellBackToAcc_LinkIsAccFallback()
    {
        var scene = _builder.Build(1.5, "truck1");

        Assert.That(scene.Links.Single().Mode, Is.EqualTo(LinkMode.AccFallback));
    }

    [TestCase("Platooning", "Follower", "Cacc", "Cacc")]
    [TestCase("CutIn", "Follower", "Acc", "AccFallback")]
    [TestCase("Joining", "Joiner", "Acc", "Joining")]
    [TestCase("Platooning", "Follower", "Emergency", "Emergency")]
    public void ModeOf_Diagnostics_LinkMode(string state, string role, string mode, string expected)
    {
        var sample = new DiagnosticsSample(1, "Active", true, 10, string.Empty, state, role, mode, 1, 1);

        Assert.That(SceneBuilder.ModeOf(sample).ToString(), Is.EqualTo(expected));
    }

    [Test]
    public void Build_SelectedTruckWithScan_LidarPointsInMapFrame()
    {
        var scene = _builder.Build(1.2, "truck1");

        Assert.That(scene.LidarPointCount, Is.EqualTo(TestLog.ClusterPoints));
        var xs = Enumerable.Range(0, scene.LidarPointCount).Select(i => (double)scene.LidarPoints[i * 3]).ToArray();
        var ys = Enumerable.Range(0, scene.LidarPointCount).Select(i => (double)scene.LidarPoints[(i * 3) + 1]).ToArray();
        var zs = Enumerable.Range(0, scene.LidarPointCount).Select(i => (double)scene.LidarPoints[(i * 3) + 2]).ToArray();
        var truck1AtScan = TestLog.Truck1X0 + (TestLog.Speed * TestLog.ScanTime);
        Assert.That(xs.Average(), Is.EqualTo(truck1AtScan + TestLog.ClusterSensorX).Within(0.1));
        Assert.That(ys.Average(), Is.EqualTo(TestLog.LaneY + TestLog.ClusterSensorY).Within(0.1));
        Assert.That(zs.Average(), Is.EqualTo(TestLog.LidarMountZ + TestLog.ClusterSensorZ).Within(0.01));
    }

    [Test]
    public void Build_BeforeScanOrLongAfter_NoLidarPoints()
    {
        Assert.That(_builder.Build(0.9, "truck1").LidarPointCount, Is.Zero);
        Assert.That(_builder.Build(1.0 + ReplayIndex.LidarLookback + 0.2, "truck1").LidarPointCount, Is.Zero);
        Assert.That(_builder.Build(1.2, "truck2").LidarPointCount, Is.Zero);
    }

    [Test]
    public void Build_RedGroup_LightAndStopLineRedWithCountdown()
    {
        var scene = _builder.Build(1.0, "truck1");

        Assert.That(scene.Lights, Is.EqualTo(new[] { new SignalLight("H1", TestLog.LightX, TestLog.LightY, LightState.Red) }));
        var line = scene.StopLines.Single();
        Assert.That(line.State, Is.EqualTo(LightState.Red));
        Assert.That(line.Remaining, Is.EqualTo(4.0).Within(1e-9));
        Assert.That((line.X1 + line.X2) / 2, Is.EqualTo(190).Within(1e-9));
    }

    [Test]
    public void Build_FollowerWithLead_TrackEstimateAndTruthAtLeadRear()
    {
        var scene = _builder.Build(1.0, "truck1");

        var track = scene.Tracks.Single();
        var leadRear = TestLog.Truck1X0 + TestLog.Speed - (TestLog.TruckLength / 2);
        Assert.That(track.VehicleId, Is.EqualTo("truck2"));
        Assert.That(track.EstimatedX, Is.EqualTo(leadRear).Within(1e-6));
        Assert.That(track.TrueX!.Value, Is.EqualTo(leadRear).Within(1e-6));
    }

    [Test]
    public void Build_EventShownForItsTime_ThenGone()
    {
        var during = _builder.Build(TestLog.EventTime + 1, "truck1");
        var after = _builder.Build(TestLog.EventTime + SceneBuilder.EventShowTime + 0.1, "truck1");

        var marker = during.Events.Single(e => e.Kind == "v2x_loss");
        Assert.That((marker.Kind, marker.VehicleId, marker.IsV2x), Is.EqualTo(("v2x_loss", "truck2", true)));
        Assert.That(marker.Age, Is.EqualTo(1).Within(1e-6));
        Assert.That(after.Events.Where(e => e.Kind == "v2x_loss"), Is.Empty);
    }

    [Test]
    public void Events_FollowerFallsBackToAcc_DerivedPlatoonModeEvent()
    {
        var derived = _replay.Events.Where(e => e.Kind == ReplayIndex.PlatoonModeEvent).ToList();

        Assert.That(derived, Has.Count.EqualTo(1));
        Assert.That((derived[0].VehicleId, derived[0].Detail), Is.EqualTo(("truck2", "Cacc -> Acc")));
        Assert.That(ReplayIndex.ToSeconds(derived[0].StampNs), Is.EqualTo(TestLog.CaccUntil + 0.02).Within(1e-9));
        Assert.That(_replay.Events.Select(e => e.StampNs), Is.Ordered);
    }

    [Test]
    public void SeriesOf_Follower_SpeedGapAndTimeGap()
    {
        var series = _replay.SeriesOf("truck2")!;

        Assert.That(series.ValueAt(PlotKind.Speed, 1.0), Is.EqualTo(TestLog.Speed));
        Assert.That(series.ValueAt(PlotKind.Gap, 1.0), Is.EqualTo(TestLog.Truck1X0 - TestLog.Truck2X0 - TestLog.TruckLength).Within(1e-9));
        Assert.That(series.ValueAt(PlotKind.TimeGap, 1.0), Is.EqualTo((TestLog.Truck1X0 - TestLog.Truck2X0 - TestLog.TruckLength) / TestLog.Speed).Within(1e-9));
        Assert.That(series.Times(PlotKind.Speed).Length, Is.EqualTo(20).Within(1));
    }

    [Test]
    public void SeriesOf_Leader_NoGap()
    {
        var series = _replay.SeriesOf("truck1")!;

        Assert.That(series.Times(PlotKind.Gap).Length, Is.Zero);
        Assert.That(series.ValueAt(PlotKind.Acceleration, 1.0), Is.EqualTo(0.1));
    }

    [Test]
    public void Layout_FromMap_LanesHeadAndStopLine()
    {
        var layout = _builder.Layout;

        Assert.That(layout.Lanes.Select(l => l.Id), Is.EquivalentTo(new[] { "A1/0", "A1/1" }));
        Assert.That(layout.SignalHeads.Single().Id, Is.EqualTo("H1"));
        var stop = layout.StopLines.Single();
        Assert.That((stop.Y1 + stop.Y2) / 2, Is.EqualTo(TestLog.LaneY).Within(1e-9));
        Assert.That(Math.Abs(stop.Y1 - stop.Y2), Is.EqualTo(3.5).Within(1e-9));
    }

    [Test]
    public void Locate_LogMapNotFound_EmptyLayoutWithNote()
    {
        var (layout, note) = RoadLayoutBuilder.Locate(_replay, null);

        Assert.That(layout.Lanes, Is.Empty);
        Assert.That(note, Does.Contain("viz-test"));
    }

    [Test]
    public void Open_MissingFile_ThrowsNamingTheFile()
    {
        var path = Path.Combine(_folder, "nope.mcap");

        var ex = Assert.Throws<ReplayException>(() => ReplayIndex.Open(path));

        Assert.That(ex!.Message, Does.Contain(path));
    }

    [Test]
    public void Open_TruncatedFile_ThrowsNamingTheFile()
    {
        var path = Path.Combine(_folder, "truncated.mcap");
        var bytes = File.ReadAllBytes(Path.Combine(_folder, "run.mcap"));
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);

        var ex = Assert.Throws<ReplayException>(() => ReplayIndex.Open(path));

        Assert.That(ex!.Message, Does.Contain(path));
    }

    [Test]
    public void Open_FlippedByteInAChunk_ThrowsNamingTheFile()
    {
        var path = Path.Combine(_folder, "flipped.mcap");
        var bytes = File.ReadAllBytes(Path.Combine(_folder, "run.mcap"));
        bytes[bytes.Length / 3] ^= 0x5A;
        File.WriteAllBytes(path, bytes);

        var ex = Assert.Throws<ReplayException>(() => ReplayIndex.Open(path));

        Assert.That(ex!.Message, Does.Contain(path));
    }

    [Test]
    public void Prepare_Session_UpdateBuildsMeshForTimelineTime()
    {
        var options = new ViewOptions { LogPath = _replay.Path, Follow = "truck2", Fps = 10 };
        var session = new ReplaySession(_replay, _builder.Layout, options);
        session.Timeline.Scrub(1.5);

        session.Prepare(640, 480);

        Assert.That(session.LastScene!.Time, Is.EqualTo(1.5));
        Assert.That(session.LastScene.SelectedId, Is.EqualTo("truck2"));
        var pixel = session.LastCamera!.WorldToPixel(TestLog.Truck2X0 + (TestLog.Speed * 1.5), TestLog.LaneY)!.Value;
        Assert.That(pixel.X, Is.EqualTo(320).Within(1e-3));
        Assert.That(pixel.Y, Is.EqualTo(240).Within(1e-3));
        Assert.That(session.Mesh.Triangles.Count, Is.GreaterThan(4 * 36));
        Assert.That(session.Mesh.OverlayLines.Count, Is.GreaterThan(0));
    }
}
