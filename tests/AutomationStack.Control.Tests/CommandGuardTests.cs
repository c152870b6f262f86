using AutomationStack.Contracts;
using AutomationStack.Control;

namespace AutomationStack.Control.Tests;

internal sealed class CommandGuardTests
{
    private const double Dt = 0.05;
    private const double SafeStop = 3.0;
    private static readonly TruckParameters Truck = TruckParameters.Default;

    [TestCase(10.0, 2.0)]
    [TestCase(-10.0, -6.0)]
    [TestCase(1.0, 1.0)]
    public void Step_Acceleration_ClampedToTruckLimits(double requested, double expected)
    {
        // Arrange
        var guard = new CommandGuard(Truck, SafeStop);

        // Act
        var result = guard.Step(new ActuationCommand(requested, 0), Dt);

        // Assert
        Assert.That(result.Command.Acceleration, Is.EqualTo(expected));
        Assert.That(result.NonFinite, Is.False);
    }

    [Test]
    public void Step_LargeSteeringStep_RateLimitedThenClampedToMaximumAngle()
    {
        // Arrange
        var guard = new CommandGuard(Truck, SafeStop);

        // Act
        var first = guard.Step(new ActuationCommand(0, 1.0), Dt).Command.SteeringAngle;
        var last = first;
        for (var k = 0; k < 100; k++)
        {
            last = guard.Step(new ActuationCommand(0, 1.0), Dt).Command.SteeringAngle;
        }

        // Assert
        Assert.That(first, Is.EqualTo(Truck.MaxSteeringRate * Dt).Within(1e-12));
        Assert.That(last, Is.EqualTo(Truck.MaxSteeringAngle));
    }

    [TestCase(double.NaN, 0.0)]
    [TestCase(0.5, double.NaN)]
    [TestCase(double.PositiveInfinity, double.NegativeInfinity)]
    public void Step_NonFinite_ReplacedBySafeCommandAndFlagged(double acceleration, double steering)
    {
        // Arrange
        var guard = new CommandGuard(Truck, SafeStop);
        guard.Step(new ActuationCommand(0, 0.01), Dt);

        // Act
        var result = guard.Step(new ActuationCommand(acceleration, steering), Dt);

        // Assert
        Assert.That(result.NonFinite, Is.True);
        Assert.That(result.Command.Acceleration, Is.EqualTo(-SafeStop));
        Assert.That(result.Command.SteeringAngle, Is.EqualTo(0.01));
    }

    [Test]
    public void Step_NonFiniteDt_HoldsSteering()
    {
        // Arrange
        var guard = new CommandGuard(Truck, SafeStop);

        // Act
        var result = guard.Step(new ActuationCommand(0, 0.3), double.NaN);

        // Assert
        Assert.That(result.Command.SteeringAngle, Is.Zero);
    }
}
