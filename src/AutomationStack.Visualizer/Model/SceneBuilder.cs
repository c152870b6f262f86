using AutomationStack.Bridge.Protocol;

namespace AutomationStack.Visualizer.Model;

/// <summary>
/// Builds the <see cref="Scene"/> at a time from a <see cref="ReplayIndex"/> and the road layout: pure over the log,
/// no GL. Vehicles and lights from ground truth, platoon links and lead estimates from the trucks' recorded
/// diagnostics, lidar points of the selected truck, events of the last <see cref="EventShowTime"/> seconds.
/// </summary>
internal sealed class SceneBuilder
{
    /// <summary>How long an event stays on screen, s.</summary>
    public const double EventShowTime = 3.0;

    private readonly ReplayIndex _replay;
    private readonly RoadLayout _layout;
    private readonly Dictionary<string, (double X, double Y)> _heads = new(StringComparer.Ordinal);

    public SceneBuilder(ReplayIndex replay, RoadLayout layout)
    {
        ArgumentNullException.ThrowIfNull(replay);
        ArgumentNullException.ThrowIfNull(layout);
        _replay = replay;
        _layout = layout;
        foreach (var (id, x, y) in layout.SignalHeads)
        {
            _heads[id] = (x, y);
        }
    }

    public RoadLayout Layout => _layout;

    public Scene Build(double time, string? selectedId)
    {
        // Lidar first: reading a scan may move the ground-truth cache to the scan's time.
        var scan = selectedId is null ? null : _replay.LidarAt(selectedId, time);
        var truth = _replay.GroundTruthAt(time);
        var vehicles = new List<VehicleBox>(truth.Vehicles.Count);
        foreach (var v in truth.Vehicles)
        {
            vehicles.Add(new VehicleBox(
                v.Id, ClassOf(v), v.X, v.Y, v.Heading, v.Length, v.Width, v.Height > 0 ? v.Height : DefaultHeight(v),
                v.Speed, v.Acceleration, v.Status is VehicleStatus.MinimalRisk or VehicleStatus.Stopped));
        }

        return new Scene(
            time,
            vehicles,
            BuildLinks(time),
            scan?.Points ?? [],
            scan?.Count ?? 0,
            BuildTracks(truth, time),
            BuildLights(truth),
            BuildStopLines(truth),
            BuildEvents(truth, time),
            selectedId)
        {
            Detected = BuildDetected(truth, time, selectedId),
        };
    }

    /// <summary>
    /// The selected truck's published lidar tracks (ego frame) placed in the map with the truck's true pose now — so an
    /// outline off its ground-truth box shows the perception error (plus up to one scan, 0.1 s, of relative motion).
    /// </summary>
    private List<DetectedBox> BuildDetected(GroundTruth truth, double time, string? selectedId)
    {
        var boxes = new List<DetectedBox>();
        if (selectedId is null)
        {
            return boxes;
        }

        var ego = truth.Vehicles.FirstOrDefault(v => v.Id == selectedId);
        if (ego is null)
        {
            return boxes;
        }

        var (s, c) = Math.SinCos(ego.Heading);
        foreach (var t in _replay.PerceivedAt(selectedId, time))
        {
            boxes.Add(new DetectedBox(t.Id, t.Category, ego.X + (c * t.X) - (s * t.Y), ego.Y + (s * t.X) + (c * t.Y), ego.Heading + t.Yaw, t.Length, t.Width));
        }

        return boxes;
    }

    public static VehicleClass ClassOf(VehicleTruth v)
    {
        ArgumentNullException.ThrowIfNull(v);
        if (v.Kind == VehicleKind.StackTruck)
        {
            return VehicleClass.StackTruck;
        }

        return v.Category == VehicleCategory.Agv ? VehicleClass.Agv : VehicleClass.Background;
    }

    /// <summary>The link mode for a follower's recorded platoon diagnostics.</summary>
    public static LinkMode ModeOf(DiagnosticsSample d)
    {
        if (d.Role == "Joiner" || d.PlatoonState is "Joining" or "JoinRequested")
        {
            return LinkMode.Joining;
        }

        return d.LongitudinalMode switch
        {
            "Cacc" => LinkMode.Cacc,
            "Emergency" => LinkMode.Emergency,
            _ => LinkMode.AccFallback,
        };
    }

    public static LightState StateOf(SignalLampState lamp) => lamp switch
    {
        SignalLampState.Red => LightState.Red,
        SignalLampState.Amber => LightState.Amber,
        SignalLampState.Green => LightState.Green,
        SignalLampState.Off => LightState.Off,
        _ => LightState.Unknown,
    };

    private static double DefaultHeight(VehicleTruth v) => v.Category switch
    {
        VehicleCategory.Car => 1.5,
        VehicleCategory.Agv => 2.0,
        _ => 4.0,
    };

    private List<PlatoonLink> BuildLinks(double time)
    {
        var links = new List<PlatoonLink>();
        var samples = new List<(string Id, DiagnosticsSample Sample)>();
        foreach (var truck in _replay.StackTrucks)
        {
            if (_replay.DiagnosticsAt(truck, time) is { } d && d.PlatoonId != 0 && d.Role is not ("StandAlone" or ""))
            {
                samples.Add((truck, d));
            }
        }

        foreach (var (id, d) in samples)
        {
            if (d.Index <= 0)
            {
                continue;
            }

            foreach (var (otherId, other) in samples)
            {
                if (other.PlatoonId == d.PlatoonId && other.Index == d.Index - 1)
                {
                    links.Add(new PlatoonLink(id, otherId, ModeOf(d)));
                    break;
                }
            }
        }

        return links;
    }

    private List<LeadTrack> BuildTracks(GroundTruth truth, double time)
    {
        var tracks = new List<LeadTrack>();
        foreach (var v in truth.Vehicles)
        {
            if (v.Kind != VehicleKind.StackTruck || _replay.DiagnosticsAt(v.Id, time) is not { HasLead: true } d)
            {
                continue;
            }

            var (s, c) = Math.SinCos(v.Heading);
            var front = (v.Length / 2) + d.LeadGap;
            double? trueX = null;
            double? trueY = null;
            if (ReplayIndex.TrueGap(truth, v, out _) is { } gap)
            {
                var trueFront = (v.Length / 2) + gap;
                trueX = v.X + (c * trueFront);
                trueY = v.Y + (s * trueFront);
            }

            tracks.Add(new LeadTrack(v.Id, v.X + (c * front), v.Y + (s * front), trueX, trueY, v.Heading, d.LeadSource));
        }

        return tracks;
    }

    private List<SignalLight> BuildLights(GroundTruth truth)
    {
        var lights = new List<SignalLight>();
        foreach (var head in truth.SignalHeads)
        {
            if (_heads.TryGetValue(head.Id, out var p))
            {
                lights.Add(new SignalLight(head.Id, p.X, p.Y, StateOf(head.Lamp)));
            }
        }

        return lights;
    }

    private List<StopLine> BuildStopLines(GroundTruth truth)
    {
        var lines = new List<StopLine>();
        if (truth.Intersections.Count == 0)
        {
            return lines;
        }

        foreach (var site in _layout.StopLines)
        {
            foreach (var intersection in truth.Intersections)
            {
                if (intersection.Id != (uint)site.IntersectionId)
                {
                    continue;
                }

                foreach (var group in intersection.Groups)
                {
                    if (group.Id == (uint)site.GroupId)
                    {
                        double? remaining = group.LikelyEndNs > 0 ? Math.Max(0, ReplayIndex.ToSeconds(group.LikelyEndNs - truth.StampNs)) : null;
                        lines.Add(new StopLine(site.X1, site.Y1, site.X2, site.Y2, StateOf(group.State), remaining));
                    }
                }
            }
        }

        return lines;
    }

    private List<EventMarker> BuildEvents(GroundTruth truth, double time)
    {
        var markers = new List<EventMarker>();
        var from = ReplayIndex.ToNs(time - EventShowTime);
        var to = ReplayIndex.ToNs(time);
        foreach (var e in _replay.Events)
        {
            if (e.StampNs < from || e.StampNs > to)
            {
                continue;
            }

            foreach (var v in truth.Vehicles)
            {
                if (v.Id == e.VehicleId)
                {
                    markers.Add(new EventMarker(e.Kind, e.VehicleId, v.X, v.Y, time - ReplayIndex.ToSeconds(e.StampNs), IsV2x(e.Kind)));
                    break;
                }
            }
        }

        return markers;
    }

    /// <summary>Whether an event kind is about V2X/V2V (drawn in the V2X colour).</summary>
    public static bool IsV2x(string kind)
    {
        ArgumentNullException.ThrowIfNull(kind);
        return kind.Contains("v2x", StringComparison.OrdinalIgnoreCase) || kind.Contains("v2v", StringComparison.OrdinalIgnoreCase)
            || kind.Contains("platoon", StringComparison.OrdinalIgnoreCase) || kind.Contains("pcm", StringComparison.OrdinalIgnoreCase);
    }
}
