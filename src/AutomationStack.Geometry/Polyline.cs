namespace AutomationStack.Geometry;

/// <summary>Result of projecting a point onto a polyline: arc length, signed lateral offset (left positive).</summary>
public readonly record struct PolylineProjection(double S, double Offset, int Segment, double Heading);

/// <summary>
/// An immutable open polyline with precomputed arc lengths. Used for lane centrelines. Projection searches
/// the whole line unless a segment hint is given, in which case it searches a window around the hint.
/// </summary>
public sealed class Polyline
{
    private readonly Vec2[] _points;
    private readonly double[] _s;

    public Polyline(IReadOnlyList<Vec2> points)
    {
        ArgumentNullException.ThrowIfNull(points);
        if (points.Count < 2)
        {
            throw new ArgumentException("A polyline needs at least two points.", nameof(points));
        }

        _points = new Vec2[points.Count];
        _s = new double[points.Count];
        for (var i = 0; i < points.Count; i++)
        {
            _points[i] = points[i];
            if (i > 0)
            {
                var len = (points[i] - points[i - 1]).Length;
                if (!(len > 0))
                {
                    throw new ArgumentException($"Polyline points {i - 1} and {i} coincide.", nameof(points));
                }

                _s[i] = _s[i - 1] + len;
            }
        }
    }

    public ReadOnlySpan<Vec2> Points => _points;

    public ReadOnlySpan<double> ArcLengths => _s;

    public int Count => _points.Length;

    public double Length => _s[^1];

    /// <summary>Point and heading at arc length <paramref name="s"/>, clamped to the ends.</summary>
    public (Vec2 Point, double Heading) Evaluate(double s)
    {
        var i = SegmentAt(s);
        var a = _points[i];
        var b = _points[i + 1];
        var segLen = _s[i + 1] - _s[i];
        var t = Math.Clamp((s - _s[i]) / segLen, 0.0, 1.0);
        var d = b - a;
        return (a + (d * t), Math.Atan2(d.Y, d.X));
    }

    /// <summary>Index of the segment holding arc length s (binary search, clamped).</summary>
    public int SegmentAt(double s)
    {
        if (s <= 0)
        {
            return 0;
        }

        if (s >= _s[^1])
        {
            return _points.Length - 2;
        }

        var idx = Array.BinarySearch(_s, s);
        if (idx < 0)
        {
            idx = ~idx - 1;
        }

        return Math.Clamp(idx, 0, _points.Length - 2);
    }

    /// <summary>Projects <paramref name="p"/> onto the nearest segment. With a hint, searches ±window segments.</summary>
    public PolylineProjection Project(Vec2 p, int hint = -1, int window = 8)
    {
        var first = 0;
        var last = _points.Length - 2;
        if (hint >= 0)
        {
            first = Math.Max(0, hint - window);
            last = Math.Min(_points.Length - 2, hint + window);
        }

        var best = double.MaxValue;
        var bestSeg = first;
        var bestT = 0.0;
        for (var i = first; i <= last; i++)
        {
            var a = _points[i];
            var d = _points[i + 1] - a;
            var t = Math.Clamp(Vec2.Dot(p - a, d) / d.LengthSquared, 0.0, 1.0);
            var q = a + (d * t);
            var dist = (p - q).LengthSquared;
            if (dist < best)
            {
                best = dist;
                bestSeg = i;
                bestT = t;
            }
        }

        var sa = _points[bestSeg];
        var sd = _points[bestSeg + 1] - sa;
        var foot = sa + (sd * bestT);
        var segLen = _s[bestSeg + 1] - _s[bestSeg];
        var offset = Vec2.Cross(sd, p - foot) / segLen;
        var s = _s[bestSeg] + (bestT * segLen);

        // Beyond the ends, extend the first/last segment linearly so s keeps growing.
        if (bestT <= 0 && bestSeg == 0)
        {
            s = Vec2.Dot(p - sa, sd) / segLen;
            offset = Vec2.Cross(sd, p - sa) / segLen;
        }
        else if (bestT >= 1 && bestSeg == _points.Length - 2)
        {
            var end = _points[^1];
            s = _s[^1] + (Vec2.Dot(p - end, sd) / segLen);
            offset = Vec2.Cross(sd, p - end) / segLen;
        }

        return new PolylineProjection(s, offset, bestSeg, Math.Atan2(sd.Y, sd.X));
    }
}
