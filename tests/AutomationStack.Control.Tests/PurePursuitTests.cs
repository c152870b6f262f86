using AutomationStack.Contracts;
using AutomationStack.Control;
using AutomationStack.Geometry;

namespace AutomationStack.Control.Tests;

internal sealed class PurePursuitTests
{
    private const double Dt = 0.05;
    private static readonly TruckParameters Truck = TruckParameters.Default;
    private static readonly Polyline Straight = new([new Vec2(0, 0), new Vec2(5000, 0)]);

    [Test]
    public void Step_OnCentrelineAligned_SteersStraight()
    {
        // Arrange
        var controller = new PurePursuit(LaneKeepingOptions.Default, Truck);

        // Act
        var delta = controller.Step(100, 0, 0, 20, Straight);

        // Assert
        Assert.That(delta, Is.Zero.Within(1e-12));
    }

    [Test]
    public void Step_OneMetreLeftOfCentreline_ConvergesWithoutLargeOvershoot()
    {
        // Arrange: kinematic bicycle about the rear axle, steering through the command guard.
        var controller = new PurePursuit(LaneKeepingOptions.Default, Truck);
        var guard = new CommandGuard(Truck, 3.0);
        const double Speed = 20.0;
        double rx = 100, ry = 1.0, heading = 0;
        var minY = double.MaxValue;

        // Act
        for (var k = 0; k < 30 / Dt; k++)
        {
            var cx = rx + (Truck.RearAxleToCentre * Math.Cos(heading));
            var cy = ry + (Truck.RearAxleToCentre * Math.Sin(heading));
            var delta = controller.Step(cx, cy, heading, Speed, Straight);
            delta = guard.Step(new ActuationCommand(0, delta), Dt).Command.SteeringAngle;
            rx += Speed * Math.Cos(heading) * Dt;
            ry += Speed * Math.Sin(heading) * Dt;
            heading += Speed / Truck.Wheelbase * Math.Tan(delta) * Dt;
            minY = Math.Min(minY, ry);
        }

        // Assert
        Assert.That(Math.Abs(ry), Is.LessThan(0.02));
        Assert.That(Math.Abs(heading), Is.LessThan(0.002));
        Assert.That(minY, Is.GreaterThan(-0.1));
    }

    [Test]
    public void Lookahead_Speed_IsClamped()
    {
        // Arrange
        var controller = new PurePursuit(LaneKeepingOptions.Default, Truck);

        // Act / Assert
        Assert.That(controller.Lookahead(0), Is.EqualTo(LaneKeepingOptions.Default.MinLookahead));
        Assert.That(controller.Lookahead(20), Is.EqualTo(20.0));
        Assert.That(controller.Lookahead(100), Is.EqualTo(LaneKeepingOptions.Default.MaxLookahead));
    }

    [Test]
    public void Step_BeyondPathEnd_KeepsFollowingExtendedLastSegment()
    {
        // Arrange
        var controller = new PurePursuit(LaneKeepingOptions.Default, Truck);

        // Act
        var delta = controller.Step(5100, 0, 0, 20, Straight);

        // Assert
        Assert.That(delta, Is.Zero.Within(1e-12));
    }
}
