using AutomationStack.Vehicle.Pipeline;

namespace AutomationStack.Vehicle.Pipeline.Tests;

internal sealed class VehiclePipelineClosedLoopTests
{
    private const double InitialSpeed = 22.2;
    private const double FinalSpeed = 11.1;
    private const double LeaderDeceleration = 3.0;
    private const double BrakeStart = 10.0;
    private const double Duration = 60.0;
    private const double SettleTime = 3.0;

    [Test]
    public void Step_LeaderBrakesTo11MetresPerSecond_FollowerKeepsSafeGapAndTimeGap()
    {
        // Arrange: follower on the design gap at 22.2 m/s, 0.5 m off the centreline.
        var options = PipelineOptions.Default;
        var designGap = options.Acc.StandstillGap + (options.Acc.TimeGap * InitialSpeed);
        var world = new TwoTruckWorld(designGap, InitialSpeed, followerOffset: 0.5);
        var pipeline = new VehiclePipeline(world.Session, options);
        var minGap = double.MaxValue;
        var minTimeGap = double.MaxValue;
        var peakDecel = 0.0;
        var modes = new HashSet<string>();
        var logs = new List<string>();

        // Act
        while (world.Time < Duration)
        {
            var output = pipeline.Step(world.Frame(InitialSpeed));
            modes.Add(output.Diagnostics.Mode);
            foreach (var line in output.Log)
            {
                logs.Add(line.Text);
            }

            var leaderCommand = world.Time >= BrakeStart && world.LeaderSpeed > FinalSpeed ? -LeaderDeceleration : 0.0;
            world.Advance(output.Command, leaderCommand);
            minGap = Math.Min(minGap, world.Gap);
            peakDecel = Math.Min(peakDecel, world.FollowerAcceleration);
            if (world.Time > SettleTime)
            {
                minTimeGap = Math.Min(minTimeGap, world.Gap / world.FollowerSpeed);
            }
        }

        // Assert
        var finalDesign = options.Acc.StandstillGap + (options.Acc.TimeGap * world.LeaderSpeed);
        TestContext.Out.WriteLine(
            $"min gap {minGap:F2} m, min time gap {minTimeGap:F2} s, peak decel {peakDecel:F2} m/s², final gap {world.Gap:F2} m (design {finalDesign:F2}), final offset {world.FollowerY:F3} m");
        Assert.That(minGap, Is.GreaterThan(5.0));
        Assert.That(minTimeGap, Is.GreaterThan(1.0));
        Assert.That(world.Gap, Is.EqualTo(finalDesign).Within(1.0));
        Assert.That(world.FollowerSpeed, Is.EqualTo(world.LeaderSpeed).Within(0.2));
        Assert.That(Math.Abs(world.FollowerY), Is.LessThan(0.1));
        Assert.That(modes, Is.EquivalentTo(new[] { "Active" }));
        Assert.That(logs, Does.Contain("engagement Initializing→Active (EstimateValid)"));
        Assert.That(logs.Exists(l => l.StartsWith("lead acquired track 1 at ", StringComparison.Ordinal)), Is.True);
    }

    [Test]
    public void Step_SameInputs_DeterministicOutputs()
    {
        // Arrange
        var a = Run();
        var b = Run();

        // Assert
        Assert.That(a, Is.EqualTo(b));

        static string Run()
        {
            var world = new TwoTruckWorld(40.0, InitialSpeed);
            var pipeline = new VehiclePipeline(world.Session, PipelineOptions.Default);
            var text = new System.Text.StringBuilder();
            for (var k = 0; k < 200; k++)
            {
                var output = pipeline.Step(world.Frame(InitialSpeed));
                text.Append(output.Command.Acceleration.ToString("R", System.Globalization.CultureInfo.InvariantCulture)).Append(';');
                world.Advance(output.Command, k > 50 ? -2.0 : 0.0);
            }

            return text.ToString();
        }
    }
}
