using AutomationStack.Contracts;
using AutomationStack.Geometry;
using AutomationStack.Localization;
using AutomationStack.Planning;

namespace AutomationStack.Vehicle.Pipeline.Tests;

internal sealed class SignalApproachTests
{
    // One eastbound lane (y = −1.75), stop line at x = 880, intersection 1 group 2, heads J1/J2 of that group.
    private static readonly ApproachLane Lane = new(1, 2, "A1/0", new Polyline([new Vec2(0, -1.75), new Vec2(1000, -1.75)]), 880, 3.5);
    private static readonly Dictionary<string, (int, int)> Heads = new(StringComparer.Ordinal) { ["J1"] = (1, 2), ["J2"] = (1, 2), ["K1"] = (1, 3) };

    private static long Ns(double seconds) => Units.SecondsToNanoseconds(seconds);

    private static EgoState Ego(double x, double speed, long stamp) => new(stamp, x, -1.75, 0, speed, 0, 0, true, 0.1);

    private static (SignalApproach Stage, List<VehicleLogLine> Log) Stage()
    {
        var log = new List<VehicleLogLine>();
        var stage = new SignalApproach(SignalOptions.Default, 16.5, log);
        stage.SetApproaches([Lane], Heads);
        return (stage, log);
    }

    [Test]
    public void Step_RedSpatWithinOnset_BrakesToStopLineAndLogs()
    {
        var (stage, log) = Stage();
        stage.OnSpat(1, 2, new SignalTiming(SignalPhase.Red, 30, 30, 30, 1), Ns(10));

        // Front at 771.75 m: 108 m before the line at 20 m/s.
        var r = stage.Step(Ns(10.05), Ego(763.5, 20, Ns(10.05)), 22);

        Assert.That(r.Match!.Value.DistanceToStopLine, Is.EqualTo(108.25).Within(1e-9));
        Assert.That(r.Decision.State, Is.EqualTo(StopLineState.Stopping));
        Assert.That(r.AccelerationLimit, Is.LessThan(-1.5));
        Assert.That(log.Select(l => l.Text), Has.Some.StartsWith("signal approach intersection 1 group 2 lane A1/0"));
        Assert.That(log.Select(l => l.Text), Has.Some.StartsWith("signal red (spat)"));
        Assert.That(log.Select(l => l.Text), Has.Some.StartsWith("stop line stopping (red)"));
    }

    [Test]
    public void Step_SpatGreenCameraRedOnGroupHead_ActsOnRedAndWarns()
    {
        var (stage, log) = Stage();
        stage.OnSpat(1, 2, new SignalTiming(SignalPhase.Green, 40, 40, 40, 1), Ns(10));
        stage.OnCamera("J2", SignalPhase.Red, Ns(10));

        var r = stage.Step(Ns(10.05), Ego(800, 15, Ns(10.05)), 22);

        Assert.That(r.Signal.Phase, Is.EqualTo(SignalPhase.Red));
        Assert.That(stage.Disagreements, Is.EqualTo(1));
        Assert.That(log.Where(l => l.Level == LogLevel.Warning).Select(l => l.Text), Has.Some.Contains("disagree"));
    }

    [Test]
    public void Step_CameraOnHeadOfOtherGroup_Ignored()
    {
        var (stage, _) = Stage();
        stage.OnSpat(1, 2, new SignalTiming(SignalPhase.Green, 40, 40, 40, 1), Ns(10));
        stage.OnCamera("K1", SignalPhase.Red, Ns(10));

        var r = stage.Step(Ns(10.05), Ego(800, 15, Ns(10.05)), 22);

        Assert.That(r.Signal.Phase, Is.EqualTo(SignalPhase.Green));
        Assert.That(r.Signal.Disagreement, Is.False);
    }

    [Test]
    public void Step_NoSpatNoCamera_FailsClosed()
    {
        var (stage, _) = Stage();

        var r = stage.Step(Ns(10), Ego(800, 15, Ns(10)), 22);

        Assert.That(r.Decision.Reason, Is.EqualTo(StopLineReason.UnknownSignal));
        Assert.That(r.AccelerationLimit, Is.LessThan(0));
    }

    [Test]
    public void Step_RedEndingSoon_GlosaDeceleratesGently()
    {
        var (stage, _) = Stage();
        stage.OnSpat(1, 2, new SignalTiming(SignalPhase.Red, 25, 25, 25, 1), Ns(10));

        // 300 m before the line at 20 m/s: at the limit the truck would arrive at ≈ 25 s; the window opens at 26 s.
        var r = stage.Step(Ns(10.05), Ego(580 - 8.25, 20, Ns(10.05)), 22);

        Assert.That(r.Advice.Case, Is.EqualTo(GlosaCase.SlowToArriveOnGreen));
        Assert.That(r.AccelerationLimit, Is.LessThan(0).And.GreaterThanOrEqualTo(-1.0), "coast towards the window, do not brake hard");
    }

    [Test]
    public void Step_OffTheApproach_NoConstraintAndLeaveLogged()
    {
        var (stage, log) = Stage();
        stage.OnSpat(1, 2, new SignalTiming(SignalPhase.Green, 40, 40, 40, 1), Ns(10));
        stage.Step(Ns(10), Ego(800, 15, Ns(10)), 22);

        var r = stage.Step(Ns(20), Ego(950, 15, Ns(20)), 22);

        Assert.That(r.Match, Is.Null);
        Assert.That(double.IsPositiveInfinity(r.AccelerationLimit), Is.True);
        Assert.That(log.Select(l => l.Text), Has.Some.StartsWith("signal approach left intersection 1"));
    }

    [Test]
    public void Step_StopLinesOff_NoConstraint()
    {
        var log = new List<VehicleLogLine>();
        var stage = new SignalApproach(SignalOptions.Default with { StopLines = false }, 16.5, log);
        stage.SetApproaches([Lane], Heads);

        var r = stage.Step(Ns(10), Ego(800, 15, Ns(10)), 22);

        Assert.That(r.Match, Is.Null);
    }
}

internal sealed class SignalApproachMapTests
{
    [Test]
    public void OnMap_LaneNotInTrucksMap_SkippedWithWarningAndKnownLanesMatched()
    {
        var roads = new AutomationStack.RoadMap.RoadNetwork("m", [
            new AutomationStack.RoadMap.Lane("A1/0", "A1", 0, new Polyline([new Vec2(0, -1.75), new Vec2(1000, -1.75)]), 3.5, 30,
                AutomationStack.RoadMap.ElevationProfile.Flat, null, null)]);
        var map = new AutomationStack.Platooning.Protocol.MapData(1, 1, 888, -10, [
            new AutomationStack.Platooning.Protocol.MapSignalGroup(1, [
                new AutomationStack.Platooning.Protocol.MapIngressLane("A1/0", 880, 880, -1.75, ["A1/0"]),
                new AutomationStack.Platooning.Protocol.MapIngressLane("Z9/0", 50, 0, 0, [])])]);
        var log = new List<VehicleLogLine>();
        var stage = new SignalApproach(SignalOptions.Default, 16.5, log);

        stage.OnMap(map, roads, 5_000_000);

        Assert.That(stage.LaneCount, Is.EqualTo(1));
        var warning = log.Single(l => l.Level == LogLevel.Warning);
        Assert.That(warning.Text, Does.Contain("Z9/0"));
        Assert.That(warning.StampNs, Is.EqualTo(5_000_000));
    }
}
