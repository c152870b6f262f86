using System.Text.Json;

namespace AutomationStack.Reporting.Tests;

/// <summary>The pure pieces: platoon chains, KPI tables from JSON, plot segments, the index page.</summary>
[TestFixture]
public sealed class ReportPartsTests
{
    private static TruckSeries Truck(string id, params string?[] leads) =>
        new(id, [.. leads.Select((_, i) => (double)i)], [.. leads.Select(_ => 20.0)], [.. leads.Select(_ => 0.0)],
            [.. leads.Select(_ => 10.0)], [.. leads.Select(_ => 0.5)], leads, VehicleView.Empty);

    [Test]
    public void Platoons_ChainByMostFrequentStackLead_LeaderFirst()
    {
        var trucks = new[]
        {
            Truck("c", "b", "b", "car7"),
            Truck("a", null, "car1", null),
            Truck("b", "a", "a", "car2"),
            Truck("lonely", "car3", null, null),
        };

        var platoons = ReportBuilder.Platoons(trucks);

        Assert.That(platoons.Single().Select(t => t.VehicleId), Is.EqualTo(new[] { "a", "b", "c" }));
    }

    [Test]
    public void Platoons_NoStackTruckAhead_None()
    {
        Assert.That(ReportBuilder.Platoons([Truck("a", "car", null), Truck("b", null, null)]), Is.Empty);
    }

    [Test]
    public void FromJson_KpiDocument_TrucksTransposedArraysRowPerElementNumbersVerbatim()
    {
        const string Json = """
            { "scenario": "s", "seed": 1, "passed": true, "failed_criteria": [], "collisions": 0, "simulated_time": 12.5,
              "trucks": [ { "id": "t1", "min_distance": null, "ss": { "peak": 0.8509 }, "j": [1.5, 2] },
                          { "id": "t2", "min_distance": 17.05, "ss": { "peak": 0.7375 }, "j": [] } ],
              "roadside_units": [ { "intersection": 1, "spat_sent": 700 }, { "intersection": 2, "spat_sent": 699 } ],
              "bridge": { "peak_rss_mb": 108.12, "timing": { "loop": 1.0 } } }
            """;
        using var doc = JsonDocument.Parse(Json);

        var tables = KpiTables.FromJson(doc.RootElement);

        var run = tables.Single(t => t.Title == "run");
        var trucks = tables.Single(t => t.Title == "trucks");
        var units = tables.Single(t => t.Title == "roadside_units");
        var bridge = tables.Single(t => t.Title == "bridge");
        Assert.Multiple(() =>
        {
            Assert.That(tables[0], Is.SameAs(run));
            Assert.That(run.Rows.Select(r => r[0]), Is.EqualTo(new[] { "collisions", "simulated_time" }));
            Assert.That(trucks.Columns, Is.EqualTo(new[] { "KPI", "t1", "t2" }));
            Assert.That(trucks.Rows.Single(r => r[0] == "min_distance"), Is.EqualTo(new[] { "min_distance", "null", "17.05" }));
            Assert.That(trucks.Rows.Single(r => r[0] == "ss.peak"), Is.EqualTo(new[] { "ss.peak", "0.8509", "0.7375" }));
            Assert.That(trucks.Rows.Single(r => r[0] == "j"), Is.EqualTo(new[] { "j", "[1.5, 2]", "[]" }));
            Assert.That(units.Columns, Is.EqualTo(new[] { "intersection", "spat_sent" }));
            Assert.That(units.Rows, Has.Count.EqualTo(2));
            Assert.That(units.Rows[1], Is.EqualTo(new[] { "2", "699" }));
            Assert.That(bridge.Rows.Single(r => r[0] == "timing.loop")[1], Is.EqualTo("1.0"));
        });
    }

    [Test]
    public void Segments_NaNBreaks_ContiguousFiniteRuns()
    {
        double[] x = [0, 1, 2, 3, 4, 5, 6];
        double[] y = [1, 2, double.NaN, double.NaN, 5, double.NaN, 7];

        var segments = PlotRenderer.Segments(x, y).ToList();

        Assert.Multiple(() =>
        {
            Assert.That(segments, Has.Count.EqualTo(3));
            Assert.That(segments[0].X, Is.EqualTo(new double[] { 0, 1 }));
            Assert.That(segments[1].Y, Is.EqualTo(new double[] { 5 }));
            Assert.That(segments[2].Y, Is.EqualTo(new double[] { 7 }));
        });
    }

    [Test]
    public void TimePlot_SeriesWithGaps_ValidPng()
    {
        var png = PlotRenderer.TimePlot("t", "y", [new PlotLine([0, 1, 2, 3], [1, double.NaN, 2, 3], "a", false, 0), new PlotLine([0, 1], [double.NaN, double.NaN], "empty", true, 1)]);
        Assert.That(png[..4], Is.EqualTo(new byte[] { 0x89, 0x50, 0x4E, 0x47 }));
    }

    [Test]
    public void Render_Index_LinksReportsWithVerdicts()
    {
        var html = ScenarioIndexWriter.Render(
        [
            new ScenarioIndexEntry("a-pass", true, 0, [], "a-pass/report.html"),
            new ScenarioIndexEntry("b-fail", false, 1, ["collision <truck1>"], "b-fail/report.html"),
            new ScenarioIndexEntry("c-broken", null, 3, [], null),
        ]);
        Assert.Multiple(() =>
        {
            Assert.That(html, Does.Contain("<a href=\"a-pass/report.html\">a-pass</a>"));
            Assert.That(html, Does.Contain("<a href=\"b-fail/report.html\">b-fail</a></td><td><span class=\"fail\">FAIL</span>"));
            Assert.That(html, Does.Contain("collision &lt;truck1&gt;"));
            Assert.That(html, Does.Contain("<td>c-broken</td><td><span class=\"unknown\">no report</span>"));
            Assert.That(html, Does.Contain("3 scenario(s): 1 passed."));
        });
    }
}
