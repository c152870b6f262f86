namespace AutomationStack.Reporting.Tests;

/// <summary>Missing and corrupt inputs: the builder names the file; the CLI exits 2; a partial run still reports.</summary>
[TestFixture]
public sealed class ReportErrorTests
{
    private static readonly TimeSpan CliTimeout = TimeSpan.FromMinutes(1);

    [Test]
    public void Build_MissingFolder_ThrowsNamingFolder()
    {
        var dir = Path.Combine(RealRuns.Root, "no-such-run");
        var ex = Assert.Throws<ReportInputException>(() => ReportBuilder.Build(dir));
        Assert.Multiple(() =>
        {
            Assert.That(ex!.Path, Is.EqualTo(dir));
            Assert.That(ex.Message, Does.Contain("run folder not found"));
        });
    }

    [Test]
    public void Build_MissingLog_ThrowsNamingRunMcap()
    {
        var dir = RealRuns.CopyRun(RealRuns.AccDir);
        File.Delete(Path.Combine(dir, ReportBuilder.RecordingFileName));
        var ex = Assert.Throws<ReportInputException>(() => ReportBuilder.Build(dir));
        Assert.Multiple(() =>
        {
            Assert.That(ex!.Path, Is.EqualTo(Path.Combine(dir, ReportBuilder.RecordingFileName)));
            Assert.That(ex.Message, Does.Contain("expected the run's MCAP recording"));
        });
    }

    [Test]
    public void Build_TruncatedLog_ThrowsNamingRunMcap()
    {
        var dir = RealRuns.CopyRun(RealRuns.AccDir);
        var path = Path.Combine(dir, ReportBuilder.RecordingFileName);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        var ex = Assert.Throws<ReportInputException>(() => ReportBuilder.Build(dir));
        Assert.Multiple(() =>
        {
            Assert.That(ex!.Path, Is.EqualTo(path));
            Assert.That(ex.Message, Does.Contain("not a readable MCAP log"));
        });
    }

    [Test]
    public void Build_CorruptKpiJson_ThrowsNamingKpiJson()
    {
        var dir = RealRuns.CopyRun(RealRuns.AccDir);
        var path = Path.Combine(dir, ReportBuilder.KpiFileName);
        File.WriteAllText(path, "{ \"scenario\": \"corridor\", ");
        var ex = Assert.Throws<ReportInputException>(() => ReportBuilder.Build(dir));
        Assert.Multiple(() =>
        {
            Assert.That(ex!.Path, Is.EqualTo(path));
            Assert.That(ex.Message, Does.Contain("not valid JSON"));
        });
    }

    [Test]
    public void Build_KpiJsonWithoutVerdict_ThrowsNamingField()
    {
        var dir = RealRuns.CopyRun(RealRuns.AccDir);
        File.WriteAllText(Path.Combine(dir, ReportBuilder.KpiFileName), "{ \"scenario\": \"corridor\" }");
        var ex = Assert.Throws<ReportInputException>(() => ReportBuilder.Build(dir));
        Assert.That(ex!.Message, Does.Contain("'passed'"));
    }

    [Test]
    public void Build_KpiJsonMissing_ReportsFromLogAndSaysSo()
    {
        var dir = RealRuns.CopyRun(RealRuns.AccDir);
        File.Delete(Path.Combine(dir, ReportBuilder.KpiFileName));
        var model = ReportBuilder.Build(dir);
        var html = HtmlReportWriter.Render(model);
        Assert.Multiple(() =>
        {
            Assert.That(model.Summary.KpiSource, Is.EqualTo(KpiSource.LogKpiTopic));
            Assert.That(model.Summary.Scenario, Is.EqualTo(RealRuns.AccScenario));
            Assert.That(model.Summary.Passed, Is.Not.Null, "the verdict the bridge logged on /kpi");
            Assert.That(model.Notes, Has.Some.StartsWith("kpi.json missing"));
            Assert.That(model.KpiTables.Select(t => t.Title), Does.Contain("trucks"));
            Assert.That(model.Trucks, Has.Count.EqualTo(3));
            Assert.That(html, Does.Contain("kpi.json missing"));
        });
    }

    [Test]
    public async Task Cli_MissingFolder_Exit2NamingIt()
    {
        var dir = Path.Combine(RealRuns.Root, "nowhere");
        var (code, _, stderr) = await RealRuns.RunCliAsync(CliTimeout, "report", dir);
        Assert.Multiple(() =>
        {
            Assert.That(code, Is.EqualTo(2));
            Assert.That(stderr, Does.Contain(dir + ": run folder not found"));
        });
    }

    [Test]
    public async Task Cli_CorruptLog_Exit2NamingItAndWritesNothing()
    {
        var dir = RealRuns.CopyRun(RealRuns.AccDir);
        var path = Path.Combine(dir, ReportBuilder.RecordingFileName);
        File.WriteAllText(path, "not an mcap file at all");
        var (code, _, stderr) = await RealRuns.RunCliAsync(CliTimeout, "report", dir);
        Assert.Multiple(() =>
        {
            Assert.That(code, Is.EqualTo(2));
            Assert.That(stderr, Does.Contain(path + ": not a readable MCAP log"));
            Assert.That(File.Exists(Path.Combine(dir, ReportBuilder.ReportFileName)), Is.False);
        });
    }

    [Test]
    public async Task Cli_ReportWithOut_WritesThatFile()
    {
        var outFile = Path.Combine(RealRuns.Root, "elsewhere", "acc.html");
        var (code, stdout, stderr) = await RealRuns.RunCliAsync(CliTimeout, "report", RealRuns.AccDir, "--out", outFile);
        Assert.Multiple(() =>
        {
            Assert.That(code, Is.EqualTo(0), stderr);
            Assert.That(stdout, Does.Contain("report " + outFile));
            Assert.That(File.ReadAllText(outFile), Is.EqualTo(File.ReadAllText(Path.Combine(RealRuns.AccDir, ReportBuilder.ReportFileName))), "same report as run --report (same window start: the scenario's default)");
        });
    }
}
