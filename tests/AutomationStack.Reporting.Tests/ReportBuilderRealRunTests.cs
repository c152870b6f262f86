using System.Text.Json;

namespace AutomationStack.Reporting.Tests;

/// <summary>The report model of real short runs (see <see cref="RealRuns"/>) against the run's own kpi.json.</summary>
[TestFixture]
public sealed class ReportBuilderRealRunTests
{
    private const double SimulationStep = 0.01;
    private const double KpiRounding = 1e-4; // kpi.json rounds to 4 digits

    private static ReportModel? _acc;
    private static ReportModel? _platoon;

    private static ReportModel Acc => _acc ??= ReportBuilder.Build(RealRuns.AccDir);

    private static ReportModel Platoon => _platoon ??= ReportBuilder.Build(RealRuns.PlatoonDir, new ReportOptions { StringStabilityFrom = RealRuns.PlatoonWindowStart });

    private static JsonElement Kpi(string runDir) => JsonDocument.Parse(File.ReadAllText(Path.Combine(runDir, ReportBuilder.KpiFileName))).RootElement;

    [Test]
    public void Runs_WithReportFlag_ExitCodeIsTheRunsAndReportIsNextToKpi()
    {
        Assert.Multiple(() =>
        {
            Assert.That(RealRuns.AccRun.ExitCode, Is.EqualTo(Kpi(RealRuns.AccDir).GetProperty("exit_code").GetInt32()), RealRuns.AccRun.Stderr);
            Assert.That(RealRuns.PlatoonRun.ExitCode, Is.EqualTo(Kpi(RealRuns.PlatoonDir).GetProperty("exit_code").GetInt32()), RealRuns.PlatoonRun.Stderr);
            Assert.That(File.Exists(Path.Combine(RealRuns.AccDir, ReportBuilder.ReportFileName)), Is.True);
            Assert.That(File.Exists(Path.Combine(RealRuns.PlatoonDir, ReportBuilder.ReportFileName)), Is.True);
            Assert.That(RealRuns.AccRun.Stdout, Does.Contain("report " + Path.Combine(RealRuns.AccDir, ReportBuilder.ReportFileName)));
        });
    }

    [Test]
    public void Build_RealRun_SummaryMatchesKpiJson()
    {
        var kpi = Kpi(RealRuns.AccDir);
        var s = Acc.Summary;
        Assert.Multiple(() =>
        {
            Assert.That(s.Scenario, Is.EqualTo(kpi.GetProperty("scenario").GetString()));
            Assert.That(s.Seed, Is.EqualTo(kpi.GetProperty("seed").GetUInt64()));
            Assert.That(s.Passed, Is.EqualTo(kpi.GetProperty("passed").GetBoolean()));
            Assert.That(s.ExitCode, Is.EqualTo(kpi.GetProperty("exit_code").GetInt32()));
            Assert.That(s.SimulatedTime, Is.EqualTo(RealRuns.Duration).Within(SimulationStep));
            Assert.That(s.FailedCriteria, Is.EqualTo(kpi.GetProperty("failed_criteria").EnumerateArray().Select(e => e.GetString()).ToArray()));
            Assert.That(s.KpiSource, Is.EqualTo(KpiSource.KpiJson));
            Assert.That(Acc.Notes, Is.Empty);
        });
    }

    [Test]
    public void Build_RealRun_TruckTableHoldsEveryKpiJsonValueVerbatim()
    {
        var kpi = Kpi(RealRuns.PlatoonDir);
        var table = Platoon.KpiTables.Single(t => t.Title == "trucks");
        var checkedCells = 0;
        foreach (var truck in kpi.GetProperty("trucks").EnumerateArray())
        {
            var column = table.Columns.ToList().IndexOf(truck.GetProperty("id").GetString()!);
            Assert.That(column, Is.GreaterThan(0), "a column per truck");
            foreach (var (name, raw) in Leaves(truck, string.Empty))
            {
                if (name == "id")
                {
                    continue;
                }

                var row = table.Rows.SingleOrDefault(r => r[0] == name);
                Assert.That(row, Is.Not.Null, $"row {name}");
                Assert.That(row![column], Is.EqualTo(raw), $"{name} of {truck.GetProperty("id").GetString()}");
                checkedCells++;
            }
        }

        Assert.That(checkedCells, Is.GreaterThan(5 * 20));
    }

    [Test]
    public void Build_RealRun_OtherKpiSectionsAreTables()
    {
        var kpi = Kpi(RealRuns.PlatoonDir);
        var channel = Platoon.KpiTables.Single(t => t.Title == "v2x_channel");
        var sent = channel.Rows.Single(r => r[0] == "sent")[1];
        Assert.Multiple(() =>
        {
            Assert.That(sent, Is.EqualTo(kpi.GetProperty("v2x_channel").GetProperty("sent").GetRawText()));
            Assert.That(Platoon.KpiTables.Select(t => t.Title), Is.SupersetOf(new[] { "run", "trucks", "v2x_channel", "bridge", "log" }));
        });
    }

    [Test]
    public void Build_RealRun_GroundTruthSeriesReproduceKpiMinimaAndCoverTheRun()
    {
        var kpi = Kpi(RealRuns.AccDir);
        foreach (var truck in kpi.GetProperty("trucks").EnumerateArray())
        {
            var id = truck.GetProperty("id").GetString()!;
            var series = Acc.Trucks.Single(t => t.VehicleId == id);
            Assert.Multiple(() =>
            {
                Assert.That(series.Time, Has.Count.EqualTo((int)Math.Round(RealRuns.Duration / SimulationStep)).Within(2), id);
                Assert.That(series.Time, Is.Ordered, id);
                Assert.That(series.View.Time, Is.Not.Empty, id + ": the truck's own view from its commands");
                if (truck.GetProperty("min_distance").ValueKind == JsonValueKind.Number)
                {
                    Assert.That(series.Gap.Where(double.IsFinite).Min(), Is.EqualTo(truck.GetProperty("min_distance").GetDouble()).Within(KpiRounding), id + " min gap");
                    Assert.That(series.TimeGap.Where(double.IsFinite).Min(), Is.EqualTo(truck.GetProperty("min_time_gap").GetDouble()).Within(KpiRounding), id + " min time gap");
                }
                else
                {
                    Assert.That(series.Gap.All(double.IsNaN), Is.True, id + ": no vehicle ahead, no gap");
                }
            });
        }
    }

    [Test]
    public void Build_PlatoonRun_StringStabilityMatchesKpiJson()
    {
        var kpi = Kpi(RealRuns.PlatoonDir);
        var platoon = Platoon.StringStability.Single();
        Assert.That(platoon.Members.Select(m => m.VehicleId), Is.EqualTo(new[] { "truck1", "truck2", "truck3", "truck4", "truck5" }));
        foreach (var truck in kpi.GetProperty("trucks").EnumerateArray())
        {
            var id = truck.GetProperty("id").GetString()!;
            var stability = truck.GetProperty("string_stability");
            var row = platoon.Members.Single(m => m.VehicleId == id);
            Assert.Multiple(() =>
            {
                Assert.That(row.PeakAcceleration, Is.EqualTo(stability.GetProperty("peak_acceleration").GetDouble()).Within(KpiRounding), id);
                Assert.That(row.PredecessorId, Is.EqualTo(stability.GetProperty("predecessor").ValueKind == JsonValueKind.Null ? null : stability.GetProperty("predecessor").GetString()), id);
                if (stability.GetProperty("acceleration_ratio").ValueKind == JsonValueKind.Number)
                {
                    Assert.That(row.AccelerationRatioToPredecessor, Is.EqualTo(stability.GetProperty("acceleration_ratio").GetDouble()).Within(KpiRounding), id);
                }
            });
        }
    }

    [Test]
    public void Build_PlatoonRun_EventsHoldScenarioEventAndPlatoonRoles()
    {
        var scenarioEvent = Platoon.Events.FirstOrDefault(e => e.Kind == "scenario_event");
        Assert.Multiple(() =>
        {
            Assert.That(scenarioEvent, Is.Not.Null);
            Assert.That(scenarioEvent!.Time, Is.EqualTo(RealRuns.PlatoonWindowStart).Within(SimulationStep));
            Assert.That(scenarioEvent.Source, Is.EqualTo(EventSource.Bridge));
            Assert.That(Platoon.Events.Where(e => e.Kind == "platoon_role").Select(e => e.Detail), Is.SupersetOf(new[] { "Leader", "Follower" }));
            Assert.That(Platoon.Events.Select(e => e.Time), Is.Ordered);
        });
    }

    [Test]
    public void Build_AccRun_FollowingTrucksFormOneChainLeaderFirst()
    {
        // ACC trucks follow each other in one lane: the chain is found from ground truth whatever the control mode.
        Assert.That(Acc.StringStability.Single().Members.Select(m => m.VehicleId), Is.EqualTo(new[] { "truck1", "truck2", "truck3" }));
    }

    [Test]
    public void Build_SignalsRunWithScenario_StopLineCrossingsMatchKpiJsonSignals()
    {
        var scenario = AutomationStack.Scenarios.ScenarioLoader.Load(RealRuns.Shipped(RealRuns.SignalsScenario));
        var model = ReportBuilder.Build(RealRuns.SignalsDir, AutomationStack.Cli.ReportCommand.ForScenario(scenario));
        var kpi = Kpi(RealRuns.SignalsDir);
        var signals = kpi.GetProperty("signals").EnumerateArray().ToList();
        Assert.That(signals, Is.Not.Empty);
        foreach (var truck in signals)
        {
            var id = truck.GetProperty("vehicle").GetString();
            var crossings = model.Events.Where(e => e.VehicleId == id && e.Kind is "stop_line_crossing" or "red_light_crossing").ToList();
            Assert.Multiple(() =>
            {
                Assert.That(crossings, Has.Count.EqualTo(truck.GetProperty("crossings").GetInt32()), id);
                Assert.That(crossings.Count(e => e.Kind == "red_light_crossing"), Is.EqualTo(truck.GetProperty("red_light_violations").GetInt32()), id);
                Assert.That(crossings.All(e => e.Source == EventSource.Signals && e.Detail.StartsWith("intersection ", StringComparison.Ordinal)), Is.True, id);
            });
        }

        Assert.That(File.ReadAllText(Path.Combine(RealRuns.SignalsDir, ReportBuilder.ReportFileName)), Does.Contain("<td>stop_line_crossing</td>"), "run --report knows the scenario's stop lines");
    }

    [Test]
    public void Build_SignalsRunWithoutScenario_NoCrossingEventsButSignalChanges()
    {
        var model = ReportBuilder.Build(RealRuns.SignalsDir);
        Assert.Multiple(() =>
        {
            Assert.That(model.Events.Any(e => e.Kind.EndsWith("_crossing", StringComparison.Ordinal)), Is.False);
            Assert.That(model.Events.Any(e => e.Kind == "signal_green"), Is.True);
        });
    }

    /// <summary>Scalar leaves of a JSON object with dotted names, as raw JSON text (strings unquoted, arrays joined).</summary>
    private static IEnumerable<(string Name, string Raw)> Leaves(JsonElement element, string prefix)
    {
        foreach (var p in element.EnumerateObject())
        {
            var name = prefix.Length == 0 ? p.Name : prefix + "." + p.Name;
            switch (p.Value.ValueKind)
            {
                case JsonValueKind.Object when p.Value.EnumerateObject().Any():
                    foreach (var leaf in Leaves(p.Value, name))
                    {
                        yield return leaf;
                    }

                    break;
                case JsonValueKind.Object:
                    yield return (name, "{}");
                    break;
                case JsonValueKind.String:
                    yield return (name, p.Value.GetString()!);
                    break;
                case JsonValueKind.Array:
                    yield return (name, "[" + string.Join(", ", p.Value.EnumerateArray().Select(e => e.GetRawText())) + "]");
                    break;
                default:
                    yield return (name, p.Value.GetRawText());
                    break;
            }
        }
    }
}
