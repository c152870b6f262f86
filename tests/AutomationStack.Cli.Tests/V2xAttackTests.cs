using System.Text.Json;

namespace AutomationStack.Cli.Tests;

/// <summary>
/// The shipped attack scenario end to end: an attacker car broadcasts every kind of malicious PCM next to a CACC
/// platoon; every message is dropped with its reason counted in kpi.json, and none reaches control.
/// </summary>
[TestFixture]
[NonParallelizable]
internal sealed class V2xAttackTests
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(4);
    private string _out = string.Empty;
    private int _exitCode;
    private string _stderr = string.Empty;
    private JsonDocument _kpi = null!;

    [OneTimeSetUp]
    public async Task RunAttackScenario()
    {
        _out = Path.Combine(Path.GetTempPath(), "as-attack-" + Guid.NewGuid().ToString("N"));
        var scenario = Path.Combine(CliProcess.RepoRoot, "sim-bridge", "scenarios", "platoon-v2v-attacks.yaml");
        (_exitCode, _, _stderr) = await CliProcess.RunCliAsync(RunTimeout, "run", scenario, "--out", _out, "--quiet");
        _kpi = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(_out, "kpi.json")));
    }

    [OneTimeTearDown]
    public void Cleanup()
    {
        _kpi?.Dispose();
        if (Directory.Exists(_out))
        {
            Directory.Delete(_out, recursive: true);
        }
    }

    [Test]
    public void Run_AttackerBroadcasting_PassesWithoutCollisionAndEveryKindWasSent()
    {
        Assert.That(_exitCode, Is.Zero, _stderr);
        Assert.That(_kpi.RootElement.GetProperty("collisions").GetInt32(), Is.Zero);
        var sent = _kpi.RootElement.GetProperty("v2x_attacks_sent");
        foreach (var kind in new[] { "forged", "untrusted_root", "expired_certificate", "missing_permission", "impersonation", "replay", "stale", "future_dated", "truncated", "bit_flipped" })
        {
            Assert.That(sent.GetProperty(kind).GetInt64(), Is.GreaterThan(10), kind);
        }
    }

    [TestCase("truck2")]
    [TestCase("truck3")]
    public void Run_AttackerBroadcasting_FollowersDropEveryAttackAndStayInCacc(string follower)
    {
        var truck = Truck(follower);
        var drops = truck.GetProperty("v2x").GetProperty("dropped_by_reason");
        foreach (var reason in new[] { "BadSignature", "UntrustedChain", "CertificateExpired", "MissingPermission", "Replay", "Stale", "FutureDated", "Malformed" })
        {
            Assert.That(drops.TryGetProperty(reason, out var count) && count.GetInt64() > 10, Is.True, $"{follower} counted {reason} drops");
        }

        // Every attack claims an emergency brake of the leader: none reached control.
        Assert.That(truck.GetProperty("platoon").GetProperty("cacc_share").GetDouble(), Is.EqualTo(1.0), "never left CACC (no ghost emergency)");
        var total = _kpi.RootElement.GetProperty("v2x_attacks_sent").EnumerateObject().Sum(p => p.Value.GetInt64());
        // The last message may still be in flight when the run ends.
        Assert.That(truck.GetProperty("v2x").GetProperty("dropped").GetInt64(), Is.InRange(total - 1, total), "every delivered malicious message was dropped");
    }

    [Test]
    public void Run_AttackerImpersonatingLeader_LeaderCountsStationIdMismatch()
    {
        var drops = Truck("truck1").GetProperty("v2x").GetProperty("dropped_by_reason");

        Assert.That(drops.GetProperty("StationIdMismatch").GetInt64(), Is.GreaterThan(10));
    }

    private JsonElement Truck(string id) =>
        _kpi.RootElement.GetProperty("trucks").EnumerateArray().Single(t => t.GetProperty("id").GetString() == id);
}

/// <summary>
/// A V2V flood: the attacker car sends 50 forged PCMs every 100 ms (500 a second) next to the CACC platoon. Each
/// receiver's flood guard drops what exceeds the sender's rate before any signature check (RateLimited), the rest fail
/// verification, and the platoon stays in CACC.
/// </summary>
[TestFixture]
[NonParallelizable]
internal sealed class V2xFloodTests
{
    [Test]
    public async Task Run_AttackerFlooding_RateLimitedDropsAndPlatoonStaysInCacc()
    {
        var root = Path.Combine(Path.GetTempPath(), "as-flood-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        try
        {
            var source = Path.Combine(CliProcess.RepoRoot, "sim-bridge", "scenarios", "platoon-v2v-attacks.yaml");
            var scenario = Path.Combine(root, "flood.yaml");
            var text = File.ReadAllText(source)
                .Replace("map: ../maps/", "map: " + Path.Combine(CliProcess.RepoRoot, "sim-bridge", "maps") + "/", StringComparison.Ordinal);
            var kinds = text.IndexOf("  kinds: [", StringComparison.Ordinal);
            Assert.That(kinds, Is.GreaterThan(0));
            var end = text.IndexOf('\n', kinds);
            File.WriteAllText(scenario, text[..kinds] + "  kinds: [flood]" + text[end..]);

            var (code, stdout, stderr) = await CliProcess.RunCliAsync(TimeSpan.FromMinutes(4), "run", scenario, "--out", Path.Combine(root, "out"), "--duration", "15", "--quiet");

            Assert.That(code, Is.Zero, stdout + stderr);
            using var kpi = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(root, "out", "kpi.json")));
            var sent = kpi.RootElement.GetProperty("v2x_attacks_sent").GetProperty("flood").GetInt64();
            Assert.That(sent, Is.GreaterThan(4000), "about 500 a second for 10 s");
            foreach (var follower in new[] { "truck2", "truck3" })
            {
                var truck = kpi.RootElement.GetProperty("trucks").EnumerateArray().Single(t => t.GetProperty("id").GetString() == follower);
                var drops = truck.GetProperty("v2x").GetProperty("dropped_by_reason");
                Assert.That(drops.GetProperty("RateLimited").GetInt64(), Is.GreaterThan(sent * 8 / 10), $"{follower}: most of the flood never reached verification");
                Assert.That(truck.GetProperty("platoon").GetProperty("cacc_share").GetDouble(), Is.EqualTo(1.0), $"{follower} never left CACC");
            }
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
