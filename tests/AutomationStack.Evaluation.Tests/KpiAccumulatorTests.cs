using AutomationStack.Evaluation;

namespace AutomationStack.Evaluation.Tests;

public sealed class KpiAccumulatorTests
{
    [Test]
    public void Observe_FollowerBehindLeader_ComputesBumperGapAndTimeGap()
    {
        var kpi = new KpiAccumulator(["t1", "t2"]);
        VehicleSample[] vehicles =
        [
            new("t1", "A/0", 100, 16, 20),
            new("t2", "A/0", 50, 16, 20),
            new("car", "A/1", 60, 4, 30),
        ];
        TruckReference[] refs = [new(20, false, false), new(20, false, false)];

        kpi.Observe(vehicles, refs);

        var follower = kpi.Result(1);
        Assert.That(follower.MinDistance, Is.EqualTo(34).Within(1e-9));
        Assert.That(follower.MinTimeGap, Is.EqualTo(1.7).Within(1e-9));
        Assert.That(kpi.Result(0).MinDistance, Is.EqualTo(double.PositiveInfinity), "the car in the other lane is not a lead");
    }

    [Test]
    public void Observe_DriverBraking_ExcludedFromSpeedError()
    {
        var kpi = new KpiAccumulator(["t1"]);
        kpi.Observe([new VehicleSample("t1", "A/0", 0, 16, 10)], [new TruckReference(20, true, false)]);
        kpi.Observe([new VehicleSample("t1", "A/0", 1, 16, 19)], [new TruckReference(20, false, false)]);

        var result = kpi.Result(0);

        Assert.That(result.SpeedSamples, Is.EqualTo(1));
        Assert.That(result.SpeedRmsError, Is.EqualTo(1).Within(1e-9));
        Assert.That(result.DistanceTravelled, Is.EqualTo(1).Within(1e-9));
    }

    [Test]
    public void Observe_SlowLeadWithinRange_ReferenceIsLeadSpeed()
    {
        var kpi = new KpiAccumulator(["t2"]);
        kpi.Observe(
            [new VehicleSample("t1", "A/0", 100, 16, 15), new VehicleSample("t2", "A/0", 50, 16, 15)],
            [new TruckReference(22, false, false)]);

        Assert.That(kpi.Result(0).SpeedMaxError, Is.EqualTo(0).Within(1e-9));
    }

    [Test]
    public void Evaluate_CollisionAndSmallGap_ListsBothFailures()
    {
        var trucks = new[] { new TruckKpis("t2", 3, 0.5, 0.1, 0.2, 100, 10) };
        var failed = PassCriteriaEvaluator.Evaluate(
            new Criteria(true, 0.8, 5, null, false),
            new RunFacts(1, trucks, []));

        Assert.That(failed, Has.Count.EqualTo(3));
        Assert.That(failed[0], Does.StartWith("no_collision"));
    }

    [Test]
    public void Evaluate_AllWithinLimits_Passes()
    {
        var trucks = new[] { new TruckKpis("t2", 20, 1.2, 0.1, 0.2, 100, 10) };
        var failed = PassCriteriaEvaluator.Evaluate(new Criteria(true, 0.8, 5, 1.0, true), new RunFacts(0, trucks, []));

        Assert.That(failed, Is.Empty);
    }
}
