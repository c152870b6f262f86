using AutomationStack.Control;

namespace AutomationStack.Control.Tests;

internal sealed class EngagementStateMachineTests
{
    private static EngagementStateMachine InMode(EngagementMode mode)
    {
        var machine = new EngagementStateMachine();
        if (mode == EngagementMode.Initializing)
        {
            return machine;
        }

        machine.Handle(EngagementEvent.EstimateValid);
        if (mode == EngagementMode.Active)
        {
            return machine;
        }

        machine.Handle(EngagementEvent.EstimateLost);
        if (mode == EngagementMode.Degraded)
        {
            return machine;
        }

        machine.Handle(EngagementEvent.DegradedTimeout);
        return machine;
    }

    [Test]
    public void Mode_New_IsInitializing()
    {
        // Arrange / Act
        var machine = new EngagementStateMachine();

        // Assert
        Assert.That(machine.Mode, Is.EqualTo(EngagementMode.Initializing));
    }

    [TestCase(EngagementMode.Initializing, EngagementEvent.EstimateValid, EngagementMode.Active)]
    [TestCase(EngagementMode.Initializing, EngagementEvent.FaultRaised, EngagementMode.MinimalRisk)]
    [TestCase(EngagementMode.Active, EngagementEvent.EstimateLost, EngagementMode.Degraded)]
    [TestCase(EngagementMode.Active, EngagementEvent.InputsStale, EngagementMode.Degraded)]
    [TestCase(EngagementMode.Active, EngagementEvent.FaultRaised, EngagementMode.Degraded)]
    [TestCase(EngagementMode.Degraded, EngagementEvent.Recovered, EngagementMode.Active)]
    [TestCase(EngagementMode.Degraded, EngagementEvent.DegradedTimeout, EngagementMode.MinimalRisk)]
    [TestCase(EngagementMode.Degraded, EngagementEvent.FaultRaised, EngagementMode.MinimalRisk)]
    public void Handle_DefinedTransition_ChangesMode(EngagementMode from, EngagementEvent e, EngagementMode expected)
    {
        // Arrange
        var machine = InMode(from);

        // Act
        var transition = machine.Handle(e);

        // Assert
        Assert.That(machine.Mode, Is.EqualTo(expected));
        Assert.That(transition.Changed, Is.True);
        Assert.That(transition.From, Is.EqualTo(from));
    }

    [TestCase(EngagementMode.Initializing, EngagementEvent.Recovered)]
    [TestCase(EngagementMode.Initializing, EngagementEvent.EstimateLost)]
    [TestCase(EngagementMode.Active, EngagementEvent.EstimateValid)]
    [TestCase(EngagementMode.Active, EngagementEvent.Recovered)]
    [TestCase(EngagementMode.Degraded, EngagementEvent.EstimateValid)]
    [TestCase(EngagementMode.MinimalRisk, EngagementEvent.Recovered)]
    [TestCase(EngagementMode.MinimalRisk, EngagementEvent.EstimateValid)]
    public void Handle_UndefinedTransition_KeepsMode(EngagementMode from, EngagementEvent e)
    {
        // Arrange
        var machine = InMode(from);

        // Act
        var transition = machine.Handle(e);

        // Assert
        Assert.That(machine.Mode, Is.EqualTo(from));
        Assert.That(transition.Changed, Is.False);
    }
}
