using System.Buffers.Binary;
using System.Text.RegularExpressions;

namespace AutomationStack.Reporting.Tests;

/// <summary>The rendered page of a real run: self-contained, with decodable PNG plots, reproducible.</summary>
[TestFixture]
public sealed partial class HtmlReportTests
{
    private static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    [Test]
    public void Render_PlatoonRun_HasEveryPlotAsEmbeddedPng()
    {
        var model = ReportBuilder.Build(RealRuns.PlatoonDir, new ReportOptions { StringStabilityFrom = RealRuns.PlatoonWindowStart });
        var html = HtmlReportWriter.Render(model);
        var images = ImageRegex().Matches(html);
        // 4 all-truck plots, 4 per truck, 2 per platoon (peak |a|, speed amplitude), 1 events timeline.
        var expected = 4 + (4 * model.Trucks.Count) + (2 * model.StringStability.Count) + 1;
        Assert.That(images, Has.Count.EqualTo(expected));
        foreach (Match image in images)
        {
            var png = Convert.FromBase64String(image.Groups["data"].Value);
            Assert.Multiple(() =>
            {
                Assert.That(png.AsSpan(0, 8).ToArray(), Is.EqualTo(PngSignature), image.Groups["alt"].Value);
                Assert.That(System.Text.Encoding.ASCII.GetString(png, 12, 4), Is.EqualTo("IHDR"));
                Assert.That(BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)), Is.GreaterThanOrEqualTo(400), "width");
                Assert.That(BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20)), Is.GreaterThanOrEqualTo(150), "height");
            });
        }

        Assert.That(images.Select(m => m.Groups["alt"].Value), Has.Some.EqualTo("truck3 gap").And.Some.EqualTo("events timeline").And.Some.EqualTo("peak acceleration per platoon position"));
    }

    [Test]
    public void Render_RealRun_IsSelfContained()
    {
        var html = File.ReadAllText(Path.Combine(RealRuns.AccDir, ReportBuilder.ReportFileName));
        Assert.Multiple(() =>
        {
            Assert.That(html, Does.StartWith("<!DOCTYPE html>"));
            Assert.That(html, Does.Not.Contain("<script"));
            Assert.That(ExternalReferenceRegex().IsMatch(html), Is.False, "no src/href to another resource");
            Assert.That(html, Does.Contain("<span class=\"pass\">PASS</span>").Or.Contain("<span class=\"fail\">FAIL</span>"));
            Assert.That(html, Does.Contain("corridor-3-trucks-acc"));
        });
    }

    [Test]
    public void Render_SameRunTwice_SameBytes()
    {
        var first = HtmlReportWriter.Render(ReportBuilder.Build(RealRuns.AccDir));
        var second = HtmlReportWriter.Render(ReportBuilder.Build(RealRuns.AccDir));
        Assert.That(second, Is.EqualTo(first));
    }

    [Test]
    public void Render_FailedRun_ListsFailedCriteria()
    {
        var model = ReportBuilder.Build(RealRuns.AccDir);
        var failed = model with { Summary = model.Summary with { Passed = false, FailedCriteria = ["min time gap 0.42 s < 0.8 s (truck2)"] } };
        var html = HtmlReportWriter.Render(failed);
        Assert.Multiple(() =>
        {
            Assert.That(html, Does.Contain("<span class=\"fail\">FAIL</span>"));
            Assert.That(html, Does.Contain("<li>min time gap 0.42 s &lt; 0.8 s (truck2)</li>"));
        });
    }

    [GeneratedRegex("<img alt=\"(?<alt>[^\"]*)\" src=\"data:image/png;base64,(?<data>[A-Za-z0-9+/=]+)\">")]
    private static partial Regex ImageRegex();

    [GeneratedRegex("(src|href)=\"(?!data:|#|[A-Za-z0-9_-]+/report\\.html)")]
    private static partial Regex ExternalReferenceRegex();
}
