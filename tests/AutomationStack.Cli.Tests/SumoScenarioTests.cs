using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using AutomationStack.Bridge.Protocol;
using AutomationStack.Mcap;

namespace AutomationStack.Cli.Tests;

/// <summary>
/// The SUMO backend closed loop through the CLI with a real SUMO: the port terminal (SUMO's AGVs and cars under lights
/// the stack's controllers drive) twice — it passes, the logs are byte-identical, no stack truck and no SUMO vehicle
/// crosses on red — and the corridor with more than 300 SUMO vehicles around three trucks.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class SumoScenarioTests
{
    private const string Port = "port-terminal-platoon-sumo";
    private const string PortAgain = "port-terminal-platoon-sumo-again";
    private const string Corridor = "corridor-sumo-traffic";
    private const string Program = "signals-sumo-program";

    /// <summary>The AGV lanes' stop line, m along the lane (map port-terminal.yaml).</summary>
    private const double AgvStopLineS = 73.5;

    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(4);

    private Dictionary<string, ScenarioOutcome> _runs = [];
    private string _root = string.Empty;

    [OneTimeSetUp]
    public async Task RunScenarios()
    {
        _root = Path.Combine(Path.GetTempPath(), "as-sumo-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_root);
        string Scenario(string name) => Path.Combine(CliProcess.RepoRoot, "sim-bridge", "scenarios", name + ".yaml");
        _runs = await ScenarioRuns.RunAllAsync(
            [(Port, ["run", Scenario(Port)]), (PortAgain, ["run", Scenario(Port)]),
             (Corridor, ["run", Scenario(Corridor), "--duration", "30"]), (Program, ["run", Scenario(Program)])], _root, 2, RunTimeout);
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
    public void Run_PortTerminalSumoTwice_PassesWithByteIdenticalLogs()
    {
        var first = _runs[Port];
        var second = _runs[PortAgain];
        Assert.That(first.ExitCode, Is.Zero, first.Describe());
        Assert.That(second.ExitCode, Is.Zero, second.Describe());

        Assert.That(Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(second.Recording))),
            Is.EqualTo(Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(first.Recording)))));
    }

    [Test]
    public void Run_PortTerminalSumo_PlatoonCrossesIntactOnGreenWithoutViolations()
    {
        var run = _runs[Port];
        Assert.That(run.ExitCode, Is.Zero, run.Describe());
        using var kpi = JsonDocument.Parse(File.ReadAllText(run.Kpi));
        var root = kpi.RootElement;
        foreach (var truck in root.GetProperty("signals").EnumerateArray())
        {
            var id = truck.GetProperty("vehicle").GetString();
            Assert.That(truck.GetProperty("crossings").GetInt32(), Is.EqualTo(3), id);
            Assert.That(truck.GetProperty("red_light_violations").GetInt32(), Is.Zero, id);
        }

        Assert.That(root.GetProperty("platoon_crossings").EnumerateArray().Count(c => c.GetProperty("intact").GetBoolean()), Is.EqualTo(3));
        Assert.That(root.GetProperty("collisions").GetInt32(), Is.Zero);
        var sumo = root.GetProperty("sumo");
        Assert.That(sumo.GetProperty("version").GetString(), Does.Contain("SUMO"));
        Assert.That(sumo.GetProperty("vehicles_departed").GetInt32(), Is.GreaterThan(12), "the AGVs and cars SUMO inserted");
    }

    [Test]
    public void Run_PortTerminalSumo_SumoAgvsCrossOnlyOnTheirGreen()
    {
        var truth = GroundTruths(_runs[Port]);
        var crossings = 0;
        var agvs = new HashSet<string>(StringComparer.Ordinal);
        for (var k = 1; k < truth.Count; k++)
        {
            foreach (var v in truth[k].Vehicles)
            {
                if (v.Kind != VehicleKind.Background || !v.LaneId.StartsWith('V') || v.Category != VehicleCategory.Agv)
                {
                    continue;
                }

                agvs.Add(v.Id);
                var before = truth[k - 1].Vehicles.FirstOrDefault(p => p.Id == v.Id);
                if (before is null || before.LaneId != v.LaneId)
                {
                    continue;
                }

                if (before.S + (before.Length / 2) < AgvStopLineS && v.S + (v.Length / 2) >= AgvStopLineS)
                {
                    crossings++;
                    var crossing = int.Parse(v.LaneId.AsSpan(1, 1), CultureInfo.InvariantCulture);
                    var group = truth[k].Intersections.Single(x => x.Id == (uint)crossing).Groups.Single(g => g.Id == 2);
                    Assert.That(group.State, Is.Not.EqualTo(SignalLampState.Red), $"{v.Id} on {v.LaneId} at {truth[k].StampNs / 1e9:F2} s");
                }
            }
        }

        Assert.That(agvs, Has.Count.GreaterThanOrEqualTo(12), "SUMO's AGVs are mirrored into the world");
        Assert.That(crossings, Is.GreaterThanOrEqualTo(6), "AGVs crossed T1");
    }

    [Test]
    public void Run_CorridorSumoTraffic_MoreThan300BackgroundVehiclesAroundThreeTrucks()
    {
        var run = _runs[Corridor];
        var truth = GroundTruths(run);
        var last = truth[^1];
        Assert.That(last.Vehicles.Count(v => v.Kind == VehicleKind.StackTruck), Is.EqualTo(3));
        Assert.That(truth.Skip(10).Min(g => g.Vehicles.Count(v => v.Kind == VehicleKind.Background)), Is.GreaterThanOrEqualTo(300));
        using var kpi = JsonDocument.Parse(File.ReadAllText(run.Kpi));
        Assert.That(kpi.RootElement.GetProperty("collisions").GetInt32(), Is.Zero);
        Assert.That(kpi.RootElement.GetProperty("sumo").GetProperty("max_background_vehicles").GetInt32(), Is.GreaterThanOrEqualTo(300));

        // Truck radar sees SUMO's vehicles: truck1 (behind traffic in its lane) reports a lead in its frames.
        using var reader = McapReader.Open(run.Recording);
        var frames = reader.ReadMessages("/vehicle/truck1/frame").Select(m => Frame.Parser.ParseFrom(m.Data.Span)).ToList();
        Assert.That(frames.Count(f => f.Radar.Count > 0), Is.GreaterThan(frames.Count / 2));
    }

    [Test]
    public void Run_SignalsSumoProgram_SpatFromSumoProgramAndNoViolation()
    {
        var run = _runs[Program];
        Assert.That(run.ExitCode, Is.Zero, run.Describe());
        using (var kpi = JsonDocument.Parse(File.ReadAllText(run.Kpi)))
        {
            foreach (var truck in kpi.RootElement.GetProperty("signals").EnumerateArray())
            {
                Assert.That(truck.GetProperty("crossings").GetInt32(), Is.EqualTo(1));
                Assert.That(truck.GetProperty("red_light_violations").GetInt32(), Is.Zero);
            }

            Assert.That(kpi.RootElement.GetProperty("roadside_units").EnumerateArray().Single().GetProperty("spat_sent").GetInt32(), Is.GreaterThan(600));
        }

        // SUMO's static program: each group's state changes exactly when the SPaT said it would (likely end, exact,
        // confidence 1), within one SUMO step.
        var truth = GroundTruths(run);
        var switches = 0;
        var seen = new HashSet<(uint, SignalLampState)>();
        for (var k = 1; k < truth.Count; k++)
        {
            var before = truth[k - 1].Intersections.Single();
            var now = truth[k].Intersections.Single();
            foreach (var g in now.Groups)
            {
                var previous = before.Groups.Single(p => p.Id == g.Id);
                seen.Add((g.Id, g.State));
                Assert.That(g.Confidence, Is.EqualTo(1.0), $"group {g.Id} at {truth[k].StampNs / 1e9:F2} s");
                Assert.That(g.MinEndNs, Is.EqualTo(g.LikelyEndNs).And.EqualTo(g.MaxEndNs));
                if (previous.State != g.State && truth[k].StampNs > 200_000_000)
                {
                    switches++;
                    Assert.That(Math.Abs(previous.LikelyEndNs - truth[k].StampNs), Is.LessThanOrEqualTo(100_000_000),
                        $"group {g.Id} switched {previous.State}→{g.State} at {truth[k].StampNs / 1e9:F2} s, announced {previous.LikelyEndNs / 1e9:F2} s");
                }
            }
        }

        // SUMO's default program for the crossing: B1 green 38 s, amber 7 s, then A1 green (from 45 s, past the 70 s run).
        Assert.That(switches, Is.GreaterThanOrEqualTo(3));
        Assert.That(seen, Has.Count.GreaterThanOrEqualTo(5), string.Join(", ", seen));
    }

    [Test]
    public async Task Run_SumoKilledDuringRun_ExitsWithRunErrorAndKeepsAReadableLog()
    {
        var outDir = Path.Combine(_root, "killed");
        using var cli = CliProcess.StartCli("run", Path.Combine(CliProcess.RepoRoot, "sim-bridge", "scenarios", Corridor + ".yaml"), "--out", outDir);
        await cli.WaitForErrorTextAsync(") coupled", RunTimeout);
        var line = cli.StandardError.Split('\n').First(l => l.Contains(") coupled", StringComparison.Ordinal));
        var pid = int.Parse(line[(line.IndexOf("(pid ", StringComparison.Ordinal) + 5)..line.IndexOf(") coupled", StringComparison.Ordinal)], CultureInfo.InvariantCulture);
        await cli.WaitForErrorTextAsync("real-time factor", RunTimeout);
        using (var sumo = System.Diagnostics.Process.GetProcessById(pid))
        {
            sumo.Kill();
        }

        var code = await cli.WaitAsync(RunTimeout);

        Assert.That(code, Is.EqualTo(3), cli.StandardError);
        Assert.That(cli.StandardError, Does.Contain("SUMO failed at"));
        using var reader = McapReader.Open(Path.Combine(outDir, "run.mcap"));
        reader.Validate();
        var events = reader.ReadMessages("/events").Select(m => RunEvent.Parser.ParseFrom(m.Data.Span)).ToList();
        Assert.That(events.Select(e => e.Kind), Does.Contain("backend_failure"));
        Assert.That(reader.ReadMessages("/ground_truth").Count(), Is.GreaterThan(1));
        using var kpi = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "kpi.json")));
        Assert.That(kpi.RootElement.GetProperty("backend_failure").GetString(), Does.Contain("SUMO failed"));
        Assert.That(kpi.RootElement.GetProperty("exit_code").GetInt32(), Is.EqualTo(3));
    }

    private static List<GroundTruth> GroundTruths(ScenarioOutcome run)
    {
        Assert.That(run.ExitCode, Is.Zero, run.Describe());
        using var reader = McapReader.Open(run.Recording);
        return [.. reader.ReadMessages("/ground_truth").Select(m => GroundTruth.Parser.ParseFrom(m.Data.Span))];
    }
}
