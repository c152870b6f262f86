using System.Globalization;
using System.Text.Json;
using AutomationStack.Bridge.Protocol;
using AutomationStack.Mcap;

namespace AutomationStack.Cli.Tests;

/// <summary>
/// The shipped platooning scenarios closed loop through the CLI (bridge process + one process per truck): each must
/// exit 0 (its pass criteria hold) with no collision, and show its platooning behaviour in the log — the platoon
/// diagnostics of the `/vehicle/&lt;id&gt;/command` topic and the vehicles' log lines on `/log`. The runs are
/// started together (two at a time) and shared by the tests.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class PlatoonScenarioTests
{
    private const double Step = 0.01;
    private const int ParallelRuns = 2;
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(4);

    private static readonly string[] Scenarios =
    [
        "platoon-sinusoid",
        "platoon-hard-braking",
        "platoon-join-back",
        "platoon-merge",
        "platoon-cut-in",
        "platoon-v2v-loss",
        "platoon-random-loss",
        "platoon-latency-300ms",
        "platoon-paf",
    ];

    private const string RepeatedRun = "platoon-random-loss-again";

    private Dictionary<string, ScenarioOutcome> _runs = [];
    private string _root = string.Empty;

    /// <summary>One platoon diagnostics sample of a truck's command, at simulated time <see cref="Time"/> s.</summary>
    private sealed record Sample(double Time, string State, string Role, string Mode, uint PlatoonId, int Index, double TimeGap);

    [OneTimeSetUp]
    public async Task RunAllScenarios()
    {
        _root = Path.Combine(Path.GetTempPath(), "as-platoon-" + Guid.NewGuid().ToString("N"));
        // platoon-random-loss runs twice: signed V2X, random loss and jitter must still give a byte-identical log.
        var runs = Scenarios.Append(RepeatedRun).Select(name => (name, new[]
        {
            "run",
            Path.Combine(CliProcess.RepoRoot, "sim-bridge", "scenarios", (name == RepeatedRun ? "platoon-random-loss" : name) + ".yaml"),
        }));
        _runs = await ScenarioRuns.RunAllAsync(runs, _root, ParallelRuns, RunTimeout);
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
    public void Run_PlatoonScenarioWithSignedV2xAndLossTwice_ByteIdenticalLogs()
    {
        var first = _runs["platoon-random-loss"];
        var second = _runs[RepeatedRun];
        Assert.That(first.ExitCode, Is.Zero, first.Describe());
        Assert.That(second.ExitCode, Is.Zero, second.Describe());

        Assert.That(
            Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(second.Recording))),
            Is.EqualTo(Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(first.Recording)))));
    }

    [TestCaseSource(nameof(Scenarios))]
    public void Run_PlatoonScenario_PassesWithoutCollision(string name)
    {
        var run = _runs[name];
        Assert.That(run.ExitCode, Is.EqualTo(0), run.Describe());
        using var kpi = JsonDocument.Parse(File.ReadAllText(run.Kpi));
        var root = kpi.RootElement;
        Assert.That(root.GetProperty("passed").GetBoolean(), Is.True);
        Assert.That(root.GetProperty("collisions").GetInt32(), Is.Zero);
        foreach (var truck in root.GetProperty("trucks").EnumerateArray())
        {
            Assert.That(truck.GetProperty("failed").GetBoolean(), Is.False, truck.GetProperty("id").GetString());
            TestContext.Out.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"{name} {truck.GetProperty("id").GetString()}: min gap {Number(truck, "min_distance")} m, min time gap {Number(truck, "min_time_gap")} s"));
        }
    }

    [Test]
    public void Run_Sinusoid_FollowersStayInCacc()
    {
        var run = Passed("platoon-sinusoid");
        foreach (var id in new[] { "truck2", "truck3", "truck4", "truck5" })
        {
            var samples = Platoon(run, id).Where(s => s.Time >= 1).ToList();
            Assert.That(samples, Is.Not.Empty);
            Assert.That(samples.All(s => s is { Mode: "Cacc", Role: "Follower", PlatoonId: 1 }), Is.True, $"{id} left CACC");
        }
    }

    [Test]
    public void Run_HardBraking_EveryFollowerBrakesInEmergencyModeWithinHalfASecond()
    {
        const double brakeAt = 15;
        var run = Passed("platoon-hard-braking");
        Assert.That(FirstTime(Platoon(run, "truck1"), s => s.Mode == "Emergency", brakeAt), Is.Not.Null, "the leader's own emergency");
        var previous = brakeAt;
        foreach (var id in new[] { "truck2", "truck3", "truck4", "truck5" })
        {
            var t = FirstTime(Platoon(run, id), s => s.Mode == "Emergency", brakeAt);
            Assert.That(t, Is.Not.Null, $"{id} never in Emergency");
            Report($"hard-braking {id}: Emergency {t!.Value - brakeAt:0.000} s after the leader's brake");
            Assert.That(t.Value, Is.GreaterThanOrEqualTo(previous).And.LessThan(brakeAt + 0.5), id);
            previous = t.Value;
        }
    }

    [Test]
    public void Run_JoinBack_JoinerBecomesCaccFollowerAtIndexThree()
    {
        const double requestAt = 52;
        var run = Passed("platoon-join-back");
        var samples = Platoon(run, "joiner");
        var joined = FirstTime(samples, s => s is { Role: "Follower", Mode: "Cacc", PlatoonId: 1, Index: 3, State: "Platooning" }, requestAt);
        Assert.That(joined, Is.Not.Null, "the join never completed");
        Report($"join-back: request at {requestAt} s, follower at {joined!.Value:0.00} s ({joined.Value - requestAt:0.00} s)");
        Assert.That(samples[^1], Is.EqualTo(samples[^1] with { State = "Platooning", Role = "Follower", Mode = "Cacc", PlatoonId = 1, Index = 3 }));
        Assert.That(LogLines(run, "joiner").Any(l => l.Contains("JoinCompleted", StringComparison.Ordinal) || l.Contains("JoinComplete", StringComparison.Ordinal)), Is.True, "no join completion in the log");
    }

    [Test]
    public void Run_Merge_EndsAsOnePlatoonOfFive()
    {
        const double requestAt = 35;
        var run = Passed("platoon-merge");
        var ends = new[] { "truck1", "truck2", "truck3", "truck4", "truck5" }.Select(id => Platoon(run, id)[^1]).ToList();
        Assert.That(ends.Select(s => s.PlatoonId).Distinct(), Is.EqualTo(new uint[] { 1 }), "one platoon id at the end");
        Assert.That(ends.Select(s => s.Index), Is.EqualTo(new[] { 0, 1, 2, 3, 4 }));
        Assert.That(ends.Skip(1).All(s => s is { Role: "Follower", Mode: "Cacc" }), Is.True, "every follower in CACC at the end");
        var merged = FirstTime(Platoon(run, "truck4"), s => s is { Role: "Follower", PlatoonId: 1, State: "Platooning" }, requestAt);
        Assert.That(merged, Is.Not.Null);
        Report($"merge: request at {requestAt} s, rear leader a follower of platoon 1 at {merged!.Value:0.00} s ({merged.Value - requestAt:0.00} s)");
    }

    [TestCase("platoon-join-back", "truck1", 2, 3)]
    [TestCase("platoon-merge", "truck1", 3, 4)]
    public void Run_EncryptedPcm_KeyRenewedOnEveryMembershipChangeAndNeverLogged(string name, string leader, int generations, int finalMembers)
    {
        const ulong seed = 42;
        const ulong epochMs = 1_767_225_600_000;
        var run = Passed(name);
        using var kpi = JsonDocument.Parse(File.ReadAllText(run.Kpi));
        foreach (var truck in kpi.RootElement.GetProperty("trucks").EnumerateArray())
        {
            var v2x = truck.GetProperty("v2x");
            var id = truck.GetProperty("id").GetString();
            Report($"{name} {id}: {v2x.GetProperty("encrypted_accepted").GetInt64()} encrypted PCMs accepted, {v2x.GetProperty("group_keys_installed").GetInt64()} group keys");
            Assert.That(v2x.GetProperty("encrypted_accepted").GetInt64(), Is.GreaterThan(0), id);
            Assert.That(v2x.GetProperty("encrypted_sent").GetInt64(), Is.GreaterThan(0), id);
            Assert.That(v2x.GetProperty("group_keys_installed").GetInt64(), Is.GreaterThanOrEqualTo(2), id);
        }

        var issued = LogLines(run, leader).Where(l => l.Contains("platoon group key", StringComparison.Ordinal) && l.Contains(" issued ", StringComparison.Ordinal)).ToList();
        Assert.That(issued, Has.Count.EqualTo(generations), string.Join("\n", issued));
        Assert.That(issued[^1], Does.Contain($"generation {generations}, {finalMembers} member(s)"));

        // The keys are derived from the leader's signing key, which the run's seed gives: rebuild every key the
        // leaders issued and look for its bytes anywhere in the recording.
        using var pki = new AutomationStack.Platooning.Security.SimulationPki(seed, epochMs);
        var log = File.ReadAllBytes(run.Recording);
        foreach (var (station, platoon) in new[] { (1u, 1u), (4u, 2u) })
        {
            var credentials = pki.For(station);
            using var key = System.Security.Cryptography.ECDsa.Create();
            key.ImportPkcs8PrivateKey(credentials.PrivateKeyPkcs8, out _);
            using var signer = new AutomationStack.Platooning.Security.V2xSigner(credentials.Certificate, key);
            for (var generation = 1u; generation <= 4; generation++)
            {
                using var groupKey = AutomationStack.Platooning.Security.GroupKey.Derive(signer, platoon, generation);
                Assert.That(log.AsSpan().IndexOf(groupKey.KeyBytes), Is.EqualTo(-1), $"key of station {station} generation {generation} in the log");
                if (station == 1 && generation <= generations)
                {
                    Assert.That(issued[(int)generation - 1], Does.Contain($"group key {groupKey.Id} issued"), "the derived key is the one in use");
                }
            }
        }
    }

    [Test]
    public void Run_CutIn_FollowerBehindCarInAccThenBackInCacc()
    {
        const double cutInAt = 20;
        const double leaveAt = 45;
        var run = Passed("platoon-cut-in");
        var samples = Platoon(run, "truck3");
        Assert.That(samples.Where(s => s.Time < cutInAt).All(s => s.Mode == "Cacc" || s.Time < 1), Is.True, "CACC before the cut-in");
        var acc = FirstTime(samples, s => s.Mode == "Acc", cutInAt);
        Assert.That(acc, Is.Not.Null.And.LessThan(leaveAt), "no ACC fallback during the cut-in");
        Assert.That(samples.Any(s => s.Time > acc!.Value && s.Time < leaveAt && s.State == "CutIn"), Is.True, "state CutIn");
        var back = FirstTime(samples, s => s.Mode == "Cacc", leaveAt);
        Assert.That(back, Is.Not.Null, "no CACC after the car left");
        Assert.That(samples[^1].Mode, Is.EqualTo("Cacc"));
        Report($"cut-in: truck3 in ACC {acc!.Value - cutInAt:0.00} s after the lane change started, CACC again {back!.Value - leaveAt:0.00} s after the car started leaving");
        Assert.That(ReadEvents(run).Count(e => e.Kind == "lane_change" && e.VehicleId == "car1"), Is.EqualTo(2));
    }

    [Test]
    public void Run_V2vLoss_FollowersInAccWithin300MsThenCaccAgainOrLeave()
    {
        const double lossAt = 20;
        const double lossEnds = 21.5;
        const double longLossAt = 40;
        var run = Passed("platoon-v2v-loss");
        foreach (var id in new[] { "truck2", "truck3" })
        {
            var samples = Platoon(run, id);
            var acc = FirstTime(samples, s => s.Mode == "Acc", lossAt);
            Assert.That(acc, Is.Not.Null);
            Report($"v2v-loss {id}: ACC {acc!.Value - lossAt:0.000} s after the loss started");
            Assert.That(acc.Value - lossAt, Is.LessThanOrEqualTo(0.3 + 1e-9));
            var cacc = FirstTime(samples, s => s.Mode == "Cacc", lossEnds);
            Assert.That(cacc, Is.Not.Null.And.LessThan(longLossAt));
            Report($"v2v-loss {id}: CACC again {cacc!.Value - lossEnds:0.000} s after the loss ended");
            Assert.That(cacc.Value - lossEnds, Is.GreaterThanOrEqualTo(1.0));
            var longAcc = FirstTime(samples, s => s.Mode == "Acc", longLossAt);
            Assert.That(longAcc!.Value - longLossAt, Is.LessThanOrEqualTo(0.3 + 1e-9));
            var leader = FirstTime(samples, s => s.Role == "Leader", longLossAt);
            Report($"v2v-loss {id}: long loss: ACC after {longAcc.Value - longLossAt:0.000} s, own platoon (comm-loss leave) after {leader!.Value - longLossAt:0.000} s");
            Assert.That(samples[^1].Role, Is.EqualTo("Leader"), "after the long loss a follower leads a platoon of its own");
        }
    }

    [Test]
    public void Run_RandomLoss_FollowersMostlyInCacc()
    {
        var run = Passed("platoon-random-loss");
        foreach (var id in new[] { "truck2", "truck3", "truck4", "truck5" })
        {
            var samples = Platoon(run, id).Where(s => s.Time >= 1).ToList();
            var share = samples.Count(s => s.Mode == "Cacc") / (double)samples.Count;
            Report($"random-loss {id}: CACC {share:P1} of the time, final role {samples[^1].Role}");
            Assert.That(samples.All(s => s.Mode is "Cacc" or "Acc"), Is.True);
            Assert.That(share, Is.GreaterThan(0.5), id);
        }
    }

    [Test]
    public void Run_Latency300Ms_FollowersNeverInCaccOnStalePcms()
    {
        var run = Passed("platoon-latency-300ms");
        foreach (var id in new[] { "truck2", "truck3", "truck4", "truck5" })
        {
            var samples = Platoon(run, id).Where(s => s.Time >= 1).ToList();
            Assert.That(samples.Any(s => s.Mode == "Cacc"), Is.False, $"{id} used 300 ms old PCMs for CACC");
            Report($"latency-300ms {id}: final state {samples[^1].State}/{samples[^1].Role}/{samples[^1].Mode}");
        }
    }

    [Test]
    public void Run_Paf_TwoFollowersInCaccAtPointThreeSeconds()
    {
        var run = Passed("platoon-paf");
        foreach (var id in new[] { "truck2", "truck3" })
        {
            var samples = Platoon(run, id).Where(s => s.Time >= 1).ToList();
            Assert.That(samples.All(s => s is { Mode: "Cacc", Role: "Follower" }), Is.True, $"{id} left CACC");
            Assert.That(samples[^1].TimeGap, Is.EqualTo(0.3).Within(1e-6));
        }
    }

    private static string Number(JsonElement truck, string field)
    {
        var value = truck.GetProperty(field);
        return value.ValueKind == JsonValueKind.Number ? value.GetDouble().ToString("0.00", CultureInfo.InvariantCulture) : "-";
    }

    private static void Report(string line) => TestContext.Out.WriteLine(line);

    private static double? FirstTime(IEnumerable<Sample> samples, Func<Sample, bool> predicate, double from) =>
        samples.FirstOrDefault(s => s.Time >= from && predicate(s))?.Time;

    private ScenarioOutcome Passed(string name)
    {
        var run = _runs[name];
        Assert.That(run.ExitCode, Is.EqualTo(0), run.Describe());
        return run;
    }

    /// <summary>The platoon diagnostics of every command of <paramref name="vehicleId"/>, in frame order.</summary>
    private static List<Sample> Platoon(ScenarioOutcome run, string vehicleId)
    {
        using var reader = McapReader.Open(run.Recording);
        var samples = new List<Sample>();
        foreach (var message in reader.ReadMessages($"/vehicle/{vehicleId}/command"))
        {
            var command = Command.Parser.ParseFrom(message.Data.Span);
            if (command.Diagnostics?.Platoon is { } p)
            {
                samples.Add(new Sample(command.Frame * Step, p.State, p.Role, p.LongitudinalMode, p.PlatoonId, p.Index, p.TimeGap));
            }
        }

        Assert.That(samples, Is.Not.Empty, $"no platoon diagnostics from {vehicleId}");
        return samples;
    }

    private static List<string> LogLines(ScenarioOutcome run, string source)
    {
        using var reader = McapReader.Open(run.Recording);
        return [.. reader.ReadMessages("/log").Select(m => LogLine.Parser.ParseFrom(m.Data.Span)).Where(l => l.Source == source).Select(l => l.Text)];
    }

    private static List<RunEvent> ReadEvents(ScenarioOutcome run)
    {
        using var reader = McapReader.Open(run.Recording);
        return [.. reader.ReadMessages("/events").Select(m => RunEvent.Parser.ParseFrom(m.Data.Span))];
    }
}
