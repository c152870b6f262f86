using System.Text.Json;
using AutomationStack.Mcap;

namespace AutomationStack.Cli.Tests;

/// <summary>
/// `replay` (re-simulation) on a real platoon log: the same stack gives zero differences; one controller gain changed on
/// one truck gives differences on that truck's command topic only; bad input exits 2 naming the problem.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class ReplayCommandTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(4);
    private string _root = string.Empty;
    private string _recording = string.Empty;
    private string _scenario = string.Empty;

    [OneTimeSetUp]
    public async Task RecordRun()
    {
        _root = Path.Combine(Path.GetTempPath(), "as-replay-" + Guid.NewGuid().ToString("N"));
        _scenario = Path.Combine(CliProcess.RepoRoot, "sim-bridge", "scenarios", "platoon-cut-in.yaml");
        var (code, stdout, stderr) = await CliProcess.RunCliAsync(Timeout, "run", _scenario, "--out", _root, "--duration", "30", "--quiet");
        Assert.That(code, Is.Zero, stdout + stderr);
        _recording = Path.Combine(_root, "run.mcap");
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
    public async Task Replay_SameStack_NoDifferencesAndAReadableLog()
    {
        var outDir = Path.Combine(_root, "same");
        var (code, stdout, stderr) = await CliProcess.RunCliAsync(Timeout, "replay", _recording, "--scenario", _scenario, "--out", outDir);

        Assert.That(code, Is.Zero, stdout + stderr);
        Assert.That(stdout, Does.Contain("NO DIFFERENCES"));
        using var diff = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "replay-diff.json")));
        var topics = diff.RootElement.GetProperty("topics").EnumerateArray().ToList();
        Assert.That(topics, Has.Count.EqualTo(4));
        Assert.That(topics.Select(t => t.GetProperty("messages").GetInt64()), Has.All.EqualTo(1500), "30 s at 50 Hz per truck");
        Assert.That(topics.Select(t => t.GetProperty("differing").GetInt64()), Has.All.Zero);
        using var reader = McapReader.Open(Path.Combine(outDir, "replay.mcap"));
        reader.Validate();
        Assert.That(reader.ReadMessages("/vehicle/truck3/command").Count(), Is.EqualTo(1500));
    }

    [Test]
    public async Task Replay_OneGainChangedOnTruck3_DifferencesOnTruck3sTopicOnly()
    {
        var outDir = Path.Combine(_root, "gain");
        var (code, stdout, stderr) = await CliProcess.RunCliAsync(Timeout, "replay", _recording, "--scenario", _scenario, "--out", outDir, "--set", "truck3:acc.gap_gain=0.3");

        Assert.That(code, Is.EqualTo(1), stdout + stderr);
        using var diff = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "replay-diff.json")));
        var differing = diff.RootElement.GetProperty("topics").EnumerateArray()
            .Where(t => t.GetProperty("differing").GetInt64() > 0).Select(t => t.GetProperty("topic").GetString()).ToList();
        Assert.That(differing, Is.EqualTo(new[] { "/vehicle/truck3/command" }));
        var truck3 = diff.RootElement.GetProperty("topics").EnumerateArray().Single(t => t.GetProperty("topic").GetString() == "/vehicle/truck3/command");
        Assert.That(truck3.GetProperty("fields").TryGetProperty("acceleration", out var acceleration), Is.True, truck3.ToString());
        Assert.That(acceleration.GetProperty("max_abs_difference").GetDouble(), Is.GreaterThan(0.01));
    }

    [Test]
    public async Task Replay_MissingLog_ExitTwoNamingTheFile()
    {
        var (code, _, stderr) = await CliProcess.RunCliAsync(Timeout, "replay", Path.Combine(_root, "nope.mcap"), "--scenario", _scenario);

        Assert.That(code, Is.EqualTo(2));
        Assert.That(stderr, Does.Contain("nope.mcap"));
    }

    [Test]
    public async Task Replay_SetOnUnknownTruck_ExitTwoNamingTheTrucks()
    {
        var (code, _, stderr) = await CliProcess.RunCliAsync(Timeout, "replay", _recording, "--scenario", _scenario, "--set", "truck9:acc.gap_gain=0.3", "--out", Path.Combine(_root, "bad"));

        Assert.That(code, Is.EqualTo(2));
        Assert.That(stderr, Does.Contain("truck9").And.Contain("truck1"));
    }

    [Test]
    public async Task Replay_UnknownParameter_ExitTwoNamingIt()
    {
        var (code, _, stderr) = await CliProcess.RunCliAsync(Timeout, "replay", _recording, "--scenario", _scenario, "--set", "acc.no_such_gain=1", "--out", Path.Combine(_root, "bad2"));

        Assert.That(code, Is.EqualTo(2), stderr);
        Assert.That(stderr, Does.Contain("acc.no_such_gain"));
    }
}
