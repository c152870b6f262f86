using AutomationStack.Contracts;

namespace AutomationStack.Simulation.Tests;

public class TrafficTests
{
    [Test]
    public void Step_IdmFollowerBehindStoppedTruck_StopsWithoutCollision()
    {
        var world = new World(TestWorlds.Straight(), TestWorlds.NoiseFree(), TestWorlds.Seed);
        var idm = new IdmParameters();
        var truck = world.AddTruck("truck", TruckParameters.Default, TestWorlds.LaneZero, 500, 0);
        var car = world.AddBackground("car", BackgroundBodies.Car, idm, TestWorlds.LaneZero, 300, 25);

        TestWorlds.Run(world, 60);

        var gap = truck.S - car.S - (0.5 * (truck.Body.Length + car.Body.Length));
        Assert.That(world.CollisionCount, Is.Zero);
        Assert.That(car.Stopped, Is.True);
        Assert.That(gap, Is.InRange(0.5 * idm.MinimumGap, idm.MinimumGap + 0.5));
        Assert.That(car.Control, Is.EqualTo(ControlSource.CarFollowing));
    }

    [Test]
    public void Step_IdmOnFreeRoad_ApproachesDesiredSpeedAlongCentreline()
    {
        var world = new World(TestWorlds.Straight(laneCount: 2), TestWorlds.NoiseFree(), TestWorlds.Seed);
        var idm = new IdmParameters { DesiredSpeed = 30 };
        var car = world.AddBackground("car", BackgroundBodies.Car, idm, TestWorlds.LaneOne, 0, 20);

        TestWorlds.Run(world, 60);

        Assert.That(car.Speed, Is.EqualTo(30).Within(0.5).And.LessThan(30));
        Assert.That(car.Y, Is.EqualTo(TestWorlds.LaneWidth));
        Assert.That(car.Offset, Is.EqualTo(0));
        Assert.That(car.Heading, Is.EqualTo(0));
        Assert.That(car.LaneId, Is.EqualTo(TestWorlds.LaneOne));
    }

    [Test]
    public void Step_OverlappingBoxes_ReportedOnceAsNewCollision()
    {
        var world = new World(TestWorlds.Straight(laneCount: 2), TestWorlds.NoiseFree(), TestWorlds.Seed);
        world.AddTruck("b", TruckParameters.Default, TestWorlds.LaneZero, 100, 0);
        world.AddTruck("a", TruckParameters.Default, TestWorlds.LaneZero, 110, 0);
        world.AddTruck("c", TruckParameters.Default, TestWorlds.LaneOne, 200, 0);

        world.Step();
        Assert.That(world.NewCollisions, Is.EqualTo(new[] { ("a", "b") }));
        Assert.That(world.CollisionCount, Is.EqualTo(1));

        world.Step();
        Assert.That(world.NewCollisions, Is.Empty);
        Assert.That(world.CollisionCount, Is.EqualTo(1));
    }

    [Test]
    public void Step_RearEndImpact_ReportedWhenBoxesStartTouching()
    {
        var world = new World(TestWorlds.Straight(), TestWorlds.NoiseFree(), TestWorlds.Seed);
        var lead = world.AddTruck("lead", TruckParameters.Default, TestWorlds.LaneZero, 200, 0);
        var chaser = world.AddTruck("chaser", TruckParameters.Default, TestWorlds.LaneZero, 100, 10);

        var frame = -1L;
        for (var i = 0; i < 2000 && frame < 0; i++)
        {
            world.Step();
            if (world.NewCollisions.Count > 0)
            {
                frame = world.Frame;
            }
        }

        Assert.That(frame, Is.GreaterThan(0));
        Assert.That(world.NewCollisions, Is.EqualTo(new[] { ("chaser", "lead") }));
        Assert.That(lead.S - chaser.S, Is.LessThanOrEqualTo(TruckParameters.Default.Length));
    }

    [Test]
    public void Remove_ExistingVehicle_DropsItAndKeepsStationIds()
    {
        var world = new World(TestWorlds.Straight(), TestWorlds.NoiseFree(), TestWorlds.Seed);
        world.AddTruck("a", TruckParameters.Default, TestWorlds.LaneZero, 100, 0);
        world.AddTruck("b", TruckParameters.Default, TestWorlds.LaneZero, 200, 0);

        Assert.That(world.Remove("a"), Is.True);
        Assert.That(world.Remove("a"), Is.False);
        world.AddTruck("c", TruckParameters.Default, TestWorlds.LaneZero, 300, 0);

        Assert.That(world.TryGet("a", out _), Is.False);
        Assert.That(world.Vehicles.Select(v => v.Id), Is.EqualTo(new[] { "b", "c" }));
        Assert.That(world.StationIdOf("b"), Is.EqualTo(2u));
        Assert.That(world.StationIdOf("c"), Is.EqualTo(3u));
    }

    [Test]
    public void AddTruck_DuplicateIdOrUnknownLane_Throws()
    {
        var world = new World(TestWorlds.Straight(), TestWorlds.NoiseFree(), TestWorlds.Seed);
        world.AddTruck("a", TruckParameters.Default, TestWorlds.LaneZero, 100, 0);

        Assert.That(() => world.AddTruck("a", TruckParameters.Default, TestWorlds.LaneZero, 200, 0), Throws.ArgumentException);
        Assert.That(() => world.AddTruck("b", TruckParameters.Default, "nowhere", 200, 0), Throws.ArgumentException);
        Assert.That(() => world.SetCommand("ghost", default), Throws.TypeOf<KeyNotFoundException>());
    }
}
