using System.Globalization;
using System.Text.Json;
using AutomationStack.Evaluation;
using AutomationStack.Mcap;

namespace AutomationStack.Reporting;

/// <summary>Options of a report.</summary>
public sealed record ReportOptions
{
    /// <summary>Default <see cref="StringStabilityFrom"/>, s: the scenarios' default <c>pass_criteria.string_stability_from</c>.</summary>
    public const double DefaultStringStabilityFrom = 5.0;

    /// <summary>String-stability figures count from this simulated time on, s (engagement transients left out).</summary>
    public double StringStabilityFrom { get; init; } = DefaultStringStabilityFrom;

    /// <summary>
    /// The signalised stop lines of the run's map (the log does not hold the map): with them, the events show each
    /// stack truck's front crossing a stop line of its lane and the state its group showed (ground truth). Empty: no
    /// crossing events.
    /// </summary>
    public IReadOnlyList<StopLineSite> StopLines { get; init; } = [];
}

/// <summary>
/// Builds a <see cref="ReportModel"/> from a run folder (<c>run.mcap</c>, <c>kpi.json</c>). Pure apart from reading
/// those two files; no clock. Throws <see cref="ReportInputException"/> naming the file for a missing folder, a
/// missing or corrupt log, or a corrupt kpi.json. A missing kpi.json is not an error: the report says so and takes the
/// KPIs from the log's <c>/kpi</c> record when there is one.
/// </summary>
public static class ReportBuilder
{
    public const string RecordingFileName = "run.mcap";
    public const string KpiFileName = "kpi.json";
    public const string ReportFileName = "report.html";

    public static ReportModel Build(string runDirectory, ReportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(runDirectory);
        options ??= new ReportOptions();
        if (!Directory.Exists(runDirectory))
        {
            throw new ReportInputException(runDirectory, "run folder not found (expected a folder written by `automationstack run`, with run.mcap and kpi.json)");
        }

        var mcapPath = Path.Combine(runDirectory, RecordingFileName);
        if (!File.Exists(mcapPath))
        {
            var partial = File.Exists(mcapPath + ".partial") ? " (run.mcap.partial is there: the run did not finish its log)" : string.Empty;
            throw new ReportInputException(mcapPath, "log not found (expected the run's MCAP recording)" + partial);
        }

        RunLogData log;
        try
        {
            using var reader = McapReader.Open(mcapPath);
            log = RunLogExtractor.Read(reader, RecordingFileName, options.StopLines);
        }
        catch (McapFormatException ex)
        {
            throw new ReportInputException(mcapPath, "not a readable MCAP log (expected the run's recording): " + ex.Message, ex);
        }
        catch (Google.Protobuf.InvalidProtocolBufferException ex)
        {
            throw new ReportInputException(mcapPath, "a message does not decode as the bridge's protobuf schema: " + ex.Message, ex);
        }
        catch (IOException ex)
        {
            throw new ReportInputException(mcapPath, "cannot be read: " + ex.Message, ex);
        }

        var notes = new List<string>();
        var kpiPath = Path.Combine(runDirectory, KpiFileName);
        RunSummary summary;
        IReadOnlyList<KpiTable> tables;
        if (File.Exists(kpiPath))
        {
            (summary, tables) = FromKpiJson(kpiPath, log.EndTime);
        }
        else if (log.Kpi is { } kpi)
        {
            notes.Add("kpi.json missing: the KPIs below are the deterministic ones the bridge logged on /kpi (no wall-clock, process or bridge figures); the exit code is unknown.");
            using var doc = JsonDocument.Parse(RunLogExtractor.ToJson(kpi));
            tables = KpiTables.FromJson(doc.RootElement);
            summary = new RunSummary(kpi.Scenario, kpi.Seed, kpi.SimulatedTime, kpi.Passed, null, false, [.. kpi.FailedCriteria], KpiSource.LogKpiTopic);
        }
        else
        {
            notes.Add("kpi.json missing and the log has no /kpi record (the run did not finish): no KPIs and no verdict; the plots show what the log holds.");
            tables = [];
            summary = new RunSummary(Path.GetFileName(Path.GetFullPath(runDirectory).TrimEnd(Path.DirectorySeparatorChar)), null, log.EndTime, null, null, false, [], KpiSource.None);
        }

        var stability = Platoons(log.Trucks)
            .Select(members => StringStabilityCalculator.Compute(
                [.. members.Select(t => new MemberSeries(t.VehicleId, t.Time, t.Speed, t.Acceleration))],
                options.StringStabilityFrom))
            .ToList();
        if (log.Trucks.Count > 0 && stability.Count == 0)
        {
            notes.Add("No platoon: no stack truck followed another stack truck in its lane after "
                + options.StringStabilityFrom.ToString("0.##", CultureInfo.InvariantCulture) + " s, so there is no string-stability figure.");
        }

        return new ReportModel(summary, tables, notes, log.Trucks, stability, log.Events, log.Facts);
    }

    /// <summary>
    /// The verdict and failed criteria in a run folder's kpi.json (for an index page); null and none when kpi.json is
    /// missing or unreadable.
    /// </summary>
    public static (bool? Passed, IReadOnlyList<string> FailedCriteria) ReadVerdict(string runDirectory)
    {
        try
        {
            var (summary, _) = FromKpiJson(Path.Combine(runDirectory, KpiFileName), 0);
            return (summary.Passed, summary.FailedCriteria);
        }
        catch (Exception ex) when (ex is ReportInputException or IOException)
        {
            return (null, []);
        }
    }

    private static (RunSummary, IReadOnlyList<KpiTable>) FromKpiJson(string kpiPath, double logEndTime)
    {
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(kpiPath));
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new ReportInputException(kpiPath, "expected a JSON object written by `automationstack run`");
            }

            var scenario = root.TryGetProperty("scenario", out var s) && s.ValueKind == JsonValueKind.String
                ? s.GetString()!
                : throw new ReportInputException(kpiPath, "expected a string field 'scenario'");
            var passed = root.TryGetProperty("passed", out var p) && p.ValueKind is JsonValueKind.True or JsonValueKind.False
                ? p.GetBoolean()
                : throw new ReportInputException(kpiPath, "expected a boolean field 'passed'");
            ulong? seed = root.TryGetProperty("seed", out var seedElement) && seedElement.TryGetUInt64(out var seedValue) ? seedValue : null;
            int? exitCode = root.TryGetProperty("exit_code", out var e) && e.TryGetInt32(out var code) ? code : null;
            var interrupted = root.TryGetProperty("interrupted", out var i) && i.ValueKind == JsonValueKind.True;
            var simulated = root.TryGetProperty("simulated_time", out var st) && st.TryGetDouble(out var stValue) ? stValue : logEndTime;
            var failed = root.TryGetProperty("failed_criteria", out var f) && f.ValueKind == JsonValueKind.Array
                ? f.EnumerateArray().Select(KpiTables.Cell).ToList()
                : [];
            return (new RunSummary(scenario, seed, simulated, passed, exitCode, interrupted, failed, KpiSource.KpiJson), KpiTables.FromJson(root));
        }
        catch (JsonException ex)
        {
            throw new ReportInputException(kpiPath, "not valid JSON (expected the KPI file written by `automationstack run`): " + ex.Message, ex);
        }
        catch (IOException ex)
        {
            throw new ReportInputException(kpiPath, "cannot be read: " + ex.Message, ex);
        }
    }

    /// <summary>
    /// Platoons as chains of stack trucks, leader first: a truck's predecessor is the stack truck most often found
    /// directly ahead of it in its lane (ground truth, whole log); chains of at least two trucks are platoons.
    /// </summary>
    internal static IReadOnlyList<IReadOnlyList<TruckSeries>> Platoons(IReadOnlyList<TruckSeries> trucks)
    {
        var byId = trucks.ToDictionary(t => t.VehicleId, StringComparer.Ordinal);
        var predecessor = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var truck in trucks)
        {
            var best = truck.LeadId
                .Where(id => id is not null && byId.ContainsKey(id) && !string.Equals(id, truck.VehicleId, StringComparison.Ordinal))
                .GroupBy(id => id!, StringComparer.Ordinal)
                .OrderByDescending(g => g.Count())
                .ThenBy(g => g.Key, StringComparer.Ordinal)
                .FirstOrDefault();
            if (best is not null)
            {
                predecessor[truck.VehicleId] = best.Key;
            }
        }

        var follower = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var truck in trucks)
        {
            if (predecessor.TryGetValue(truck.VehicleId, out var p) && !follower.ContainsKey(p))
            {
                follower[p] = truck.VehicleId;
            }
        }

        var platoons = new List<IReadOnlyList<TruckSeries>>();
        foreach (var truck in trucks)
        {
            if (predecessor.ContainsKey(truck.VehicleId) || !follower.ContainsKey(truck.VehicleId))
            {
                continue;
            }

            var chain = new List<TruckSeries> { truck };
            var seen = new HashSet<string>(StringComparer.Ordinal) { truck.VehicleId };
            var current = truck.VehicleId;
            while (follower.TryGetValue(current, out var next) && seen.Add(next))
            {
                chain.Add(byId[next]);
                current = next;
            }

            platoons.Add(chain);
        }

        return platoons;
    }
}
