using AutomationStack.Contracts;
using AutomationStack.RoadMap;

namespace AutomationStack.Simulation.Tests;

/// <summary>Vehicles another simulator moves (SUMO background traffic) and controllers another simulator runs.</summary>
public sealed class MirroredVehicleTests
{
    private static World NewWorld() => new(TestWorlds.Straight(laneCount: 2), TestWorlds.NoiseFree(), TestWorlds.Seed);

    [Test]
    public void AddMirrored_PoseOnLaneOne_LocatedOnThatLaneAndNotMovedByStep()
    {
        var world = NewWorld();
        var car = world.AddMirrored("s0.0", BackgroundBodies.Car, 300, TestWorlds.LaneWidth + 0.2, 0, 20);

        world.Step();
        world.Step();

        Assert.That(car.Control, Is.EqualTo(ControlSource.Mirrored));
        Assert.That(car.Role, Is.EqualTo(VehicleRole.Background));
        Assert.That(car.LaneId, Is.EqualTo(TestWorlds.LaneOne));
        Assert.That(car.S, Is.EqualTo(300).Within(1e-9));
        Assert.That(car.Offset, Is.EqualTo(0.2).Within(1e-9));
        Assert.That(car.X, Is.EqualTo(300), "only SetMirroredState moves it");
        Assert.That(car.Speed, Is.EqualTo(20));
    }

    [Test]
    public void SetMirroredState_NewPose_LaneAndYawRateFollow()
    {
        var world = NewWorld();
        world.AddMirrored("s0.0", BackgroundBodies.Car, 300, 0, 0, 20);

        world.SetMirroredState("s0.0", 300.2, TestWorlds.LaneWidth, 0.01, 21, 0.5);

        Assert.That(world.TryGet("s0.0", out var car), Is.True);
        Assert.That(car!.LaneId, Is.EqualTo(TestWorlds.LaneOne));
        Assert.That(car.Speed, Is.EqualTo(21));
        Assert.That(car.Acceleration, Is.EqualTo(0.5));
        Assert.That(car.YawRate, Is.EqualTo(0.01 / world.Options.StepLength).Within(1e-9));
    }

    [Test]
    public void SetMirroredState_NonFinite_KeepsLastPose()
    {
        var world = NewWorld();
        world.AddMirrored("s0.0", BackgroundBodies.Car, 300, 0, 0, 20);

        world.SetMirroredState("s0.0", double.NaN, 0, 0, 20, 0);

        Assert.That(world.TryGet("s0.0", out var car) && car.X == 300, Is.True);
    }

    [Test]
    public void MirroredVehicle_InFrontOfTruck_RadarSeesItAndCollisionsCount()
    {
        var world = NewWorld();
        world.AddTruck("truck", TruckParameters.Default, TestWorlds.LaneZero, 100, 0);
        world.AddMirrored("s0.0", BackgroundBodies.Car, 150, 0, 0, 0);
        var detections = new List<RadarDetection>();

        world.Step();
        world.MeasureRadar("truck", detections);
        Assert.That(detections, Is.Not.Empty);

        world.SetMirroredState("s0.0", 105, 0, 0, 0, 0);
        world.Step();
        Assert.That(world.CollisionCount, Is.EqualTo(1));
    }

    [Test]
    public void SetMirroredState_TruckNotMirrored_Throws()
    {
        var world = NewWorld();
        world.AddTruck("truck", TruckParameters.Default, TestWorlds.LaneZero, 100, 0);

        Assert.Throws<ArgumentException>(() => world.SetMirroredState("truck", 0, 0, 0, 0, 0));
    }

    [Test]
    public void ExternalController_TimingsSet_StateAndSpatAsGivenAndPriorityDisabled()
    {
        var intersection = new Intersection(7, 0, 0, [new SignalGroup(1, [], [new IngressLane(TestWorlds.LaneZero, 500, [])])]);
        var controller = SignalController.External(intersection);
        Assert.That(controller.StateOf(1), Is.EqualTo(SignalGroupState.Dark));

        controller.SetExternalTiming(1, SignalGroupState.Green, 5_000_000_000, 5_000_000_000, 5_000_000_000, 1.0);
        controller.Step(1_000_000_000, []);

        Assert.That(controller.Settings.Mode, Is.EqualTo(SignalControlMode.External));
        Assert.That(controller.StateOf(1), Is.EqualTo(SignalGroupState.Green));
        Assert.That(controller.TimingOf(1), Is.EqualTo(new SignalGroupTiming(1, SignalGroupState.Green, 5_000_000_000, 5_000_000_000, 5_000_000_000, 1.0)));
        Assert.That(controller.RequestPriority(new PriorityRequest(1, 9, 2_000_000_000, 3_000_000_000, 3)).Outcome, Is.EqualTo(PriorityOutcome.Disabled));
        Assert.Throws<ArgumentException>(() => controller.SetExternalTiming(2, SignalGroupState.Red, 0, 0, 0, 1));
    }
}
