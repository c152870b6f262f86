using AutomationStack.Contracts;

namespace AutomationStack.Simulation.Tests;

public class LongitudinalTests
{
    private const double Gravity = 9.80665;

    [Test]
    public void Step_ZeroRequestOnFlatRoad_HoldsSpeed()
    {
        var world = new World(TestWorlds.Straight(), TestWorlds.NoiseFree(), TestWorlds.Seed);
        var truck = world.AddTruck("t", TruckParameters.Default, TestWorlds.LaneZero, 100, 20);

        TestWorlds.Run(world, 10);

        Assert.That(truck.Speed, Is.EqualTo(20).Within(1e-9));
        Assert.That(truck.S, Is.EqualTo(300).Within(1e-6));
        Assert.That(world.Frame, Is.EqualTo(1000));
        Assert.That(world.StampNs, Is.EqualTo(10_000_000_000L));
    }

    [Test]
    public void Step_StepAccelerationRequest_FollowsFirstOrderLag()
    {
        var world = new World(TestWorlds.Straight(), TestWorlds.NoiseFree(), TestWorlds.Seed);
        var body = TestWorlds.StrongTruck;
        var truck = world.AddTruck("t", body, TestWorlds.LaneZero, 100, 10);
        world.SetCommand("t", new ActuationCommand(1.0, 0));

        TestWorlds.Run(world, body.ActuatorTimeConstant);
        Assert.That(truck.Acceleration, Is.EqualTo(1.0 - Math.Exp(-1)).Within(0.005));

        TestWorlds.Run(world, 10 * body.ActuatorTimeConstant);
        Assert.That(truck.Acceleration, Is.EqualTo(1.0).Within(0.005));
    }

    [Test]
    public void Step_AccelerationRequestAboveLimit_IsClampedToMaxAcceleration()
    {
        var world = new World(TestWorlds.Straight(), TestWorlds.NoiseFree(), TestWorlds.Seed);
        var truck = world.AddTruck("t", TestWorlds.StrongTruck, TestWorlds.LaneZero, 100, 5);
        world.SetCommand("t", new ActuationCommand(10.0, 0));

        TestWorlds.Run(world, 3);

        Assert.That(truck.Acceleration, Is.EqualTo(TestWorlds.StrongTruck.MaxAcceleration).Within(0.01));
    }

    [Test]
    public void Step_DecelerationRequestBeyondLimit_IsClampedToMaxDeceleration()
    {
        var world = new World(TestWorlds.Straight(), TestWorlds.NoiseFree(), TestWorlds.Seed);
        var truck = world.AddTruck("t", TruckParameters.Default, TestWorlds.LaneZero, 100, 30);
        world.SetCommand("t", new ActuationCommand(-20.0, 0));

        TestWorlds.Run(world, 2);

        Assert.That(truck.Speed, Is.GreaterThan(0));
        Assert.That(truck.Acceleration, Is.EqualTo(-TruckParameters.Default.MaxDeceleration).Within(0.02));
    }

    [Test]
    public void Step_BrakingToStandstill_StopsAndNeverReverses()
    {
        var world = new World(TestWorlds.Straight(), TestWorlds.NoiseFree(), TestWorlds.Seed);
        var truck = world.AddTruck("t", TruckParameters.Default, TestWorlds.LaneZero, 100, 10);
        world.SetCommand("t", new ActuationCommand(-3.0, 0));
        var previousS = truck.S;

        for (var i = 0; i < 1500; i++)
        {
            world.Step();
            Assert.That(truck.Speed, Is.GreaterThanOrEqualTo(0));
            Assert.That(truck.S, Is.GreaterThanOrEqualTo(previousS));
            previousS = truck.S;
        }

        var stoppedAt = truck.S;
        TestWorlds.Run(world, 5);

        Assert.That(truck.Speed, Is.EqualTo(0));
        Assert.That(truck.Stopped, Is.True);
        Assert.That(truck.Acceleration, Is.EqualTo(0));
        Assert.That(truck.S, Is.EqualTo(stoppedAt));
        // v²/(2a) plus at most the distance covered during the actuator lag (v·τ).
        Assert.That(stoppedAt - 100, Is.InRange(100.0 / 6.0, (100.0 / 6.0) + (10 * 0.3)));
    }

    [Test]
    public void Step_AtRestOnUphillWithoutDrive_DoesNotRollBack()
    {
        var world = new World(TestWorlds.Straight(grade: 0.08), TestWorlds.NoiseFree(), TestWorlds.Seed);
        var truck = world.AddTruck("t", TruckParameters.Default, TestWorlds.LaneZero, 100, 0);
        world.SetPedals("t", 0, 0, 0);

        TestWorlds.Run(world, 5);

        Assert.That(truck.Speed, Is.EqualTo(0));
        Assert.That(truck.S, Is.EqualTo(100).Within(1e-9));
    }

    [Test]
    public void Step_FullRequestOnThreePercentGrade_SettlesWherePowerMatchesResistance()
    {
        const double grade = 0.03;
        var world = new World(TestWorlds.Straight(length: 20_000, grade: grade), TestWorlds.NoiseFree(), TestWorlds.Seed);
        var body = TruckParameters.Default;
        var truck = world.AddTruck("t", body, TestWorlds.LaneZero, 100, 20);
        world.SetCommand("t", new ActuationCommand(body.MaxAcceleration, 0));

        TestWorlds.Run(world, 300);

        var expected = SteadySpeed(body, world.Options.AirDensity, grade);
        Assert.That(truck.Grade, Is.EqualTo(grade).Within(1e-12));
        Assert.That(truck.Speed, Is.EqualTo(expected).Within(0.05));
        Assert.That(truck.Acceleration, Is.EqualTo(0).Within(1e-3));
    }

    [Test]
    public void Step_CoastingFollowerWithinDraftingRange_LosesLessSpeedThanLeader()
    {
        var world = new World(TestWorlds.Straight(), TestWorlds.NoiseFree(), TestWorlds.Seed);
        var body = TruckParameters.Default;
        var lead = world.AddTruck("lead", body, TestWorlds.LaneZero, 1000, 25);
        var follower = world.AddTruck("follower", body, TestWorlds.LaneZero, 1000 - body.Length - 10, 25);
        var far = world.AddTruck("far", body, TestWorlds.LaneZero, 700, 25);

        Assert.That(lead.DragReduction, Is.EqualTo(0));
        Assert.That(follower.DragReduction, Is.EqualTo(0.35 * (1 - (10.0 / 40.0))).Within(1e-12));
        Assert.That(far.DragReduction, Is.EqualTo(0));

        foreach (var id in new[] { "lead", "follower", "far" })
        {
            world.SetPedals(id, 0, 0, 0);
        }

        TestWorlds.Run(world, 3);

        var v = lead.Speed;
        var coasting = -((0.5 * world.Options.AirDensity * body.DragCoefficient * body.FrontalArea * v * v)
            + (body.RollingResistance * body.Mass * Gravity)) / body.Mass;
        Assert.That(lead.Acceleration, Is.EqualTo(coasting).Within(1e-3));
        Assert.That(follower.Acceleration, Is.GreaterThan(lead.Acceleration + 0.01));
        Assert.That(far.Acceleration, Is.EqualTo(lead.Acceleration).Within(1e-3));
    }

    [Test]
    public void SetPedals_FullBrake_DeceleratesAtMaxDeceleration()
    {
        var world = new World(TestWorlds.Straight(), TestWorlds.NoiseFree(), TestWorlds.Seed);
        var truck = world.AddTruck("t", TruckParameters.Default, TestWorlds.LaneZero, 100, 30);
        world.SetPedals("t", 0, 1, 0);

        TestWorlds.Run(world, 2);

        var resistance = truck.Acceleration + TruckParameters.Default.MaxDeceleration;
        Assert.That(resistance, Is.LessThan(0).And.GreaterThan(-0.5), "brake force plus natural resistance");
    }

    /// <summary>Bisection for P/v = ½ρCdAv² + Crr·m·g·cos θ + m·g·sin θ.</summary>
    private static double SteadySpeed(TruckParameters body, double airDensity, double grade)
    {
        var theta = Math.Atan(grade);
        var lo = 1.0;
        var hi = 60.0;
        for (var i = 0; i < 200; i++)
        {
            var v = 0.5 * (lo + hi);
            var resistance = (0.5 * airDensity * body.DragCoefficient * body.FrontalArea * v * v)
                + (body.RollingResistance * body.Mass * Gravity * Math.Cos(theta))
                + (body.Mass * Gravity * Math.Sin(theta));
            if (body.MaxPower / v > resistance)
            {
                lo = v;
            }
            else
            {
                hi = v;
            }
        }

        return 0.5 * (lo + hi);
    }
}
