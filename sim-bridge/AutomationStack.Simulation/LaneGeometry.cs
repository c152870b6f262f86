using AutomationStack.Geometry;

namespace AutomationStack.Simulation;

/// <summary>Centreline helpers that extend a lane straight beyond its ends (lanes have no successors in this model).</summary>
internal static class LaneGeometry
{
    /// <summary>Half the baseline over which lane curvature is estimated, m.</summary>
    private const double CurvatureHalfBaseline = 5.0;

    private const double Half = 0.5;

    /// <summary>Point and heading at arc length s; beyond the ends the first/last segment is extended straight.</summary>
    public static (Vec2 Point, double Heading) PointAt(Polyline line, double s)
    {
        if (s < 0)
        {
            var (start, h0) = line.Evaluate(0);
            return (start + (Vec2.FromHeading(h0) * s), h0);
        }

        if (s > line.Length)
        {
            var (end, h1) = line.Evaluate(line.Length);
            return (end + (Vec2.FromHeading(h1) * (s - line.Length)), h1);
        }

        return line.Evaluate(s);
    }

    /// <summary>
    /// Like <see cref="PointAt"/> but walks from a segment hint instead of a binary search (vehicles move a few
    /// segments per step at most). Updates <paramref name="segment"/> to the segment holding s.
    /// </summary>
    public static (Vec2 Point, double Heading) PointAt(Polyline line, double s, ref int segment)
    {
        var arcs = line.ArcLengths;
        var last = arcs.Length - 2;
        var i = Math.Clamp(segment, 0, last);
        while (i < last && s > arcs[i + 1])
        {
            i++;
        }

        while (i > 0 && s < arcs[i])
        {
            i--;
        }

        segment = i;
        var points = line.Points;
        var a = points[i];
        var d = points[i + 1] - a;
        var t = (s - arcs[i]) / (arcs[i + 1] - arcs[i]);
        if ((t < 0 && i > 0) || (t > 1 && i < last))
        {
            t = Math.Clamp(t, 0.0, 1.0);
        }

        // On the first/last segment t may leave [0, 1]: the lane is extended straight beyond its ends.
        return (a + (d * t), Math.Atan2(d.Y, d.X));
    }

    /// <summary>
    /// Curvature estimate (1/m, left positive): heading change between the segments at s ± 5 m divided by the arc
    /// length between their midpoints (exact for a polyline sampled uniformly along a circle); 0 within one segment.
    /// </summary>
    public static double CurvatureAt(Polyline line, double s)
    {
        var arcs = line.ArcLengths;
        var first = line.SegmentAt(s - CurvatureHalfBaseline);
        var last = line.SegmentAt(s + CurvatureHalfBaseline);
        if (first == last)
        {
            return 0.0;
        }

        var (_, before) = line.Evaluate(Midpoint(arcs, first));
        var (_, after) = line.Evaluate(Midpoint(arcs, last));
        return Angles.Normalize(after - before) / (Midpoint(arcs, last) - Midpoint(arcs, first));
    }

    private static double Midpoint(ReadOnlySpan<double> arcs, int segment) => Half * (arcs[segment] + arcs[segment + 1]);
}
