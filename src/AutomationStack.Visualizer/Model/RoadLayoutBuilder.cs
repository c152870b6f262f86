using System.Security.Cryptography;
using AutomationStack.RoadMap;

namespace AutomationStack.Visualizer.Model;

/// <summary>
/// The static road layout: from a map file, or found by the log's <c>run</c> metadata (<c>map</c> name and
/// <c>map_sha256</c>) among the <c>sim-bridge/maps/*.yaml</c> files above the log, the working folder or the program.
/// </summary>
internal static class RoadLayoutBuilder
{
    public static RoadLayout FromNetwork(RoadNetwork network)
    {
        ArgumentNullException.ThrowIfNull(network);
        var lanes = new List<LaneShape>();
        foreach (var lane in network.Lanes)
        {
            var points = lane.Centreline.Points;
            var xs = new double[points.Length];
            var ys = new double[points.Length];
            for (var i = 0; i < points.Length; i++)
            {
                xs[i] = points[i].X;
                ys[i] = points[i].Y;
            }

            lanes.Add(new LaneShape(lane.Id, xs, ys, lane.Width));
        }

        var heads = new List<(string, double, double)>();
        foreach (var head in network.SignalHeads)
        {
            heads.Add((head.Id, head.X, head.Y));
        }

        var stopLines = new List<StopLineSite>();
        foreach (var intersection in network.Intersections)
        {
            foreach (var group in intersection.SignalGroups)
            {
                foreach (var ingress in group.Ingress)
                {
                    if (!network.TryGetLane(ingress.LaneId, out var lane))
                    {
                        continue;
                    }

                    var (p, heading) = lane.Centreline.Evaluate(ingress.StopLineS);
                    var half = lane.Width / 2;
                    var (s, c) = Math.SinCos(heading);
                    stopLines.Add(new StopLineSite(intersection.Id, group.Id, p.X - (s * half), p.Y + (c * half), p.X + (s * half), p.Y - (c * half)));
                }
            }
        }

        return new RoadLayout(network.Name, lanes, heads, stopLines);
    }

    /// <summary>
    /// Loads <paramref name="mapPath"/> when given; otherwise looks for the log's map. Returns the layout (empty when
    /// none was found) and a note for the user when something was not found (null when all is well).
    /// </summary>
    public static (RoadLayout Layout, string? Note) Locate(ReplayIndex replay, string? mapPath)
    {
        ArgumentNullException.ThrowIfNull(replay);
        if (mapPath is not null)
        {
            return (FromNetwork(MapFile.Load(mapPath)), null);
        }

        replay.Metadata.TryGetValue("map", out var mapName);
        replay.Metadata.TryGetValue("map_sha256", out var mapSha);
        if (string.IsNullOrEmpty(mapName) && string.IsNullOrEmpty(mapSha))
        {
            return (RoadLayout.Empty, "the log names no map: roads are not drawn (give one with --map)");
        }

        foreach (var folder in CandidateFolders(replay.Path))
        {
            foreach (var file in Directory.EnumerateFiles(folder, "*.yaml").Order(StringComparer.Ordinal))
            {
                if (!string.IsNullOrEmpty(mapSha))
                {
                    if (string.Equals(Sha256(file), mapSha, StringComparison.OrdinalIgnoreCase))
                    {
                        return (FromNetwork(MapFile.Load(file)), null);
                    }

                    continue;
                }

                try
                {
                    var network = MapFile.Load(file);
                    if (network.Name == mapName)
                    {
                        return (FromNetwork(network), null);
                    }
                }
                catch (Exception ex) when (ex is IOException or FormatException or ArgumentException or InvalidOperationException or AutomationStack.Configuration.ConfigurationException)
                {
                    // Not a map of ours: keep looking.
                }
            }
        }

        return (RoadLayout.Empty, $"map '{mapName}' of the log was not found under sim-bridge/maps: roads are not drawn (give it with --map)");
    }

    private static IEnumerable<string> CandidateFolders(string logPath)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var start in new[] { Path.GetDirectoryName(Path.GetFullPath(logPath)), Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = start is null ? null : new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var maps = Path.Combine(dir.FullName, "sim-bridge", "maps");
                if (Directory.Exists(maps) && seen.Add(maps))
                {
                    yield return maps;
                }
            }
        }
    }

    private static string Sha256(string file)
    {
        using var stream = File.OpenRead(file);
        return Convert.ToHexString(SHA256.HashData(stream)).ToLowerInvariant();
    }
}
