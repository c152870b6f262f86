using AutomationStack.Geometry;

namespace AutomationStack.Simulation;

/// <summary>Centreline helpers that extend a lane straight beyond its ends (lanes have no successors in this model).</summary>
internal static class LaneGeometry
{
    /// <summary>Half the baseline over which lane curvature is estimated, m.</summary>
    private const double CurvatureHalfBaseline = 5.0;

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

    /// <summary>Curvature estimate (1/m, left positive) from the heading change over ±5 m around s.</summary>
    public static double CurvatureAt(Polyline line, double s)
    {
        var (_, before) = PointAt(line, s - CurvatureHalfBaseline);
        var (_, after) = PointAt(line, s + CurvatureHalfBaseline);
        return Angles.Normalize(after - before) / (2.0 * CurvatureHalfBaseline);
    }
}
