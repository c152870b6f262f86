using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using AutomationStack.Bridge.Protocol;
using AutomationStack.Mcap;

namespace AutomationStack.Cli.Tests;

/// <summary>
/// The `run` command end to end, as a user runs it: a separate CLI process hosting the bridge, one OS process per
/// truck, real gRPC, the shipped default scenario. Three runs are shared by the tests of this fixture.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed partial class RunCommandEndToEndTests
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(4);
    private string _root = string.Empty;
    private ScenarioOutcome _first = null!;
    private ScenarioOutcome _second = null!;
    private ScenarioOutcome _otherSeed = null!;

    [OneTimeSetUp]
    public async Task RunDefaultScenarioThreeTimes()
    {
        _root = Path.Combine(Path.GetTempPath(), "as-e2e-" + Guid.NewGuid().ToString("N"));
        _first = await RunAsync("a");
        _second = await RunAsync("b");
        _otherSeed = await RunAsync("c", "--seed", "7", "--memory-log", Path.Combine(_root, "memory-c.csv"));
    }

    [OneTimeTearDown]
    public void Cleanup()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Test]
    public void Run_DefaultScenario_PassesWithoutCollision()
    {
        Assert.That(_first.ExitCode, Is.EqualTo(0), $"stdout:\n{_first.Stdout}\nstderr:\n{_first.Stderr}");
        using var kpi = JsonDocument.Parse(File.ReadAllText(_first.Kpi));
        var root = kpi.RootElement;
        Assert.That(root.GetProperty("passed").GetBoolean(), Is.True);
        Assert.That(root.GetProperty("collisions").GetInt32(), Is.Zero);
        var trucks = root.GetProperty("trucks");
        Assert.That(trucks.GetArrayLength(), Is.EqualTo(3));
        foreach (var truck in trucks.EnumerateArray())
        {
            Assert.That(truck.GetProperty("failed").GetBoolean(), Is.False);
            Assert.That(truck.GetProperty("missed_frames").GetInt32(), Is.Zero);
            Assert.That(truck.GetProperty("process").GetProperty("exit_code").GetInt32(), Is.Zero, "vehicle process exit code");
        }

        Assert.That(_first.Stdout, Does.Contain("PASS"));
    }

    [Test]
    public void Run_MemoryLog_WritesResidentSetsOfBridgeAndEveryTruck()
    {
        var lines = File.ReadAllLines(Path.Combine(_root, "memory-c.csv"));
        Assert.That(lines[0], Is.EqualTo("wall_s,sim_s,bridge_rss_mb,bridge_managed_heap_mb,bridge_gc_committed_mb,bridge_threads,truck1_rss_mb,truck2_rss_mb,truck3_rss_mb"));
        Assert.That(lines, Has.Length.GreaterThanOrEqualTo(2), "a first row at the start and a last one at the end");
        var rows = lines.Skip(1).Select(l => l.Split(',')).ToArray();
        Assert.That(rows, Has.All.Length.EqualTo(9));
        var bridge = rows.Select(r => double.Parse(r[2], System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        Assert.That(bridge.Min(), Is.GreaterThan(10.0), "bridge resident set, MB");
        Assert.That(bridge.Max(), Is.LessThan(2000.0), "bridge resident set, MB");
        var trucks = rows.SelectMany(r => r.Skip(6)).Where(c => c.Length > 0).Select(c => double.Parse(c, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        Assert.That(trucks, Is.Not.Empty, "vehicle processes' resident sets, MB (empty once a process has exited)");
        Assert.That(trucks.Min(), Is.GreaterThan(5.0), "vehicle processes' resident sets, MB");
        Assert.That(trucks.Max(), Is.LessThan(2000.0), "vehicle processes' resident sets, MB");
        var simulated = rows.Select(r => double.Parse(r[1], System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        Assert.That(simulated, Is.Ordered, "simulated time only advances");
    }

    [Test]
    public void Run_DefaultScenario_LogValidatesWithOurReader()
    {
        using var reader = McapReader.Open(_first.Recording);
        reader.Validate();
        var topics = new HashSet<string>();
        foreach (var channel in reader.Channels.Values)
        {
            topics.Add(channel.Topic);
        }

        Assert.That(topics, Is.SupersetOf(new[] { "/ground_truth", "/events", "/log", "/kpi", "/vehicle/truck1/frame", "/vehicle/truck3/command" }));
        foreach (var message in reader.ReadMessages())
        {
            Assert.That(message.LogTime, Is.GreaterThan(0UL));
        }
    }

    [Test]
    public async Task Run_DefaultScenario_LogValidatesWithMcapCore()
    {
        var validator = Path.Combine(CliProcess.RepoRoot, "tools", "mcap-validate", "validate.mjs");
        if (!File.Exists(Path.Combine(CliProcess.RepoRoot, "tools", "mcap-validate", "node_modules", "@mcap", "core", "package.json")))
        {
            Assert.Fail("@mcap/core is not installed: run `npm ci --prefix tools/mcap-validate` (the README's test command does it)");
        }

        using var node = CliProcess.Start("node", [validator, _first.Recording]);
        var code = await node.WaitAsync(TimeSpan.FromSeconds(120));
        Assert.That(code, Is.Zero, node.StandardOutput + node.StandardError);

        using var result = JsonDocument.Parse(node.StandardOutput.Trim().Split('\n')[^1]);
        Assert.That(result.RootElement.GetProperty("ok").GetBoolean(), Is.True);
        using var reader = McapReader.Open(_first.Recording);
        foreach (var (channelId, count) in reader.ChannelMessageCounts)
        {
            var topic = reader.Channels[channelId].Topic;
            Assert.That(result.RootElement.GetProperty("indexedCounts").GetProperty(topic).GetUInt64(), Is.EqualTo(count), $"indexed count of {topic}");
            Assert.That(result.RootElement.GetProperty("streamCounts").GetProperty(topic).GetUInt64(), Is.EqualTo(count), $"stream count of {topic}");
        }
    }

    [Test]
    public void Run_SameSeedTwice_ByteIdenticalLogs()
    {
        Assert.That(Sha256(_second.Recording), Is.EqualTo(Sha256(_first.Recording)));
    }

    [Test]
    public void Run_DifferentSeed_DifferentLog()
    {
        Assert.That(_otherSeed.ExitCode, Is.EqualTo(0).Or.EqualTo(1), _otherSeed.Stderr);
        Assert.That(Sha256(_otherSeed.Recording), Is.Not.EqualTo(Sha256(_first.Recording)));
    }

    [Test]
    public void Run_DefaultScenario_KpiRecordedInLogMatchesKpiJson()
    {
        using var reader = McapReader.Open(_first.Recording);
        var kpiMessages = reader.ReadMessages("/kpi").ToList();
        Assert.That(kpiMessages, Has.Count.EqualTo(1));
        var summary = KpiSummary.Parser.ParseFrom(kpiMessages[0].Data.Span);
        using var json = JsonDocument.Parse(File.ReadAllText(_first.Kpi));
        Assert.That(summary.Passed, Is.EqualTo(json.RootElement.GetProperty("passed").GetBoolean()));
        Assert.That(summary.Trucks, Has.Count.EqualTo(3));
    }

    [Test]
    public async Task Run_VehicleProcessKilled_TruckStopsSafelyAndRunGoesOn()
    {
        var outDir = Path.Combine(_root, "kill");
        using var cli = CliProcess.StartCli("run", CliProcess.DefaultScenario, "--out", outDir, "--duration", "200");
        foreach (var truck in new[] { "truck1", "truck2", "truck3" })
        {
            await cli.WaitForErrorTextAsync(truck + " attached", TimeSpan.FromSeconds(60));
        }

        var pid = int.Parse(PidPattern().Match(cli.StandardError).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        await Task.Delay(TimeSpan.FromSeconds(0.5));
        using (var victim = System.Diagnostics.Process.GetProcessById(pid))
        {
            Assert.That(victim.HasExited, Is.False, "truck2's process ended before it could be killed; the run was too short");
            victim.Kill(); // SIGKILL on Linux
        }

        var code = await cli.WaitAsync(RunTimeout);

        using var kpi = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "kpi.json")));
        var root = kpi.RootElement;
        var passed = root.GetProperty("passed").GetBoolean();
        Assert.That(code, Is.EqualTo(passed ? 0 : 1), "exit code follows the pass criteria\n" + cli.StandardOutput);
        Assert.That(root.GetProperty("collisions").GetInt32(), Is.Zero);
        var truck2 = root.GetProperty("trucks").EnumerateArray().Single(t => t.GetProperty("id").GetString() == "truck2");
        Assert.That(truck2.GetProperty("failed").GetBoolean(), Is.True);
        Assert.That(truck2.GetProperty("failure_time").GetDouble(), Is.LessThan(190), "killed well before the end");

        using var reader = McapReader.Open(Path.Combine(outDir, "run.mcap"));
        reader.Validate();
        var failedEvents = reader.ReadMessages("/events")
            .Select(m => RunEvent.Parser.ParseFrom(m.Data.Span))
            .Where(e => e.Kind == "vehicle_failed")
            .ToList();
        Assert.That(failedEvents.Select(e => e.VehicleId), Is.EqualTo(new[] { "truck2" }));

        var last = GroundTruth.Parser.ParseFrom(reader.ReadMessages("/ground_truth").Last().Data.Span);
        var t2 = last.Vehicles.Single(v => v.Id == "truck2");
        var t3 = last.Vehicles.Single(v => v.Id == "truck3");
        Assert.That(t2.Status, Is.EqualTo(VehicleStatus.Stopped));
        Assert.That(t2.Speed, Is.LessThan(0.1));
        Assert.That(t2.LaneId, Is.EqualTo("A1/0"), "stopped in its lane");
        Assert.That(Math.Abs(t2.Offset), Is.LessThan(0.5), "stopped near the lane centre");
        Assert.That(t3.S, Is.LessThan(t2.S), "the follower stayed behind the stopped truck");
    }

    [Test]
    public async Task Run_InProcessVehicles_SameLogAsSeparateProcesses()
    {
        var separate = Path.Combine(_root, "separate-20s");
        var inProcess = Path.Combine(_root, "in-process-20s");
        var (code1, _, err1) = await CliProcess.RunCliAsync(RunTimeout, "run", CliProcess.DefaultScenario, "--out", separate, "--duration", "20");
        var (code2, _, err2) = await CliProcess.RunCliAsync(RunTimeout, "run", CliProcess.DefaultScenario, "--out", inProcess, "--duration", "20", "--in-process");

        Assert.That(code1, Is.Zero, err1);
        Assert.That(code2, Is.Zero, err2);
        using var kpi = JsonDocument.Parse(File.ReadAllText(Path.Combine(inProcess, "kpi.json")));
        Assert.That(kpi.RootElement.GetProperty("trucks")[0].GetProperty("process").GetProperty("hosting").GetString(), Is.EqualTo("in-process"));
        Assert.That(Sha256(Path.Combine(inProcess, "run.mcap")), Is.EqualTo(Sha256(Path.Combine(separate, "run.mcap"))), "hosting must not change the result");
    }

    [Test]
    public async Task Run_GrpcDriveLane_SameLogAsLocalLane()
    {
        var local = Path.Combine(_root, "local-20s");
        var grpc = Path.Combine(_root, "grpc-20s");
        var (code1, _, err1) = await CliProcess.RunCliAsync(RunTimeout, "run", CliProcess.DefaultScenario, "--out", local, "--duration", "20");
        var (code2, _, err2) = await CliProcess.RunCliAsync(RunTimeout, "run", CliProcess.DefaultScenario, "--out", grpc, "--duration", "20", "--drive-lane", "grpc");

        Assert.That(code1, Is.Zero, err1);
        Assert.That(code2, Is.Zero, err2);
        using var localKpi = JsonDocument.Parse(File.ReadAllText(Path.Combine(local, "kpi.json")));
        using var grpcKpi = JsonDocument.Parse(File.ReadAllText(Path.Combine(grpc, "kpi.json")));
        Assert.That(localKpi.RootElement.GetProperty("drive_lane").GetString(), Is.EqualTo("local"));
        Assert.That(grpcKpi.RootElement.GetProperty("drive_lane").GetString(), Is.EqualTo("grpc"));
        Assert.That(Sha256(Path.Combine(grpc, "run.mcap")), Is.EqualTo(Sha256(Path.Combine(local, "run.mcap"))), "the lane must not change the result");
    }

    [Test]
    public async Task Run_RealtimeMode_PacedByWallClockAndNoTruckFails()
    {
        var dir = Path.Combine(_root, "realtime");
        Directory.CreateDirectory(dir);
        var scenario = Path.Combine(dir, "realtime.yaml");
        var mapPath = Path.Combine(CliProcess.RepoRoot, "sim-bridge", "maps", "corridor-a.yaml");
        var text = MapLine().Replace(File.ReadAllText(CliProcess.DefaultScenario), $"map: \"{mapPath}\"");
        File.WriteAllText(scenario, text.Replace("mode: lockstep", "mode: realtime", StringComparison.Ordinal));

        var (code, stdout, stderr) = await CliProcess.RunCliAsync(RunTimeout, "run", scenario, "--out", Path.Combine(dir, "out"), "--duration", "3");

        Assert.That(code, Is.Zero, stdout + stderr);
        using var kpi = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "out", "kpi.json")));
        Assert.That(kpi.RootElement.GetProperty("real_time_factor").GetDouble(), Is.LessThan(1.5), "paced by the wall clock");
        foreach (var truck in kpi.RootElement.GetProperty("trucks").EnumerateArray())
        {
            Assert.That(truck.GetProperty("failed").GetBoolean(), Is.False, truck.ToString());
        }
    }

    [TestCase("unknown-field", "colour")]
    [TestCase("wrong-type", "duration")]
    [TestCase("missing-map", "map")]
    [TestCase("negative-step", "step")]
    public async Task Run_BadScenario_ExitsTwoNamingTheFieldAndWritesNothing(string kind, string field)
    {
        var dir = Path.Combine(_root, "bad-" + kind);
        Directory.CreateDirectory(dir);
        var scenario = Path.Combine(dir, kind + ".yaml");
        File.WriteAllText(scenario, MakeBadScenario(kind));
        var outDir = Path.Combine(dir, "out");

        var (code, stdout, stderr) = await CliProcess.RunCliAsync(TimeSpan.FromSeconds(60), "run", scenario, "--out", outDir);

        Assert.That(code, Is.EqualTo(2), stdout + stderr);
        Assert.That(stderr, Does.Contain(field));
        Assert.That(stderr, Does.Contain(kind + ".yaml"));
        Assert.That(stderr, Does.Not.Contain("   at "), "no stack trace");
        Assert.That(stderr, Does.Not.Contain("Unhandled exception"));
        Assert.That(File.Exists(Path.Combine(outDir, "run.mcap")), Is.False);
        Assert.That(File.Exists(Path.Combine(outDir, "kpi.json")), Is.False);
        Assert.That(File.Exists(Path.Combine(outDir, "run.mcap.partial")), Is.False);
    }

    [TestCase("--duration", "-5", "--duration")]
    [TestCase("--seed", "minus-one", "--seed")]
    [TestCase("--drive-lane", "carrier-pigeon", "--drive-lane")]
    public async Task Run_BadArgument_ExitsTwoNamingTheOption(string option, string value, string named)
    {
        var (code, _, stderr) = await CliProcess.RunCliAsync(TimeSpan.FromSeconds(60), "run", CliProcess.DefaultScenario, option, value, "--out", Path.Combine(_root, "badarg"));

        Assert.That(code, Is.EqualTo(2));
        Assert.That(stderr, Does.Contain(named));
    }

    private static string MakeBadScenario(string kind)
    {
        var text = File.ReadAllText(CliProcess.DefaultScenario);
        var mapPath = Path.Combine(CliProcess.RepoRoot, "sim-bridge", "maps", "corridor-a.yaml");
        text = MapLine().Replace(text, $"map: \"{mapPath}\"");
        return kind switch
        {
            "unknown-field" => text + "\ncolour: red\n",
            "wrong-type" => DurationLine().Replace(text, string.Empty) + "\nduration: long\n",
            "missing-map" => MapLine().Replace(text, "map: ../maps/no-such-map.yaml"),
            "negative-step" => StepLine().Replace(text, string.Empty) + "\nstep: -0.01\n",
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
    }

    private async Task<ScenarioOutcome> RunAsync(string name, params string[] extra)
    {
        var outDir = Path.Combine(_root, name);
        var (code, stdout, stderr) = await CliProcess.RunCliAsync(RunTimeout, ["run", CliProcess.DefaultScenario, "--out", outDir, .. extra]);
        return new ScenarioOutcome(code, stdout, stderr, outDir);
    }

    private static string Sha256(string path) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)));

    [GeneratedRegex(@"started vehicle process truck2 \(pid (\d+)\)")]
    private static partial Regex PidPattern();

    [GeneratedRegex(@"^map:.*$", RegexOptions.Multiline)]
    private static partial Regex MapLine();

    [GeneratedRegex(@"^duration:.*$", RegexOptions.Multiline)]
    private static partial Regex DurationLine();

    [GeneratedRegex(@"^step:.*$", RegexOptions.Multiline)]
    private static partial Regex StepLine();
}
