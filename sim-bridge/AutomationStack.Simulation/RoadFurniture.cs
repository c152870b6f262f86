using AutomationStack.Geometry;
using AutomationStack.RoadMap;

namespace AutomationStack.Simulation;

/// <summary>
/// A static post beside the road: a <see cref="Size"/> × <see cref="Size"/> × <see cref="Height"/> m box standing on
/// the ground with its centre at (<see cref="X"/>, <see cref="Y"/>) in map coordinates, aligned with the road
/// (<see cref="Heading"/>, rad).
/// </summary>
public readonly record struct RoadPost(double X, double Y, double Heading)
{
    /// <summary>Side of the square footprint, m.</summary>
    public const double Size = 0.2;

    /// <summary>Height above the ground, m.</summary>
    public const double Height = 1.0;
}

/// <summary>
/// Road furniture the lidar sees, generated once per world from the map geometry alone (deterministic, no random
/// draws): a post every <see cref="PostSpacing"/> m of centreline arc length (from s = 0) along both outer edges of
/// every road, its centre <see cref="PostSetback"/> m outside the edge of the outermost lane.
/// </summary>
internal static class RoadFurniture
{
    /// <summary>Distance between posts along the road, m.</summary>
    public const double PostSpacing = 25.0;

    /// <summary>Distance of a post's centre outside the road's outer lane edge, m.</summary>
    public const double PostSetback = 0.5;

    private const double Half = 0.5;

    /// <summary>The posts of all roads, road by road in map order; per road the right edge first, then the left.</summary>
    public static RoadPost[] Posts(RoadNetwork map)
    {
        ArgumentNullException.ThrowIfNull(map);
        var posts = new List<RoadPost>();
        var roads = new List<string>();
        foreach (var lane in map.Lanes)
        {
            if (!roads.Contains(lane.RoadId, StringComparer.Ordinal))
            {
                roads.Add(lane.RoadId);
            }
        }

        foreach (var road in roads)
        {
            Lane? right = null;
            Lane? left = null;
            foreach (var lane in map.Lanes)
            {
                if (!string.Equals(lane.RoadId, road, StringComparison.Ordinal))
                {
                    continue;
                }

                if (right is null || lane.Index < right.Index)
                {
                    right = lane;
                }

                if (left is null || lane.Index > left.Index)
                {
                    left = lane;
                }
            }

            AddEdge(posts, right!, -1.0);
            AddEdge(posts, left!, 1.0);
        }

        return [.. posts];
    }

    /// <summary>Posts along one edge of <paramref name="lane"/>: side +1 = left of the centreline, −1 = right.</summary>
    private static void AddEdge(List<RoadPost> posts, Lane lane, double side)
    {
        var line = lane.Centreline;
        var offset = side * ((Half * lane.Width) + PostSetback);
        var count = (int)Math.Floor(line.Length / PostSpacing);
        for (var k = 0; k <= count; k++)
        {
            var (point, heading) = line.Evaluate(k * PostSpacing);
            var p = point + (Vec2.FromHeading(heading).Normal * offset);
            posts.Add(new RoadPost(p.X, p.Y, heading));
        }
    }
}
