using ScottPlot;

namespace AutomationStack.Reporting;

/// <summary>A line of a time plot: x and y (NaN = a break in the line), legend text, dashed or not.</summary>
internal readonly record struct PlotLine(IReadOnlyList<double> X, IReadOnlyList<double> Y, string Label, bool Dashed, int ColorIndex);

/// <summary>
/// Draws the report's figures with ScottPlot 5 (SkiaSharp) into PNG bytes. Thin: every number comes from the
/// <see cref="ReportModel"/>; same model, same bytes (no clock, fixed sizes, fixed palette).
/// </summary>
internal static class PlotRenderer
{
    public const int Width = 900;
    public const int Height = 280;
    private const int TimelineLanes = 5;
    private const double TimelineLaneHeight = 0.14; // rows are 1 apart
    private const float LineWidth = 1.5f;
    private static readonly Color[] Palette = [.. new ScottPlot.Palettes.Category10().Colors];

    /// <summary>A time plot with the given lines; lines with no finite point are left out.</summary>
    public static byte[] TimePlot(string title, string yLabel, IReadOnlyList<PlotLine> lines, int height = Height)
    {
        var plot = new Plot();
        foreach (var line in lines)
        {
            var labelled = false;
            foreach (var (xs, ys) in Segments(line.X, line.Y))
            {
                var scatter = plot.Add.ScatterLine(xs, ys, Palette[line.ColorIndex % Palette.Length]);
                scatter.LineWidth = LineWidth;
                scatter.MarkerSize = xs.Length == 1 ? 3 : 0;
                scatter.LinePattern = line.Dashed ? LinePattern.Dashed : LinePattern.Solid;
                if (!labelled)
                {
                    scatter.LegendText = line.Label;
                    labelled = true;
                }
            }
        }

        plot.Title(title);
        plot.XLabel("simulated time, s");
        plot.YLabel(yLabel);
        plot.ShowLegend(Edge.Right);
        return plot.GetImageBytes(Width, height, ImageFormat.Png);
    }

    /// <summary>Bars per platoon position (labels under them), with a dashed line at <paramref name="reference"/> when finite.</summary>
    public static byte[] Bars(string title, string yLabel, IReadOnlyList<string> labels, IReadOnlyList<double> values, double reference, string referenceLabel)
    {
        var plot = new Plot();
        var positions = new double[values.Count];
        var bars = new List<Bar>(values.Count);
        for (var i = 0; i < values.Count; i++)
        {
            positions[i] = i;
            if (double.IsFinite(values[i]))
            {
                bars.Add(new Bar { Position = i, Value = values[i], FillColor = Palette[i % Palette.Length] });
            }
        }

        plot.Add.Bars(bars);
        if (double.IsFinite(reference))
        {
            var line = plot.Add.HorizontalLine(reference);
            line.LinePattern = LinePattern.Dashed;
            line.LegendText = referenceLabel;
            plot.ShowLegend(Alignment.UpperRight);
        }

        plot.Axes.Bottom.SetTicks(positions, [.. labels]);
        plot.Axes.Margins(bottom: 0);
        plot.Title(title);
        plot.YLabel(yLabel);
        return plot.GetImageBytes(Width / 2, Height, ImageFormat.Png);
    }

    /// <summary>A series of the timeline: its legend text, colour and points (time s, row index, top row 0).</summary>
    public readonly record struct TimelineSeries(string Label, int ColorIndex, IReadOnlyList<(double Time, int Row)> Points);

    /// <summary>Events as markers: one row per label (top to bottom in the given order), x = time, a legend entry per series.</summary>
    public static byte[] Timeline(IReadOnlyList<string> rows, IReadOnlyList<TimelineSeries> series, double endTime)
    {
        var plot = new Plot();
        for (var k = 0; k < series.Count; k++)
        {
            // Kinds sit slightly apart within a row, so that events at the same instant stay visible.
            var s = series[k];
            var offset = ((k % TimelineLanes) - (TimelineLanes / 2)) * TimelineLaneHeight;
            var xs = s.Points.Select(p => p.Time).ToArray();
            var ys = s.Points.Select(p => rows.Count - 1 - p.Row + offset).ToArray();
            var markers = plot.Add.Markers(xs, ys, MarkerShape.FilledCircle, 7, Palette[s.ColorIndex % Palette.Length]);
            markers.LegendText = s.Label;
        }

        var positions = Enumerable.Range(0, rows.Count).Select(i => (double)(rows.Count - 1 - i)).ToArray();
        plot.Axes.Left.SetTicks(positions, [.. rows]);
        var end = Math.Max(endTime, 1);
        plot.Axes.SetLimitsX(-0.02 * end, 1.02 * end);
        plot.Axes.SetLimitsY(-0.5, rows.Count - 0.5);
        plot.Title("events");
        plot.XLabel("simulated time, s");
        plot.ShowLegend(Edge.Right);
        var height = Math.Max(200, 90 + (Math.Max(rows.Count, series.Count) * 22));
        return plot.GetImageBytes(Width, height, ImageFormat.Png);
    }

    /// <summary>Contiguous runs of finite points.</summary>
    internal static IEnumerable<(double[] X, double[] Y)> Segments(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        var n = Math.Min(x.Count, y.Count);
        var start = -1;
        for (var i = 0; i <= n; i++)
        {
            var finite = i < n && double.IsFinite(x[i]) && double.IsFinite(y[i]);
            if (finite && start < 0)
            {
                start = i;
            }
            else if (!finite && start >= 0)
            {
                var xs = new double[i - start];
                var ys = new double[i - start];
                for (var k = start; k < i; k++)
                {
                    xs[k - start] = x[k];
                    ys[k - start] = y[k];
                }

                yield return (xs, ys);
                start = -1;
            }
        }
    }
}
