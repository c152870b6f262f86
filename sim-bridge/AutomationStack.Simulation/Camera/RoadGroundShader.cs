using AutomationStack.Geometry;
using AutomationStack.RoadMap;

namespace AutomationStack.Simulation.Camera;

/// <summary>
/// The ground of a <see cref="RoadNetwork"/> for the camera: asphalt over every road's lanes, a solid white edge line
/// (<see cref="LineWidth"/>) inside both outer edges, dashed lines between lanes (<see cref="DashLength"/> of every
/// <see cref="DashPeriod"/> m of arc length), a gravel shoulder of <see cref="ShoulderWidth"/> beyond the edges and
/// grass everywhere else. A point belongs to a road when its projection onto the road's rightmost lane centreline
/// falls inside the lane's arc-length range and its lateral offset inside the road (plus shoulder); the first road
/// in map order that claims it as asphalt wins. Projection walks segment by segment from the last segment found
/// (per road), which is O(1) for neighbouring pixels. Not thread-safe (the hints); deterministic.
/// </summary>
public sealed class RoadGroundShader : IGroundShader
{
    public const double LineWidth = 0.15;
    public const double DashLength = 6.0;
    public const double DashPeriod = 18.0;
    public const double ShoulderWidth = 0.6;

    private static readonly Rgb Asphalt = new(86, 86, 90);
    private static readonly Rgb Marking = new(220, 220, 215);
    private static readonly Rgb Shoulder = new(120, 118, 110);
    private static readonly Rgb Grass = new(78, 104, 58);

    private readonly RoadShape[] _roads;

    public RoadGroundShader(RoadNetwork map)
    {
        ArgumentNullException.ThrowIfNull(map);
        var roads = new List<RoadShape>();
        foreach (var lane in map.Lanes)
        {
            if (roads.Exists(r => string.Equals(r.Id, lane.RoadId, StringComparison.Ordinal)))
            {
                continue;
            }

            var lanes = map.Lanes.Where(l => string.Equals(l.RoadId, lane.RoadId, StringComparison.Ordinal)).ToArray();
            var right = lanes.MinBy(l => l.Index)!;
            roads.Add(new RoadShape(lane.RoadId, right.Centreline, right.Width, lanes.Length, lanes));
        }

        _roads = [.. roads];
    }

    public Rgb Shade(double x, double y)
    {
        var shoulder = false;
        foreach (var road in _roads)
        {
            switch (road.Classify(x, y))
            {
                case Surface.Asphalt:
                    return Asphalt;
                case Surface.Marking:
                    return Marking;
                case Surface.Shoulder:
                    shoulder = true;
                    break;
                default:
                    break;
            }
        }

        return shoulder ? Shoulder : Grass;
    }

    private enum Surface
    {
        None,
        Shoulder,
        Asphalt,
        Marking,
    }

    /// <summary>One road: its rightmost lane's centreline as the reference, the lateral extent of its lanes.</summary>
    private sealed class RoadShape
    {
        private readonly Vec2[] _points;
        private readonly double[] _s;
        private readonly double _laneWidth;
        private readonly int _laneCount;
        private readonly double _rightEdge;
        private readonly double _leftEdge;
        private readonly double _minX;
        private readonly double _maxX;
        private readonly double _minY;
        private readonly double _maxY;
        private int _hint;

        public RoadShape(string id, Polyline rightLane, double laneWidth, int laneCount, IReadOnlyList<Lane> lanes)
        {
            Id = id;
            _points = rightLane.Points.ToArray();
            _s = rightLane.ArcLengths.ToArray();
            _laneWidth = laneWidth;
            _laneCount = laneCount;
            _rightEdge = -0.5 * laneWidth;
            _leftEdge = (laneCount - 0.5) * laneWidth;
            var margin = (0.5 * laneWidth) + ShoulderWidth + 1.0;
            (_minX, _maxX, _minY, _maxY) = (double.MaxValue, double.MinValue, double.MaxValue, double.MinValue);
            foreach (var lane in lanes)
            {
                foreach (var p in lane.Centreline.Points)
                {
                    _minX = Math.Min(_minX, p.X - margin);
                    _maxX = Math.Max(_maxX, p.X + margin);
                    _minY = Math.Min(_minY, p.Y - margin);
                    _maxY = Math.Max(_maxY, p.Y + margin);
                }
            }
        }

        public string Id { get; }

        public Surface Classify(double x, double y)
        {
            if (x < _minX || x > _maxX || y < _minY || y > _maxY)
            {
                return Surface.None;
            }

            // Walk from the last segment towards the point's foot; one direction only, so it always ends.
            var last = _points.Length - 2;
            var seg = _hint;
            var direction = 0;
            double t;
            double dx, dy, px, py;
            while (true)
            {
                var a = _points[seg];
                var b = _points[seg + 1];
                (dx, dy) = (b.X - a.X, b.Y - a.Y);
                (px, py) = (x - a.X, y - a.Y);
                t = ((px * dx) + (py * dy)) / ((dx * dx) + (dy * dy));
                if (t < 0 && seg > 0 && direction <= 0)
                {
                    seg--;
                    direction = -1;
                    continue;
                }

                if (t > 1 && seg < last && direction >= 0)
                {
                    seg++;
                    direction = 1;
                    continue;
                }

                break;
            }

            _hint = seg;
            var length = _s[seg + 1] - _s[seg];
            var s = _s[seg] + (t * length);
            if (s < 0 || s > _s[^1])
            {
                return Surface.None;
            }

            // Left positive: the cross product of the segment direction and the point.
            var d = ((dx * py) - (dy * px)) / length;
            if (d < _rightEdge - ShoulderWidth || d > _leftEdge + ShoulderWidth)
            {
                return Surface.None;
            }

            if (d < _rightEdge || d > _leftEdge)
            {
                return Surface.Shoulder;
            }

            if (d < _rightEdge + LineWidth || d > _leftEdge - LineWidth)
            {
                return Surface.Marking;
            }

            // Dashed lines between lanes: boundary k at d = right edge + k · lane width.
            var fromRight = d - _rightEdge;
            var k = Math.Round(fromRight / _laneWidth);
            if (k >= 1 && k < _laneCount && Math.Abs(fromRight - (k * _laneWidth)) < 0.5 * LineWidth
                && s - (Math.Floor(s / DashPeriod) * DashPeriod) < DashLength)
            {
                return Surface.Marking;
            }

            return Surface.Asphalt;
        }
    }
}
