using AutomationStack.Contracts;
using AutomationStack.Control;
using AutomationStack.Geometry;
using AutomationStack.Vehicle.Pipeline;

namespace AutomationStack.Vehicle.Pipeline.Tests;

internal sealed class VehiclePipelineTests
{
    private const double Speed = 20.0;

    private static (TwoTruckWorld World, VehiclePipeline Pipeline) Create(PipelineOptions? options = null)
    {
        var world = new TwoTruckWorld(60.0, Speed);
        return (world, new VehiclePipeline(world.Session, options ?? PipelineOptions.Default));
    }

    [Test]
    public void Step_FirstValidFrame_EngagesAndLogsOnlyChanges()
    {
        // Arrange
        var (world, pipeline) = Create();

        // Act
        var first = pipeline.Step(world.Frame(Speed));
        world.Advance(first.Command, 0);
        var second = pipeline.Step(world.Frame(Speed));

        // Assert
        Assert.That(first.FrameNumber, Is.Zero);
        Assert.That(first.Diagnostics.Mode, Is.EqualTo("Active"));
        Assert.That(first.Log.Select(l => l.Text), Does.Contain("engagement Initializing→Active (EstimateValid)"));
        Assert.That(first.Log.All(l => l.StampNs == 0), Is.True);
        Assert.That(first.V2xToSend, Is.Empty);
        Assert.That(second.Log, Is.Empty);
        Assert.That(second.FrameNumber, Is.EqualTo(1));
    }

    [Test]
    public void Step_NoGnss_StaysInitializingAndStopsGently()
    {
        // Arrange
        var (world, pipeline) = Create();
        var frame = world.Frame(Speed);
        frame = frame with { Ego = frame.Ego with { GnssValid = false } };

        // Act
        var output = pipeline.Step(frame);

        // Assert
        Assert.That(output.Diagnostics.Mode, Is.EqualTo("Initializing"));
        Assert.That(output.Command.Acceleration, Is.EqualTo(-SafetyOptions.Default.DegradedDeceleration));
        Assert.That(output.Diagnostics.Faults & (int)VehicleFaults.EstimateInvalid, Is.Not.Zero);
    }

    [Test]
    public void Step_StaleMeasurement_DegradesThenRecovers()
    {
        // Arrange
        var (world, pipeline) = Create();
        var output = pipeline.Step(world.Frame(Speed));
        world.Advance(output.Command, 0);

        // Act: the ego measurement is 1 s old.
        var frame = world.Frame(Speed);
        frame = frame with { StampNs = frame.StampNs + Units.SecondsToNanoseconds(1.0) };
        var stale = pipeline.Step(frame);
        var modeAfterRecovery = string.Empty;
        for (var k = 0; k < 40; k++)
        {
            world.Advance(stale.Command, 0);
            var f = world.Frame(Speed);
            modeAfterRecovery = pipeline.Step(f).Diagnostics.Mode;
        }

        // Assert
        Assert.That(stale.Diagnostics.Mode, Is.EqualTo("Degraded"));
        Assert.That(stale.Diagnostics.Faults & (int)VehicleFaults.StaleInputs, Is.Not.Zero);
        Assert.That(stale.Command.Acceleration, Is.EqualTo(-SafetyOptions.Default.DegradedDeceleration));
        Assert.That(stale.Log.Select(l => l.Text), Does.Contain("engagement Active→Degraded (InputsStale)"));
        Assert.That(modeAfterRecovery, Is.EqualTo("Active"));
    }

    [Test]
    public void Step_DegradedTooLong_EntersMinimalRiskAndBrakes()
    {
        // Arrange: measurements permanently stale.
        var options = PipelineOptions.Default with { Safety = SafetyOptions.Default with { DegradedTimeout = 1.0 } };
        var (world, pipeline) = Create(options);
        var output = pipeline.Step(world.Frame(Speed));

        // Act
        for (var k = 0; k < 40; k++)
        {
            world.Advance(output.Command, 0);
            var f = world.Frame(Speed);
            output = pipeline.Step(f with { Ego = f.Ego with { StampNs = f.StampNs - Units.SecondsToNanoseconds(0.5) } });
        }

        // Assert
        Assert.That(pipeline.Mode, Is.EqualTo(EngagementMode.MinimalRisk));
        Assert.That(output.Command.Acceleration, Is.EqualTo(-SafetyOptions.Default.MinimalRiskDeceleration));
    }

    [Test]
    public void Step_DriverBrakePedal_OverridesAcc()
    {
        // Arrange
        var (world, pipeline) = Create();

        // Act
        var output = pipeline.Step(world.Frame(Speed, brakePedal: 4.0));

        // Assert
        Assert.That(output.Command.Acceleration, Is.EqualTo(-4.0));
    }

    [Test]
    public void Step_NonFiniteMeasurementAndDetections_FlaggedWithoutThrowing()
    {
        // Arrange
        var (world, pipeline) = Create();
        pipeline.Step(world.Frame(Speed));
        world.Advance(new ActuationCommand(0, 0), 0);
        var frame = world.Frame(Speed);
        frame = frame with
        {
            Ego = frame.Ego with { Speed = double.NaN },
            Radar = [new RadarDetection(double.NaN, 0, 0)],
            Driver = new DriverInput(double.PositiveInfinity, double.NaN),
        };

        // Act
        var output = pipeline.Step(frame);

        // Assert
        var faults = (VehicleFaults)output.Diagnostics.Faults;
        Assert.That(faults.HasFlag(VehicleFaults.NonFiniteMeasurement), Is.True);
        Assert.That(faults.HasFlag(VehicleFaults.InvalidRadarDetection), Is.True);
        Assert.That(faults.HasFlag(VehicleFaults.InvalidDriverInput), Is.True);
        Assert.That(double.IsFinite(output.Command.Acceleration) && double.IsFinite(output.Command.SteeringAngle), Is.True);
        Assert.That(output.Log.Select(l => l.Text).Any(t => t.StartsWith("faults 0x", StringComparison.Ordinal)), Is.True);
    }

    [Test]
    public void Step_UnknownTargetLane_FallsBackToLocatedLane()
    {
        // Arrange
        var (world, pipeline) = Create();
        var frame = world.Frame(Speed) with { TargetLaneId = "nope" };

        // Act
        var output = pipeline.Step(frame);

        // Assert
        Assert.That(((VehicleFaults)output.Diagnostics.Faults).HasFlag(VehicleFaults.UnknownTargetLane), Is.True);
        Assert.That(output.Log.Select(l => l.Text), Does.Contain("lane " + TwoTruckWorld.LaneId));
    }

    [Test]
    public void Step_LeaderConfirmed_DiagnosticsReportLead()
    {
        // Arrange
        var (world, pipeline) = Create();
        VehicleOutput output = null!;

        // Act
        for (var k = 0; k < 10; k++)
        {
            output = pipeline.Step(world.Frame(Speed));
            world.Advance(output.Command, 0);
        }

        // Assert
        Assert.That(output.Diagnostics.HasLead, Is.True);
        Assert.That(output.Diagnostics.LeadGap, Is.EqualTo(world.Gap).Within(1.0));
        Assert.That(output.Diagnostics.LeadSpeed, Is.EqualTo(Speed).Within(0.5));
        Assert.That(output.Diagnostics.EstimatedSpeed, Is.EqualTo(Speed).Within(0.2));
    }

    [Test]
    public void Step_LeaderDisappears_LogsLeadLost()
    {
        // Arrange
        var (world, pipeline) = Create();
        for (var k = 0; k < 10; k++)
        {
            world.Advance(pipeline.Step(world.Frame(Speed)).Command, 0);
        }

        world.LeaderVisible = false;
        var texts = new List<string>();

        // Act
        for (var k = 0; k < 10; k++)
        {
            var output = pipeline.Step(world.Frame(Speed));
            texts.AddRange(output.Log.Select(l => l.Text));
            world.Advance(output.Command, 0);
        }

        // Assert
        Assert.That(texts, Does.Contain("lead lost track 1"));
    }

    [Test]
    public void Constructor_InvalidOptions_Throws()
    {
        // Arrange
        var world = new TwoTruckWorld(40.0, Speed);
        var options = PipelineOptions.Default with { Acc = AccOptions.Default with { TimeGap = double.NaN } };

        // Act / Assert
        Assert.Throws<ArgumentException>(() => _ = new VehiclePipeline(world.Session, options));
    }

    [Test]
    public void Step_AlongLaneAtOffset_SteersTowardCentreline()
    {
        // Arrange: 1 m right of the centreline.
        var world = new TwoTruckWorld(60.0, Speed, followerOffset: -1.0);
        var pipeline = new VehiclePipeline(world.Session, PipelineOptions.Default);

        // Act
        var output = pipeline.Step(world.Frame(Speed));

        // Assert: left (positive), rate-limited to one step.
        Assert.That(output.Command.SteeringAngle, Is.GreaterThan(0));
        Assert.That(output.Command.SteeringAngle, Is.LessThanOrEqualTo((world.Truck.MaxSteeringRate * TwoTruckWorld.Dt) + 1e-12));
    }
}
