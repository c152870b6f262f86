using AutomationStack.Contracts;
using AutomationStack.Geometry;
using AutomationStack.RoadMap;

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

    [Test]
    public void StartMinimalRiskStop_OnCurvedLane_StopsNearCentreline()
    {
        const double radius = 300;
        var points = new List<Vec2>();
        for (var k = 0; k <= 200; k++)
        {
            var angle = k * 0.005;
            points.Add(new Vec2(radius * Math.Sin(angle), radius * (1 - Math.Cos(angle))));
        }

        var lane = new Lane("arc", "arc", 0, new Polyline(points), TestWorlds.LaneWidth, 25, ElevationProfile.Flat, null, null);
        var world = new World(new RoadNetwork("arc", [lane]), TestWorlds.NoiseFree(), TestWorlds.Seed);
        var truck = world.AddTruck("t", TruckParameters.Default, "arc", 20, 20);
        Assert.That(truck.SteeringAngle, Is.EqualTo(Math.Atan(TruckParameters.Default.Wheelbase / radius)).Within(1e-3));

        world.StartMinimalRiskStop("t");
        for (var i = 0; i < 1500; i++)
        {
            world.Step();
            Assert.That(Math.Abs(truck.Offset), Is.LessThan(0.3));
        }

        Assert.That(truck.Speed, Is.EqualTo(0));
        Assert.That(truck.LaneId, Is.EqualTo("arc"));
    }
}
