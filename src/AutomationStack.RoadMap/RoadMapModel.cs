using AutomationStack.Geometry;

namespace AutomationStack.RoadMap;

/// <summary>
/// The road network as the stack sees it: lanes as centreline polylines with widths and speed limits. The same
/// model is filled from a map file (simulator, truck) or from the bridge's world info (vehicle process).
/// </summary>
public sealed class RoadNetwork
{
    private readonly Dictionary<string, Lane> _byId;

    public RoadNetwork(
        string name, IReadOnlyList<Lane> lanes, IReadOnlyList<SignalHeadSite>? signalHeads = null, IReadOnlyList<Intersection>? intersections = null)
    {
        ArgumentNullException.ThrowIfNull(lanes);
        Name = name;
        Lanes = lanes;
        SignalHeads = signalHeads ?? [];
        Intersections = intersections ?? [];
        _byId = new Dictionary<string, Lane>(StringComparer.Ordinal);
        foreach (var lane in lanes)
        {
            if (!_byId.TryAdd(lane.Id, lane))
            {
                throw new ArgumentException($"Duplicate lane id '{lane.Id}'.", nameof(lanes));
            }
        }

        var headIds = new HashSet<string>(StringComparer.Ordinal);
        foreach (var head in SignalHeads)
        {
            if (!headIds.Add(head.Id))
            {
                throw new ArgumentException($"Duplicate signal head id '{head.Id}'.", nameof(signalHeads));
            }
        }

        var intersectionIds = new HashSet<int>();
        foreach (var intersection in Intersections)
        {
            if (!intersectionIds.Add(intersection.Id))
            {
                throw new ArgumentException($"Duplicate intersection id {intersection.Id}.", nameof(intersections));
            }

            foreach (var group in intersection.SignalGroups)
            {
                foreach (var headId in group.HeadIds)
                {
                    if (!headIds.Contains(headId))
                    {
                        throw new ArgumentException($"Intersection {intersection.Id} group {group.Id}: unknown signal head '{headId}'.", nameof(intersections));
                    }
                }

                foreach (var ingress in group.Ingress)
                {
                    if (!_byId.ContainsKey(ingress.LaneId))
                    {
                        throw new ArgumentException($"Intersection {intersection.Id} group {group.Id}: unknown lane '{ingress.LaneId}'.", nameof(intersections));
                    }
                }
            }
        }
    }

    public string Name { get; }

    public IReadOnlyList<Lane> Lanes { get; }

    /// <summary>The map's traffic signal heads, in file order (empty when the map has none).</summary>
    public IReadOnlyList<SignalHeadSite> SignalHeads { get; }

    /// <summary>The map's signalised intersections, in file order (empty when the map has none).</summary>
    public IReadOnlyList<Intersection> Intersections { get; }

    public bool TryGetLane(string id, out Lane lane)
    {
        if (_byId.TryGetValue(id, out var found))
        {
            lane = found;
            return true;
        }

        lane = null!;
        return false;
    }

    public Lane GetLane(string id) =>
        _byId.TryGetValue(id, out var lane) ? lane : throw new KeyNotFoundException($"Unknown lane '{id}'.");

    /// <summary>
    /// Finds the lane whose centreline is nearest to <paramref name="p"/> among lanes that contain it within
    /// their width (or the nearest overall if none does). Returns false for an empty map.
    /// </summary>
    public bool TryLocate(Vec2 p, out LanePosition position)
    {
        position = default;
        var bestAbs = double.MaxValue;
        var found = false;
        foreach (var lane in Lanes)
        {
            var proj = lane.Centreline.Project(p);
            var outside = proj.S < 0 || proj.S > lane.Centreline.Length;
            var abs = Math.Abs(proj.Offset) + (outside ? 1e6 : 0);
            if (abs < bestAbs)
            {
                bestAbs = abs;
                position = new LanePosition(lane.Id, proj.S, proj.Offset, proj.Segment);
                found = true;
            }
        }

        return found;
    }
}
