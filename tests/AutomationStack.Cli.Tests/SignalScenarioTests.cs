using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using AutomationStack.Bridge.Protocol;
using AutomationStack.Mcap;

namespace AutomationStack.Cli.Tests;

/// <summary>
/// The shipped traffic-light scenario (signals-actuated-corridor: a platoon through an actuated controller whose
/// roadside unit broadcasts SPaT and MAP) closed loop through the CLI, twice: it passes, its log is byte-identical,
/// the trucks verify the unit's messages, and the ground truth carries the controller's state every step.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class SignalScenarioTests
{
    private const string Scenario = "signals-actuated-corridor";
    private const string Again = "signals-actuated-corridor-again";
    private const string Glosa = "signals-glosa-fixed-time";
    private const string Port = "port-terminal-platoon";
    private const string NoGlosa = "signals-glosa-fixed-time-no-advice";
    private const double StopLineS = 882;
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(4);

    private Dictionary<string, ScenarioOutcome> _runs = [];
    private string _root = string.Empty;

    [OneTimeSetUp]
    public async Task RunScenario()
    {
        _root = Path.Combine(Path.GetTempPath(), "as-signals-" + Guid.NewGuid().ToString("N"));
        var path = Path.Combine(CliProcess.RepoRoot, "sim-bridge", "scenarios", Scenario + ".yaml");
        Directory.CreateDirectory(_root);
        var glosa = Path.Combine(CliProcess.RepoRoot, "sim-bridge", "scenarios", Glosa + ".yaml");

        // The no-advice baseline: the same file with signals.glosa = 0 on every truck (and the map path made absolute).
        var baseline = Path.Combine(_root, NoGlosa + ".yaml");
        var text = File.ReadAllText(glosa)
            .Replace("map: ../maps/", "map: " + Path.Combine(CliProcess.RepoRoot, "sim-bridge", "maps") + "/", StringComparison.Ordinal)
            .Replace("platoon.formed_index: 0}", "platoon.formed_index: 0, signals.glosa: 0}", StringComparison.Ordinal)
            .Replace("platoon.formed_index: 1}", "platoon.formed_index: 1, signals.glosa: 0}", StringComparison.Ordinal)
            .Replace("platoon.formed_index: 2}", "platoon.formed_index: 2, signals.glosa: 0}", StringComparison.Ordinal);
        File.WriteAllText(baseline, text);
        _runs = await ScenarioRuns.RunAllAsync(
            [(Scenario, ["run", path]), (Again, ["run", path]), (Glosa, ["run", glosa]), (NoGlosa, ["run", baseline]),
             (Port, ["run", Path.Combine(CliProcess.RepoRoot, "sim-bridge", "scenarios", Port + ".yaml")])], _root, 2, RunTimeout);
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
    public void Run_SignalsActuatedCorridorTwice_PassesWithByteIdenticalLogs()
    {
        var first = _runs[Scenario];
        var second = _runs[Again];
        Assert.That(first.ExitCode, Is.Zero, first.Describe());
        Assert.That(second.ExitCode, Is.Zero, second.Describe());

        Assert.That(Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(second.Recording))),
            Is.EqualTo(Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(first.Recording)))));
    }

    [Test]
    public void Run_SignalsActuatedCorridor_TrucksVerifyRoadsideUnitMessages()
    {
        var run = _runs[Scenario];
        using var kpi = JsonDocument.Parse(File.ReadAllText(run.Kpi));
        var unit = kpi.RootElement.GetProperty("roadside_units").EnumerateArray().Single();
        Assert.That(unit.GetProperty("station_id").GetInt64(), Is.EqualTo(1_000_001));
        Assert.That(unit.GetProperty("spat_sent").GetInt64(), Is.EqualTo(450), "10 Hz over 45 s");
        Assert.That(unit.GetProperty("map_sent").GetInt64(), Is.EqualTo(45), "1 Hz over 45 s");
        Assert.That(unit.GetProperty("requests_answered").GetInt64(), Is.EqualTo(1), "the leader's priority request");
        Assert.That(unit.GetProperty("priority_granted").GetInt64(), Is.EqualTo(1));
        foreach (var truck in kpi.RootElement.GetProperty("trucks").EnumerateArray())
        {
            var v2x = truck.GetProperty("v2x");
            var id = truck.GetProperty("id").GetString();
            Assert.That(v2x.GetProperty("accepted").GetInt64(), Is.GreaterThan(1000), id);
            foreach (var reason in v2x.GetProperty("dropped_by_reason").EnumerateObject())
            {
                // A SPaT heard before the unit's certificate (MAP, or one SPaT a second) cannot be verified yet.
                Assert.That(reason.Name, Is.EqualTo("UnknownSigner"), id);
                Assert.That(reason.Value.GetInt64(), Is.LessThanOrEqualTo(10), id);
            }
        }
    }

    [Test]
    public void Run_SignalsActuatedCorridor_GroundTruthHasControllerStateAndHeadsFollowIt()
    {
        var truth = GroundTruths(_runs[Scenario]);
        Assert.That(truth, Has.Count.EqualTo(4500));
        var greens = new List<(double Start, double End)>();
        double? greenStart = null;
        foreach (var gt in truth)
        {
            var x = gt.Intersections.Single();
            Assert.That(x.Id, Is.EqualTo(1u));
            var a1 = x.Groups.Single(g => g.Id == 1);
            Assert.That(a1.MinEndNs, Is.LessThanOrEqualTo(a1.LikelyEndNs).And.LessThanOrEqualTo(a1.MaxEndNs));
            Assert.That(gt.SignalHeads.Single(h => h.Id == "J1").Lamp, Is.EqualTo(a1.State), "J1 shows group 1");
            Assert.That(gt.SignalHeads.Single(h => h.Id == "J3").Lamp, Is.EqualTo(x.Groups.Single(g => g.Id == 2).State), "J3 shows group 2");
            var t = gt.StampNs / 1e9;
            // The state at a step's stamp holds from that stamp on: a green ends at the first stamp that is not green.
            if (a1.State == SignalLampState.Green && greenStart is null)
            {
                greenStart = greens.Count == 0 ? 0 : t;
            }
            else if (a1.State != SignalLampState.Green && greenStart is { } start)
            {
                greens.Add((start, t));
                greenStart = null;
            }
        }

        TestContext.Out.WriteLine("A1 greens: " + string.Join(", ", greens.Select(g => string.Create(CultureInfo.InvariantCulture, $"{g.Start:F2}–{g.End:F2} s"))));
        Assert.That(greens[0].End, Is.EqualTo(5).Within(0.011), "no vehicle on A1's loops before 5 s: gap-out at the minimum");
        Assert.That(greens[1].End - greens[1].Start, Is.GreaterThan(5.5).And.LessThan(40), "the platoon and the cars extend the second green past its 5 s minimum");
    }

    [Test]
    public void Run_SignalsActuatedCorridor_StopLineCrossingsCanBeClassifiedFromGroundTruth()
    {
        var truth = GroundTruths(_runs[Scenario]);
        var crossings = new List<string>();
        foreach (var id in new[] { "truck1", "truck2", "truck3" })
        {
            for (var k = 1; k < truth.Count; k++)
            {
                var before = truth[k - 1].Vehicles.Single(v => v.Id == id);
                var after = truth[k].Vehicles.Single(v => v.Id == id);
                var front = (before.S + (before.Length / 2), after.S + (after.Length / 2));
                if (after.LaneId == "A1/0" && front.Item1 < StopLineS && front.Item2 >= StopLineS)
                {
                    var state = truth[k].Intersections.Single().Groups.Single(g => g.Id == 1).State;
                    crossings.Add(string.Create(CultureInfo.InvariantCulture, $"{id} at {truth[k].StampNs / 1e9:F2} s on {state}"));
                    Assert.That(state, Is.Not.EqualTo(SignalLampState.Off));
                }
            }
        }

        TestContext.Out.WriteLine(string.Join("; ", crossings));
        Assert.That(crossings, Has.Count.EqualTo(3));
    }

    [Test]
    public void Run_SignalsActuatedCorridor_PlatoonObeysSignalAndPassesIntactWithPriority()
    {
        var run = _runs[Scenario];
        using var kpi = JsonDocument.Parse(File.ReadAllText(run.Kpi));
        foreach (var truck in kpi.RootElement.GetProperty("signals").EnumerateArray())
        {
            var id = truck.GetProperty("vehicle").GetString();
            Assert.That(truck.GetProperty("red_light_violations").GetInt32(), Is.Zero, id);
            Assert.That(truck.GetProperty("crossings").GetInt32(), Is.EqualTo(1), id);
        }

        var crossing = kpi.RootElement.GetProperty("platoon_crossings").EnumerateArray().Single();
        Assert.That(crossing.GetProperty("intact").GetBoolean(), Is.True, "the held green lets the whole platoon through");

        using var reader = McapReader.Open(run.Recording);
        var lines = reader.ReadMessages("/log").Select(m => LogLine.Parser.ParseFrom(m.Data.Span)).ToList();
        var leader = lines.Where(l => l.Source == "truck1").Select(l => l.Text).ToList();
        Assert.That(leader, Has.Some.StartsWith("signal approach intersection 1 group 1 lane A1/0"));
        Assert.That(leader, Has.Some.StartsWith("signal priority requested from intersection 1 group 1"));
        Assert.That(leader, Has.Some.StartsWith("signal priority Granted by intersection 1 group 1"));
        Assert.That(leader, Has.Some.StartsWith("platoon crossing PassIntact"));
        Assert.That(leader, Has.None.Contains("split"));
        foreach (var id in new[] { "truck2", "truck3" })
        {
            Assert.That(lines.Where(l => l.Source == id).Select(l => l.Text), Has.Some.StartsWith("signal red (spat)"), id);
        }
    }

    [Test]
    public void Run_GlosaFixedTime_NoStopsAndLessEnergyThanWithoutAdvice()
    {
        var with = _runs[Glosa];
        var without = _runs[NoGlosa];
        Assert.That(with.ExitCode, Is.Zero, with.Describe());
        using var a = JsonDocument.Parse(File.ReadAllText(with.Kpi));
        using var b = JsonDocument.Parse(File.ReadAllText(without.Kpi));
        var signalsWith = a.RootElement.GetProperty("signals").EnumerateArray().ToList();
        var signalsWithout = b.RootElement.GetProperty("signals").EnumerateArray().ToList();
        var energyWith = a.RootElement.GetProperty("trucks").EnumerateArray().Select(t => t.GetProperty("energy").GetProperty("traction_kwh_per_km").GetDouble()).ToList();
        var energyWithout = b.RootElement.GetProperty("trucks").EnumerateArray().Select(t => t.GetProperty("energy").GetProperty("traction_kwh_per_km").GetDouble()).ToList();
        TestContext.Out.WriteLine($"stops with GLOSA {string.Join("/", signalsWith.Select(s => s.GetProperty("stops").GetInt32()))}, without {string.Join("/", signalsWithout.Select(s => s.GetProperty("stops").GetInt32()))}; "
            + $"kWh/km with {string.Join("/", energyWith.Select(e => e.ToString("F3", CultureInfo.InvariantCulture)))}, without {string.Join("/", energyWithout.Select(e => e.ToString("F3", CultureInfo.InvariantCulture)))}");
        for (var i = 0; i < 3; i++)
        {
            Assert.That(signalsWith[i].GetProperty("red_light_violations").GetInt32(), Is.Zero);
            Assert.That(signalsWithout[i].GetProperty("red_light_violations").GetInt32(), Is.Zero, "without advice the trucks stop for the red");
            Assert.That(signalsWith[i].GetProperty("stops").GetInt32(), Is.Zero, "GLOSA: arrive as the green opens");
            Assert.That(signalsWithout[i].GetProperty("stops").GetInt32(), Is.EqualTo(1));
            Assert.That(energyWith[i], Is.LessThan(energyWithout[i]));
        }

        Assert.That(a.RootElement.GetProperty("platoon_crossings").EnumerateArray().Single().GetProperty("intact").GetBoolean(), Is.True);
    }

    [Test]
    public void Run_PortTerminalPlatoon_ThreeCrossingsOnGreenIntactWithAgvsShuttling()
    {
        var run = _runs[Port];
        Assert.That(run.ExitCode, Is.Zero, run.Describe());
        using var kpi = JsonDocument.Parse(File.ReadAllText(run.Kpi));
        foreach (var truck in kpi.RootElement.GetProperty("signals").EnumerateArray())
        {
            var id = truck.GetProperty("vehicle").GetString();
            Assert.That(truck.GetProperty("crossings").GetInt32(), Is.EqualTo(3), id);
            Assert.That(truck.GetProperty("red_light_violations").GetInt32(), Is.Zero, id);
        }

        var crossings = kpi.RootElement.GetProperty("platoon_crossings").EnumerateArray().ToList();
        Assert.That(crossings, Has.Count.EqualTo(3));
        Assert.That(crossings.Count(c => c.GetProperty("intact").GetBoolean()), Is.GreaterThanOrEqualTo(3), "platoon intact at every crossing");
        Assert.That(kpi.RootElement.GetProperty("roadside_units").EnumerateArray().Sum(u => u.GetProperty("priority_granted").GetInt32()), Is.EqualTo(3));

        // The AGVs shuttle: each wraps from the end of its 160 m lane to its start at least once, and every one of them
        // crosses T1 only on its own group's green (their stop lines are in the ground truth's controller state).
        var truth = GroundTruths(run);
        var wrapped = new HashSet<string>(StringComparer.Ordinal);
        for (var k = 1; k < truth.Count; k++)
        {
            foreach (var v in truth[k].Vehicles.Where(v => v.Id.StartsWith("agv", StringComparison.Ordinal)))
            {
                var before = truth[k - 1].Vehicles.Single(p => p.Id == v.Id);
                if (v.S < before.S - 50)
                {
                    wrapped.Add(v.Id);
                }

                var stopLine = 73.5;
                if (before.S + (before.Length / 2) < stopLine && v.S + (v.Length / 2) >= stopLine)
                {
                    var crossing = int.Parse(v.LaneId.AsSpan(1, 1), CultureInfo.InvariantCulture);
                    var group = truth[k].Intersections.Single(x => x.Id == (uint)crossing).Groups.Single(g => g.Id == 2);
                    Assert.That(group.State, Is.Not.EqualTo(SignalLampState.Red), $"{v.Id} at {truth[k].StampNs / 1e9:F2} s");
                }
            }
        }

        Assert.That(wrapped, Has.Count.EqualTo(12));
    }

    private static List<GroundTruth> GroundTruths(ScenarioOutcome run)
    {
        Assert.That(run.ExitCode, Is.Zero, run.Describe());
        using var reader = McapReader.Open(run.Recording);
        return [.. reader.ReadMessages("/ground_truth").Select(m => GroundTruth.Parser.ParseFrom(m.Data.Span))];
    }
}
