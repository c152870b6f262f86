using AutomationStack.Configuration;
using AutomationStack.Geometry;

namespace AutomationStack.RoadMap;

/// <summary>
/// Reads a YAML map file (format <c>automationstack-map/1</c>, see docs/map-format.md) into a <see cref="RoadNetwork"/>.
/// Every problem is reported with file, line, column and field path through <see cref="ConfigurationException"/>.
/// </summary>
public static class MapFile
{
    public const string FormatId = "automationstack-map/1";

    /// <summary>Largest distance between consecutive centreline points, m.</summary>
    public const double MaxSampleSpacing = 2.0;

    private const int MaxLaneCount = 8;
    private const double MinLaneWidth = 2.0;
    private const double MaxLaneWidth = 6.0;
    private const double MaxSpeedLimitKph = 200.0;
    private const double MaxGrade = 0.15;
    private const double MaxSegmentLength = 100_000.0;

    /// <summary>Highest bottom of a signal head's housing above the road, m.</summary>
    public const double MaxSignalHeadHeight = 20.0;

    /// <summary>Loads and validates a map file; throws <see cref="ConfigurationException"/> listing all problems.</summary>
    public static RoadNetwork Load(string path) => Read(ConfigDocument.Load(path));

    /// <summary>Parses map YAML text; <paramref name="fileName"/> is used in error locations.</summary>
    public static RoadNetwork Parse(string text, string fileName) => Read(ConfigDocument.Parse(text, fileName));

    internal static RoadNetwork Read(ConfigDocument doc)
    {
        var root = doc.Root;
        var format = root.RequiredString("format", $"'{FormatId}'");
        if (format is not null && format != FormatId)
        {
            root.Get("format")!.Reject($"'{FormatId}'");
        }

        var name = root.RequiredString("name", "a map name") ?? string.Empty;
        var lanes = new List<Lane>();
        var roadIds = new HashSet<string>(StringComparer.Ordinal);
        var roads = root.RequiredSequence("roads", "a list of roads");
        if (roads is { Count: 0 })
        {
            roads.Error("expected at least one road, got an empty list");
        }

        foreach (var item in roads?.Items ?? [])
        {
            var road = item.AsMapping("a road (a mapping with id, lane_count, lane_width, speed_limit_kph, start, segments)");
            if (road is not null)
            {
                ReadRoad(road, roadIds, lanes);
            }
        }

        var heads = ReadSignalHeads(root, roads is null ? null : lanes);
        var intersections = ReadIntersections(root, roads is null ? null : lanes, heads);
        root.RejectUnknownFields();
        doc.ThrowIfErrors();
        return new RoadNetwork(name, lanes, heads, intersections);
    }

    /// <summary>
    /// The optional <c>signal_heads</c> list. <paramref name="lanes"/> is null when the roads could not be read at all;
    /// then lane references are not checked (the roads' own errors are reported).
    /// </summary>
    private static List<SignalHeadSite> ReadSignalHeads(ConfigMapping root, List<Lane>? lanes)
    {
        var heads = new List<SignalHeadSite>();
        var list = root.Sequence("signal_heads", "a list of signal heads {id, x, y, height, heading_deg, lanes}");
        if (list is null)
        {
            return heads;
        }

        var ids = new HashSet<string>(StringComparer.Ordinal);
        var laneIds = lanes?.Select(l => l.Id).ToArray();
        foreach (var item in list.Items)
        {
            var head = item.AsMapping("a signal head {id, x, y, height, heading_deg, lanes}");
            if (head is null)
            {
                continue;
            }

            var id = head.RequiredString("id", "a signal head id (letters, digits, '_', '-', '.')");
            if (id is not null && !IsValidId(id))
            {
                head.Get("id")!.Reject("a signal head id made of letters, digits, '_', '-' or '.'");
                id = null;
            }
            else if (id is not null && !ids.Add(id))
            {
                head.Get("id")!.Error($"duplicate signal head id '{id}'");
                id = null;
            }

            var x = head.RequiredNumber("x", NumberRange.Any("an x coordinate in metres"));
            var y = head.RequiredNumber("y", NumberRange.Any("a y coordinate in metres"));
            var height = head.RequiredNumber(
                "height", NumberRange.Between(0, MaxSignalHeadHeight, $"a height of the housing's bottom above the road in metres from 0 to {MaxSignalHeadHeight}"));
            var headingDeg = head.RequiredNumber(
                "heading_deg", NumberRange.Between(-360, 360, "a heading in degrees from -360 to 360: the direction the lamps shine (0 = east, counter-clockwise)"));
            var controlled = new List<string>();
            var lanesNode = head.Sequence("lanes", "a list of the lane ids the head controls, e.g. [A1/0, A1/1]");
            var lanesOk = true;
            foreach (var laneItem in lanesNode?.Items ?? [])
            {
                var laneId = laneItem.AsString("a lane id of this map, e.g. A1/0");
                if (laneId is null)
                {
                    lanesOk = false;
                    continue;
                }

                if (laneIds is not null && !laneIds.Contains(laneId, StringComparer.Ordinal))
                {
                    laneItem.Reject($"a lane id of this map ({string.Join(", ", laneIds.Take(12))})");
                    lanesOk = false;
                    continue;
                }

                if (controlled.Contains(laneId, StringComparer.Ordinal))
                {
                    laneItem.Error($"duplicate lane '{laneId}' in the head's lanes");
                    lanesOk = false;
                    continue;
                }

                controlled.Add(laneId);
            }

            head.RejectUnknownFields();
            if (id is not null && x is not null && y is not null && height is not null && headingDeg is not null && lanesOk)
            {
                heads.Add(new SignalHeadSite(id, x.Value, y.Value, height.Value, Angles.Normalize(Angles.FromDegrees(headingDeg.Value)), controlled));
            }
        }

        return heads;
    }

    /// <summary>
    /// The optional <c>intersections</c> list. Lane references are checked only when the roads could be read
    /// (<paramref name="lanes"/> not null); head references against the heads that were read.
    /// </summary>
    private static List<Intersection> ReadIntersections(ConfigMapping root, List<Lane>? lanes, List<SignalHeadSite> heads)
    {
        var intersections = new List<Intersection>();
        var list = root.Sequence("intersections", "a list of intersections {id, x, y, signal_groups}");
        if (list is null)
        {
            return intersections;
        }

        var ids = new HashSet<long>();
        var usedHeads = new Dictionary<string, string>(StringComparer.Ordinal);
        var headIds = heads.Select(h => h.Id).ToArray();
        var lanesById = lanes?.ToDictionary(l => l.Id, StringComparer.Ordinal);
        foreach (var item in list.Items)
        {
            var node = item.AsMapping("an intersection {id, x, y, signal_groups}");
            if (node is null)
            {
                continue;
            }

            var id = node.RequiredInteger("id", 1, Intersection.MaxId, $"an intersection id from 1 to {Intersection.MaxId} (its id on the V2X wire)");
            if (id is { } idValue && !ids.Add(idValue))
            {
                node.Get("id")!.Error($"duplicate intersection id {idValue}");
                id = null;
            }

            var x = node.RequiredNumber("x", NumberRange.Any("an x coordinate in metres (where the roadside unit stands)"));
            var y = node.RequiredNumber("y", NumberRange.Any("a y coordinate in metres (where the roadside unit stands)"));
            var groupsNode = node.RequiredSequence("signal_groups", "a list of signal groups {id, heads, ingress}");
            var groups = new List<SignalGroup>();
            var groupsOk = groupsNode is not null;
            if (groupsNode is { Count: 0 })
            {
                groupsNode.Error("expected at least one signal group, got an empty list");
                groupsOk = false;
            }

            var groupIds = new HashSet<long>();
            var ingressLanes = new HashSet<string>(StringComparer.Ordinal);
            foreach (var groupItem in groupsNode?.Items ?? [])
            {
                var group = ReadSignalGroup(groupItem, groupIds, ingressLanes, headIds, usedHeads, lanesById, id);
                if (group is null)
                {
                    groupsOk = false;
                }
                else
                {
                    groups.Add(group);
                }
            }

            node.RejectUnknownFields();
            if (id is not null && x is not null && y is not null && groupsOk)
            {
                intersections.Add(new Intersection((int)id.Value, x.Value, y.Value, groups));
            }
        }

        return intersections;
    }

    private static SignalGroup? ReadSignalGroup(
        ConfigNode item, HashSet<long> groupIds, HashSet<string> ingressLanes, string[] headIds, Dictionary<string, string> usedHeads,
        Dictionary<string, Lane>? lanesById, long? intersectionId)
    {
        var node = item.AsMapping("a signal group {id, heads, ingress}");
        if (node is null)
        {
            return null;
        }

        var ok = true;
        var id = node.RequiredInteger("id", 1, SignalGroup.MaxId, $"a signal group id from 1 to {SignalGroup.MaxId}");
        var owner = $"intersection {intersectionId?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"} group {id?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"}";
        if (id is { } idValue && !groupIds.Add(idValue))
        {
            node.Get("id")!.Error($"duplicate signal group id {idValue} in this intersection");
            id = null;
        }

        var heads = new List<string>();
        foreach (var headItem in node.Sequence("heads", "a list of the signal head ids (from signal_heads) this group drives")?.Items ?? [])
        {
            var headId = headItem.AsString("a signal head id of this map");
            if (headId is null)
            {
                ok = false;
                continue;
            }

            if (!headIds.Contains(headId, StringComparer.Ordinal))
            {
                headItem.Reject(headIds.Length == 0
                    ? "a signal head id of this map, but the map has no signal_heads"
                    : $"a signal head id of this map ({string.Join(", ", headIds.Take(12))})");
                ok = false;
                continue;
            }

            if (!usedHeads.TryAdd(headId, owner))
            {
                headItem.Error($"signal head '{headId}' is already driven by {usedHeads[headId]} (a head belongs to one signal group)");
                ok = false;
                continue;
            }

            heads.Add(headId);
        }

        var ingress = new List<IngressLane>();
        var ingressNode = node.RequiredSequence("ingress", "a list of ingress lanes {lane, stop_line_s, egress}");
        if (ingressNode is { Count: 0 })
        {
            ingressNode.Error("expected at least one ingress lane, got an empty list");
            ok = false;
        }

        ok &= ingressNode is not null;
        foreach (var laneItem in ingressNode?.Items ?? [])
        {
            var lane = ReadIngress(laneItem, ingressLanes, lanesById);
            if (lane is null)
            {
                ok = false;
            }
            else
            {
                ingress.Add(lane);
            }
        }

        node.RejectUnknownFields();
        return ok && id is not null ? new SignalGroup((int)id.Value, heads, ingress) : null;
    }

    private static IngressLane? ReadIngress(ConfigNode item, HashSet<string> ingressLanes, Dictionary<string, Lane>? lanesById)
    {
        var node = item.AsMapping("an ingress lane {lane, stop_line_s, egress}");
        if (node is null)
        {
            return null;
        }

        var laneNode = node.GetRequired("lane", "a lane id of this map");
        var laneId = laneNode?.AsString("a lane id of this map");
        Lane? lane = null;
        if (laneNode is not null && laneId is not null && lanesById is not null)
        {
            if (!lanesById.TryGetValue(laneId, out lane))
            {
                laneNode.Reject($"a lane id of this map ({string.Join(", ", lanesById.Keys.Take(12))})");
                laneId = null;
            }
            else if (!ingressLanes.Add(laneId))
            {
                laneNode.Error($"lane '{laneId}' is already an ingress lane of this intersection");
                laneId = null;
            }
        }

        var stopLine = node.RequiredNumber(
            "stop_line_s",
            lane is null
                ? NumberRange.NonNegative("the stop line as arc length along the lane in metres")
                : NumberRange.Between(0, lane.Centreline.Length, $"the stop line as arc length along the lane in metres from 0 to the lane length {lane.Centreline.Length:0.##}"));
        var egress = new List<string>();
        var ok = true;
        foreach (var egressItem in node.RequiredSequence("egress", "a list of the lane ids a vehicle continues in past the stop line")?.Items ?? [])
        {
            var egressId = egressItem.AsString("a lane id of this map");
            if (egressId is null)
            {
                ok = false;
                continue;
            }

            if (lanesById is not null && !lanesById.ContainsKey(egressId))
            {
                egressItem.Reject($"a lane id of this map ({string.Join(", ", lanesById.Keys.Take(12))})");
                ok = false;
                continue;
            }

            if (egress.Contains(egressId, StringComparer.Ordinal))
            {
                egressItem.Error($"duplicate egress lane '{egressId}'");
                ok = false;
                continue;
            }

            egress.Add(egressId);
        }

        node.RejectUnknownFields();
        return ok && laneId is not null && stopLine is not null && node.Contains("egress") ? new IngressLane(laneId, stopLine.Value, egress) : null;
    }

    private static void ReadRoad(ConfigMapping road, HashSet<string> roadIds, List<Lane> lanes)
    {
        var id = road.RequiredString("id", "a road id (letters, digits, '_', '-', '.')");
        if (id is not null && !IsValidId(id))
        {
            road.Get("id")!.Reject("a road id made of letters, digits, '_', '-' or '.'");
            id = null;
        }
        else if (id is not null && !roadIds.Add(id))
        {
            road.Get("id")!.Error($"duplicate road id '{id}'");
            id = null;
        }

        var laneCount = road.RequiredInteger("lane_count", 1, MaxLaneCount, $"a lane count from 1 to {MaxLaneCount}");
        var laneWidth = road.RequiredNumber(
            "lane_width", NumberRange.Between(MinLaneWidth, MaxLaneWidth, $"a lane width in metres from {MinLaneWidth} to {MaxLaneWidth}"));
        var speedLimitKph = road.RequiredNumber(
            "speed_limit_kph", new NumberRange($"a speed limit in km/h above 0 and at most {MaxSpeedLimitKph}", 0, MaxSpeedLimitKph, MinExclusive: true));
        var start = ReadStart(road);

        // The rightmost lane's centre is the farthest from the reference line; curves must not fold it.
        var maxOffset = laneCount is { } n && laneWidth is { } w ? (n - 0.5) * w : 0.0;
        var segments = ReadSegments(road, maxOffset);
        var length = segments?.Sum(s => s.Length);
        var elevation = ReadElevation(road, length);
        road.RejectUnknownFields();

        if (id is null || laneCount is null || laneWidth is null || speedLimitKph is null || start is null || segments is null
            || elevation is null)
        {
            return;
        }

        var referenceSamples = SampleReferenceLine(start.Value, segments, maxOffset);
        var count = (int)laneCount.Value;
        for (var index = 0; index < count; index++)
        {
            var offsetRight = (count - index - 0.5) * laneWidth.Value;
            var points = new Vec2[referenceSamples.Count];
            for (var k = 0; k < points.Length; k++)
            {
                var (p, heading, _) = referenceSamples[k];
                points[k] = p - (Vec2.FromHeading(heading).Normal * offsetRight);
            }

            var centreline = new Polyline(points);
            lanes.Add(new Lane(
                LaneId(id, index),
                id,
                index,
                centreline,
                laneWidth.Value,
                Units.KphToMetresPerSecond(speedLimitKph.Value),
                LaneElevation(elevation.Value, referenceSamples, centreline),
                index + 1 < count ? LaneId(id, index + 1) : null,
                index > 0 ? LaneId(id, index - 1) : null));
        }
    }

    /// <summary>Lane id for lane <paramref name="index"/> (0 = rightmost) of road <paramref name="roadId"/>.</summary>
    public static string LaneId(string roadId, int index) => $"{roadId}/{index}";

    private static (Vec2 Point, double Heading)? ReadStart(ConfigMapping road)
    {
        var start = road.RequiredMapping("start", "a start pose {x, y, heading_deg}");
        if (start is null)
        {
            return null;
        }

        var x = start.RequiredNumber("x", NumberRange.Any("an x coordinate in metres"));
        var y = start.RequiredNumber("y", NumberRange.Any("a y coordinate in metres"));
        var headingDeg = start.Number("heading_deg", NumberRange.Between(-360, 360, "a heading in degrees from -360 to 360 (0 = east, counter-clockwise)")) ?? 0;
        start.RejectUnknownFields();
        return x is null || y is null ? null : (new Vec2(x.Value, y.Value), Angles.FromDegrees(headingDeg));
    }

    private static List<Segment>? ReadSegments(ConfigMapping road, double maxOffset)
    {
        var list = road.RequiredSequence("segments", "a list of segments (straight or arc)");
        if (list is null)
        {
            return null;
        }

        if (list.Count == 0)
        {
            list.Error("expected at least one segment, got an empty list");
            return null;
        }

        var segments = new List<Segment>();
        var ok = true;
        var lengthRange = new NumberRange($"a length in metres above 0 and at most {MaxSegmentLength}", 0, MaxSegmentLength, MinExclusive: true);
        foreach (var item in list.Items)
        {
            var segment = item.AsMapping("a segment: {straight: {length}} or {arc: {length, radius}}");
            if (segment is null)
            {
                ok = false;
                continue;
            }

            var straight = segment.Get("straight");
            var arc = segment.Get("arc");
            segment.RejectUnknownFields();
            if ((straight is null) == (arc is null))
            {
                item.Error(straight is null
                    ? "expected exactly one of 'straight' or 'arc', got neither"
                    : "expected exactly one of 'straight' or 'arc', got both");
                ok = false;
                continue;
            }

            var body = (straight ?? arc)!.AsMapping(straight is not null ? "a straight: {length}" : "an arc: {length, radius}");
            if (body is null)
            {
                ok = false;
                continue;
            }

            var length = body.RequiredNumber("length", lengthRange);
            double curvature = 0;
            if (arc is not null)
            {
                var radius = body.RequiredNumber(
                    "radius",
                    NumberRange.Any($"a radius in metres whose magnitude exceeds the outermost lane offset {maxOffset:0.##} m (positive turns left)"));
                if (radius is { } r && Math.Abs(r) <= maxOffset)
                {
                    body.Get("radius")!.Reject($"a radius in metres whose magnitude exceeds the outermost lane offset {maxOffset:0.##} m (positive turns left)");
                    radius = null;
                }

                if (radius is null)
                {
                    ok = false;
                }
                else
                {
                    curvature = 1.0 / radius.Value;
                }
            }

            body.RejectUnknownFields();
            if (length is null)
            {
                ok = false;
                continue;
            }

            segments.Add(new Segment(length.Value, curvature));
        }

        return ok ? segments : null;
    }

    private static (double[] S, double[] Z)? ReadElevation(ConfigMapping road, double? roadLength)
    {
        var list = road.Sequence("elevation", "a list of elevation stations {s, z}");
        if (list is null)
        {
            return road.Contains("elevation") ? null : ([0.0], [0.0]);
        }

        if (list.Count == 0)
        {
            list.Error("expected at least one elevation station, got an empty list");
            return null;
        }

        var s = new List<double>();
        var z = new List<double>();
        var ok = true;
        var items = list.Items;
        for (var i = 0; i < items.Count; i++)
        {
            var station = items[i].AsMapping("an elevation station {s, z}");
            if (station is null)
            {
                ok = false;
                continue;
            }

            var expectedS = i == 0
                ? NumberRange.Between(0, 0, "0 (the first station must be at the start of the road)")
                : roadLength is { } len
                    ? NumberRange.Between(0, len, $"an arc length in metres from 0 to the road length {len:0.##}")
                    : NumberRange.NonNegative("an arc length in metres");
            var si = station.RequiredNumber("s", expectedS);
            var zi = station.RequiredNumber("z", NumberRange.Any("a height in metres"));
            station.RejectUnknownFields();
            if (si is null || zi is null)
            {
                ok = false;
                continue;
            }

            if (s.Count > 0 && ok)
            {
                if (!(si.Value > s[^1]))
                {
                    station.Get("s")!.Reject($"an arc length greater than the previous station's {s[^1]:0.##}");
                    ok = false;
                    continue;
                }

                var grade = (zi.Value - z[^1]) / (si.Value - s[^1]);
                if (Math.Abs(grade) > MaxGrade)
                {
                    station.Get("z")!.Error(
                        $"expected a height giving a grade of at most {MaxGrade:P0} from the previous station, got {zi.Value} (grade {grade:P1})");
                    ok = false;
                    continue;
                }
            }

            s.Add(si.Value);
            z.Add(zi.Value);
        }

        return ok ? ([.. s], [.. z]) : null;
    }

    private static bool IsValidId(string id) =>
        id.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.');

    /// <summary>
    /// Reference-line samples: each segment is cut into equal pieces short enough that no lane (up to
    /// <paramref name="maxOffset"/> from the reference line, on the outside of a curve) gets points more than
    /// <see cref="MaxSampleSpacing"/> apart. Positions are computed in closed form from the segment's start pose, so the
    /// result is deterministic.
    /// </summary>
    private static List<(Vec2 Point, double Heading, double S)> SampleReferenceLine(
        (Vec2 Point, double Heading) start, List<Segment> segments, double maxOffset)
    {
        var samples = new List<(Vec2, double, double)> { (start.Point, start.Heading, 0.0) };
        var p0 = start.Point;
        var h0 = start.Heading;
        var s0 = 0.0;
        foreach (var segment in segments)
        {
            var stretch = 1.0 + (maxOffset * Math.Abs(segment.Curvature));
            var pieces = (int)Math.Ceiling(segment.Length * stretch / MaxSampleSpacing);
            for (var k = 1; k <= pieces; k++)
            {
                var ds = segment.Length * k / pieces;
                samples.Add((segment.PointAt(p0, h0, ds), h0 + (segment.Curvature * ds), s0 + ds));
            }

            p0 = segment.PointAt(p0, h0, segment.Length);
            h0 += segment.Curvature * segment.Length;
            s0 += segment.Length;
        }

        return samples;
    }

    /// <summary>Maps the road's elevation stations (reference-line arc length) onto the lane's own arc length.</summary>
    private static ElevationProfile LaneElevation(
        (double[] S, double[] Z) road, List<(Vec2 Point, double Heading, double S)> reference, Polyline centreline)
    {
        var laneS = centreline.ArcLengths;
        var stations = new double[road.S.Length];
        for (var i = 0; i < stations.Length; i++)
        {
            var sRef = road.S[i];
            var k = reference.BinarySearch((default, 0, sRef), Comparer<(Vec2, double, double S)>.Create((a, b) => a.S.CompareTo(b.S)));
            if (k >= 0)
            {
                stations[i] = laneS[k];
                continue;
            }

            k = Math.Clamp(~k, 1, reference.Count - 1);
            var t = (sRef - reference[k - 1].S) / (reference[k].S - reference[k - 1].S);
            stations[i] = laneS[k - 1] + (t * (laneS[k] - laneS[k - 1]));
        }

        return new ElevationProfile(stations, road.Z);
    }

    private readonly record struct Segment(double Length, double Curvature)
    {
        public Vec2 PointAt(Vec2 start, double heading, double s)
        {
            if (Curvature == 0)
            {
                return start + (Vec2.FromHeading(heading) * s);
            }

            var radius = 1.0 / Curvature;
            var h = heading + (Curvature * s);
            return start + new Vec2(radius * (Math.Sin(h) - Math.Sin(heading)), -radius * (Math.Cos(h) - Math.Cos(heading)));
        }
    }
}
