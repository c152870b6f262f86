using System.Diagnostics;
using System.Text.Json;

namespace AutomationStack.Fuzz.Tests;

/// <summary>
/// A short real afl-fuzz run per target through the <c>fuzz</c> command (instrumentation, fork server, stats). Needs
/// afl-fuzz (Debian afl++, installed by tools/test.sh); without it the tests are skipped, or fail under CI=true.
/// </summary>
[TestFixture]
[NonParallelizable]
internal sealed class AflSmokeTests
{
    private const int Seconds = 15;

    /// <summary>Fewest executions a 15 s run must reach (the slowest target does some thousands per second).</summary>
    private const long MinimumExecutions = 2_000;

    private static IEnumerable<string> Targets => FuzzTargets.Names;

    private static string Harness()
    {
        // The harness's own build output (same configuration as this test assembly), not this test folder.
        var configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent?.Name ?? "Release";
        return Path.Combine(Corpus.Root, "tools", "AutomationStack.Fuzz", "bin", configuration, "net10.0", "AutomationStack.Fuzz.dll");
    }

    private static bool HasAfl() =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':').Any(d => d.Length > 0 && File.Exists(Path.Combine(d, "afl-fuzz")));

    [TestCaseSource(nameof(Targets))]
    public void Fuzz_FifteenSecondAflRun_ExecutesInputsWithoutCrashesOrHangs(string name)
    {
        if (!HasAfl())
        {
            if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
            {
                Assert.Fail("afl-fuzz is not installed (tools/test.sh installs the Debian package afl++)");
            }

            Assert.Ignore("afl-fuzz is not installed (apt-get install afl++)");
        }

        var harness = Harness();
        Assert.That(File.Exists(harness), Is.True, $"harness built at {harness}");
        var output = Directory.CreateTempSubdirectory("automationstack-fuzz-test-");
        try
        {
            var code = AflDriver.Exec(["dotnet", harness, name, "--seconds", Seconds.ToString(System.Globalization.CultureInfo.InvariantCulture), "--out", output.FullName],
                Corpus.Root, TimeSpan.FromSeconds(Seconds + 100), out var log);
            var summaryPath = Path.Combine(output.FullName, name, "summary.json");
            Assert.That(File.Exists(summaryPath), Is.True, $"summary.json written (exit {code}):\n{log}");
            using var summary = JsonDocument.Parse(File.ReadAllText(summaryPath));
            var root = summary.RootElement;
            TestContext.Out.WriteLine(log);
            Assert.Multiple(() =>
            {
                Assert.That(code, Is.EqualTo(Program.ExitOk), log);
                Assert.That(root.GetProperty("execs_done").GetInt64(), Is.GreaterThan(MinimumExecutions));
                Assert.That(root.GetProperty("saved_crashes").GetInt64(), Is.Zero, log);
                Assert.That(root.GetProperty("saved_hangs").GetInt64(), Is.Zero, log);
                Assert.That(root.GetProperty("afl_abort").ValueKind, Is.EqualTo(JsonValueKind.Null), "afl-fuzz ran to its time limit");
            });
        }
        finally
        {
            output.Delete(recursive: true);
        }
    }

    [Test]
    public void Fuzz_UnknownTarget_ExitsWithBadArguments()
    {
        Assert.That(File.Exists(Harness()), Is.True, Harness());
        var code = AflDriver.Exec(["dotnet", Harness(), "nonsense"], Corpus.Root, TimeSpan.FromSeconds(60), out var log);
        Assert.That(code, Is.EqualTo(Program.ExitBadArguments), log);
    }

    [Test]
    public void Fuzz_BadSeconds_ExitsWithBadArguments()
    {
        var code = AflDriver.Exec(["dotnet", Harness(), "mcap", "--seconds", "-3"], Corpus.Root, TimeSpan.FromSeconds(60), out var log);
        Assert.That(code, Is.EqualTo(Program.ExitBadArguments), log);
    }
}
