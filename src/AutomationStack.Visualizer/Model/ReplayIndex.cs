using System.Globalization;
using AutomationStack.Bridge.Protocol;
using AutomationStack.Mcap;
using Google.Protobuf;

namespace AutomationStack.Visualizer.Model;

/// <summary>One recorded diagnostics sample of a stack truck (from its <c>/vehicle/&lt;id&gt;/command</c>).</summary>
internal readonly record struct DiagnosticsSample(
    long StampNs, string Mode, bool HasLead, double LeadGap, string LeadSource, string PlatoonState, string Role,
    string LongitudinalMode, uint PlatoonId, int Index);

/// <summary>One lidar scan of a truck, already in the map frame (x, y, z per point).</summary>
internal sealed record WorldScan(long StampNs, float[] Points, int Count);

/// <summary>
/// Random access to a <c>run.mcap</c> by simulated time. Ground truth and lidar frames are read through the file's
/// chunk index (<see cref="McapReader.ReadMessages(string, ulong, ulong)"/>) in segments around the requested time and
/// cached; the small topics (events, command diagnostics) and the plot series (10 Hz, from ground truth) are read once
/// at open. Times are seconds of simulated time (the log's ns / 1e9).
/// </summary>
internal sealed class ReplayIndex : IDisposable
{
    public const string GroundTruthTopic = "/ground_truth";
    public const string EventsTopic = "/events";

    /// <summary>Length of a cached ground-truth segment, s.</summary>
    public const double SegmentLength = 2.0;

    /// <summary>How far back a lidar scan is still shown, s (scans are recorded about once a second).</summary>
    public const double LidarLookback = 1.5;

    /// <summary>Sampling period of the plot series, s.</summary>
    public const double SeriesPeriod = 0.1;

    private const double NsPerSecond = 1e9;

    private readonly McapReader _reader;
    private readonly Dictionary<string, DiagnosticsSample[]> _diagnostics = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<(long StampNs, PerceivedObject[] Tracks)>> _perceived = new(StringComparer.Ordinal);

    /// <summary>How long a truck's published lidar tracks are shown after their scan, s (published at 10 Hz).</summary>
    public const double PerceivedTracksShowTime = 0.15;
    private readonly Dictionary<string, PlotSeries> _series = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (long From, long To, List<WorldScan> Scans)> _lidar = new(StringComparer.Ordinal);
    private long _segmentFrom = long.MaxValue;
    private long _segmentTo = long.MinValue;
    private readonly List<GroundTruth> _segment = [];

    private ReplayIndex(string path, McapReader reader)
    {
        Path = path;
        _reader = reader;
        Metadata = reader.ReadMetadata("run") ?? new Dictionary<string, string>();
        StepNs = Metadata.TryGetValue("step_ns", out var step) && long.TryParse(step, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) && parsed > 0
            ? parsed
            : 10_000_000;
        var trucks = new List<string>();
        var hasGroundTruth = false;
        foreach (var channel in reader.Channels.Values)
        {
            if (channel.Topic == GroundTruthTopic)
            {
                hasGroundTruth = true;
            }

            if (channel.Topic.StartsWith("/vehicle/", StringComparison.Ordinal) && channel.Topic.EndsWith("/frame", StringComparison.Ordinal))
            {
                trucks.Add(channel.Topic["/vehicle/".Length..^"/frame".Length]);
            }
        }

        if (!hasGroundTruth)
        {
            throw new ReplayException($"{path}: no {GroundTruthTopic} topic: not a run log");
        }

        StackTrucks = trucks;
        var events = ReadEvents();
        foreach (var truck in trucks)
        {
            _diagnostics[truck] = ReadDiagnostics(truck);
            AddPlatoonEvents(truck, _diagnostics[truck], events);
        }

        events.Sort(static (a, b) => a.StampNs.CompareTo(b.StampNs));
        Events = events;

        (StartTime, EndTime) = BuildSeries();
    }

    public string Path { get; }

    /// <summary>The <c>run</c> metadata record (scenario, seed, step_ns, map, map_sha256, …); empty when absent.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    public long StepNs { get; }

    /// <summary>First and last ground-truth time, s.</summary>
    public double StartTime { get; }

    public double EndTime { get; }

    /// <summary>Ids of the stack trucks (those with a frame topic), in channel order.</summary>
    public IReadOnlyList<string> StackTrucks { get; }

    /// <summary>
    /// The recorded <c>/events</c> and, derived from each truck's diagnostics, its platoon transitions (V2V): kind
    /// <see cref="PlatoonModeEvent"/> when the longitudinal mode changes (CACC ↔ ACC fallback ↔ emergency),
    /// <see cref="PlatoonStateEvent"/> when the platoon state changes (joining, platooning, leaving, …); by time.
    /// </summary>
    public IReadOnlyList<RunEvent> Events { get; }

    public const string PlatoonModeEvent = "platoon_mode";
    public const string PlatoonStateEvent = "platoon_state";

    /// <summary>Opens a log; every failure becomes a <see cref="ReplayException"/> naming the file.</summary>
    public static ReplayIndex Open(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
        {
            throw new ReplayException($"{path}: file not found");
        }

        McapReader? reader = null;
        try
        {
            reader = McapReader.Open(path);
            var index = new ReplayIndex(path, reader);
            reader = null;
            return index;
        }
        catch (McapFormatException ex)
        {
            throw new ReplayException($"{path}: not a readable MCAP log: {ex.Message}", ex);
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw new ReplayException($"{path}: a message could not be decoded: {ex.Message}", ex);
        }
        catch (IOException ex)
        {
            throw new ReplayException($"{path}: {ex.Message}", ex);
        }
        finally
        {
            reader?.Dispose();
        }
    }

    public static long ToNs(double seconds) => (long)Math.Round(seconds * NsPerSecond);

    public static double ToSeconds(long ns) => ns / NsPerSecond;

    /// <summary>The last ground-truth message at or before <paramref name="time"/> (the first one before the log's start).</summary>
    public GroundTruth GroundTruthAt(double time)
    {
        var ns = ToNs(Math.Clamp(time, StartTime, EndTime));
        if (ns < _segmentFrom || ns > _segmentTo || _segment.Count == 0)
        {
            LoadSegment(ns);
        }

        var lo = 0;
        var hi = _segment.Count - 1;
        var found = 0;
        while (lo <= hi)
        {
            var mid = (lo + hi) / 2;
            if (_segment[mid].StampNs <= ns)
            {
                found = mid;
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return _segment[found];
    }

    /// <summary>
    /// The confirmed lidar tracks <paramref name="truck"/> published last at or before <paramref name="time"/> (ego
    /// frame), if no older than <see cref="PerceivedTracksShowTime"/>; empty otherwise (also for radar-only trucks).
    /// </summary>
    public IReadOnlyList<PerceivedObject> PerceivedAt(string truck, double time)
    {
        if (!_perceived.TryGetValue(truck, out var list) || list.Count == 0)
        {
            return [];
        }

        var ns = ToNs(time);
        var lo = 0;
        var hi = list.Count - 1;
        var found = -1;
        while (lo <= hi)
        {
            var mid = (lo + hi) / 2;
            if (list[mid].StampNs <= ns)
            {
                found = mid;
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return found >= 0 && ns - list[found].StampNs <= ToNs(PerceivedTracksShowTime) ? list[found].Tracks : [];
    }

    /// <summary>The truck's last diagnostics at or before <paramref name="time"/>, or null.</summary>
    public DiagnosticsSample? DiagnosticsAt(string truck, double time)
    {
        if (!_diagnostics.TryGetValue(truck, out var samples) || samples.Length == 0)
        {
            return null;
        }

        var ns = ToNs(time);
        var lo = 0;
        var hi = samples.Length - 1;
        var found = -1;
        while (lo <= hi)
        {
            var mid = (lo + hi) / 2;
            if (samples[mid].StampNs <= ns)
            {
                found = mid;
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return found < 0 ? null : samples[found];
    }

    /// <summary>The plot series of a stack truck (10 Hz over the whole log), or null for another id.</summary>
    public PlotSeries? SeriesOf(string truck) => _series.GetValueOrDefault(truck);

    /// <summary>The truck's latest lidar scan at or before <paramref name="time"/> and not older than <see cref="LidarLookback"/>.</summary>
    public WorldScan? LidarAt(string truck, double time)
    {
        if (!_diagnostics.ContainsKey(truck))
        {
            return null;
        }

        var ns = ToNs(time);
        if (!_lidar.TryGetValue(truck, out var cached) || ns < cached.From || ns > cached.To)
        {
            var from = ns - ToNs(LidarLookback);
            var to = ns + ToNs(SegmentLength * 2);
            cached = (from, to, ReadScans(truck, from, to));
            _lidar[truck] = cached;
        }

        WorldScan? best = null;
        foreach (var scan in cached.Scans)
        {
            if (scan.StampNs <= ns && scan.StampNs >= ns - ToNs(LidarLookback))
            {
                best = scan;
            }
        }

        return best;
    }

    public void Dispose() => _reader.Dispose();

    private void LoadSegment(long ns)
    {
        var half = ToNs(SegmentLength / 2);
        var from = Math.Max(0, ns - half);
        var to = ns + half;
        _segment.Clear();
        foreach (var message in _reader.ReadMessages(GroundTruthTopic, (ulong)from, (ulong)to))
        {
            _segment.Add(GroundTruth.Parser.ParseFrom(message.Data.Span));
        }

        if (_segment.Count == 0)
        {
            // Nothing in the window (a gap in the log): fall back to the nearest message before it.
            GroundTruth? last = null;
            foreach (var message in _reader.ReadMessages(GroundTruthTopic, 0, (ulong)to))
            {
                if ((long)message.LogTime <= ns)
                {
                    last = GroundTruth.Parser.ParseFrom(message.Data.Span);
                }
            }

            if (last is null)
            {
                throw new ReplayException($"{Path}: no ground truth at or before {ToSeconds(ns):0.###} s");
            }

            _segment.Add(last);
        }

        _segment.Sort(static (a, b) => a.StampNs.CompareTo(b.StampNs));
        _segmentFrom = from;
        _segmentTo = to;
    }

    private List<WorldScan> ReadScans(string truck, long from, long to)
    {
        var scans = new List<WorldScan>();
        foreach (var message in _reader.ReadMessages($"/vehicle/{truck}/frame", (ulong)Math.Max(0, from), (ulong)Math.Max(0, to)))
        {
            var frame = Frame.Parser.ParseFrom(message.Data.Span);
            if (frame.Lidar is null || frame.Lidar.PointCount == 0)
            {
                continue;
            }

            var stamp = frame.Lidar.StampNs > 0 ? frame.Lidar.StampNs : (long)message.LogTime;
            var truth = FindVehicle(GroundTruthAt(ToSeconds(stamp)), truck);
            if (truth is null)
            {
                continue;
            }

            var points = LidarDecoding.ToWorld(frame.Lidar, truth.X, truth.Y, truth.Z, truth.Heading, out var count);
            scans.Add(new WorldScan(stamp, points, count));
        }

        return scans;
    }

    private static VehicleTruth? FindVehicle(GroundTruth truth, string id)
    {
        foreach (var v in truth.Vehicles)
        {
            if (v.Id == id)
            {
                return v;
            }
        }

        return null;
    }

    private List<RunEvent> ReadEvents()
    {
        var events = new List<RunEvent>();
        foreach (var message in _reader.ReadMessages(EventsTopic))
        {
            events.Add(RunEvent.Parser.ParseFrom(message.Data.Span));
        }

        events.Sort(static (a, b) => a.StampNs.CompareTo(b.StampNs));
        return events;
    }

    private static void AddPlatoonEvents(string truck, DiagnosticsSample[] samples, List<RunEvent> events)
    {
        for (var i = 1; i < samples.Length; i++)
        {
            var (before, after) = (samples[i - 1], samples[i]);
            if (before.LongitudinalMode != after.LongitudinalMode && after.LongitudinalMode.Length > 0)
            {
                events.Add(new RunEvent { StampNs = after.StampNs, Kind = PlatoonModeEvent, VehicleId = truck, Detail = $"{before.LongitudinalMode} -> {after.LongitudinalMode}" });
            }

            if (before.PlatoonState != after.PlatoonState && after.PlatoonState.Length > 0)
            {
                events.Add(new RunEvent { StampNs = after.StampNs, Kind = PlatoonStateEvent, VehicleId = truck, Detail = $"{before.PlatoonState} -> {after.PlatoonState}" });
            }
        }
    }

    private DiagnosticsSample[] ReadDiagnostics(string truck)
    {
        var samples = new List<DiagnosticsSample>();
        foreach (var message in _reader.ReadMessages($"/vehicle/{truck}/command"))
        {
            var command = Command.Parser.ParseFrom(message.Data.Span);
            var d = command.Diagnostics;
            if (d is null)
            {
                continue;
            }

            if (d.Perception is { Tracks.Count: > 0 } perception)
            {
                if (!_perceived.TryGetValue(truck, out var list))
                {
                    list = [];
                    _perceived[truck] = list;
                }

                list.Add(((long)message.LogTime, [.. perception.Tracks]));
            }

            var p = d.Platoon;
            samples.Add(new DiagnosticsSample(
                (long)message.LogTime, d.Mode, d.HasLead, d.LeadGap, d.Perception?.LeadSource ?? string.Empty,
                p?.State ?? string.Empty, p?.Role ?? string.Empty, p?.LongitudinalMode ?? string.Empty, p?.PlatoonId ?? 0, p?.Index ?? 0));
        }

        samples.Sort(static (a, b) => a.StampNs.CompareTo(b.StampNs));
        return [.. samples];
    }

    private (double Start, double End) BuildSeries()
    {
        var builders = new Dictionary<string, PlotSeries.Builder>(StringComparer.Ordinal);
        foreach (var truck in StackTrucks)
        {
            builders[truck] = new PlotSeries.Builder();
        }

        long first = -1;
        long last = -1;
        long next = long.MinValue;
        var period = ToNs(SeriesPeriod);
        foreach (var message in _reader.ReadMessages(GroundTruthTopic))
        {
            var stamp = (long)message.LogTime;
            first = first < 0 ? stamp : Math.Min(first, stamp);
            last = Math.Max(last, stamp);
            if (stamp < next)
            {
                continue;
            }

            next = stamp + period;
            var truth = GroundTruth.Parser.ParseFrom(message.Data.Span);
            foreach (var v in truth.Vehicles)
            {
                if (builders.TryGetValue(v.Id, out var builder))
                {
                    var gap = TrueGap(truth, v, out _);
                    builder.Add(ToSeconds(stamp), v.Speed, v.Acceleration, gap);
                }
            }
        }

        if (first < 0)
        {
            throw new ReplayException($"{Path}: the log has no ground-truth message");
        }

        foreach (var (truck, builder) in builders)
        {
            _series[truck] = builder.Build();
        }

        return (ToSeconds(first), ToSeconds(last));
    }

    /// <summary>
    /// Bumper-to-bumper distance from <paramref name="ego"/> to the nearest vehicle ahead in its lane (by lane arc
    /// length), or null when none is ahead.
    /// </summary>
    public static double? TrueGap(GroundTruth truth, VehicleTruth ego, out VehicleTruth? lead)
    {
        lead = null;
        foreach (var v in truth.Vehicles)
        {
            if (ReferenceEquals(v, ego) || v.LaneId != ego.LaneId || v.S <= ego.S)
            {
                continue;
            }

            if (lead is null || v.S < lead.S)
            {
                lead = v;
            }
        }

        return lead is null ? null : lead.S - ego.S - ((lead.Length + ego.Length) / 2);
    }
}
