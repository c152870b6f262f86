using System.Diagnostics;
using System.Globalization;
using System.Text;
using AutomationStack.Geometry;
using AutomationStack.RoadMap;

namespace AutomationStack.Sumo;

/// <summary>One SUMO edge made from a piece of a map road: its id, the road, and the arc-length range of the road's reference line it covers, m.</summary>
public sealed record SumoEdgePiece(string EdgeId, string RoadId, double StartS, double EndS, int LaneCount);

/// <summary>What <see cref="SumoNetworkExport.Export"/> wrote: the network file, the edges per road, and the traffic-light ids (the map's intersection ids).</summary>
public sealed record SumoNetworkResult(string NetFile, IReadOnlyList<SumoEdgePiece> Edges, IReadOnlyList<string> TrafficLightIds);

/// <summary>
/// Writes a map (the embedded simulator's <see cref="RoadNetwork"/>) as a SUMO network: each road's reference line (its
/// left edge, rebuilt from the leftmost lane's centreline) becomes edge shapes with SUMO's default right spread, so SUMO
/// lane i lies where map lane i does (lane 0 rightmost in both); roads are split where their reference lines cross, at
/// junction nodes; a junction within <see cref="TrafficLightRadius"/> of a map intersection's reference position is a
/// traffic light whose id is the intersection id. Then runs SUMO's <c>netconvert</c> with coordinates kept as they are.
/// Deterministic for the same map. 2D only (elevation is not exported); lanes of a road keep their count along it.
/// </summary>
public static class SumoNetworkExport
{
    /// <summary>A crossing junction this close to a map intersection's reference position is its traffic light, m.</summary>
    public const double TrafficLightRadius = 40;

    /// <exception cref="InvalidOperationException">netconvert is missing or fails (its output is in the message).</exception>
    public static SumoNetworkResult Export(RoadNetwork map, string folder, string name, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(map);
        Directory.CreateDirectory(folder);
        var roads = ReferenceLines(map);

        // Crossing points of every pair of roads: (road, s) → node.
        var splits = roads.Keys.ToDictionary(k => k, _ => new SortedSet<double>(), StringComparer.Ordinal);
        var nodeAt = new Dictionary<(string Road, double S), Vec2>();
        var roadIds = roads.Keys.Order(StringComparer.Ordinal).ToArray();
        for (var a = 0; a < roadIds.Length; a++)
        {
            for (var b = a + 1; b < roadIds.Length; b++)
            {
                foreach (var (sa, sb, p) in Crossings(roads[roadIds[a]].Line, roads[roadIds[b]].Line))
                {
                    splits[roadIds[a]].Add(sa);
                    splits[roadIds[b]].Add(sb);
                    nodeAt[(roadIds[a], sa)] = p;
                    nodeAt[(roadIds[b], sb)] = p;
                }
            }
        }

        var nodes = new SortedDictionary<string, (Vec2 Position, string? Tls)>(StringComparer.Ordinal);
        var edges = new List<(SumoEdgePiece Piece, string From, string To, List<Vec2> Shape, Road Road)>();
        foreach (var id in roadIds)
        {
            var road = roads[id];
            var cuts = new List<double> { 0 };
            cuts.AddRange(splits[id].Where(s => s > 1 && s < road.Line.Length - 1));
            cuts.Add(road.Line.Length);
            for (var k = 0; k + 1 < cuts.Count; k++)
            {
                var from = Node(nodes, map, PointOn(road.Line, cuts[k], nodeAt, id));
                var to = Node(nodes, map, PointOn(road.Line, cuts[k + 1], nodeAt, id));
                var shape = Shape(road.Line, cuts[k], cuts[k + 1]);
                edges.Add((new SumoEdgePiece(string.Create(CultureInfo.InvariantCulture, $"{id}.{k}"), id, cuts[k], cuts[k + 1], road.LaneCount), from, to, shape, road));
            }
        }

        var nodFile = Path.Combine(folder, name + ".nod.xml");
        var edgFile = Path.Combine(folder, name + ".edg.xml");
        var netFile = Path.Combine(folder, name + ".net.xml");
        File.WriteAllText(nodFile, NodesXml(nodes));
        File.WriteAllText(edgFile, EdgesXml(edges));
        RunNetconvert(nodFile, edgFile, netFile, timeout ?? TimeSpan.FromSeconds(60));
        var tls = nodes.Values.Where(n => n.Tls is not null).Select(n => n.Tls!).Distinct().Order(StringComparer.Ordinal).ToArray();
        return new SumoNetworkResult(netFile, [.. edges.Select(e => e.Piece)], tls);
    }

    private sealed record Road(Polyline Line, int LaneCount, double LaneWidth, double SpeedLimit);

    /// <summary>Each road's reference line: the leftmost lane's centreline shifted half a lane to its left.</summary>
    private static Dictionary<string, Road> ReferenceLines(RoadNetwork map)
    {
        var result = new Dictionary<string, Road>(StringComparer.Ordinal);
        foreach (var group in map.Lanes.GroupBy(l => l.RoadId, StringComparer.Ordinal))
        {
            var lanes = group.OrderBy(l => l.Index).ToArray();
            var left = lanes[^1];
            var points = new List<Vec2>(left.Centreline.Count);
            var arcs = left.Centreline.ArcLengths;
            for (var i = 0; i < left.Centreline.Count; i++)
            {
                var (p, heading) = left.Centreline.Evaluate(arcs[i]);
                points.Add(p + (Vec2.FromHeading(heading + (Math.PI / 2)) * (0.5 * left.Width)));
            }

            result[group.Key] = new Road(new Polyline(points), lanes.Length, left.Width, left.SpeedLimit);
        }

        return result;
    }

    private static IEnumerable<(double SA, double SB, Vec2 P)> Crossings(Polyline a, Polyline b)
    {
        var pa = a.Points;
        var pb = b.Points;
        var sa = a.ArcLengths;
        var sb = b.ArcLengths;
        var found = new List<(double, double, Vec2)>();
        for (var i = 0; i + 1 < pa.Length; i++)
        {
            for (var j = 0; j + 1 < pb.Length; j++)
            {
                var r = pa[i + 1] - pa[i];
                var q = pb[j + 1] - pb[j];
                var denominator = Vec2.Cross(r, q);
                if (Math.Abs(denominator) < 1e-9)
                {
                    continue; // parallel or colinear: no single crossing point
                }

                var t = Vec2.Cross(pb[j] - pa[i], q) / denominator;
                var u = Vec2.Cross(pb[j] - pa[i], r) / denominator;
                if (t is >= 0 and <= 1 && u is >= 0 and <= 1)
                {
                    found.Add((sa[i] + (t * r.Length), sb[j] + (u * q.Length), pa[i] + (r * t)));
                }
            }
        }

        return found;
    }

    private static Vec2 PointOn(Polyline line, double s, Dictionary<(string, double), Vec2> nodeAt, string road) =>
        nodeAt.TryGetValue((road, s), out var p) ? p : line.Evaluate(s).Point;

    private static string Node(SortedDictionary<string, (Vec2 Position, string? Tls)> nodes, RoadNetwork map, Vec2 p)
    {
        var id = string.Create(CultureInfo.InvariantCulture, $"n{Math.Round(p.X, 1):0.0}_{Math.Round(p.Y, 1):0.0}");
        if (!nodes.ContainsKey(id))
        {
            string? tls = null;
            foreach (var intersection in map.Intersections)
            {
                if ((new Vec2(intersection.X, intersection.Y) - p).Length <= TrafficLightRadius)
                {
                    tls = intersection.Id.ToString(CultureInfo.InvariantCulture);
                }
            }

            nodes[id] = (p, tls);
        }

        return id;
    }

    private static List<Vec2> Shape(Polyline line, double from, double to)
    {
        var shape = new List<Vec2> { line.Evaluate(from).Point };
        var arcs = line.ArcLengths;
        var points = line.Points;
        for (var i = 0; i < points.Length; i++)
        {
            if (arcs[i] > from + 0.01 && arcs[i] < to - 0.01)
            {
                shape.Add(points[i]);
            }
        }

        shape.Add(line.Evaluate(to).Point);
        return shape;
    }

    private static string NodesXml(SortedDictionary<string, (Vec2 Position, string? Tls)> nodes)
    {
        var sb = new StringBuilder("<nodes>\n");
        foreach (var (id, (p, tls)) in nodes)
        {
            sb.Append(CultureInfo.InvariantCulture, $"  <node id=\"{id}\" x=\"{p.X:0.###}\" y=\"{p.Y:0.###}\"");
            sb.Append(tls is null ? " type=\"priority\"/>\n" : $" type=\"traffic_light\" tl=\"{tls}\"/>\n");
        }

        return sb.Append("</nodes>\n").ToString();
    }

    private static string EdgesXml(List<(SumoEdgePiece Piece, string From, string To, List<Vec2> Shape, Road Road)> edges)
    {
        var sb = new StringBuilder("<edges>\n");
        foreach (var (piece, from, to, shape, road) in edges)
        {
            var points = string.Join(' ', shape.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.X:0.###},{p.Y:0.###}")));
            sb.Append(CultureInfo.InvariantCulture,
                $"  <edge id=\"{piece.EdgeId}\" from=\"{from}\" to=\"{to}\" numLanes=\"{road.LaneCount}\" width=\"{road.LaneWidth:0.###}\" speed=\"{road.SpeedLimit:0.###}\" spreadType=\"right\" shape=\"{points}\"/>\n");
        }

        return sb.Append("</edges>\n").ToString();
    }

    private static void RunNetconvert(string nodFile, string edgFile, string netFile, TimeSpan timeout)
    {
        var binary = FindNetconvert() ?? throw new InvalidOperationException("netconvert not found (Debian package 'sumo'; or set NETCONVERT_BINARY)");
        var info = new ProcessStartInfo(binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
        {
            "--node-files", nodFile, "--edge-files", edgFile, "--output-file", netFile,
            "--offset.disable-normalization", "true", "--no-turnarounds", "true", "--tls.default-type", "static", "--no-warnings", "true",
        })
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {binary}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"netconvert did not finish within {timeout.TotalSeconds:F0} s");
        }

        if (process.ExitCode != 0 || !File.Exists(netFile))
        {
            throw new InvalidOperationException($"netconvert failed (exit {process.ExitCode}) for {edgFile}: {stderr.Result}{stdout.Result}");
        }
    }

    /// <summary><c>NETCONVERT_BINARY</c> if set, else <c>netconvert</c> from PATH; null when there is none.</summary>
    public static string? FindNetconvert()
    {
        var env = Environment.GetEnvironmentVariable("NETCONVERT_BINARY");
        if (!string.IsNullOrEmpty(env))
        {
            return File.Exists(env) ? env : null;
        }

        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, "netconvert");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
