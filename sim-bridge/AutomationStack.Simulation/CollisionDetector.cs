using AutomationStack.Geometry;

namespace AutomationStack.Simulation;

/// <summary>
/// Pairwise box overlap with a bounding-circle broad phase and the SAT narrow phase of <see cref="OrientedBox"/>.
/// Remembers which pairs overlapped on the previous step so that a lasting overlap is reported once.
/// </summary>
internal sealed class CollisionDetector
{
    private const int StationBits = 32;

    private readonly List<(string First, string Second)> _new = [];
    private HashSet<ulong> _previous = [];
    private HashSet<ulong> _current = [];
    private int[] _order = [];
    private double[] _left = [];

    public IReadOnlyList<(string First, string Second)> NewCollisions => _new;

    public int Count { get; private set; }

    public void Update(List<SimVehicle> vehicles)
    {
        (_previous, _current) = (_current, _previous);
        _current.Clear();
        _new.Clear();
        // Sweep along x: pairs whose bounding circles' x-extents overlap are checked (circle, then SAT).
        var n = vehicles.Count;
        if (_order.Length < n)
        {
            _order = new int[n * 2];
            _left = new double[n * 2];
        }

        var order = _order.AsSpan(0, n);
        var left = _left.AsSpan(0, n);
        for (var i = 0; i < n; i++)
        {
            order[i] = i;
            left[i] = vehicles[i].X - vehicles[i].BoundingRadius;
        }

        left.Sort(order);
        for (var p = 0; p < n; p++)
        {
            var a = vehicles[order[p]];
            var ra = a.BoundingRadius;
            var right = a.X + ra;
            OrientedBox? boxA = null;
            for (var q = p + 1; q < n && left[q] <= right; q++)
            {
                var b = vehicles[order[q]];
                var dx = b.X - a.X;
                var dy = b.Y - a.Y;
                var reach = ra + b.BoundingRadius;
                if ((dx * dx) + (dy * dy) > reach * reach)
                {
                    continue;
                }

                boxA ??= BoxOf(a);
                if (!OrientedBox.Intersects(boxA.Value, BoxOf(b)))
                {
                    continue;
                }

                var key = Key(a.StationId, b.StationId);
                if (_current.Add(key) && !_previous.Contains(key))
                {
                    _new.Add(string.CompareOrdinal(a.Id, b.Id) < 0 ? (a.Id, b.Id) : (b.Id, a.Id));
                }
            }
        }

        if (_new.Count > 1)
        {
            _new.Sort(static (p, q) =>
            {
                var c = string.CompareOrdinal(p.First, q.First);
                return c != 0 ? c : string.CompareOrdinal(p.Second, q.Second);
            });
        }

        Count += _new.Count;
    }

    public static OrientedBox BoxOf(SimVehicle v) =>
        new(new Vec2(v.X, v.Y), v.Heading, v.Body.Length, v.Body.Width);

    private static ulong Key(uint a, uint b) =>
        a < b ? ((ulong)a << StationBits) | b : ((ulong)b << StationBits) | a;
}
