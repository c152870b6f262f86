using AutomationStack.Contracts;

namespace AutomationStack.Simulation.Tests;

public class MinimalRiskStopTests
{
    [Test]
    public void StartMinimalRiskStop_DriftingTruck_BrakesAtConfiguredRateToStandstillInLane()
    {
        var world = new World(TestWorlds.Straight(laneCount: 2), TestWorlds.NoiseFree(), TestWorlds.Seed);
        var truck = world.AddTruck("t", TruckParameters.Default, TestWorlds.LaneZero, 100, 25);
        world.SetCommand("t", new ActuationCommand(0.5, 0.01));
        TestWorlds.Run(world, 1);
        Assert.That(truck.Offset, Is.GreaterThan(0.2), "drifted left before the fallback");

        world.StartMinimalRiskStop("t");
        world.SetCommand("t", new ActuationCommand(2, 0.3));
        world.SetPedals("t", 1, 0, 0.3);
        TestWorlds.Run(world, 2);

        Assert.That(truck.Control, Is.EqualTo(ControlSource.MinimalRiskStop));
        Assert.That(truck.Acceleration, Is.EqualTo(-world.Options.MinimalRiskDeceleration).Within(0.02));

        TestWorlds.Run(world, 15);
        var stoppedAt = truck.S;
        TestWorlds.Run(world, 5);

        Assert.That(truck.Speed, Is.EqualTo(0));
        Assert.That(truck.S, Is.EqualTo(stoppedAt));
        Assert.That(truck.LaneId, Is.EqualTo(TestWorlds.LaneZero));
        Assert.That(Math.Abs(truck.Offset), Is.LessThan(0.1));
        Assert.That(Math.Abs(truck.Heading), Is.LessThan(0.01));
    }

    [Test]
    public void StartMinimalRiskStop_WeakBrakes_NeverExceedsBodyMaxDeceleration()
    {
        var world = new World(TestWorlds.Straight(), TestWorlds.NoiseFree(), TestWorlds.Seed);
        var body = TruckParameters.Default with { MaxDeceleration = 2.0 };
        var truck = world.AddTruck("t", body, TestWorlds.LaneZero, 100, 25);

        world.StartMinimalRiskStop("t");
        TestWorlds.Run(world, 2);

        Assert.That(truck.Acceleration, Is.EqualTo(-body.MaxDeceleration).Within(0.02));
    }
}
