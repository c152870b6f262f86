using System.Diagnostics;
using System.Globalization;
using AutomationStack.Configuration;
using AutomationStack.Evaluation;
using AutomationStack.Reporting;
using AutomationStack.Scenarios;

namespace AutomationStack.Cli;

/// <summary>What <c>report</c> was asked to do: one run folder, or every scenario of a folder.</summary>
public sealed record ReportRequest(
    string? RunDirectory,
    string? OutPath,
    double? StringStabilityFrom,
    string? ScenarioPath,
    bool AllScenarios,
    string ScenariosDirectory,
    double? Duration,
    bool Quiet);

/// <summary>
/// <c>report &lt;run-dir&gt; [--out file.html]</c>: writes the HTML report of a finished (or partial) run.
/// <c>report --all-scenarios --out &lt;dir&gt;</c>: runs every scenario of a folder (default
/// <c>sim-bridge/scenarios</c>) one after the other, each into <c>&lt;dir&gt;/&lt;name&gt;</c> with its report, and
/// writes <c>&lt;dir&gt;/index.html</c> linking them with pass/fail.
/// </summary>
public static class ReportCommand
{
    public const string IndexFileName = "index.html";
    public const string DefaultScenariosDirectory = "sim-bridge/scenarios";

    public static async Task<int> ExecuteAsync(ReportRequest request, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        if (request.AllScenarios)
        {
            return await AllScenariosAsync(request, stdout, stderr, cancellationToken).ConfigureAwait(false);
        }

        if (request.RunDirectory is null)
        {
            await stderr.WriteLineAsync("error: report needs a run folder (or --all-scenarios)").ConfigureAwait(false);
            return ExitCodes.BadInput;
        }

        var outPath = request.OutPath ?? Path.Combine(request.RunDirectory, ReportBuilder.ReportFileName);
        var options = new ReportOptions { StringStabilityFrom = request.StringStabilityFrom ?? ReportOptions.DefaultStringStabilityFrom };
        if (request.ScenarioPath is { } scenarioPath)
        {
            // The scenario the run was made from: its string-stability window and its map's stop lines.
            Scenario scenario;
            try
            {
                scenario = ScenarioLoader.Load(scenarioPath);
            }
            catch (ConfigurationException ex)
            {
                await stderr.WriteLineAsync($"error: invalid scenario\n{ex.Message}").ConfigureAwait(false);
                return ExitCodes.BadInput;
            }

            options = ForScenario(scenario) with { StringStabilityFrom = request.StringStabilityFrom ?? scenario.PassCriteria.StringStabilityFrom };
        }

        if (TryWrite(request.RunDirectory, outPath, options, out var problem) is not { } model)
        {
            await stderr.WriteLineAsync("error: " + problem).ConfigureAwait(false);
            return ExitCodes.BadInput;
        }

        await stdout.WriteLineAsync($"report {outPath} ({Verdict(model.Summary.Passed)}{(model.Notes.Count > 0 ? "; " + model.Notes.Count.ToString(CultureInfo.InvariantCulture) + " note(s)" : string.Empty)})").ConfigureAwait(false);
        return ExitCodes.Passed;
    }

    /// <summary>
    /// Builds and writes one report (atomically); returns its model, or null with the problem naming the file at fault
    /// (<see cref="ReportInputException"/>) or the output that could not be written.
    /// </summary>
    public static ReportModel? TryWrite(string runDirectory, string outPath, ReportOptions options, out string problem)
    {
        ReportModel model;
        try
        {
            model = ReportBuilder.Build(runDirectory, options);
        }
        catch (ReportInputException ex)
        {
            problem = ex.Message;
            return null;
        }

        try
        {
            var full = Path.GetFullPath(outPath);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            var tmp = full + ".partial";
            File.WriteAllText(tmp, HtmlReportWriter.Render(model));
            File.Move(tmp, full, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            problem = $"{outPath}: the report could not be written: {ex.Message}";
            return null;
        }

        problem = string.Empty;
        return model;
    }

    private static async Task<int> AllScenariosAsync(ReportRequest request, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        if (request.OutPath is null)
        {
            await stderr.WriteLineAsync("error: report --all-scenarios needs --out <dir>").ConfigureAwait(false);
            return ExitCodes.BadInput;
        }

        if (!Directory.Exists(request.ScenariosDirectory))
        {
            await stderr.WriteLineAsync($"error: {request.ScenariosDirectory}: scenario folder not found (expected a folder of scenario .yaml files)").ConfigureAwait(false);
            return ExitCodes.BadInput;
        }

        var scenarios = Directory.GetFiles(request.ScenariosDirectory, "*.yaml").Order(StringComparer.Ordinal).ToList();
        if (scenarios.Count == 0)
        {
            await stderr.WriteLineAsync($"error: {request.ScenariosDirectory}: no scenario (*.yaml) in it").ConfigureAwait(false);
            return ExitCodes.BadInput;
        }

        var outDir = Path.GetFullPath(request.OutPath);
        Directory.CreateDirectory(outDir);
        var entries = new List<ScenarioIndexEntry>();
        var total = Stopwatch.StartNew();
        var worst = ExitCodes.Passed;
        foreach (var path in scenarios)
        {
            var name = Path.GetFileNameWithoutExtension(path);
            var runDir = Path.Combine(outDir, name);
            var wall = Stopwatch.StartNew();
            int code;
            using (var runOut = new StringWriter(CultureInfo.InvariantCulture))
            using (var runErr = new StringWriter(CultureInfo.InvariantCulture))
            {
                code = await RunCommand.ExecuteAsync(new RunRequest(path, runDir, Duration: request.Duration, Quiet: true, Report: true), runOut, runErr, cancellationToken).ConfigureAwait(false);
                if (code is ExitCodes.BadInput or ExitCodes.RunError && runErr.ToString() is { Length: > 0 } err)
                {
                    await stderr.WriteAsync($"{name}: {err}").ConfigureAwait(false);
                }
            }

            var reportPath = Path.Combine(runDir, ReportBuilder.ReportFileName);
            var hasReport = File.Exists(reportPath);
            var (passed, failed) = hasReport ? ReportBuilder.ReadVerdict(runDir) : (null, []);
            entries.Add(new ScenarioIndexEntry(
                name,
                passed,
                code,
                failed,
                hasReport ? $"{name}/{ReportBuilder.ReportFileName}" : null));
            worst = Worse(worst, hasReport ? code : ExitCodes.RunError);
            if (!request.Quiet)
            {
                await stderr.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"  {name,-32} exit {code}  {Verdict(passed),-7} {wall.Elapsed.TotalSeconds,6:F1} s")).ConfigureAwait(false);
            }

            cancellationToken.ThrowIfCancellationRequested();
        }

        var index = Path.Combine(outDir, IndexFileName);
        File.WriteAllText(index + ".partial", ScenarioIndexWriter.Render(entries));
        File.Move(index + ".partial", index, overwrite: true);
        var passedCount = entries.Count(e => e.Passed == true);
        await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"index {index}: {entries.Count} scenario(s), {passedCount} passed, {entries.Count - passedCount} not; {total.Elapsed.TotalSeconds:F1} s wall")).ConfigureAwait(false);
        return worst;
    }

    /// <summary>
    /// Report options for a run of <paramref name="scenario"/>: its string-stability window and the stop lines of the
    /// intersections it runs signal controllers at (as the bridge's signal KPIs take them).
    /// </summary>
    public static ReportOptions ForScenario(Scenario scenario)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        var lines = new List<StopLineSite>();
        foreach (var controller in scenario.SignalControllers)
        {
            var intersection = scenario.Map.Intersections.FirstOrDefault(x => x.Id == controller.IntersectionId);
            if (intersection is null)
            {
                continue;
            }

            foreach (var group in intersection.SignalGroups)
            {
                foreach (var ingress in group.Ingress)
                {
                    lines.Add(new StopLineSite(intersection.Id, group.Id, ingress.LaneId, ingress.StopLineS));
                }
            }
        }

        return new ReportOptions { StringStabilityFrom = scenario.PassCriteria.StringStabilityFrom, StopLines = lines };
    }

    /// <summary>Run failures (3) outrank bad input (2), which outranks failed criteria (1).</summary>
    private static int Worse(int a, int b)
    {
        static int Rank(int code) => code switch
        {
            ExitCodes.Passed => 0,
            ExitCodes.CriteriaFailed => 1,
            ExitCodes.BadInput => 2,
            _ => 3,
        };
        return Rank(b) > Rank(a) ? b : a;
    }

    private static string Verdict(bool? passed) => passed switch
    {
        true => "PASS",
        false => "FAIL",
        null => "no KPIs",
    };
}
