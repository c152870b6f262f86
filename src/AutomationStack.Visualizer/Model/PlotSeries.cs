namespace AutomationStack.Visualizer.Model;

/// <summary>Which live plot.</summary>
internal enum PlotKind
{
    Speed,
    Gap,
    TimeGap,
    Acceleration,
}

/// <summary>
/// A truck's plot series over the whole log, sampled at <see cref="ReplayIndex.SeriesPeriod"/>: ground-truth speed
/// (m/s), acceleration (m/s²), bumper-to-bumper gap to the vehicle ahead in lane (m; NaN-free: samples without a lead
/// are left out of the gap and time-gap series) and time gap (s, gap / speed while moving).
/// </summary>
internal sealed class PlotSeries
{
    /// <summary>Below this speed the time gap is not defined, m/s.</summary>
    public const double MinSpeedForTimeGap = 0.5;

    private readonly double[][] _times;
    private readonly double[][] _values;

    private PlotSeries(double[][] times, double[][] values)
    {
        _times = times;
        _values = values;
    }

    public ReadOnlySpan<double> Times(PlotKind kind) => _times[(int)kind];

    public ReadOnlySpan<double> Values(PlotKind kind) => _values[(int)kind];

    /// <summary>Index range [first, last] of the samples with from ≤ t ≤ to (first &gt; last when none).</summary>
    public (int First, int Last) Window(PlotKind kind, double from, double to)
    {
        var t = _times[(int)kind];
        var first = LowerBound(t, from);
        var last = LowerBound(t, to + 1e-12) - 1;
        return (first, last);
    }

    /// <summary>The value of the last sample at or before <paramref name="time"/>, or null.</summary>
    public double? ValueAt(PlotKind kind, double time)
    {
        var t = _times[(int)kind];
        var i = LowerBound(t, time + 1e-12) - 1;
        return i < 0 ? null : _values[(int)kind][i];
    }

    private static int LowerBound(double[] sorted, double value)
    {
        var lo = 0;
        var hi = sorted.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) / 2;
            if (sorted[mid] < value)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    internal sealed class Builder
    {
        private readonly List<double>[] _t = [[], [], [], []];
        private readonly List<double>[] _v = [[], [], [], []];

        public void Add(double time, double speed, double acceleration, double? gap)
        {
            Add(PlotKind.Speed, time, speed);
            Add(PlotKind.Acceleration, time, acceleration);
            if (gap is { } g)
            {
                Add(PlotKind.Gap, time, g);
                if (speed >= MinSpeedForTimeGap)
                {
                    Add(PlotKind.TimeGap, time, g / speed);
                }
            }
        }

        public PlotSeries Build()
        {
            var times = new double[4][];
            var values = new double[4][];
            for (var k = 0; k < 4; k++)
            {
                times[k] = [.. _t[k]];
                values[k] = [.. _v[k]];
            }

            return new PlotSeries(times, values);
        }

        private void Add(PlotKind kind, double time, double value)
        {
            if (double.IsFinite(value))
            {
                _t[(int)kind].Add(time);
                _v[(int)kind].Add(value);
            }
        }
    }
}
