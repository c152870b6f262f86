using AutomationStack.Contracts;
using AutomationStack.RoadMap;
using AutomationStack.Simulation;

namespace AutomationStack.Scenarios.Tests;

public sealed class DriverInputScheduleTests
{
    private const double Initial = 20.0;
    private const double Tolerance = 1e-9;

    [Test]
    public void Evaluate_NoEvents_ReturnsInitialSetSpeedAndNoBrake()
    {
        var schedule = new DriverInputSchedule(Build());

        Assert.That(schedule.Evaluate("t", 0, Initial), Is.EqualTo(new DriverInput(Initial, 0)));
        Assert.That(schedule.Evaluate("t", 50, Initial), Is.EqualTo(new DriverInput(Initial, 0)));
        Assert.That(schedule.DrainStartedEvents(), Is.Empty);
    }

    [Test]
    public void Evaluate_SetSpeedEvent_StepsAtEventTime()
    {
        var schedule = new DriverInputSchedule(Build(new SetSpeedEvent(10, "t", 15)));

        Assert.That(schedule.Evaluate("t", 9.99, Initial).SetSpeed, Is.EqualTo(Initial));
        Assert.That(schedule.Evaluate("t", 10, Initial).SetSpeed, Is.EqualTo(15));
        Assert.That(schedule.Evaluate("t", 30, Initial).SetSpeed, Is.EqualTo(15));
    }

    [Test]
    public void Evaluate_RampEvent_ChangesAtRateThenHolds()
    {
        var schedule = new DriverInputSchedule(Build(new RampEvent(10, "t", 25, 0.5)));

        Assert.That(schedule.Evaluate("t", 10, Initial).SetSpeed, Is.EqualTo(20).Within(Tolerance));
        Assert.That(schedule.Evaluate("t", 14, Initial).SetSpeed, Is.EqualTo(22).Within(Tolerance));
        Assert.That(schedule.Evaluate("t", 19.99, Initial).SetSpeed, Is.EqualTo(24.995).Within(Tolerance));
        Assert.That(schedule.Evaluate("t", 25, Initial).SetSpeed, Is.EqualTo(25));
    }

    [Test]
    public void Evaluate_RampDown_StopsAtTarget()
    {
        var schedule = new DriverInputSchedule(Build(new RampEvent(0, "t", 10, 2)));

        Assert.That(schedule.Evaluate("t", 2, Initial).SetSpeed, Is.EqualTo(16).Within(Tolerance));
        Assert.That(schedule.Evaluate("t", 10, Initial).SetSpeed, Is.EqualTo(10));
    }

    [Test]
    public void Evaluate_FirstFrameLateAfterEvent_IsAnchoredAtEventTime()
    {
        var schedule = new DriverInputSchedule(Build(new RampEvent(10, "t", 25, 0.5)));

        Assert.That(schedule.Evaluate("t", 12, Initial).SetSpeed, Is.EqualTo(21).Within(Tolerance));
    }

    [Test]
    public void Evaluate_SinusoidEvent_FollowsSineThenReturnsToBase()
    {
        const double amplitude = 5 / 3.6;
        var schedule = new DriverInputSchedule(Build(new SinusoidEvent(15, "t", amplitude, 0.1, 20)));

        Assert.That(schedule.Evaluate("t", 15, Initial).SetSpeed, Is.EqualTo(Initial).Within(Tolerance));
        Assert.That(schedule.Evaluate("t", 17.5, Initial).SetSpeed, Is.EqualTo(Initial + amplitude).Within(Tolerance));
        Assert.That(schedule.Evaluate("t", 20, Initial).SetSpeed, Is.EqualTo(Initial).Within(Tolerance));
        Assert.That(schedule.Evaluate("t", 22.5, Initial).SetSpeed, Is.EqualTo(Initial - amplitude).Within(Tolerance));
    }

    [Test]
    public void Evaluate_SinusoidAfterDuration_IsBase()
    {
        var schedule = new DriverInputSchedule(Build(new SinusoidEvent(15, "t", 1, 0.1, 20)));

        Assert.That(schedule.Evaluate("t", 36.3, Initial).SetSpeed, Is.EqualTo(Initial));
    }

    [Test]
    public void Evaluate_SinusoidDuringRamp_UsesRampValueAsBase()
    {
        var schedule = new DriverInputSchedule(Build(new RampEvent(0, "t", 30, 1), new SinusoidEvent(4, "t", 1, 0.25, 8)));

        Assert.That(schedule.Evaluate("t", 5, Initial).SetSpeed, Is.EqualTo(24 + 1).Within(Tolerance));
        Assert.That(schedule.Evaluate("t", 20, Initial).SetSpeed, Is.EqualTo(24).Within(Tolerance));
    }

    [Test]
    public void Evaluate_BrakeEvent_EndsWhenTrueSpeedReachesUntilSpeed()
    {
        var schedule = new DriverInputSchedule(Build(new BrakeEvent(50, "t", 3, 11, 10)));

        Assert.That(schedule.Evaluate("t", 49.99, 22).BrakeDeceleration, Is.Zero);
        Assert.That(schedule.Evaluate("t", 50, 22), Is.EqualTo(new DriverInput(Initial, 3)));
        Assert.That(schedule.Evaluate("t", 52, 16).BrakeDeceleration, Is.EqualTo(3));
        Assert.That(schedule.Evaluate("t", 53.7, 11).BrakeDeceleration, Is.Zero);
        Assert.That(schedule.Evaluate("t", 54, 12).BrakeDeceleration, Is.Zero, "a released brake stays released");
        Assert.That(schedule.Evaluate("t", 54, 12).SetSpeed, Is.EqualTo(Initial), "braking leaves the set speed alone");
    }

    [Test]
    public void Evaluate_BrakeEvent_EndsAfterMaxDuration()
    {
        var schedule = new DriverInputSchedule(Build(new BrakeEvent(50, "t", 3, 0, 10)));

        Assert.That(schedule.Evaluate("t", 50, 22).BrakeDeceleration, Is.EqualTo(3));
        Assert.That(schedule.Evaluate("t", 59.99, 5).BrakeDeceleration, Is.EqualTo(3));
        Assert.That(schedule.Evaluate("t", 60, 4).BrakeDeceleration, Is.Zero);
        Assert.That(schedule.Evaluate("t", 61, 4).BrakeDeceleration, Is.Zero);
    }

    [Test]
    public void DrainStartedEvents_ReportsEachEventOnce()
    {
        var schedule = new DriverInputSchedule(Build(new SetSpeedEvent(1, "t", 15), new BrakeEvent(2, "t", 3, 10, 10)));

        schedule.Evaluate("t", 0.5, Initial);
        Assert.That(schedule.DrainStartedEvents(), Is.Empty);
        schedule.Evaluate("t", 2, Initial);
        var started = schedule.DrainStartedEvents();
        Assert.That(started, Has.Count.EqualTo(2));
        Assert.That(started[0], Does.Contain("t").And.Contain("set speed 72 -> 54 km/h"));
        Assert.That(started[1], Does.Contain("brake pedal 3 m/s² until 36 km/h"));
        schedule.Evaluate("t", 3, Initial);
        Assert.That(schedule.DrainStartedEvents(), Is.Empty);
    }

    [Test]
    public void Evaluate_TimeGoesBackwards_Throws()
    {
        var schedule = new DriverInputSchedule(Build());
        schedule.Evaluate("t", 2, Initial);

        Assert.Throws<InvalidOperationException>(() => schedule.Evaluate("t", 1, Initial));
    }

    [Test]
    public void Evaluate_BackgroundVehicle_Throws()
    {
        var schedule = new DriverInputSchedule(Build());

        Assert.Throws<ArgumentException>(() => schedule.Evaluate("bg", 0, Initial));
    }

    [Test]
    public void Evaluate_ShippedScenario_LeaderBrakesAt50Seconds()
    {
        var schedule = new DriverInputSchedule(ScenarioLoader.Load(TestFiles.ShippedScenario));

        Assert.That(schedule.Evaluate("truck1", 49.99, 80 / 3.6).BrakeDeceleration, Is.Zero);
        Assert.That(schedule.Evaluate("truck1", 50, 80 / 3.6).BrakeDeceleration, Is.EqualTo(3));
        Assert.That(schedule.Evaluate("truck1", 50, 80 / 3.6).SetSpeed, Is.EqualTo(80 / 3.6).Within(Tolerance));
        Assert.That(schedule.Evaluate("truck2", 50, 80 / 3.6), Is.EqualTo(new DriverInput(80 / 3.6, 0)));
    }

    [Test]
    public void Evaluate_PlatoonEvents_LatestRequestLatchedWithIncreasingSequence()
    {
        var schedule = new DriverInputSchedule(Build(
            new PlatoonEvent(5, "t", PlatoonCommand.Join, 7, 0, 0),
            new PlatoonEvent(20, "t", PlatoonCommand.Leave, 0, 0, 0)));

        Assert.That(schedule.Evaluate("t", 4, Initial).Platoon, Is.EqualTo(default(PlatoonRequest)));
        Assert.That(schedule.Evaluate("t", 5, Initial).Platoon, Is.EqualTo(new PlatoonRequest(PlatoonCommand.Join, 7, 0, 0, 1)));
        Assert.That(schedule.Evaluate("t", 19, Initial).Platoon, Is.EqualTo(new PlatoonRequest(PlatoonCommand.Join, 7, 0, 0, 1)), "stays until the next request");
        Assert.That(schedule.Evaluate("t", 20, Initial).Platoon, Is.EqualTo(new PlatoonRequest(PlatoonCommand.Leave, 0, 0, 0, 2)));
        Assert.That(schedule.DrainStartedEvents(), Has.Some.Contains("platoon request join platoon 7"));
    }

    private static Scenario Build(params ScenarioEvent[] events)
    {
        var map = new RoadNetwork("empty", []);
        var parameters = new Dictionary<string, double>();
        ScenarioVehicle[] vehicles =
        [
            new("t", VehicleRole.Stack, TruckParameters.Default, "A1/0", 100, Initial, Initial, 2, parameters, null),
            new("bg", VehicleRole.Background, BackgroundBodies.Car, "A1/1", 100, 30, 30, 1, parameters, new IdmParameters()),
        ];
        return new Scenario(
            "test", string.Empty, "/x.yaml", "/m.yaml", map, 100, 0.01, 1, ScenarioMode.Lockstep, 5, 60,
            new WorldOptions(), vehicles, events, new PassCriteria(true, null, null, null, false));
    }
}
