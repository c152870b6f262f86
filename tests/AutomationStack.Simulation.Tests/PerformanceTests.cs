using AutomationStack.Contracts;

namespace AutomationStack.Simulation.Tests;

public class PerformanceTests
{
    [Test]
    public void Step_ThreeTrucksTwentyBackground_DoesNotAllocate()
    {
        var world = Highway();
        var radar = new List<RadarDetection>();
        for (var i = 0; i < 200; i++)
        {
            world.Step();
            world.MeasureRadar("truck0", radar);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            world.Step();
            world.MeasureRadar("truck0", radar);
            world.MeasureEgo("truck0");
        }

        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.Zero);
    }

    /// <summary>Three trucks in platoon on the right lane, twenty cars spread over two lanes, all moving.</summary>
    private static World Highway()
    {
        var world = new World(TestWorlds.Straight(laneCount: 2, length: 20_000), new WorldOptions(), TestWorlds.Seed);
        for (var i = 0; i < 3; i++)
        {
            world.AddTruck($"truck{i}", TruckParameters.Default, TestWorlds.LaneZero, 1000 - (30 * i), 22);
        }

        for (var i = 0; i < 20; i++)
        {
            var lane = i % 2 == 0 ? TestWorlds.LaneOne : TestWorlds.LaneZero;
            var s = i % 2 == 0 ? 500 + (30 * i) : 1100 + (40 * i);
            world.AddBackground($"car{i}", BackgroundBodies.Car, new IdmParameters { DesiredSpeed = 25 + (i % 5) }, lane, s, 22);
        }

        return world;
    }
}
