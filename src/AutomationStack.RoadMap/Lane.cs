using AutomationStack.Geometry;

namespace AutomationStack.RoadMap;

/// <summary>Piecewise-linear road elevation z(s), metres over arc length metres.</summary>
public sealed class ElevationProfile
{
    private readonly double[] _s;
    private readonly double[] _z;

    public ElevationProfile(IReadOnlyList<double> s, IReadOnlyList<double> z)
    {
        ArgumentNullException.ThrowIfNull(s);
        ArgumentNullException.ThrowIfNull(z);
        if (s.Count != z.Count || s.Count == 0)
        {
            throw new ArgumentException("Elevation profile needs matching, non-empty s and z lists.");
        }

        for (var i = 1; i < s.Count; i++)
        {
            if (!(s[i] > s[i - 1]))
            {
                throw new ArgumentException($"Elevation stations must increase strictly (index {i}).");
            }
        }

        _s = [.. s];
        _z = [.. z];
    }

    public static ElevationProfile Flat { get; } = new([0.0], [0.0]);

    public ReadOnlySpan<double> Stations => _s;

    public ReadOnlySpan<double> Heights => _z;

    public double HeightAt(double s)
    {
        if (_s.Length == 1 || s <= _s[0])
        {
            return _z[0];
        }

        if (s >= _s[^1])
        {
            return _z[^1];
        }

        var i = Segment(s);
        var t = (s - _s[i]) / (_s[i + 1] - _s[i]);
        return _z[i] + (t * (_z[i + 1] - _z[i]));
    }

    /// <summary>Grade dz/ds (dimensionless, 0.03 = 3 % uphill) at arc length s.</summary>
    public double GradeAt(double s)
    {
        if (_s.Length == 1 || s < _s[0] || s >= _s[^1])
        {
            return 0.0;
        }

        var i = Segment(s);
        return (_z[i + 1] - _z[i]) / (_s[i + 1] - _s[i]);
    }

    private int Segment(double s)
    {
        var idx = Array.BinarySearch(_s, s);
        if (idx < 0)
        {
            idx = ~idx - 1;
        }

        return Math.Clamp(idx, 0, _s.Length - 2);
    }
}

/// <summary>
/// One lane: centreline polyline in map coordinates (metres, x east, y north), width, speed limit (m/s),
/// the elevation of its road along the centreline, and its neighbours (same direction of travel).
/// </summary>
public sealed record Lane(
    string Id,
    string RoadId,
    int Index,
    Polyline Centreline,
    double Width,
    double SpeedLimit,
    ElevationProfile Elevation,
    string? LeftNeighbourId,
    string? RightNeighbourId);

/// <summary>A point located on a lane: arc length along the centreline and signed lateral offset (left positive).</summary>
public readonly record struct LanePosition(string LaneId, double S, double Offset, int Segment);
