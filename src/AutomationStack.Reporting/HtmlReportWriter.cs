using System.Globalization;
using System.Net;
using System.Text;

namespace AutomationStack.Reporting;

/// <summary>
/// Renders a <see cref="ReportModel"/> to one self-contained HTML page: inline CSS, plots as base64 PNG data URIs, no
/// scripts, no external resources, no timestamps (the same run folder gives the same bytes).
/// </summary>
public static class HtmlReportWriter
{
    /// <summary>Most events listed in the table (all are drawn in the timeline).</summary>
    public const int MaxEventRows = 400;

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static string Render(ReportModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var html = new StringBuilder(1 << 20);
        var s = model.Summary;
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>")
            .Append(E("Run report: " + s.Scenario)).Append("</title>\n<style>\n").Append(Css).Append("</style>\n</head>\n<body>\n");
        html.Append("<h1>Run report: ").Append(E(s.Scenario)).Append("</h1>\n");
        Summary(html, model);
        html.Append("<nav><a href=\"#kpi\">KPIs</a> · <a href=\"#overview\">all trucks</a> · <a href=\"#string-stability\">string stability</a> · <a href=\"#trucks\">per truck</a> · <a href=\"#events\">events</a> · <a href=\"#log\">log</a></nav>\n");

        html.Append("<h2 id=\"kpi\">KPIs</h2>\n");
        if (model.KpiTables.Count == 0)
        {
            html.Append("<p class=\"note\">No KPIs: kpi.json is missing and the log has no /kpi record.</p>\n");
        }

        foreach (var table in model.KpiTables)
        {
            Table(html, table);
        }

        Overview(html, model);
        StringStability(html, model);
        PerTruck(html, model);
        Events(html, model);
        Log(html, model.Log);
        html.Append("</body>\n</html>\n");
        return html.ToString();
    }

    private static void Summary(StringBuilder html, ReportModel model)
    {
        var s = model.Summary;
        var verdict = s.Passed switch
        {
            true => "<span class=\"pass\">PASS</span>",
            false => "<span class=\"fail\">FAIL</span>",
            null => "<span class=\"unknown\">unknown (no KPIs)</span>",
        };
        html.Append("<table class=\"summary\">\n");
        Row(html, "scenario", E(s.Scenario));
        Row(html, "seed", s.Seed?.ToString(Inv) ?? "unknown");
        Row(html, "simulated time", s.SimulatedTime.ToString("0.###", Inv) + " s");
        Row(html, "result", verdict);
        Row(html, "exit code", s.ExitCode?.ToString(Inv) ?? "unknown");
        if (s.Interrupted)
        {
            Row(html, "interrupted", "yes");
        }

        Row(html, "stack trucks", E(string.Join(", ", model.Log.StackTrucks)));
        Row(html, "KPIs from", s.KpiSource switch
        {
            KpiSource.KpiJson => "kpi.json",
            KpiSource.LogKpiTopic => "the log's /kpi record (kpi.json missing)",
            _ => "— (kpi.json missing)",
        });
        html.Append("</table>\n");
        if (s.FailedCriteria.Count > 0)
        {
            html.Append("<h3>Failed criteria</h3>\n<ul class=\"failed\">\n");
            foreach (var f in s.FailedCriteria)
            {
                html.Append("<li>").Append(E(f)).Append("</li>\n");
            }

            html.Append("</ul>\n");
        }

        foreach (var note in model.Notes)
        {
            html.Append("<p class=\"note\">").Append(E(note)).Append("</p>\n");
        }
    }

    private static void Overview(StringBuilder html, ReportModel model)
    {
        html.Append("<h2 id=\"overview\">All trucks (ground truth)</h2>\n");
        if (model.Trucks.Count == 0)
        {
            html.Append("<p class=\"note\">The log has no stack truck.</p>\n");
            return;
        }

        html.Append("<p>True values from <code>/ground_truth</code> at every physics step. Gap: bumper to bumper to the nearest vehicle ahead in the truck's lane (any vehicle, as the KPIs count it); time gap: gap / own speed above 2 m/s. Breaks: no vehicle ahead.</p>\n");
        Image(html, PlotRenderer.TimePlot("speed", "speed, m/s", Lines(model.Trucks, t => t.Speed)), "speed of every truck");
        Image(html, PlotRenderer.TimePlot("gap to the vehicle ahead", "gap, m", Lines(model.Trucks, t => t.Gap)), "gap of every truck");
        Image(html, PlotRenderer.TimePlot("time gap", "time gap, s", Lines(model.Trucks, t => t.TimeGap)), "time gap of every truck");
        Image(html, PlotRenderer.TimePlot("acceleration", "acceleration, m/s²", Lines(model.Trucks, t => t.Acceleration)), "acceleration of every truck");
    }

    private static List<PlotLine> Lines(IReadOnlyList<TruckSeries> trucks, Func<TruckSeries, IReadOnlyList<double>> y) =>
        [.. trucks.Select((t, i) => new PlotLine(t.Time, y(t), t.VehicleId, false, i))];

    private static void StringStability(StringBuilder html, ReportModel model)
    {
        html.Append("<h2 id=\"string-stability\">String stability</h2>\n");
        html.Append("<p>How computed: the platoon is the chain of stack trucks each most often directly behind another in its lane (ground truth), leader first. ")
            .Append("For each position, from the window start to the end of the log: peak |true acceleration| (as kpi.json's <code>string_stability.peak_acceleration</code>) and the speed amplitude, half of (max − min) true speed. ")
            .Append("Ratios below 1 mean a disturbance shrinks down the platoon (string stable); kpi.json's <code>acceleration_ratio</code> is the ratio to the predecessor.</p>\n");
        if (model.StringStability.Count == 0)
        {
            html.Append("<p class=\"note\">No platoon in this run.</p>\n");
            return;
        }

        var n = 0;
        foreach (var platoon in model.StringStability)
        {
            n++;
            var labels = platoon.Members.Select(m => $"{m.Position}: {m.VehicleId}").ToList();
            html.Append("<h3>Platoon ").Append(n.ToString(Inv)).Append(": ")
                .Append(E(string.Join(" → ", platoon.Members.Select(m => m.VehicleId))))
                .Append(" (window from ").Append(platoon.WindowStart.ToString("0.##", Inv)).Append(" s)</h3>\n<div class=\"pair\">");
            var leader = platoon.Members[0];
            Image(html, PlotRenderer.Bars("peak |acceleration| per position", "m/s²", labels, [.. platoon.Members.Select(m => m.PeakAcceleration)], leader.PeakAcceleration, "leader"), "peak acceleration per platoon position");
            Image(html, PlotRenderer.Bars("speed amplitude per position", "m/s", labels, [.. platoon.Members.Select(m => m.SpeedAmplitude)], leader.SpeedAmplitude, "leader"), "speed amplitude per platoon position");
            html.Append("</div>\n");
            Table(html, new KpiTable(
                "string stability",
                ["position", "truck", "predecessor", "peak |a|, m/s²", "ratio to predecessor", "ratio to leader", "speed amplitude, m/s", "amplitude ratio to leader"],
                [.. platoon.Members.Select(m => (IReadOnlyList<string>)[
                    m.Position.ToString(Inv), m.VehicleId, m.PredecessorId ?? "—", F(m.PeakAcceleration), F(m.AccelerationRatioToPredecessor),
                    F(m.AccelerationRatioToLeader), F(m.SpeedAmplitude), F(m.SpeedAmplitudeRatioToLeader)])]),
                showTitle: false);
        }
    }

    private static void PerTruck(StringBuilder html, ReportModel model)
    {
        html.Append("<h2 id=\"trucks\">Per truck</h2>\n<p>Solid: ground truth. Dashed: the truck's own view from its commands' diagnostics (estimated speed, lead gap and the time gap it gives, requested acceleration, platoon time-gap setting).</p>\n");
        foreach (var t in model.Trucks)
        {
            var v = t.View;
            html.Append("<h3 id=\"truck-").Append(E(t.VehicleId)).Append("\">").Append(E(t.VehicleId)).Append("</h3>\n");
            Image(html, PlotRenderer.TimePlot(t.VehicleId + ": speed", "speed, m/s", [new(t.Time, t.Speed, "true", false, 0), new(v.Time, v.EstimatedSpeed, "estimated", true, 1)], 240), t.VehicleId + " speed");
            Image(html, PlotRenderer.TimePlot(t.VehicleId + ": gap to the vehicle ahead", "gap, m", [new(t.Time, t.Gap, "true", false, 0), new(v.Time, v.LeadGap, "measured lead gap", true, 1)], 240), t.VehicleId + " gap");
            Image(html, PlotRenderer.TimePlot(t.VehicleId + ": time gap", "time gap, s", [new(t.Time, t.TimeGap, "true", false, 0), new(v.Time, v.MeasuredTimeGap, "measured", true, 1), new(v.Time, v.TimeGapSetting, "platoon setting", true, 2)], 240), t.VehicleId + " time gap");
            Image(html, PlotRenderer.TimePlot(t.VehicleId + ": acceleration", "acceleration, m/s²", [new(t.Time, t.Acceleration, "true", false, 0), new(v.Time, v.AccelerationRequest, "requested", true, 1)], 240), t.VehicleId + " acceleration");
        }
    }

    private static void Events(StringBuilder html, ReportModel model)
    {
        html.Append("<h2 id=\"events\">Events</h2>\n<p>From the bridge's <code>/events</code> (collisions, failures, scenario and V2X-channel events, lane changes, signal priority), changes in the trucks' reported diagnostics (platoon state, role, longitudinal mode — CACC → ACC is marked <code>v2v_fallback</code> — control mode, perception state), signal-group changes and, when the report knows the map's stop lines (run --report, report --scenario), each truck's front crossing a stop line with the state its group showed (ground truth; <code>red_light_crossing</code> on red).</p>\n");
        if (model.Events.Count == 0)
        {
            html.Append("<p class=\"note\">No events.</p>\n");
            return;
        }

        var rows = new List<string>();
        var kinds = new List<string>();
        var points = new List<List<(double, int)>>();
        foreach (var e in model.Events)
        {
            var row = TimelineRow(e);
            var r = rows.IndexOf(row);
            if (r < 0)
            {
                rows.Add(row);
                r = rows.Count - 1;
            }

            var k = kinds.IndexOf(e.Kind);
            if (k < 0)
            {
                kinds.Add(e.Kind);
                points.Add([]);
                k = kinds.Count - 1;
            }

            points[k].Add((e.Time, r));
        }

        var other = 4;
        var series = kinds.Select((kind, k) => new PlotRenderer.TimelineSeries(kind, kind switch
        {
            "signal_red" or "red_light_crossing" => 3,
            "signal_amber" => 1,
            "signal_green" => 2,
            _ => other++,
        }, points[k])).ToList();
        var end = Math.Max(model.Summary.SimulatedTime, model.Events[^1].Time);
        Image(html, PlotRenderer.Timeline(rows, series, end), "events timeline");
        var listed = model.Events.Where(e => !IsSignalChange(e)).ToList();
        var signalChanges = model.Events.Count - listed.Count;
        if (signalChanges > 0)
        {
            html.Append("<p>").Append(signalChanges.ToString(Inv)).Append(" signal-group changes are drawn in the timeline and not listed.</p>\n");
        }

        if (listed.Count > MaxEventRows)
        {
            html.Append("<p class=\"note\">The first ").Append(MaxEventRows.ToString(Inv)).Append(" of ").Append(listed.Count.ToString(Inv)).Append(" events are listed.</p>\n");
        }

        Table(html, new KpiTable(
            "events",
            ["time, s", "kind", "vehicle", "detail", "source"],
            [.. listed.Take(MaxEventRows).Select(e => (IReadOnlyList<string>)[e.Time.ToString("0.00", Inv), e.Kind, e.VehicleId, e.Detail, SourceName(e.Source)])]),
            showTitle: false);
    }

    private static bool IsSignalChange(ReportEvent e) => e.Source == EventSource.Signals && e.VehicleId.Length == 0;

    /// <summary>Timeline rows: one per signal group, one per truck (its diagnostics changes and bridge events about it), one for run-wide events.</summary>
    private static string TimelineRow(ReportEvent e) => e.Source switch
    {
        EventSource.Signals when e.VehicleId.Length == 0 => e.Detail,
        _ => e.VehicleId.Length > 0 ? e.VehicleId : "run",
    };

    private static string SourceName(EventSource source) => source switch
    {
        EventSource.Bridge => "/events",
        EventSource.VehicleDiagnostics => "diagnostics",
        _ => "ground truth",
    };

    private static void Log(StringBuilder html, LogFacts log)
    {
        html.Append("<h2 id=\"log\">Log</h2>\n<p><code>").Append(E(log.FileName)).Append("</code>: ")
            .Append(log.Messages.ToString(Inv)).Append(" messages.</p>\n");
        Table(html, new KpiTable("topics", ["topic", "messages"], [.. log.Topics.Select(t => (IReadOnlyList<string>)[t.Topic, t.Messages.ToString(Inv)])]), showTitle: false);
    }

    private static void Table(StringBuilder html, KpiTable table, bool showTitle = true)
    {
        if (showTitle)
        {
            html.Append("<h3>").Append(E(table.Title)).Append("</h3>\n");
        }

        html.Append("<table class=\"kpi\" data-table=\"").Append(E(table.Title)).Append("\">\n<tr>");
        foreach (var c in table.Columns)
        {
            html.Append("<th>").Append(E(c)).Append("</th>");
        }

        html.Append("</tr>\n");
        foreach (var row in table.Rows)
        {
            html.Append("<tr>");
            foreach (var cell in row)
            {
                html.Append("<td>").Append(E(cell)).Append("</td>");
            }

            html.Append("</tr>\n");
        }

        html.Append("</table>\n");
    }

    private static void Row(StringBuilder html, string name, string valueHtml) =>
        html.Append("<tr><th>").Append(E(name)).Append("</th><td>").Append(valueHtml).Append("</td></tr>\n");

    private static void Image(StringBuilder html, byte[] png, string alt) =>
        html.Append("<img alt=\"").Append(E(alt)).Append("\" src=\"data:image/png;base64,").Append(Convert.ToBase64String(png)).Append("\">\n");

    private static string F(double value) => double.IsFinite(value) ? value.ToString("0.000", Inv) : "—";

    private static string E(string text) => WebUtility.HtmlEncode(text);

    private const string Css = """
        body { font-family: sans-serif; margin: 1.5em; max-width: 1000px; color: #222; }
        table { border-collapse: collapse; margin: 0.5em 0 1em; font-size: 0.9em; }
        th, td { border: 1px solid #ccc; padding: 2px 8px; text-align: left; }
        th { background: #f2f2f2; }
        .pass { color: #fff; background: #2a7d2a; padding: 1px 8px; font-weight: bold; }
        .fail { color: #fff; background: #b22222; padding: 1px 8px; font-weight: bold; }
        .unknown { background: #ddd; padding: 1px 8px; }
        .note { background: #fff6d6; border-left: 4px solid #e0b000; padding: 4px 8px; }
        .failed li { color: #b22222; }
        .pair { display: flex; flex-wrap: wrap; }
        img { display: block; margin: 4px 0; }

        """;
}
