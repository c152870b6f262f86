namespace AutomationStack.Reporting;

/// <summary>Everything a report shows, extracted from a run folder; rendering only formats it.</summary>
public sealed record ReportModel(
    RunSummary Summary,
    IReadOnlyList<KpiTable> KpiTables,
    IReadOnlyList<string> Notes,
    IReadOnlyList<TruckSeries> Trucks,
    IReadOnlyList<PlatoonStability> StringStability,
    IReadOnlyList<ReportEvent> Events,
    LogFacts Log);

/// <summary>
/// Scenario, seed, simulated time and verdict. <see cref="KpiSource"/> says where they came from: <c>kpi.json</c>, the
/// log's <c>/kpi</c> record (kpi.json missing), or nothing but the log (<see cref="Passed"/> null: unknown).
/// </summary>
public sealed record RunSummary(
    string Scenario,
    ulong? Seed,
    double SimulatedTime,
    bool? Passed,
    int? ExitCode,
    bool Interrupted,
    IReadOnlyList<string> FailedCriteria,
    KpiSource KpiSource);

/// <summary>Where the KPIs of a report came from.</summary>
public enum KpiSource
{
    /// <summary>The run's kpi.json.</summary>
    KpiJson,

    /// <summary>kpi.json is missing; the deterministic KPIs the bridge also logs on <c>/kpi</c>.</summary>
    LogKpiTopic,

    /// <summary>Neither: only what the log's time series show.</summary>
    None,
}

/// <summary>
/// A table: <see cref="Columns"/> are the header cells; every row has one cell per column, values as written in
/// kpi.json (numbers keep their JSON text, so they match the file character for character).
/// </summary>
public sealed record KpiTable(string Title, IReadOnlyList<string> Columns, IReadOnlyList<IReadOnlyList<string>> Rows);

/// <summary>
/// One stack truck's time series. Ground truth (every physics step): <see cref="Time"/> s, <see cref="Speed"/> m/s,
/// <see cref="Acceleration"/> m/s², bumper-to-bumper <see cref="Gap"/> m to the nearest vehicle ahead in its lane and
/// <see cref="TimeGap"/> s (gap / own speed above <c>KpiOptions.MinSpeedForTimeGap</c>); NaN where there is no vehicle
/// ahead (or the truck is too slow for a time gap), which the plots draw as a break. <see cref="View"/>: what the
/// truck's own pipeline reported in its commands.
/// </summary>
public sealed record TruckSeries(
    string VehicleId,
    IReadOnlyList<double> Time,
    IReadOnlyList<double> Speed,
    IReadOnlyList<double> Acceleration,
    IReadOnlyList<double> Gap,
    IReadOnlyList<double> TimeGap,
    IReadOnlyList<string?> LeadId,
    VehicleView View);

/// <summary>
/// A truck's own view, one sample per command (the control period): estimated speed m/s, radar/fused lead gap m
/// (NaN without a lead), the time gap s they give (lead gap / estimated speed above
/// <c>KpiOptions.MinSpeedForTimeGap</c>, else NaN), requested acceleration m/s², the platoon time gap s in force (NaN
/// without platooning).
/// </summary>
public sealed record VehicleView(
    IReadOnlyList<double> Time,
    IReadOnlyList<double> EstimatedSpeed,
    IReadOnlyList<double> LeadGap,
    IReadOnlyList<double> MeasuredTimeGap,
    IReadOnlyList<double> AccelerationRequest,
    IReadOnlyList<double> TimeGapSetting)
{
    public static VehicleView Empty { get; } = new([], [], [], [], [], []);
}

/// <summary>
/// String stability of one platoon (stack trucks following each other in a lane, leader first), from ground truth
/// over [<see cref="WindowStart"/>, end of log]. See <see cref="StringStabilityCalculator"/>.
/// </summary>
public sealed record PlatoonStability(double WindowStart, IReadOnlyList<StringStabilityRow> Members);

/// <summary>
/// One platoon position: peak |acceleration| m/s² and speed amplitude m/s (half the peak-to-peak true speed) in the
/// window, and their ratios to the predecessor's and to the leader's (NaN for the leader, or where the reference is 0).
/// </summary>
public sealed record StringStabilityRow(
    int Position,
    string VehicleId,
    string? PredecessorId,
    double PeakAcceleration,
    double SpeedAmplitude,
    double AccelerationRatioToPredecessor,
    double AccelerationRatioToLeader,
    double SpeedAmplitudeRatioToLeader);

/// <summary>An entry of the events timeline, at simulated time <see cref="Time"/> s.</summary>
public sealed record ReportEvent(double Time, string Kind, string VehicleId, string Detail, EventSource Source);

/// <summary>Where an event of the timeline comes from.</summary>
public enum EventSource
{
    /// <summary>The bridge's <c>/events</c> topic.</summary>
    Bridge,

    /// <summary>A change in a truck's reported diagnostics (platoon state, role, longitudinal mode, perception).</summary>
    VehicleDiagnostics,

    /// <summary>A signal group changing state in the ground truth.</summary>
    Signals,
}

/// <summary>Facts about the log file itself.</summary>
public sealed record LogFacts(string FileName, ulong Messages, IReadOnlyList<string> StackTrucks, IReadOnlyList<(string Topic, ulong Messages)> Topics);
