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

    public IReadOnlyList<(string First, string Second)> NewCollisions => _new;

    public int Count { get; private set; }

    public void Update(List<SimVehicle> vehicles)
    {
        (_previous, _current) = (_current, _previous);
        _current.Clear();
        _new.Clear();
        for (var i = 0; i < vehicles.Count; i++)
        {
            var a = vehicles[i];
            var ra = a.BoundingRadius;
            OrientedBox? boxA = null;
            for (var j = i + 1; j < vehicles.Count; j++)
            {
                var b = vehicles[j];
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
                _current.Add(key);
                if (!_previous.Contains(key))
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
