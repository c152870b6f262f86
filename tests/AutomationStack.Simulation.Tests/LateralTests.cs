using AutomationStack.Contracts;
using AutomationStack.Geometry;

namespace AutomationStack.Simulation.Tests;

public class LateralTests
{
    [Test]
    public void Step_ConstantSteering_TurnsAboutFixedCentreWithRadiusWheelbaseOverTanDelta()
    {
        const double delta = 0.1;
        const double speed = 10;
        var world = new World(TestWorlds.Straight(), TestWorlds.NoiseFree(), TestWorlds.Seed);
        var body = TruckParameters.Default;
        var truck = world.AddTruck("t", body, TestWorlds.LaneZero, 100, speed);
        world.SetCommand("t", new ActuationCommand(0, delta));
        TestWorlds.Run(world, 1);
        Assert.That(truck.SteeringAngle, Is.EqualTo(delta));

        var radius = body.Wheelbase / Math.Tan(delta);
        var centre = TurnCentre(truck, radius);
        for (var k = 0; k < 40; k++)
        {
            TestWorlds.Run(world, 1);
            var now = TurnCentre(truck, radius);
            Assert.That((now - centre).Length, Is.LessThan(1e-6));
            Assert.That((TestWorlds.RearAxle(truck) - centre).Length, Is.EqualTo(radius).Within(1e-6));
            Assert.That(truck.YawRate, Is.EqualTo(speed / radius).Within(1e-9));
        }
    }

    [Test]
    public void Step_SteeringCommandStep_SlewsAtMaxRateAndStopsAtMaxAngle()
    {
        var world = new World(TestWorlds.Straight(), TestWorlds.NoiseFree(), TestWorlds.Seed);
        var body = TruckParameters.Default;
        var truck = world.AddTruck("t", body, TestWorlds.LaneZero, 100, 5);
        world.SetCommand("t", new ActuationCommand(0, 1.0));
        var maxChange = body.MaxSteeringRate * world.Options.StepLength;
        var previous = truck.SteeringAngle;

        for (var i = 0; i < 50; i++)
        {
            world.Step();
            Assert.That(truck.SteeringAngle - previous, Is.LessThanOrEqualTo(maxChange + 1e-12));
            previous = truck.SteeringAngle;
        }

        Assert.That(truck.SteeringAngle, Is.EqualTo(0.5 * body.MaxSteeringRate).Within(1e-9));
        TestWorlds.Run(world, 3);
        Assert.That(truck.SteeringAngle, Is.EqualTo(body.MaxSteeringAngle));
    }

    [Test]
    public void Step_LeavingLaneSideways_NearestLaneFollowsCentre()
    {
        var world = new World(TestWorlds.Straight(laneCount: 2), TestWorlds.NoiseFree(), TestWorlds.Seed);
        var truck = world.AddTruck("t", TruckParameters.Default, TestWorlds.LaneZero, 100, 20);
        world.SetCommand("t", new ActuationCommand(0, 0.01));

        for (var i = 0; i < 1000 && truck.LaneId == TestWorlds.LaneZero; i++)
        {
            world.Step();
        }

        Assert.That(truck.LaneId, Is.EqualTo(TestWorlds.LaneOne));
        Assert.That(truck.Offset, Is.EqualTo(truck.Y - TestWorlds.LaneWidth).Within(1e-9));
        Assert.That(Math.Abs(truck.Offset), Is.LessThanOrEqualTo(TestWorlds.LaneWidth / 2));
    }

    private static Vec2 TurnCentre(SimVehicle v, double radius) =>
        TestWorlds.RearAxle(v) + (Vec2.FromHeading(v.Heading).Normal * radius);
}
