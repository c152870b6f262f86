namespace AutomationStack.Evaluation.Tests;

internal sealed class PlatoonKpiAccumulatorTests
{
    private const double Length = 16.5;

    [Test]
    public void Observe_ThreeTrucksWithGapErrors_RatiosAreFollowerOverPredecessor()
    {
        var kpi = new PlatoonKpiAccumulator(["a", "b", "c"], windowStart: 0);
        // Desired gap 10 m; b is 2 m off, c is 1 m off; accelerations 1, 0.8, 0.4.
        var vehicles = new[]
        {
            new VehicleSample("a", "L", 100, Length, 20),
            new VehicleSample("b", "L", 100 - Length - 12, Length, 20),
            new VehicleSample("c", "L", 100 - (2 * Length) - 12 - 11, Length, 20),
        };
        kpi.Observe(1.0, vehicles, [Sample(1.0, double.NaN), Sample(0.8, 10), Sample(-0.4, 10)]);

        var b = kpi.Result(1);
        var c = kpi.Result(2);
        Assert.That(b.PredecessorId, Is.EqualTo("a"));
        Assert.That(b.PeakSpacingError, Is.EqualTo(2).Within(1e-9));
        Assert.That(double.IsNaN(b.SpacingErrorRatio), Is.True, "the first follower's predecessor has no spacing error");
        Assert.That(b.AccelerationRatio, Is.EqualTo(0.8).Within(1e-9));
        Assert.That(c.SpacingErrorRatio, Is.EqualTo(0.5).Within(1e-9));
        Assert.That(c.AccelerationRatio, Is.EqualTo(0.5).Within(1e-9));
        Assert.That(kpi.Result(0).PredecessorId, Is.Null);
    }

    [Test]
    public void Observe_BeforeWindowStart_NotCounted()
    {
        var kpi = new PlatoonKpiAccumulator(["a", "b"], windowStart: 5);
        var vehicles = new[] { new VehicleSample("a", "L", 100, Length, 20), new VehicleSample("b", "L", 50, Length, 20) };

        kpi.Observe(1.0, vehicles, [Sample(3, double.NaN), Sample(3, 0)]);
        kpi.Observe(6.0, vehicles, [Sample(1, double.NaN), Sample(0.5, 30)]);

        Assert.That(kpi.Result(1).PeakAcceleration, Is.EqualTo(0.5));
        Assert.That(kpi.Result(1).PeakSpacingError, Is.EqualTo(3.5).Within(1e-9));
    }

    [Test]
    public void Observe_JoinRequestedThenPlatooningFollower_JoinDurationRecorded()
    {
        var kpi = new PlatoonKpiAccumulator(["j"], windowStart: 0);
        var vehicles = new[] { new VehicleSample("j", "L", 0, Length, 20) };

        kpi.Observe(10, vehicles, [new TruckPlatoonSample(0, double.NaN, "StandAlone", "StandAlone", "Acc")]);
        kpi.Observe(12, vehicles, [new TruckPlatoonSample(0, double.NaN, "JoinRequested", "StandAlone", "Acc")]);
        kpi.Observe(20, vehicles, [new TruckPlatoonSample(0, double.NaN, "Joining", "Joiner", "Cacc")]);
        kpi.Observe(47.5, vehicles, [new TruckPlatoonSample(0, double.NaN, "Platooning", "Follower", "Cacc")]);

        Assert.That(kpi.Result(0).JoinDurations, Is.EqualTo(new[] { 35.5 }));
    }

    [Test]
    public void Observe_CaccToAccAfterChannelChange_FallbackDelayRecorded()
    {
        var kpi = new PlatoonKpiAccumulator(["f"], windowStart: 0);
        var vehicles = new[] { new VehicleSample("f", "L", 0, Length, 20) };

        kpi.Observe(39.99, vehicles, [new TruckPlatoonSample(0, 10, "Platooning", "Follower", "Cacc")]);
        kpi.NoteChannelChange(40.0);
        kpi.Observe(40.2, vehicles, [new TruckPlatoonSample(0, 10, "Platooning", "Follower", "Cacc")]);
        kpi.Observe(40.32, vehicles, [new TruckPlatoonSample(0, 10, "Platooning", "Follower", "Acc")]);

        Assert.That(kpi.Result(0).FallbackDelays.Single(), Is.EqualTo(0.32).Within(1e-9));
        Assert.That(kpi.Result(0).CaccShare, Is.EqualTo(2.0 / 3.0).Within(1e-9));
    }

    private static TruckPlatoonSample Sample(double acceleration, double desiredGap) =>
        new(acceleration, desiredGap, "Platooning", "Follower", "Cacc");
}
