using AutomationStack.Contracts;

namespace AutomationStack.Simulation.Tests;

public class SensorTests
{
    private const double EgoS = 100;
    private const double EgoSpeed = 25;
    private const double TargetSpeed = 20;

    [Test]
    public void MeasureRadar_VehicleAheadInLane_ReportsRangeAzimuthAndRangeRate()
    {
        var world = RadarWorld(TestWorlds.NoiseFree());
        world.AddBackground("car", BackgroundBodies.Car, new IdmParameters(), TestWorlds.LaneZero, 150, TargetSpeed);
        var output = new List<RadarDetection>();

        world.MeasureRadar("ego", output);

        var range = 150 - (0.5 * BackgroundBodies.Car.Length) - (EgoS + (0.5 * TruckParameters.Default.Length));
        Assert.That(output, Has.Count.EqualTo(1));
        Assert.That(output[0].Range, Is.EqualTo(range).Within(1e-9));
        Assert.That(output[0].Azimuth, Is.EqualTo(0).Within(1e-12));
        Assert.That(output[0].RangeRate, Is.EqualTo(TargetSpeed - EgoSpeed).Within(1e-9));
    }

    [Test]
    public void MeasureRadar_VehicleAheadInLeftLane_ReportsNearestCornerLeftOfBoresight()
    {
        var world = RadarWorld(TestWorlds.NoiseFree());
        world.AddBackground("car", BackgroundBodies.Car, new IdmParameters(), TestWorlds.LaneOne, 200, TargetSpeed);
        var output = new List<RadarDetection>();

        world.MeasureRadar("ego", output);

        var dx = 200 - (0.5 * BackgroundBodies.Car.Length) - (EgoS + (0.5 * TruckParameters.Default.Length));
        var dy = TestWorlds.LaneWidth - (0.5 * BackgroundBodies.Car.Width);
        var range = Math.Sqrt((dx * dx) + (dy * dy));
        Assert.That(output, Has.Count.EqualTo(1));
        Assert.That(output[0].Range, Is.EqualTo(range).Within(1e-9));
        Assert.That(output[0].Azimuth, Is.EqualTo(Math.Atan2(dy, dx)).Within(1e-12));
        Assert.That(output[0].RangeRate, Is.EqualTo((TargetSpeed - EgoSpeed) * dx / range).Within(1e-9));
    }

    [TestCase(TestWorlds.LaneZero, 50.0, TestName = "MeasureRadar_VehicleBehind_NotDetected")]
    [TestCase(TestWorlds.LaneOne, 120.0, TestName = "MeasureRadar_VehicleOutsideFieldOfView_NotDetected")]
    [TestCase(TestWorlds.LaneZero, 400.0, TestName = "MeasureRadar_VehicleBeyondMaxRange_NotDetected")]
    public void MeasureRadar_InvisibleVehicle_NotDetected(string laneId, double s)
    {
        var world = RadarWorld(TestWorlds.NoiseFree());
        world.AddBackground("car", BackgroundBodies.Car, new IdmParameters(), laneId, s, TargetSpeed);
        var output = new List<RadarDetection> { new(1, 2, 3) };

        world.MeasureRadar("ego", output);

        Assert.That(output, Is.Empty);
    }

    [Test]
    public void MeasureRadar_VehicleHiddenBehindNearerOne_NotDetected()
    {
        var world = RadarWorld(TestWorlds.NoiseFree());
        world.AddBackground("far", BackgroundBodies.Car, new IdmParameters(), TestWorlds.LaneZero, 200, TargetSpeed);
        world.AddBackground("near", BackgroundBodies.Car, new IdmParameters(), TestWorlds.LaneZero, 150, TargetSpeed);
        world.AddBackground("left", BackgroundBodies.Car, new IdmParameters(), TestWorlds.LaneOne, 160, TargetSpeed);
        var output = new List<RadarDetection>();

        world.MeasureRadar("ego", output);

        Assert.That(output, Has.Count.EqualTo(2));
        Assert.That(output[0].Range, Is.LessThan(45));
        Assert.That(output[1].Azimuth, Is.GreaterThan(0));
        Assert.That(output[1].Range, Is.GreaterThan(output[0].Range));
    }

    [Test]
    public void MeasureRadar_DetectionProbability_MatchesConfiguredRate()
    {
        const int frames = 5000;
        const double probability = 0.7;
        var options = TestWorlds.NoiseFree() with
        {
            Radar = new RadarOptions { DetectionProbability = probability },
        };
        var world = RadarWorld(options);
        world.AddBackground("car", BackgroundBodies.Car, new IdmParameters(), TestWorlds.LaneZero, 150, TargetSpeed);
        var output = new List<RadarDetection>();
        var detections = 0;
        var sum = 0.0;
        var sumSquares = 0.0;
        var trueRange = 150 - (0.5 * BackgroundBodies.Car.Length) - (EgoS + (0.5 * TruckParameters.Default.Length));

        for (var i = 0; i < frames; i++)
        {
            world.MeasureRadar("ego", output);
            if (output.Count == 1)
            {
                detections++;
                var e = output[0].Range - trueRange;
                sum += e;
                sumSquares += e * e;
            }
        }

        // ±4σ of a binomial(5000, 0.7) count.
        Assert.That(detections, Is.InRange(3370, 3630));
        Assert.That(sum / detections, Is.EqualTo(0).Within(0.02));
        Assert.That(Math.Sqrt(sumSquares / detections), Is.EqualTo(options.Radar.RangeNoise).Within(0.01));
    }

    [Test]
    public void MeasureEgo_NoiseOff_ReturnsGroundTruth()
    {
        var world = RadarWorld(TestWorlds.NoiseFree());
        world.SetCommand("ego", new ActuationCommand(0.5, 0.05));
        TestWorlds.Run(world, 1);
        world.TryGet("ego", out var ego);

        var m = world.MeasureEgo("ego");

        Assert.That(m.GnssValid, Is.True);
        Assert.That(m.StampNs, Is.EqualTo(world.StampNs));
        Assert.That(m.X, Is.EqualTo(ego!.X));
        Assert.That(m.Y, Is.EqualTo(ego.Y));
        Assert.That(m.Heading, Is.EqualTo(ego.Heading));
        Assert.That(m.Speed, Is.EqualTo(ego.Speed));
        Assert.That(m.LongitudinalAcceleration, Is.EqualTo(ego.Acceleration));
        Assert.That(m.YawRate, Is.EqualTo(ego.YawRate));
    }

    [Test]
    public void MeasureEgo_GnssDropout_InvalidWithZeroPose()
    {
        var options = TestWorlds.NoiseFree() with { Ego = new EgoSensorOptions { GnssDropoutProbability = 1 } };
        var world = RadarWorld(options);

        var m = world.MeasureEgo("ego");

        Assert.That(m.GnssValid, Is.False);
        Assert.That((m.X, m.Y, m.Heading), Is.EqualTo((0.0, 0.0, 0.0)));
        Assert.That(m.Speed, Is.EqualTo(EgoSpeed).Within(0.5));
    }

    [Test]
    public void MeasureEgo_PositionNoise_HasConfiguredStandardDeviation()
    {
        const int samples = 4000;
        var world = RadarWorld(new WorldOptions());
        world.TryGet("ego", out var ego);
        var sum = 0.0;
        var sumSquares = 0.0;

        for (var i = 0; i < samples; i++)
        {
            var e = world.MeasureEgo("ego").X - ego!.X;
            sum += e;
            sumSquares += e * e;
        }

        var sigma = world.Options.Ego.GnssPositionNoise;
        Assert.That(sum / samples, Is.EqualTo(0).Within(4 * sigma / Math.Sqrt(samples)));
        Assert.That(Math.Sqrt(sumSquares / samples), Is.EqualTo(sigma).Within(0.05 * sigma));
    }

    private static World RadarWorld(WorldOptions options)
    {
        var world = new World(TestWorlds.Straight(laneCount: 2), options, TestWorlds.Seed);
        world.AddTruck("ego", TruckParameters.Default, TestWorlds.LaneZero, EgoS, EgoSpeed);
        return world;
    }
}
