using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;

// Benchmark of a closed-loop run with separate processes: runs `automationstack run <scenario>` as a child process
// N times per drive lane (local, then grpc, interleaved so that machine noise hits both alike) and reports real-time
// factor, bridge per-step overhead per vehicle, and peak memory of every process.
// Usage: AutomationStack.Bench [--scenario <file>] [--runs N] [--out <dir>] [--lanes local,grpc]
//        AutomationStack.Bench string-stability [--out <dir>]   (the sinusoid CACC/ACC table of docs/platooning.md)
//        AutomationStack.Bench platoon-scenarios [--out <dir>]  (one row per shipped platoon scenario)
//        AutomationStack.Bench perception-scenarios [--out <dir>]  (every shipped scenario with --perception lidar)
//        AutomationStack.Bench lidar [--scans N] [--vehicles N]  (ms per lidar scan, in process)
//        AutomationStack.Bench perception [--frames N] [--crops N]  (detector ms per frame, classifier ms per crop)
//        AutomationStack.Bench camera [--frames N] [--vehicles N] [--size WxH] [--fov DEG]  (ms per camera image, in process)
//        AutomationStack.Bench traci [--vehicles N] [--steps N] [--seed N]  (SUMO over TraCI: subscriptions vs. getters)
//        AutomationStack.Bench viz [--frames N] [--vehicles N] [--points N] [--size WxH]  (headless replay frames: fps)
//        AutomationStack.Bench mcap --log <run.mcap> [--seconds S]  (MCAP write throughput, MB/s)
//        AutomationStack.Bench table [--runs N] [--out <dir>]  (the README's performance table: every figure, target and command)
//        AutomationStack.Bench soak [--scenario <file>] [--duration S] [--warmup S] [--out <dir>] [--analyse-only]  (memory flat, no late frames, valid log)
var inv = CultureInfo.InvariantCulture;
if (args.Length > 0 && args[0] == "table")
{
    var tableRuns = 1;
    var tableOutDir = Path.Combine("out", "bench", "table");
    for (var i = 1; i < args.Length; i++)
    {
        switch (args[i])
        {
            case "--runs" when i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.None, inv, out var tr) && tr is > 0 and <= 20:
                tableRuns = tr;
                i++;
                break;
            case "--out" when i + 1 < args.Length:
                tableOutDir = args[++i];
                break;
            default:
                Console.Error.WriteLine($"bench table: bad argument '{args[i]}'\nusage: bench table [--runs 1..20] [--out <dir>]");
                return 2;
        }
    }

    return await PerformanceTable.RunAsync(
        FindRepoRoot(),
        Path.Combine(AppContext.BaseDirectory, "AutomationStack.Bench.dll"),
        Path.Combine(AppContext.BaseDirectory, "automationstack.dll"),
        tableOutDir,
        tableRuns);
}

if (args.Length > 0 && args[0] == "soak")
{
    var soakScenario = Path.Combine(FindRepoRoot(), "sim-bridge", "scenarios", "soak", "soak-5-trucks-2h.yaml");
    double? soakDuration = null;
    var soakWarmup = 600.0;
    var soakOut = Path.Combine("out", "bench", "soak");
    var soakAnalyseOnly = false;
    for (var i = 1; i < args.Length; i++)
    {
        switch (args[i])
        {
            case "--scenario" when i + 1 < args.Length:
                soakScenario = args[++i];
                break;
            case "--duration" when i + 1 < args.Length && double.TryParse(args[i + 1], NumberStyles.Float, inv, out var sd) && sd > 0:
                soakDuration = sd;
                i++;
                break;
            case "--warmup" when i + 1 < args.Length && double.TryParse(args[i + 1], NumberStyles.Float, inv, out var sw) && sw >= 0:
                soakWarmup = sw;
                i++;
                break;
            case "--out" when i + 1 < args.Length:
                soakOut = args[++i];
                break;
            case "--analyse-only":
                soakAnalyseOnly = true;
                break;
            default:
                Console.Error.WriteLine($"bench soak: bad argument '{args[i]}'\nusage: bench soak [--scenario <file>] [--duration S>0] [--warmup S>=0] [--out <dir>] [--analyse-only]");
                return 2;
        }
    }

    if (!File.Exists(soakScenario))
    {
        Console.Error.WriteLine($"bench soak: scenario file not found: {soakScenario}");
        return 2;
    }

    return await SoakBench.RunAsync(FindRepoRoot(), Path.Combine(AppContext.BaseDirectory, "automationstack.dll"), soakScenario, soakDuration, soakWarmup, soakOut, soakAnalyseOnly);
}

if (args.Length > 0 && args[0] == "mcap")
{
    string? mcapLog = null;
    var mcapSeconds = 3.0;
    for (var i = 1; i < args.Length; i++)
    {
        switch (args[i])
        {
            case "--log" when i + 1 < args.Length:
                mcapLog = args[++i];
                break;
            case "--seconds" when i + 1 < args.Length && double.TryParse(args[i + 1], NumberStyles.Float, inv, out var sec) && sec > 0 && sec <= 600:
                mcapSeconds = sec;
                i++;
                break;
            default:
                Console.Error.WriteLine($"bench mcap: unknown or invalid argument '{args[i]}' (usage: bench mcap --log <run.mcap> [--seconds S])");
                return 2;
        }
    }

    if (mcapLog is null)
    {
        Console.Error.WriteLine("bench mcap: --log <run.mcap> is required (a real run's log supplies the message mix)");
        return 2;
    }

    return McapBench.Run(mcapLog, mcapSeconds, Console.Out);
}

if (args.Length > 0 && args[0] == "viz")
{
    var vizFrames = 300;
    var vizVehicles = 100;
    var vizPoints = 30_000;
    var (vizWidth, vizHeight) = (1280, 720);
    for (var i = 1; i < args.Length; i++)
    {
        switch (args[i])
        {
            case "--frames" when i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.None, inv, out var n) && n > 0:
                vizFrames = n;
                i++;
                break;
            case "--vehicles" when i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.None, inv, out var v) && v >= 3 && v <= 2000:
                vizVehicles = v;
                i++;
                break;
            case "--points" when i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.None, inv, out var p) && p >= 0 && p <= 1_000_000:
                vizPoints = p;
                i++;
                break;
            case "--size" when i + 1 < args.Length && args[i + 1].Split('x') is [var w, var h]
                && int.TryParse(w, NumberStyles.None, inv, out var pw) && int.TryParse(h, NumberStyles.None, inv, out var ph)
                && pw is >= 16 and <= 4096 && ph is >= 16 and <= 4096:
                (vizWidth, vizHeight) = (pw, ph);
                i++;
                break;
            default:
                Console.Error.WriteLine($"bench viz: bad argument '{args[i]}'\nusage: bench viz [--frames N>0] [--vehicles 3..2000] [--points 0..1000000] [--size WxH (16..4096)]");
                return 2;
        }
    }

    var vizMap = AutomationStack.RoadMap.MapFile.Load(Path.Combine(FindRepoRoot(), "sim-bridge", "maps", "corridor-a.yaml"));
    try
    {
        return AutomationStack.Visualizer.VizBenchmark.Run(
            AutomationStack.Visualizer.Model.RoadLayoutBuilder.FromNetwork(vizMap), vizFrames, vizVehicles, vizPoints, vizWidth, vizHeight, Console.Out);
    }
    catch (AutomationStack.Visualizer.Native.GlUnavailableException ex)
    {
        Console.Error.WriteLine($"bench viz: no OpenGL: {ex.Message}");
        return 4;
    }
}

if (args.Length > 0 && args[0] == "perception")
{
    var frames = 300;
    var crops = 2000;
    for (var i = 1; i < args.Length; i++)
    {
        switch (args[i])
        {
            case "--frames" when i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.None, inv, out var n) && n > 0:
                frames = n;
                i++;
                break;
            case "--crops" when i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.None, inv, out var c) && c > 0:
                crops = c;
                i++;
                break;
            default:
                Console.Error.WriteLine($"bench perception: bad argument '{args[i]}'\nusage: bench perception [--frames N>0] [--crops N>0]");
                return 2;
        }
    }

    return PerceptionBench.Run(FindRepoRoot(), frames, crops);
}

if (args.Length > 0 && args[0] == "camera")
{
    var cameraFrames = 200;
    var cameraVehicles = 30;
    int? width = null;
    int? height = null;
    double? fov = null;
    for (var i = 1; i < args.Length; i++)
    {
        switch (args[i])
        {
            case "--frames" when i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.None, inv, out var n) && n > 0:
                cameraFrames = n;
                i++;
                break;
            case "--vehicles" when i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.None, inv, out var v) && v >= 3 && v <= 200:
                cameraVehicles = v;
                i++;
                break;
            case "--size" when i + 1 < args.Length && args[i + 1].Split('x') is [var w, var h]
                && int.TryParse(w, NumberStyles.None, inv, out var wi) && int.TryParse(h, NumberStyles.None, inv, out var hi) && wi >= 16 && hi >= 16 && wi <= 4096 && hi <= 4096:
                (width, height) = (wi, hi);
                i++;
                break;
            case "--fov" when i + 1 < args.Length && double.TryParse(args[i + 1], NumberStyles.Float, inv, out var d) && d > 1 && d < 170:
                fov = d;
                i++;
                break;
            default:
                Console.Error.WriteLine($"bench camera: bad argument '{args[i]}'\nusage: bench camera [--frames N>0] [--vehicles 3..200] [--size WxH (16..4096)] [--fov DEG (1..170)]");
                return 2;
        }
    }

    return CameraBench.Run(FindRepoRoot(), cameraFrames, cameraVehicles, width, height, fov);
}

if (args.Length > 0 && args[0] == "traci")
{
    var traciVehicles = 300;
    var traciSteps = 300;
    var traciSeed = 42;
    for (var i = 1; i < args.Length; i++)
    {
        switch (args[i])
        {
            case "--vehicles" when i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.None, inv, out var v) && v >= 1 && v <= 1000:
                traciVehicles = v;
                i++;
                break;
            case "--steps" when i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.None, inv, out var n) && n >= 10 && n <= 400:
                traciSteps = n;
                i++;
                break;
            case "--seed" when i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.None, inv, out var s):
                traciSeed = s;
                i++;
                break;
            default:
                Console.Error.WriteLine($"bench traci: bad argument '{args[i]}'\nusage: bench traci [--vehicles 1..1000] [--steps 10..400] [--seed N]");
                return 2;
        }
    }

    return TraciBench.Run(traciVehicles, traciSteps, traciSeed);
}

if (args.Length > 0 && args[0] == "lidar")
{
    var scans = 500;
    var vehicleCount = 30;
    for (var i = 1; i < args.Length; i++)
    {
        switch (args[i])
        {
            case "--scans" when i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.None, inv, out var n) && n > 0:
                scans = n;
                i++;
                break;
            case "--vehicles" when i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.None, inv, out var v) && v >= 3 && v <= 200:
                vehicleCount = v;
                i++;
                break;
            default:
                Console.Error.WriteLine($"bench lidar: bad argument '{args[i]}'\nusage: bench lidar [--scans N>0] [--vehicles 3..200]");
                return 2;
        }
    }

    return LidarBench.Run(FindRepoRoot(), scans, vehicleCount);
}

if (args.Length > 0 && args[0] is "string-stability" or "platoon-scenarios" or "perception-scenarios")
{
    var tableOut = args.Length == 3 && args[1] == "--out" ? args[2] : Path.Combine("out", "bench", args[0]);
    if (args.Length is not (1 or 3) || (args.Length == 3 && args[1] != "--out"))
    {
        Console.Error.WriteLine($"usage: bench {args[0]} [--out <dir>]");
        return 2;
    }

    var cliDll = Path.Combine(AppContext.BaseDirectory, "automationstack.dll");
    return args[0] switch
    {
        "string-stability" => await StringStabilityTable.RunAsync(FindRepoRoot(), cliDll, tableOut),
        "perception-scenarios" => await PerceptionScenarioTable.RunAsync(FindRepoRoot(), cliDll, tableOut),
        _ => await PlatoonScenarioTable.RunAsync(FindRepoRoot(), cliDll, tableOut),
    };
}

string? scenario = null;
var runs = 5;
var outRoot = Path.Combine("out", "bench");
string[] lanes = ["local", "grpc"];
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--scenario" when i + 1 < args.Length:
            scenario = args[++i];
            break;
        case "--runs" when i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.None, inv, out var n) && n > 0:
            runs = n;
            i++;
            break;
        case "--out" when i + 1 < args.Length:
            outRoot = args[++i];
            break;
        case "--lanes" when i + 1 < args.Length && args[i + 1].Split(',').All(l => l is "local" or "grpc"):
            lanes = args[++i].Split(',');
            break;
        default:
            Console.Error.WriteLine($"bench: bad argument '{args[i]}'\nusage: bench [--scenario <file>] [--runs N>0] [--out <dir>] [--lanes local,grpc]");
            return 2;
    }
}

scenario ??= Path.Combine(FindRepoRoot(), "sim-bridge", "scenarios", "corridor-3-trucks-acc.yaml");
var cli = Path.Combine(AppContext.BaseDirectory, "automationstack.dll");
var samples = lanes.ToDictionary(l => l, _ => new List<Sample>());
for (var r = 0; r < runs; r++)
{
    foreach (var lane in lanes)
    {
        var outDir = Path.GetFullPath(Path.Combine(outRoot, $"{lane}-{r + 1}"));
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "exec", cli, "run", scenario, "--out", outDir, "--quiet", "--drive-lane", lane })
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode is not (0 or 1))
        {
            Console.Error.WriteLine($"bench: {lane} run {r + 1} exited {process.ExitCode}\n{await stdout}\n{await stderr}");
            return 3;
        }

        using var kpi = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(outDir, "kpi.json")));
        var root = kpi.RootElement;
        var bridge = root.GetProperty("bridge");
        var vehiclePeaks = new List<double>();
        foreach (var truck in root.GetProperty("trucks").EnumerateArray())
        {
            if (truck.GetProperty("process").GetProperty("peak_rss_mb") is { ValueKind: JsonValueKind.Number } peak)
            {
                vehiclePeaks.Add(peak.GetDouble());
            }
        }

        var sample = new Sample(
            root.GetProperty("real_time_factor").GetDouble(),
            root.GetProperty("wall_time").GetDouble(),
            bridge.GetProperty("overhead_us_per_vehicle_step").GetDouble(),
            bridge.GetProperty("exchange_us_per_vehicle_frame").GetDouble(),
            bridge.GetProperty("physics_us_per_step").GetDouble(),
            bridge.GetProperty("recording_us_per_step").GetDouble(),
            bridge.GetProperty("peak_rss_mb").GetDouble(),
            vehiclePeaks.Count > 0 ? vehiclePeaks.Max() : double.NaN,
            root.GetProperty("simulated_time").GetDouble(),
            root.GetProperty("trucks").GetArrayLength());
        samples[lane].Add(sample);
        Console.Error.WriteLine(string.Create(inv, $"{lane} lane, run {r + 1}/{runs}: real-time factor {sample.RealTimeFactor:F1}×, overhead {sample.OverheadPerVehicleStep:F1} µs/vehicle/step, bridge {sample.BridgePeakMegabytes:F0} MB, vehicle ≤ {sample.VehiclePeakMegabytes:F0} MB"));
    }
}

var report = new StringBuilder();
report.AppendLine(inv, $"machine: {CpuModel()}, {Environment.ProcessorCount} cores, {TotalMemoryGiB():F0} GiB, .NET {Environment.Version}, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}");
var first = samples[lanes[0]][0];
report.AppendLine(inv, $"scenario: {Path.GetFileName(scenario)} ({first.Trucks} vehicle processes, {first.SimulatedTime:F0} s simulated), {runs} runs per drive lane; median [min – max]");
report.AppendLine();
report.AppendLine(inv, $"| metric | {string.Join(" | ", lanes.Select(l => l + " lane"))} | target |");
report.AppendLine(inv, $"| --- |{string.Concat(Enumerable.Repeat(" --- |", lanes.Length))} --- |");
Row("real-time factor, separate vehicle processes", s => s.RealTimeFactor, "F1", "×", "≥ 50");
Row("bridge overhead per vehicle per step (loop − physics − waiting on vehicles)", s => s.OverheadPerVehicleStep, "F1", " µs", "≤ 100 µs");
Row("frame→command round trip per vehicle frame (incl. vehicle compute)", s => s.ExchangePerVehicleFrame, "F1", " µs", "—");
Row("physics per step (all vehicles)", s => s.PhysicsPerStep, "F1", " µs", "—");
Row("ground truth + KPI + recording per step", s => s.RecordingPerStep, "F1", " µs", "—");
Row("peak RSS, bridge process (CLI hosting it)", s => s.BridgePeakMegabytes, "F0", " MB", "≤ 300 MB");
Row("peak RSS, largest vehicle process", s => s.VehiclePeakMegabytes, "F0", " MB", "≤ 200 MB");
Row("wall time per run", s => s.WallSeconds, "F2", " s", "—");
Console.WriteLine(report.ToString());
return 0;

void Row(string name, Func<Sample, double> pick, string format, string unit, string target)
{
    var cells = lanes.Select(lane =>
    {
        var values = samples[lane].Select(pick).Order().ToArray();
        var median = values[values.Length / 2];
        return $"{median.ToString(format, inv)}{unit} [{values[0].ToString(format, inv)} – {values[^1].ToString(format, inv)}]";
    });
    report.AppendLine(inv, $"| {name} | {string.Join(" | ", cells)} | {target} |");
}

static string FindRepoRoot()
{
    var dir = new DirectoryInfo(AppContext.BaseDirectory);
    while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "AutomationStack.sln")))
    {
        dir = dir.Parent;
    }

    return dir?.FullName ?? Directory.GetCurrentDirectory();
}

static string CpuModel()
{
    try
    {
        foreach (var line in File.ReadLines("/proc/cpuinfo"))
        {
            if (line.StartsWith("model name", StringComparison.Ordinal))
            {
                return line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
            }
        }
    }
    catch (IOException)
    {
    }

    return "unknown CPU";
}

static double TotalMemoryGiB() => GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024.0 * 1024 * 1024);

internal readonly record struct Sample(
    double RealTimeFactor,
    double WallSeconds,
    double OverheadPerVehicleStep,
    double ExchangePerVehicleFrame,
    double PhysicsPerStep,
    double RecordingPerStep,
    double BridgePeakMegabytes,
    double VehiclePeakMegabytes,
    double SimulatedTime,
    int Trucks);
