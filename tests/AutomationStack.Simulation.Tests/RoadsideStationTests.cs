using AutomationStack.Contracts;
using AutomationStack.RoadMap;
using AutomationStack.Simulation.Camera;

namespace AutomationStack.Simulation.Tests;

public sealed class RoadsideStationTests
{
    private const uint Rsu = RoadsideStation.MinStationId + 1;

    private static World WorldWithTrucks(V2xChannelOptions? v2x = null, int laneCount = 1)
    {
        var options = TestWorlds.NoiseFree() with { V2x = v2x ?? new V2xChannelOptions { Latency = 0.02 } };
        var world = new World(TestWorlds.Straight(laneCount), options, TestWorlds.Seed);
        world.AddTruck("a", TestWorlds.StrongTruck, TestWorlds.LaneZero, 100, 20);
        world.AddTruck("b", TestWorlds.StrongTruck, TestWorlds.LaneZero, 600, 20);
        return world;
    }

    [Test]
    public void SendV2xFromStation_VehicleInRange_ReceivesAfterLatencyOutOfRangeDoesNot()
    {
        var world = WorldWithTrucks(new V2xChannelOptions { Latency = 0.02, Range = 300 });
        world.AddRoadsideStation(Rsu, 150, -10);
        var inbox = new List<V2xMessage>();

        world.SendV2xFromStation(Rsu, new byte[] { 9 });
        world.Step();
        world.Step();
        world.ReceiveV2x("a", inbox);
        Assert.That(inbox.Single().SenderStationId, Is.EqualTo(Rsu));
        world.ReceiveV2x("b", inbox);
        Assert.That(inbox, Is.Empty, "b is 450 m away");
        Assert.That(world.V2xStats.OutOfRange, Is.EqualTo(1));
    }

    [Test]
    public void SendV2x_VehicleToStationInRange_StationReceives()
    {
        var world = WorldWithTrucks();
        world.AddRoadsideStation(Rsu, 150, -10);
        var inbox = new List<V2xMessage>();

        world.SendV2x("a", new byte[] { 1, 2 });
        world.Step();
        world.Step();
        world.ReceiveV2xAtStation(Rsu, inbox);

        Assert.That(inbox.Single().SenderStationId, Is.EqualTo(world.StationIdOf("a")));
        world.ReceiveV2xAtStation(Rsu, inbox);
        Assert.That(inbox, Is.Empty, "delivered once");
    }

    [Test]
    public void SendV2x_WithStationAdded_VehicleLinksDrawTheSameOutcomes()
    {
        var lossy = new V2xChannelOptions { Latency = 0.02, LatencyJitter = 0.05, LossProbability = 0.3, Range = 2000 };
        var plain = WorldWithTrucks(lossy);
        var withStation = WorldWithTrucks(lossy);
        withStation.AddRoadsideStation(Rsu, 300, -10);
        var a = new List<V2xMessage>();
        var b = new List<V2xMessage>();
        for (var i = 0; i < 200; i++)
        {
            plain.SendV2x("a", new byte[] { (byte)i });
            withStation.SendV2x("a", new byte[] { (byte)i });
            plain.Step();
            withStation.Step();
            plain.ReceiveV2x("b", a);
            withStation.ReceiveV2x("b", b);
            Assert.That(b.Select(m => m.Payload.Span[0]), Is.EqualTo(a.Select(m => m.Payload.Span[0])), $"step {i}");
        }
    }

    [Test]
    public void AddRoadsideStation_IdInVehicleRangeOrDuplicate_Throws()
    {
        var world = WorldWithTrucks();
        world.AddRoadsideStation(Rsu, 0, 0);

        Assert.Throws<ArgumentException>(() => world.AddRoadsideStation(5, 0, 0));
        Assert.Throws<ArgumentException>(() => world.AddRoadsideStation(Rsu, 1, 1));
    }

    [Test]
    public void Step_WithActuatedController_VehicleOnDetectorExtendsGreenAndHeadsFollow()
    {
        var map = new RoadNetwork("x", TestWorlds.Straight(2).Lanes,
            [new SignalHeadSite("H1", 1000, -2, 2.5, Math.PI, [TestWorlds.LaneZero]), new SignalHeadSite("H2", 1000, 6, 2.5, Math.PI, [TestWorlds.LaneOne])]);
        var intersection = new Intersection(1, 1000, -10,
        [
            new SignalGroup(1, ["H1"], [new IngressLane(TestWorlds.LaneZero, 1000, [TestWorlds.LaneZero])]),
            new SignalGroup(2, ["H2"], [new IngressLane(TestWorlds.LaneOne, 1000, [TestWorlds.LaneOne])]),
        ]);
        var settings = new SignalControllerSettings
        {
            Mode = SignalControlMode.Actuated,
            Stages = [new SignalStage([1], 5, 30, 2), new SignalStage([2], 5, 30, 2)],
            DetectorDistance = 40,
        };
        var world = new World(map, TestWorlds.NoiseFree(), TestWorlds.Seed);
        var controller = new SignalController(intersection, settings, map);
        world.AddSignalController(controller);
        // At 20 m/s from 880 m the truck (about 16.5 m long) is on the detector (958 … 960 m) from about 3.5 s to 4.4 s:
        // without it the green would gap out at its 5 s minimum, with it at about 4.4 + 2 s passage.
        world.AddTruck("a", TestWorlds.StrongTruck, TestWorlds.LaneZero, 880, 20);

        Assert.That(world.SignalLampOf(0), Is.EqualTo(SignalLamp.Green));
        Assert.That(world.SignalLampOf(1), Is.EqualTo(SignalLamp.Red));
        TestWorlds.Run(world, 6);

        Assert.That(controller.StateOf(1), Is.EqualTo(SignalGroupState.Green), "extended past the minimum by the truck");
        Assert.That(world.SignalLampOf(0), Is.EqualTo(SignalLamp.Green));
        TestWorlds.Run(world, 1);
        Assert.That(world.SignalLampOf(0), Is.Not.EqualTo(SignalLamp.Green), "gapped out after the truck had passed");
        Assert.That(controller.GapOuts, Is.EqualTo(1));
    }
}
