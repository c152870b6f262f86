using System.Text.RegularExpressions;

namespace AutomationStack.Reporting.Tests;

/// <summary><c>report --all-scenarios</c> over a folder holding one shipped scenario (short duration).</summary>
[TestFixture]
public sealed class AllScenariosTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    [Test]
    public async Task AllScenarios_FolderOfOne_ReportAndIndexLinkingIt()
    {
        var scenarios = Path.Combine(RealRuns.Root, "scenarios");
        Directory.CreateDirectory(scenarios);
        var map = Path.Combine(RealRuns.RepoRoot, "sim-bridge", "maps", "corridor-a.yaml");
        var text = File.ReadAllText(RealRuns.Shipped(RealRuns.AccScenario));
        File.WriteAllText(Path.Combine(scenarios, "acc.yaml"), Regex.Replace(text, @"^map: .*$", "map: " + map, RegexOptions.Multiline));
        var outDir = Path.Combine(RealRuns.Root, "all");

        var (code, stdout, stderr) = await RealRuns.RunCliAsync(Timeout, "report", "--all-scenarios", "--scenarios", scenarios, "--out", outDir, "--duration", "5");

        var index = File.ReadAllText(Path.Combine(outDir, "index.html"));
        Assert.Multiple(() =>
        {
            Assert.That(code, Is.EqualTo(0), stderr);
            Assert.That(File.Exists(Path.Combine(outDir, "acc", "report.html")), Is.True);
            Assert.That(File.Exists(Path.Combine(outDir, "acc", "kpi.json")), Is.True);
            Assert.That(index, Does.Contain("<a href=\"acc/report.html\">acc</a></td><td><span class=\"pass\">PASS</span>"));
            Assert.That(stdout, Does.Contain("1 scenario(s), 1 passed"));
        });
    }

    [Test]
    public async Task AllScenarios_WithoutOut_Exit2()
    {
        var (code, _, stderr) = await RealRuns.RunCliAsync(Timeout, "report", "--all-scenarios");
        Assert.Multiple(() =>
        {
            Assert.That(code, Is.EqualTo(2));
            Assert.That(stderr, Does.Contain("--all-scenarios needs --out"));
        });
    }
}
