namespace AutomationStack.Traci;

/// <summary>One phase of a traffic-light program (SUMO's <c>tlLogic/phase</c>).</summary>
/// <param name="Duration">Duration, s.</param>
/// <param name="State">State string, one char per controlled link ("rRgGyYuoOs").</param>
/// <param name="MinDuration">Minimum duration (actuated programs), s.</param>
/// <param name="MaxDuration">Maximum duration (actuated programs), s.</param>
/// <param name="Next">Indices of possible next phases (empty = the following one).</param>
/// <param name="Name">Phase name (may be empty).</param>
public sealed record TrafficLightPhase(
    double Duration, string State, double MinDuration, double MaxDuration, IReadOnlyList<int> Next, string Name);

/// <summary>A complete traffic-light program (SUMO's <c>tlLogic</c>).</summary>
/// <param name="ProgramId">Program id.</param>
/// <param name="Type">Logic type (0 static, 1 actuated, 2 NEMA, 3 delay based …).</param>
/// <param name="CurrentPhaseIndex">Index of the phase running now (for the active program).</param>
/// <param name="Phases">The phases in order.</param>
/// <param name="Parameters">Generic parameters (key → value).</param>
public sealed record TrafficLightProgram(
    string ProgramId, int Type, int CurrentPhaseIndex, IReadOnlyList<TrafficLightPhase> Phases,
    IReadOnlyDictionary<string, string> Parameters);

/// <summary>One link controlled by a signal index.</summary>
/// <param name="IncomingLane">Lane the link starts on.</param>
/// <param name="OutgoingLane">Lane the link ends on.</param>
/// <param name="ViaLane">Internal lane across the junction (may be empty).</param>
public sealed record TrafficLightLink(string IncomingLane, string OutgoingLane, string ViaLane);
