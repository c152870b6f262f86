using AutomationStack.Contracts;

namespace AutomationStack.Simulation.Tests;

public class LaneChangeTests
{
    private const double Duration = 4.0;

    [Test]
    public void StartLaneChange_BackgroundCar_MovesSmoothlyOntoTargetCentreline()
    {
        var world = new World(TestWorlds.Straight(laneCount: 2), TestWorlds.NoiseFree(), TestWorlds.Seed);
        var car = world.AddBackground("car", BackgroundBodies.Car, new IdmParameters { DesiredSpeed = 25 }, TestWorlds.LaneOne, 100, 25);

        world.StartLaneChange("car", TestWorlds.LaneZero, Duration);

        Assert.That(car.LaneId, Is.EqualTo(TestWorlds.LaneZero));
        Assert.That(car.Offset, Is.EqualTo(TestWorlds.LaneWidth).Within(1e-9));
        Assert.That(car.ChangingLane, Is.True);
        var dt = world.Options.StepLength;
        var steps = (int)Math.Round(Duration / dt);
        var peakLateralSpeed = 1.875 * TestWorlds.LaneWidth / Duration; // quintic: 15/8 · d / T
        var peakLateralAcceleration = 10 / Math.Sqrt(3) * TestWorlds.LaneWidth / (Duration * Duration); // 10/√3 · d / T²
        var previousY = car.Y;
        var previousLateralSpeed = 0.0;
        for (var i = 1; i <= steps; i++)
        {
            world.Step();
            var lateralSpeed = (car.Y - previousY) / dt;
            Assert.That(car.Y, Is.LessThanOrEqualTo(previousY), $"step {i}");
            Assert.That(-lateralSpeed, Is.LessThanOrEqualTo(peakLateralSpeed + 1e-6), $"step {i}");
            Assert.That(Math.Abs(lateralSpeed - previousLateralSpeed) / dt, Is.LessThan(peakLateralAcceleration + 0.05), $"lateral acceleration at step {i}");
            Assert.That(car.Heading, Is.EqualTo(Math.Atan2(lateralSpeed, car.Speed)).Within(0.01), $"heading at step {i}");
            if (i == steps / 2)
            {
                Assert.That(car.Y, Is.EqualTo(0.5 * TestWorlds.LaneWidth).Within(1e-9));
            }

            previousY = car.Y;
            previousLateralSpeed = lateralSpeed;
        }

        Assert.That(car.ChangingLane, Is.False);
        Assert.That(car.Y, Is.EqualTo(0).Within(1e-12));
        Assert.That(car.Offset, Is.Zero);
        Assert.That(car.Heading, Is.Zero);
        Assert.That(car.Speed, Is.EqualTo(25).Within(0.01));
        Assert.That(car.LaneId, Is.EqualTo(TestWorlds.LaneZero));
    }

    [Test]
    public void StartLaneChange_BehindStoppedTruckInTargetLane_CarFollowsNewLaneAndStops()
    {
        var world = new World(TestWorlds.Straight(laneCount: 2), TestWorlds.NoiseFree(), TestWorlds.Seed);
        var idm = new IdmParameters { DesiredSpeed = 30 };
        var truck = world.AddTruck("truck", TruckParameters.Default, TestWorlds.LaneZero, 400, 0);
        var car = world.AddBackground("car", BackgroundBodies.Car, idm, TestWorlds.LaneOne, 50, 25);

        world.StartLaneChange("car", TestWorlds.LaneZero, Duration);
        TestWorlds.Run(world, 60);

        var gap = truck.S - car.S - (0.5 * (truck.Body.Length + car.Body.Length));
        Assert.That(world.CollisionCount, Is.Zero);
        Assert.That(car.Stopped, Is.True);
        Assert.That(car.LaneId, Is.EqualTo(TestWorlds.LaneZero));
        Assert.That(car.Y, Is.EqualTo(0).Within(1e-9));
        Assert.That(gap, Is.InRange(0.5 * idm.MinimumGap, idm.MinimumGap + 0.5));
    }

    [Test]
    public void StartLaneChange_CutInAheadOfTruck_RadarSeesCarStraightAhead()
    {
        var world = new World(TestWorlds.Straight(laneCount: 2), TestWorlds.NoiseFree(), TestWorlds.Seed);
        world.AddTruck("truck", TruckParameters.Default, TestWorlds.LaneZero, 100, 20);
        world.AddBackground("car", BackgroundBodies.Car, new IdmParameters { DesiredSpeed = 20 }, TestWorlds.LaneOne, 140, 20);
        var detections = new List<RadarDetection>();
        world.Step();
        world.MeasureRadar("truck", detections);
        Assert.That(detections, Has.Count.EqualTo(1));
        var before = detections[0].Azimuth;

        world.StartLaneChange("car", TestWorlds.LaneZero, Duration);
        TestWorlds.Run(world, Duration + 0.5);
        world.MeasureRadar("truck", detections);

        Assert.That(before, Is.GreaterThan(0.05), "beside, to the left");
        Assert.That(detections, Has.Count.EqualTo(1));
        Assert.That(detections[0].Azimuth, Is.EqualTo(0).Within(1e-3));
        Assert.That(detections[0].Range, Is.EqualTo(40 - (0.5 * (TruckParameters.Default.Length + BackgroundBodies.Car.Length))).Within(0.5));
    }

    [Test]
    public void StartLaneChange_IntoOccupiedSpace_CollisionDetected()
    {
        var world = new World(TestWorlds.Straight(laneCount: 2), TestWorlds.NoiseFree(), TestWorlds.Seed);
        world.AddTruck("truck", TruckParameters.Default, TestWorlds.LaneZero, 100, 20);
        // Beside the truck, slightly ahead (so the car has no leader and holds its speed), boxes overlapping in s.
        world.AddBackground("car", BackgroundBodies.Car, new IdmParameters { DesiredSpeed = 20 }, TestWorlds.LaneOne, 105, 20);

        TestWorlds.Run(world, 2);
        Assert.That(world.CollisionCount, Is.Zero);
        world.StartLaneChange("car", TestWorlds.LaneZero, Duration);
        TestWorlds.Run(world, Duration);

        Assert.That(world.CollisionCount, Is.EqualTo(1));
    }

    [Test]
    public void StartLaneChange_SameSeedAndCalls_IdenticalTrajectories()
    {
        static (double X, double Y, double Heading)[] Trace()
        {
            var world = new World(TestWorlds.Straight(laneCount: 2), new WorldOptions(), TestWorlds.Seed);
            var car = world.AddBackground("car", BackgroundBodies.Car, new IdmParameters { DesiredSpeed = 30 }, TestWorlds.LaneOne, 10, 20);
            var trace = new List<(double, double, double)>();
            for (var i = 0; i < 800; i++)
            {
                if (i == 100)
                {
                    world.StartLaneChange("car", TestWorlds.LaneZero, 3.3);
                }

                world.Step();
                trace.Add((car.X, car.Y, car.Heading));
            }

            return [.. trace];
        }

        var first = Trace();
        var second = Trace();

        Assert.That(second, Is.EqualTo(first));
    }

    [Test]
    public void StartLaneChange_StackTruckOrUnknownLane_Throws()
    {
        var world = new World(TestWorlds.Straight(laneCount: 2), TestWorlds.NoiseFree(), TestWorlds.Seed);
        world.AddTruck("truck", TruckParameters.Default, TestWorlds.LaneZero, 100, 20);
        world.AddBackground("car", BackgroundBodies.Car, new IdmParameters { DesiredSpeed = 20 }, TestWorlds.LaneOne, 200, 20);

        Assert.Throws<ArgumentException>(() => world.StartLaneChange("truck", TestWorlds.LaneOne, Duration));
        Assert.Throws<ArgumentException>(() => world.StartLaneChange("car", "nope/0", Duration));
        Assert.Throws<ArgumentOutOfRangeException>(() => world.StartLaneChange("car", TestWorlds.LaneZero, 0));
        Assert.Throws<KeyNotFoundException>(() => world.StartLaneChange("ghost", TestWorlds.LaneZero, Duration));
    }
}
