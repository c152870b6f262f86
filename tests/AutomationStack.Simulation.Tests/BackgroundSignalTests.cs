using AutomationStack.RoadMap;

namespace AutomationStack.Simulation.Tests;

/// <summary>Background (IDM) vehicles at signal controllers' stop lines, and shuttling vehicles.</summary>
public sealed class BackgroundSignalTests
{
    private const double StopLine = 1000;

    private static readonly Intersection Crossing = new(1, 1000, -10,
    [
        new SignalGroup(1, [], [new IngressLane(TestWorlds.LaneZero, StopLine, [TestWorlds.LaneZero])]),
        new SignalGroup(2, [], [new IngressLane(TestWorlds.LaneOne, StopLine, [TestWorlds.LaneOne])]),
    ]);

    /// <summary>Group 1 (lane 0) green for 10 s first, then group 2 (lane 1) for 30 s; amber 3 s, all-red 2 s.</summary>
    private static (World World, SignalController Controller) WorldWithSignal()
    {
        var map = TestWorlds.Straight(laneCount: 2);
        var world = new World(map, TestWorlds.NoiseFree(), TestWorlds.Seed);
        var controller = new SignalController(Crossing, new SignalControllerSettings
        {
            Mode = SignalControlMode.FixedTime,
            Stages = [new SignalStage([1], 10, 10, 0), new SignalStage([2], 30, 30, 0)],
            Amber = 3,
            AllRed = 2,
        }, map);
        world.AddSignalController(controller);
        return (world, controller);
    }

    [Test]
    public void Step_BackgroundOnRedLane_StopsBeforeTheStopLine()
    {
        var (world, controller) = WorldWithSignal();
        var car = world.AddBackground("car", TestWorlds.StrongTruck, new IdmParameters { DesiredSpeed = 15 }, TestWorlds.LaneOne, 800, 15);

        // Lane 1 is red until 15 s (group 1's 10 s green, 3 s amber, 2 s all-red); at 15 m/s the line is 13.3 s away.
        var slowest = double.MaxValue;
        while (controller.StateOf(2) != SignalGroupState.Green)
        {
            TestWorlds.Run(world, 0.01);
            Assert.That(car.S + (car.Body.Length / 2), Is.LessThan(StopLine), $"front past the line on red at {world.StampNs / 1e9:F2} s");
            slowest = Math.Min(slowest, car.Speed);
        }

        Assert.That(slowest, Is.LessThan(10), "it slowed for the red (from 15 m/s)");
        TestWorlds.Run(world, 10);
        Assert.That(car.S, Is.GreaterThan(StopLine), "and went on green");
    }

    [Test]
    public void Step_BackgroundThatIgnoresSignals_DrivesThrough()
    {
        var (world, _) = WorldWithSignal();
        var car = world.AddBackground("car", TestWorlds.StrongTruck, new IdmParameters { DesiredSpeed = 15, ObeySignals = false }, TestWorlds.LaneOne, 800, 15);

        TestWorlds.Run(world, 14.5);

        Assert.That(car.S, Is.GreaterThan(StopLine));
    }

    [Test]
    public void Step_BackgroundWaitingAtRed_GoesOnGreen()
    {
        var (world, controller) = WorldWithSignal();
        var car = world.AddBackground("car", TestWorlds.StrongTruck, new IdmParameters { DesiredSpeed = 15 }, TestWorlds.LaneZero, 900, 10);

        // Lane 0 is green for the first 10 s: the car (100 m away at 10 m/s) passes in that green.
        TestWorlds.Run(world, 14);

        Assert.That(car.S, Is.GreaterThan(StopLine));
        Assert.That(controller.StateOf(1), Is.Not.EqualTo(SignalGroupState.Green));
    }

    [Test]
    public void Step_LoopingVehicleAtLaneEnd_ReentersAtLaneStart()
    {
        var map = TestWorlds.Straight(laneCount: 1);
        var world = new World(map, TestWorlds.NoiseFree(), TestWorlds.Seed);
        var lane = map.GetLane(TestWorlds.LaneZero);
        var length = lane.Centreline.Length;
        var agv = world.AddBackground("agv", TestWorlds.StrongTruck, new IdmParameters { DesiredSpeed = 10, Loop = true }, TestWorlds.LaneZero, length - 30, 10);

        TestWorlds.Run(world, 5);

        Assert.That(agv.S, Is.LessThan(100), "wrapped to the start of its lane");
        Assert.That(agv.LaneId, Is.EqualTo(TestWorlds.LaneZero));
    }
}
