using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

/// <summary>
/// `bench table`: the README's performance table in one command. Runs the closed-loop rows (shipped scenarios with 3
/// and 5 trucks, perception on and off; 100 and 300 background vehicles, embedded and SUMO) with `automationstack run`
/// as child processes, then the component benchmarks (ONNX per frame, signed PCMs verified per second, MCAP write
/// throughput, viewer frames per second) as child processes of this bench, and writes one Markdown table — figure,
/// target, met or not, and the command that reproduces each figure — to <c>&lt;out&gt;/performance.md</c> and stdout.
/// Measures; asserts nothing (the exit code is 0 when everything ran, whatever the figures).
/// </summary>
internal static partial class PerformanceTable
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>A closed-loop row: scenario (relative to the repository), extra run options, and its real-time target.</summary>
    private sealed record LoopRow(string What, string Scenario, string[] Extra, double? TargetRealTime, string TargetNote);

    private static readonly LoopRow[] LoopRows =
    [
        new("3 trucks, ACC, perception off", "sim-bridge/scenarios/corridor-3-trucks-acc.yaml", [], 200, "perception off ≥ 200×"),
        new("3-truck platoon (CACC 0.3 s), perception off", "sim-bridge/scenarios/platoon-paf.yaml", [], 200, "perception off ≥ 200×"),
        new("3-truck platoon (CACC 0.3 s), perception on (lidar → ONNX detector → tracker)", "sim-bridge/scenarios/platoon-paf.yaml", ["--perception", "lidar"], 20, "perception-on 3-truck platoon ≥ 20×"),
        new("5-truck platoon (CACC 0.6 s), perception off", "sim-bridge/scenarios/platoon-sinusoid.yaml", [], 200, "perception off ≥ 200×"),
        new("5-truck platoon (CACC 0.6 s), perception on", "sim-bridge/scenarios/platoon-sinusoid.yaml", ["--perception", "lidar"], null, "—"),
        new("3 trucks + 100 background vehicles, embedded (IDM)", "sim-bridge/scenarios/bench/traffic-embedded-100.yaml", [], null, "—"),
        new("3 trucks + 300 background vehicles, embedded (IDM)", "sim-bridge/scenarios/bench/traffic-embedded-300.yaml", [], null, "—"),
        new("3 trucks + 100 background vehicles, SUMO", "sim-bridge/scenarios/bench/traffic-sumo-100.yaml", [], null, "—"),
        new("3 trucks + 300 background vehicles, SUMO", "sim-bridge/scenarios/bench/traffic-sumo-300.yaml", [], 5, "≥ 5× with ≥ 300 SUMO vehicles (issue 5)"),
    ];

    private const double OverheadTarget = 100; // µs per vehicle per step
    private const double McapTarget = 200; // MB/s
    private const double VerifyTarget = 5000; // verified PCMs per second per core
    private const double DetectorTarget = 10; // ms per frame
    private const double ViewerTarget = 60; // frames per second

    public static async Task<int> RunAsync(string repoRoot, string benchDll, string cli, string outDir, int runs)
    {
        outDir = Path.GetFullPath(outDir);
        Directory.CreateDirectory(outDir);
        var started = DateTime.UtcNow;
        var rows = new List<string>();
        var problems = new List<string>();
        string? corridorLog = null;
        double? corridorMbPerMinute = null;

        foreach (var row in LoopRows)
        {
            var samples = new List<RunSample>();
            for (var r = 0; r < runs; r++)
            {
                var name = Path.GetFileNameWithoutExtension(row.Scenario) + (row.Extra.Length > 0 ? "-" + string.Join("-", row.Extra.Select(a => a.TrimStart('-'))) : string.Empty);
                var runDir = Path.Combine(outDir, "runs", $"{name}-{r + 1}");
                var (code, stdout, stderr) = await ScenarioRun.RunAsync(cli, Path.Combine(repoRoot, row.Scenario), runDir, row.Extra);
                if (code is not (0 or 1) || !File.Exists(Path.Combine(runDir, "kpi.json")))
                {
                    problems.Add($"{row.What}: run {r + 1} exited {code}: {stderr.Trim()}");
                    continue;
                }

                var sample = RunSample.Read(Path.Combine(runDir, "kpi.json"), Path.Combine(repoRoot, row.Scenario), code);
                samples.Add(sample);
                if (row.Scenario.EndsWith("corridor-3-trucks-acc.yaml", StringComparison.Ordinal) && row.Extra.Length == 0)
                {
                    corridorLog = Path.Combine(runDir, "run.mcap");
                    corridorMbPerMinute = sample.LogMegabytesPerMinute;
                }
            }

            var command = $"`./automationstack run {row.Scenario}{(row.Extra.Length > 0 ? " " + string.Join(" ", row.Extra) : string.Empty)}`";
            if (samples.Count == 0)
            {
                rows.Add($"| {row.What} | {command} | did not run | {row.TargetNote} | — |");
                continue;
            }

            var rtf = Spread(samples.Select(s => s.RealTimeFactor), "F1", "×");
            var median = Median(samples.Select(s => s.RealTimeFactor));
            var met = row.TargetRealTime is { } t ? (median >= t ? "met" : "**missed**") : "—";
            var overhead = Median(samples.Select(s => s.OverheadPerStackVehicle));
            var worldVehicles = samples[0].WorldVehicles;
            var verdicts = samples.Select(s => s.Verdict).Distinct().ToArray();
            rows.Add(string.Create(Inv,
                $"| {row.What} | {command} | **{rtf}** real time; bridge overhead {overhead:F1} µs per stack truck per step ({overhead * samples[0].StackVehicles / worldVehicles:F2} µs per vehicle of {worldVehicles}) — {OverheadVerdict(overhead)}; peak RSS bridge {Median(samples.Select(s => s.BridgePeak)):F0} MB, largest vehicle process {Median(samples.Select(s => s.VehiclePeak)):F0} MB; log {Median(samples.Select(s => s.LogMegabytesPerMinute)):F1} MB per simulated minute; scenario {string.Join("/", verdicts)} | {row.TargetNote}; overhead ≤ {OverheadTarget:F0} µs | {met} |"));
            Console.Error.WriteLine(rows[^1]);
        }

        // Component benchmarks, each in its own process (as a user would run them).
        var perception = await BenchAsync(benchDll, ["perception", "--frames", "300", "--crops", "2000"]);
        var detector = DetectorLine().Match(perception);
        var classifier = ClassifierLine().Match(perception);
        rows.Add(detector.Success
            ? Row("ONNX lidar detector per frame (rasterise + ONNX Runtime + decode + NMS, one thread)", "`./automationstack bench perception`",
                $"**{detector.Groups[1].Value} ms** median, p95 {detector.Groups[2].Value} ms", $"≤ {DetectorTarget:F0} ms", Parse(detector.Groups[1].Value) <= DetectorTarget)
            : Failed("ONNX lidar detector per frame", "`./automationstack bench perception`", perception, problems));
        if (classifier.Success)
        {
            rows.Add(Row("ONNX traffic-light classifier per crop", "`./automationstack bench perception`",
                $"**{classifier.Groups[1].Value} ms** median, p95 {classifier.Groups[2].Value} ms", "≤ 1 ms", Parse(classifier.Groups[1].Value) <= 1));
        }

        var certtool = Path.Combine(repoRoot, "tools", "AutomationStack.CertTool", "bin", "Release", "net10.0", "certtool.dll");
        var security = await ProcessAsync("dotnet", ["exec", certtool, "bench", "--seconds", "3"]);
        var verify = VerifyLine().Match(security);
        var sign = SignLine().Match(security);
        rows.Add(verify.Success
            ? Row("signed PCMs verified per second (ECDSA P-256 verify + decode, one thread)", "`dotnet tools/AutomationStack.CertTool/bin/Release/net10.0/certtool.dll bench --seconds 3`",
                $"**{verify.Groups[1].Value} /s** (encode + sign {(sign.Success ? sign.Groups[1].Value : "?")} /s)", $"≥ {VerifyTarget:F0} /s per core", Parse(verify.Groups[1].Value) >= VerifyTarget)
            : Failed("signed PCMs verified per second", "`certtool bench`", security, problems));

        if (corridorLog is not null && File.Exists(corridorLog))
        {
            var mcap = await BenchAsync(benchDll, ["mcap", "--log", corridorLog]);
            var writer = McapWriterLine().Match(mcap);
            var disk = McapDiskLine().Match(mcap);
            rows.Add(writer.Success && disk.Success
                ? Row("MCAP write throughput (the default run's message mix)", "`./automationstack bench mcap --log <corridor-3-trucks-acc run>/run.mcap`",
                    $"**{disk.Groups[1].Value} MB/s** to a file with fsync; {writer.Groups[1].Value} MB/s writer only", $"≥ {McapTarget:F0} MB/s", Parse(disk.Groups[1].Value) >= McapTarget)
                : Failed("MCAP write throughput", "`bench mcap`", mcap, problems));
            rows.Add(Row("log size per simulated minute (default scenario, 3 trucks + 3 cars, uncompressed chunks)", "`./automationstack run sim-bridge/scenarios/corridor-3-trucks-acc.yaml` (kpi.json `log.bytes`)",
                string.Create(Inv, $"**{corridorMbPerMinute:F1} MB** per simulated minute (other rows: their own column)"), "—", null));
        }

        var viz = await BenchAsync(benchDll, ["viz"]);
        var render = VizLine().Match(viz);
        rows.Add(render.Success
            ? Row("replay viewer frames per second (1280×720, 100 vehicles, 30,000 lidar points, Mesa llvmpipe)", "`./automationstack bench viz`",
                $"**{render.Groups[2].Value} frames/s** (median {render.Groups[1].Value} ms per update + render; p95 {render.Groups[3].Value} frames/s)", $"≥ {ViewerTarget:F0} frames/s", Parse(render.Groups[2].Value) >= ViewerTarget)
            : Failed("replay viewer frames per second", "`./automationstack bench viz`", viz, problems));

        var text = new StringBuilder();
        text.AppendLine(Inv, $"Measured {started:yyyy-MM-dd HH:mm} UTC to {DateTime.UtcNow:HH:mm} UTC on {Machine()}, commit {Commit(repoRoot)}, load average at the start {LoadAverage()}; `./automationstack bench table{(runs > 1 ? $" --runs {runs}" : string.Empty)}` ({runs} run{(runs > 1 ? "s, median [min – max]" : string.Empty)} per closed-loop row; separate vehicle processes on the local drive lane, physics at 100 Hz).");
        text.AppendLine();
        text.AppendLine("| what | command | figure | target | met |");
        text.AppendLine("| --- | --- | --- | --- | --- |");
        foreach (var row in rows)
        {
            text.AppendLine(row);
        }

        if (problems.Count > 0)
        {
            text.AppendLine();
            text.AppendLine("Problems:");
            foreach (var problem in problems)
            {
                text.AppendLine("- " + problem);
            }
        }

        var path = Path.Combine(outDir, "performance.md");
        await File.WriteAllTextAsync(path, text.ToString());
        Console.WriteLine(text.ToString());
        Console.WriteLine($"written {path}");
        return problems.Count == 0 ? 0 : 3;
    }

    private static string OverheadVerdict(double overhead) => overhead <= OverheadTarget ? "within ≤ 100 µs" : "**over 100 µs**";

    private static string Row(string what, string command, string figure, string target, bool? met) =>
        $"| {what} | {command} | {figure} | {target} | {met switch { true => "met", false => "**missed**", null => "—" }} |";

    private static string Failed(string what, string command, string output, List<string> problems)
    {
        problems.Add($"{what}: no figure in the output of {command}: {output.Trim()}");
        return $"| {what} | {command} | did not run | — | — |";
    }

    private static double Parse(string value) => double.Parse(value, NumberStyles.Float, Inv);

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted[sorted.Length / 2];
    }

    private static string Spread(IEnumerable<double> values, string format, string unit)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 1
            ? sorted[0].ToString(format, Inv) + unit
            : $"{sorted[sorted.Length / 2].ToString(format, Inv)}{unit} [{sorted[0].ToString(format, Inv)} – {sorted[^1].ToString(format, Inv)}]";
    }

    private static Task<string> BenchAsync(string benchDll, string[] args) => ProcessAsync("dotnet", ["exec", benchDll, .. args]);

    private static async Task<string> ProcessAsync(string file, string[] args)
    {
        var start = new ProcessStartInfo(file) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        try
        {
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            Console.Error.WriteLine($"{string.Join(' ', args.Take(3))}: exit {process.ExitCode}");
            return await stdout + await stderr;
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            return $"could not start {file}: {ex.Message}";
        }
    }

    private static string Machine()
    {
        var cpu = File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal)) is { } line ? line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim() : "unknown CPU"
            : "unknown CPU";
        return string.Create(Inv, $"{cpu}, {Environment.ProcessorCount} cores, {GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024.0 * 1024 * 1024):F0} GiB, .NET {Environment.Version}, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}");
    }

    private static string LoadAverage()
    {
        try
        {
            return string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "unknown";
        }
    }

    private static string Commit(string repoRoot)
    {
        try
        {
            var head = File.ReadAllText(Path.Combine(repoRoot, ".git", "HEAD")).Trim();
            if (head.StartsWith("ref: ", StringComparison.Ordinal))
            {
                var refPath = Path.Combine(repoRoot, ".git", head[5..]);
                head = File.Exists(refPath) ? File.ReadAllText(refPath).Trim() : head[5..];
            }

            return head.Length >= 7 ? head[..7] : head;
        }
        catch (IOException)
        {
            return "unknown";
        }
    }

    [GeneratedRegex(@"detector \(rasterise \+ ONNX \+ decode \+ NMS\): median ([0-9.]+) ms, p95 ([0-9.]+) ms")]
    private static partial Regex DetectorLine();

    [GeneratedRegex(@"classifier \(normalise \+ ONNX \+ softmax\): median ([0-9.]+) ms, p95 ([0-9.]+) ms")]
    private static partial Regex ClassifierLine();

    [GeneratedRegex(@"verify\+decode:\s+([0-9]+) /s")]
    private static partial Regex VerifyLine();

    [GeneratedRegex(@"encode\+sign:\s+([0-9]+) /s")]
    private static partial Regex SignLine();

    [GeneratedRegex(@"writer only \(null stream\)\s+([0-9]+) MB/s")]
    private static partial Regex McapWriterLine();

    [GeneratedRegex(@"to a file, fsync at the end\s+([0-9]+) MB/s")]
    private static partial Regex McapDiskLine();

    [GeneratedRegex(@"update \+ render\s+median ([0-9.]+) ms \(([0-9]+) fps\), p95 [0-9.]+ ms \(([0-9]+) fps\)")]
    private static partial Regex VizLine();

    /// <summary>The figures of one run's kpi.json.</summary>
    private readonly record struct RunSample(
        double RealTimeFactor, double OverheadPerStackVehicle, double BridgePeak, double VehiclePeak,
        double LogMegabytesPerMinute, int StackVehicles, int WorldVehicles, string Verdict)
    {
        public static RunSample Read(string kpiPath, string scenarioPath, int exitCode)
        {
            using var kpi = JsonDocument.Parse(File.ReadAllText(kpiPath));
            var root = kpi.RootElement;
            var trucks = root.GetProperty("trucks");
            var vehiclePeak = trucks.EnumerateArray()
                .Select(t => t.GetProperty("process").GetProperty("peak_rss_mb"))
                .Where(p => p.ValueKind == JsonValueKind.Number)
                .Select(p => p.GetDouble())
                .DefaultIfEmpty(double.NaN)
                .Max();
            var simulated = root.GetProperty("simulated_time").GetDouble();
            var stack = trucks.GetArrayLength();
            // Background vehicles: SUMO's largest count, or the scenario's background vehicles.
            var background = root.TryGetProperty("sumo", out var sumo)
                ? sumo.GetProperty("max_background_vehicles").GetInt32()
                : AutomationStack.Scenarios.ScenarioLoader.Load(scenarioPath).Vehicles.Count(v => v.Role == AutomationStack.Scenarios.VehicleRole.Background);
            return new RunSample(
                root.GetProperty("real_time_factor").GetDouble(),
                root.GetProperty("bridge").GetProperty("overhead_us_per_vehicle_step").GetDouble(),
                root.GetProperty("bridge").GetProperty("peak_rss_mb").GetDouble(),
                vehiclePeak,
                root.GetProperty("log").GetProperty("bytes").GetInt64() / 1e6 / (simulated / 60),
                stack,
                stack + background,
                exitCode == 0 ? "passed" : "failed its criteria");
        }
    }
}
