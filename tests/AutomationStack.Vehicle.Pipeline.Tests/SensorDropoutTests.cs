using AutomationStack.Contracts;
using AutomationStack.Vehicle.Pipeline;

namespace AutomationStack.Vehicle.Pipeline.Tests;

/// <summary>A sensor that reports itself down (SensorFrame.Unavailable) is not an empty measurement.</summary>
internal sealed class SensorDropoutTests
{
    private const double Speed = 20.0;

    [Test]
    public void Step_RadarDownWithSetSpeedAboveLead_DeceleratesInsteadOfAccelerating()
    {
        // Arrange: following at 40 m; the driver has set 30 m/s, so a free road would mean throttle.
        var world = new TwoTruckWorld(40.0, Speed);
        using var pipeline = new VehiclePipeline(world.Session, PipelineOptions.Default);
        for (var k = 0; k < 40; k++)
        {
            world.Advance(pipeline.Step(world.Frame(30.0)).Command, 0);
        }

        // Act: 3 s with the radar down.
        var outputs = new List<VehicleOutput>();
        for (var k = 0; k < 60; k++)
        {
            var output = pipeline.Step(world.Frame(30.0) with { Unavailable = SensorSet.Radar });
            outputs.Add(output);
            world.Advance(output.Command, 0);
        }

        // Assert
        Assert.That(outputs.Max(o => o.Command.Acceleration), Is.LessThanOrEqualTo(-SafetyOptions.Default.SensorLossDeceleration + 1e-9));
        Assert.That(outputs.All(o => (o.Diagnostics.Faults & (int)VehicleFaults.SensorUnavailable) != 0), Is.True);
        var log = outputs.SelectMany(o => o.Log).Select(l => l.Text).ToList();
        Assert.That(log, Does.Contain("sensor unavailable: radar"));
        Assert.That(log, Has.Some.StartsWith("radar fallback: blind ahead"));
    }

    [Test]
    public void Step_RadarBack_NormalControlOnlyAfterTheRecoveryTime()
    {
        // Arrange
        var world = new TwoTruckWorld(40.0, Speed);
        using var pipeline = new VehiclePipeline(world.Session, PipelineOptions.Default);
        for (var k = 0; k < 40; k++)
        {
            world.Advance(pipeline.Step(world.Frame(Speed)).Command, 0);
        }

        for (var k = 0; k < 20; k++)
        {
            world.Advance(pipeline.Step(world.Frame(Speed) with { Unavailable = SensorSet.Radar }).Command, 0);
        }

        // Act
        var log = new List<(double T, string Text)>();
        var back = world.Time;
        for (var k = 0; k < 60; k++)
        {
            var output = pipeline.Step(world.Frame(Speed));
            log.AddRange(output.Log.Select(l => (T: world.Time, Text: l.Text)));
            world.Advance(output.Command, 0);
        }

        // Assert
        Assert.That(log.Select(l => l.Text), Does.Contain("sensor restored: radar"));
        var ended = log.Single(l => l.Text == "radar fallback ended").T;
        Assert.That(ended - back, Is.InRange(SafetyOptions.Default.RecoveryTime - 0.06, SafetyOptions.Default.RecoveryTime + 0.5));
    }

    [Test]
    public void Step_OdometryDown_NoNonFiniteMeasurementFaultButSensorUnavailable()
    {
        // Arrange
        var world = new TwoTruckWorld(40.0, Speed);
        using var pipeline = new VehiclePipeline(world.Session, PipelineOptions.Default);
        world.Advance(pipeline.Step(world.Frame(Speed)).Command, 0);

        // Act
        var frame = world.Frame(Speed);
        var output = pipeline.Step(frame with { Ego = frame.Ego with { Speed = double.NaN }, Unavailable = SensorSet.Odometry });

        // Assert
        Assert.That(output.Diagnostics.Faults & (int)VehicleFaults.NonFiniteMeasurement, Is.Zero);
        Assert.That(output.Diagnostics.Faults & (int)VehicleFaults.SensorUnavailable, Is.Not.Zero);
        Assert.That(output.Diagnostics.Mode, Is.EqualTo("Active"));
    }
}
