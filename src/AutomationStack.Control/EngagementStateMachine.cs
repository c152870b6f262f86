namespace AutomationStack.Control;

/// <summary>Engagement mode of the automation.</summary>
public enum EngagementMode
{
    /// <summary>No valid estimate yet; gentle stop request, steering held.</summary>
    Initializing = 0,

    /// <summary>ACC and lane keeping in control.</summary>
    Active = 1,

    /// <summary>Estimate lost, inputs stale or a fault: gentle stop, steering held; may recover.</summary>
    Degraded = 2,

    /// <summary>Brake to standstill, steering held. Latched until the process restarts.</summary>
    MinimalRisk = 3,
}

/// <summary>The only things that change the engagement mode.</summary>
public enum EngagementEvent
{
    EstimateValid = 0,
    EstimateLost = 1,
    InputsStale = 2,
    FaultRaised = 3,
    Recovered = 4,
    DegradedTimeout = 5,
}

/// <summary>Result of handling an event.</summary>
public readonly record struct EngagementTransition(EngagementMode From, EngagementMode To, EngagementEvent Event)
{
    public bool Changed => From != To;
}

/// <summary>
/// Initializing → Active (EstimateValid); Initializing → MinimalRisk (FaultRaised);
/// Active → Degraded (EstimateLost, InputsStale, FaultRaised); Degraded → Active (Recovered);
/// Degraded → MinimalRisk (DegradedTimeout, FaultRaised). MinimalRisk is latched. Any other event leaves the mode.
/// </summary>
public sealed class EngagementStateMachine
{
    public EngagementMode Mode { get; private set; } = EngagementMode.Initializing;

    public EngagementTransition Handle(EngagementEvent e)
    {
        var from = Mode;
        Mode = Next(from, e);
        return new EngagementTransition(from, Mode, e);
    }

    private static EngagementMode Next(EngagementMode mode, EngagementEvent e) => (mode, e) switch
    {
        (EngagementMode.Initializing, EngagementEvent.EstimateValid) => EngagementMode.Active,
        (EngagementMode.Initializing, EngagementEvent.FaultRaised) => EngagementMode.MinimalRisk,
        (EngagementMode.Active, EngagementEvent.EstimateLost) => EngagementMode.Degraded,
        (EngagementMode.Active, EngagementEvent.InputsStale) => EngagementMode.Degraded,
        (EngagementMode.Active, EngagementEvent.FaultRaised) => EngagementMode.Degraded,
        (EngagementMode.Degraded, EngagementEvent.Recovered) => EngagementMode.Active,
        (EngagementMode.Degraded, EngagementEvent.DegradedTimeout) => EngagementMode.MinimalRisk,
        (EngagementMode.Degraded, EngagementEvent.FaultRaised) => EngagementMode.MinimalRisk,
        _ => mode,
    };
}
