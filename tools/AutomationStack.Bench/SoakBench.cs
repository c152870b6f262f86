using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;

/// <summary>
/// `bench soak`: one long run (default the 2-hour <c>soak-5-trucks-2h</c> scenario) with <c>run --memory-log</c>,
/// then the verdict the soak asks for: resident memory of the bridge and of every vehicle process flat after the
/// warm-up (growth under <see cref="MaxGrowthPercent"/> % from the window just after the warm-up to the last window),
/// zero late and missed frames, no collision, and a log the independent reader (<c>@mcap/core</c>) validates. Writes
/// <c>soak.md</c> (the tables) and <c>memory.png</c> (resident memory against simulated time) into the output folder.
/// </summary>
internal static class SoakBench
{
    public const double MaxGrowthPercent = 5;
    private const int PlotWidth = 1000;
    private const int PlotHeight = 420;

    /// <summary>
    /// Runs <paramref name="scenario"/> into <paramref name="outDir"/> with the memory log and judges it; with
    /// <paramref name="analyseOnly"/>, judges the run already in <paramref name="outDir"/> (its memory.csv, kpi.json and log).
    /// </summary>
    public static async Task<int> RunAsync(string repoRoot, string cli, string scenario, double? duration, double warmup, string outDir, bool analyseOnly = false)
    {
        var inv = CultureInfo.InvariantCulture;
        outDir = Path.GetFullPath(outDir);
        Directory.CreateDirectory(outDir);
        var memoryCsv = Path.Combine(outDir, "memory.csv");
        int exitCode;
        if (analyseOnly)
        {
            if (!File.Exists(memoryCsv) || !File.Exists(Path.Combine(outDir, "kpi.json")))
            {
                Console.Error.WriteLine($"bench soak: {outDir} holds no finished soak run (memory.csv and kpi.json expected)");
                return 2;
            }

            using var previous = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(outDir, "kpi.json")));
            exitCode = previous.RootElement.GetProperty("exit_code").GetInt32();
            scenario = previous.RootElement.GetProperty("scenario").GetString() + ".yaml";
        }
        else
        {
            var extra = new List<string> { "--memory-log", memoryCsv };
            if (duration is { } d)
            {
                extra.AddRange(["--duration", d.ToString("R", inv)]);
            }

            Console.Error.WriteLine($"soak: running {Path.GetFileName(scenario)} into {outDir} (memory sampled every second of wall time)");
            (exitCode, var stdout, var stderr) = await ScenarioRun.RunAsync(cli, scenario, outDir, [.. extra]);
            if (exitCode is not (0 or 1) || !File.Exists(Path.Combine(outDir, "kpi.json")))
            {
                Console.Error.WriteLine($"soak: the run exited {exitCode}\n{stdout}\n{stderr}");
                return 3;
            }
        }

        using var kpi = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(outDir, "kpi.json")));
        var root = kpi.RootElement;
        var simulated = root.GetProperty("simulated_time").GetDouble();
        var samples = MemorySamples.Read(memoryCsv);
        var window = Math.Max(60, 0.1 * (simulated - warmup));
        var report = new StringBuilder();
        report.AppendLine(inv, $"machine: {Machine()}");
        report.AppendLine(inv, $"scenario: {Path.GetFileName(scenario)}, {simulated:F0} s simulated in {root.GetProperty("wall_time").GetDouble():F0} s wall ({root.GetProperty("real_time_factor").GetDouble():F1}× real time), exit {exitCode}");
        report.AppendLine(inv, $"memory: {samples.Rows.Count} samples (one per second of wall time); warm-up {warmup:F0} s simulated; growth = median of the last {window:F0} s simulated against the median of the {window:F0} s after the warm-up");
        report.AppendLine();
        report.AppendLine("| process | resident set after warm-up, MB (median) | at the end, MB (median) | growth | largest after warm-up, MB | verdict |");
        report.AppendLine("| --- | --- | --- | --- | --- | --- |");
        var memoryFlat = true;
        for (var c = 0; c < samples.Columns.Count; c++)
        {
            var (name, _) = samples.Columns[c];
            var afterWarmup = samples.Window(c, warmup, warmup + window);
            var end = samples.Window(c, simulated - window, double.PositiveInfinity);
            var largest = samples.Window(c, warmup, double.PositiveInfinity);
            if (afterWarmup.Length == 0 || end.Length == 0)
            {
                report.AppendLine(inv, $"| {name} | — | — | — | — | too few samples |");
                memoryFlat = false;
                continue;
            }

            var baseline = Median(afterWarmup);
            var final = Median(end);
            var growth = (final - baseline) / baseline * 100;
            var flat = growth < MaxGrowthPercent;
            memoryFlat &= flat;
            report.AppendLine(inv, $"| {name} | {baseline:F1} | {final:F1} | {growth:+0.0;-0.0;0.0} % | {largest.Max():F1} | {(flat ? "flat" : "GROWS")} (< {MaxGrowthPercent:F0} %) |");
        }

        long late = 0, missed = 0;
        report.AppendLine();
        report.AppendLine("| truck | frames late | frames missed | stale commands | failed | min time gap s | peak RSS MB |");
        report.AppendLine("| --- | --- | --- | --- | --- | --- | --- |");
        foreach (var truck in root.GetProperty("trucks").EnumerateArray())
        {
            var truckLate = truck.GetProperty("late_frames").GetInt64();
            var truckMissed = truck.GetProperty("missed_frames").GetInt64();
            late += truckLate;
            missed += truckMissed;
            var tgap = truck.GetProperty("min_time_gap") is { ValueKind: JsonValueKind.Number } g ? g.GetDouble().ToString("F2", inv) : "—";
            var failed = truck.GetProperty("failed").ValueKind is JsonValueKind.Null or JsonValueKind.False ? "no" : truck.GetProperty("failed").ToString();
            var peak = truck.GetProperty("process").GetProperty("peak_rss_mb") is { ValueKind: JsonValueKind.Number } p ? p.GetDouble().ToString("F0", inv) : "—";
            report.AppendLine(inv, $"| {truck.GetProperty("id").GetString()} | {truckLate} | {truckMissed} | {truck.GetProperty("stale_commands").GetInt64()} | {failed} | {tgap} | {peak} |");
        }

        var log = root.GetProperty("log");
        var logPath = Path.Combine(outDir, log.GetProperty("file").GetString()!);
        var (logValid, validation) = await ValidateLogAsync(repoRoot, logPath);
        var collisions = root.GetProperty("collisions").GetInt32();
        var passed = root.GetProperty("passed").GetBoolean();
        report.AppendLine();
        report.AppendLine(inv, $"- collisions: {collisions}; scenario criteria: {(passed ? "pass" : "FAIL: " + string.Join("; ", root.GetProperty("failed_criteria").EnumerateArray().Select(f => f.GetString())))}");
        report.AppendLine(inv, $"- frames late: {late}, missed: {missed} (all trucks)");
        report.AppendLine(inv, $"- log: {log.GetProperty("bytes").GetInt64() / 1e6:F0} MB, {log.GetProperty("messages").GetInt64()} messages ({log.GetProperty("bytes").GetInt64() / 1e6 / (simulated / 60):F1} MB per simulated minute); @mcap/core: {validation}");
        var soakPassed = memoryFlat && late == 0 && missed == 0 && collisions == 0 && passed && logValid;
        report.AppendLine(inv, $"- soak verdict: {(soakPassed ? "PASS" : "FAIL")}");
        await File.WriteAllBytesAsync(Path.Combine(outDir, "memory.png"), Plot(samples, warmup, window, simulated));
        await File.WriteAllTextAsync(Path.Combine(outDir, "soak.md"), report.ToString());
        Console.WriteLine(report.ToString());
        Console.WriteLine($"written {Path.Combine(outDir, "soak.md")}, {Path.Combine(outDir, "memory.png")}, {memoryCsv}");
        return soakPassed ? 0 : 1;
    }

    private static double Median(double[] values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    /// <summary>Validates the log with the repository's independent reader (tools/mcap-validate, @mcap/core).</summary>
    private static async Task<(bool Valid, string Detail)> ValidateLogAsync(string repoRoot, string logPath)
    {
        var script = Path.Combine(repoRoot, "tools", "mcap-validate", "validate.mjs");
        if (!File.Exists(Path.Combine(repoRoot, "tools", "mcap-validate", "node_modules", "@mcap", "core", "package.json")))
        {
            return (false, "not validated (@mcap/core not installed: npm ci --prefix tools/mcap-validate)");
        }

        try
        {
            var start = new ProcessStartInfo("node") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
            start.ArgumentList.Add(script);
            start.ArgumentList.Add(logPath);
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            var text = (await output).Trim();
            if (process.ExitCode != 0)
            {
                return (false, $"INVALID (exit {process.ExitCode}): {(await error).Trim()} {text}");
            }

            using var result = JsonDocument.Parse(text);
            var ok = result.RootElement.GetProperty("ok").GetBoolean();
            return (ok, ok
                ? $"valid, {result.RootElement.GetProperty("messages").GetInt64()} messages in {result.RootElement.GetProperty("chunks").GetInt64()} chunks"
                : "INVALID: " + text);
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            return (false, $"not validated (node: {ex.Message})");
        }
    }

    private static byte[] Plot(MemorySamples samples, double warmup, double window, double simulated)
    {
        var plot = new ScottPlot.Plot();
        var palette = new ScottPlot.Palettes.Category10().Colors;
        for (var c = 0; c < samples.Columns.Count; c++)
        {
            var points = samples.Rows.Where(r => double.IsFinite(r.Values[c])).ToArray();
            if (points.Length == 0)
            {
                continue;
            }

            var line = plot.Add.ScatterLine(points.Select(r => r.Simulated / 60).ToArray(), points.Select(r => r.Values[c]).ToArray(), palette[c % palette.Length]);
            line.LineWidth = 1.5f;
            line.MarkerSize = 0;
            line.LegendText = samples.Columns[c].Name;
        }

        foreach (var x in new[] { warmup, warmup + window, simulated - window })
        {
            var v = plot.Add.VerticalLine(x / 60);
            v.LinePattern = ScottPlot.LinePattern.Dotted;
            v.Color = ScottPlot.Colors.Gray;
        }

        plot.Title("Resident memory during the soak (dotted: warm-up end, baseline window end, final window start)");
        plot.XLabel("simulated time, min");
        plot.YLabel("MB");
        plot.Axes.SetLimitsY(0, samples.Rows.SelectMany(r => r.Values).Where(double.IsFinite).DefaultIfEmpty(1).Max() * 1.15);
        plot.ShowLegend(ScottPlot.Edge.Right);
        return plot.GetImageBytes(PlotWidth, PlotHeight, ScottPlot.ImageFormat.Png);
    }

    private static string Machine()
    {
        var cpu = "unknown CPU";
        try
        {
            cpu = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal)) is { } line
                ? line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim()
                : cpu;
        }
        catch (IOException)
        {
        }

        return $"{cpu}, {Environment.ProcessorCount} cores, .NET {Environment.Version}, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}";
    }

    /// <summary>The rows of a <c>run --memory-log</c> CSV: simulated time and the memory columns (MB; NaN where empty).</summary>
    internal sealed class MemorySamples
    {
        private MemorySamples(List<(string Name, int Index)> columns, List<(double Simulated, double[] Values)> rows)
        {
            Columns = columns;
            Rows = rows;
        }

        public List<(string Name, int Index)> Columns { get; }

        public List<(double Simulated, double[] Values)> Rows { get; }

        public static MemorySamples Read(string path)
        {
            var lines = File.ReadAllLines(path);
            var header = lines[0].Split(',');
            // Resident sets only: the managed heap column is a sawtooth (garbage collections), not a footprint.
            var columns = header.Select((name, index) => (Name: name, Index: index))
                .Where(c => c.Name.EndsWith("_rss_mb", StringComparison.Ordinal))
                .Select(c => (c.Name[..^"_rss_mb".Length], c.Index))
                .ToList();
            var simIndex = Array.IndexOf(header, "sim_s");
            var rows = new List<(double, double[])>();
            foreach (var line in lines.Skip(1))
            {
                var cells = line.Split(',');
                var values = columns.Select(c => c.Index < cells.Length && double.TryParse(cells[c.Index], NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : double.NaN).ToArray();
                rows.Add((double.Parse(cells[simIndex], CultureInfo.InvariantCulture), values));
            }

            return new MemorySamples(columns, rows);
        }

        public double[] Window(int column, double from, double to) =>
            [.. Rows.Where(r => r.Simulated >= from && r.Simulated <= to && double.IsFinite(r.Values[column])).Select(r => r.Values[column])];
    }
}
