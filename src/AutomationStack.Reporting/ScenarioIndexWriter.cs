using System.Globalization;
using System.Net;
using System.Text;

namespace AutomationStack.Reporting;

/// <summary>One scenario of an index page: its verdict, the run's exit code, failed criteria, and its report (relative path; null when none was written).</summary>
public sealed record ScenarioIndexEntry(string Name, bool? Passed, int ExitCode, IReadOnlyList<string> FailedCriteria, string? ReportPath);

/// <summary>An <c>index.html</c> linking the reports of several scenarios with pass/fail (self-contained, no timestamps).</summary>
public static class ScenarioIndexWriter
{
    public static string Render(IReadOnlyList<ScenarioIndexEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var inv = CultureInfo.InvariantCulture;
        var html = new StringBuilder();
        var passed = entries.Count(e => e.Passed == true);
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Scenario reports</title>\n<style>\n")
            .Append("body { font-family: sans-serif; margin: 1.5em; color: #222; }\n")
            .Append("table { border-collapse: collapse; } th, td { border: 1px solid #ccc; padding: 2px 8px; text-align: left; vertical-align: top; }\n")
            .Append(".pass { color: #fff; background: #2a7d2a; padding: 1px 8px; font-weight: bold; }\n")
            .Append(".fail { color: #fff; background: #b22222; padding: 1px 8px; font-weight: bold; }\n")
            .Append(".unknown { background: #ddd; padding: 1px 8px; }\n</style>\n</head>\n<body>\n<h1>Scenario reports</h1>\n<p>")
            .Append(entries.Count.ToString(inv)).Append(" scenario(s): ").Append(passed.ToString(inv)).Append(" passed.</p>\n")
            .Append("<table class=\"index\">\n<tr><th>scenario</th><th>result</th><th>exit code</th><th>failed criteria</th></tr>\n");
        foreach (var e in entries)
        {
            var name = WebUtility.HtmlEncode(e.Name);
            html.Append("<tr><td>")
                .Append(e.ReportPath is null ? name : $"<a href=\"{WebUtility.HtmlEncode(e.ReportPath)}\">{name}</a>")
                .Append("</td><td>")
                .Append(e.Passed switch
                {
                    true => "<span class=\"pass\">PASS</span>",
                    false => "<span class=\"fail\">FAIL</span>",
                    null => e.ReportPath is null ? "<span class=\"unknown\">no report</span>" : "<span class=\"unknown\">no KPIs</span>",
                })
                .Append("</td><td>").Append(e.ExitCode.ToString(inv)).Append("</td><td>")
                .Append(string.Join("<br>", e.FailedCriteria.Select(WebUtility.HtmlEncode)))
                .Append("</td></tr>\n");
        }

        html.Append("</table>\n</body>\n</html>\n");
        return html.ToString();
    }
}
