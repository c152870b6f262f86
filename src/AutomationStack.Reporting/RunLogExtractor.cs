using System.Globalization;
using AutomationStack.Bridge.Protocol;
using AutomationStack.Evaluation;
using AutomationStack.Mcap;
using Google.Protobuf;

namespace AutomationStack.Reporting;

/// <summary>What <see cref="RunLogExtractor"/> takes from a run log.</summary>
internal sealed record RunLogData(
    IReadOnlyList<TruckSeries> Trucks,
    IReadOnlyList<ReportEvent> Events,
    KpiSummary? Kpi,
    LogFacts Facts,
    double EndTime);

/// <summary>
/// Reads a run's <c>run.mcap</c> by topic (indexed reads): <c>/ground_truth</c> for every stack truck's true speed,
/// acceleration, gap and time gap (the lead as <c>KpiAccumulator</c> finds it: nearest vehicle ahead in the same lane,
/// bumper to bumper) and signal-group changes; <c>/vehicle/&lt;id&gt;/command</c> diagnostics for the truck's own view
/// and its platoon/perception state changes; <c>/events</c>; the last <c>/kpi</c> record. Frames (sensor data) are
/// not read.
/// </summary>
internal static class RunLogExtractor
{
    public const string GroundTruthTopic = "/ground_truth";
    public const string EventsTopic = "/events";
    public const string KpiTopic = "/kpi";
    private const string VehiclePrefix = "/vehicle/";
    private const string CommandSuffix = "/command";
    private const double NanosecondsPerSecond = 1e9;

    public static RunLogData Read(McapReader reader, string fileName, IReadOnlyList<StopLineSite> stopLines)
    {
        var topics = reader.Channels.Values.OrderBy(c => c.Id).ToList();
        var trucks = new List<string>();
        foreach (var channel in topics)
        {
            if (channel.Topic.StartsWith(VehiclePrefix, StringComparison.Ordinal) && channel.Topic.EndsWith(CommandSuffix, StringComparison.Ordinal))
            {
                trucks.Add(channel.Topic[VehiclePrefix.Length..^CommandSuffix.Length]);
            }
        }

        var events = new List<ReportEvent>();
        var truth = ReadGroundTruth(reader, trucks, stopLines, events, out var endTime);
        var series = new List<TruckSeries>(trucks.Count);
        foreach (var id in trucks)
        {
            var view = ReadCommands(reader, id, events, ref endTime);
            var t = truth[id];
            series.Add(new TruckSeries(id, t.Time, t.Speed, t.Acceleration, t.Gap, t.TimeGap, t.LeadId, view));
        }

        foreach (var m in reader.ReadMessages(EventsTopic))
        {
            var e = RunEvent.Parser.ParseFrom(m.Data.Span);
            events.Add(new ReportEvent(Seconds((long)m.LogTime), e.Kind, e.VehicleId, e.Detail, EventSource.Bridge));
        }

        KpiSummary? kpi = null;
        foreach (var m in reader.ReadMessages(KpiTopic))
        {
            kpi = KpiSummary.Parser.ParseFrom(m.Data.Span);
        }

        // Stable: same time keeps source order (bridge, then vehicles in scenario order, then signals).
        var ordered = events
            .Select((e, i) => (e, i))
            .OrderBy(p => p.e.Time)
            .ThenBy(p => p.i)
            .Select(p => p.e)
            .ToList();
        var counts = topics
            .Select(c => (c.Topic, reader.ChannelMessageCounts.TryGetValue(c.Id, out var n) ? n : 0UL))
            .ToList();
        return new RunLogData(series, ordered, kpi, new LogFacts(fileName, reader.MessageCount, trucks, counts), endTime);
    }

    private sealed class TruthSeries
    {
        public List<double> Time { get; } = [];

        public List<double> Speed { get; } = [];

        public List<double> Acceleration { get; } = [];

        public List<double> Gap { get; } = [];

        public List<double> TimeGap { get; } = [];

        public List<string?> LeadId { get; } = [];
    }

    private static Dictionary<string, TruthSeries> ReadGroundTruth(McapReader reader, List<string> trucks, IReadOnlyList<StopLineSite> stopLines, List<ReportEvent> events, out double endTime)
    {
        var crossings = stopLines.Count > 0 ? new SignalKpiAccumulator(trucks, stopLines) : null;
        var lineStates = new LineSignalState[stopLines.Count];
        var samples = new List<VehicleSample>();
        var minSpeedForTimeGap = new KpiOptions().MinSpeedForTimeGap;
        var result = trucks.ToDictionary(id => id, _ => new TruthSeries(), StringComparer.Ordinal);
        var groupStates = new Dictionary<(uint Intersection, uint Group), SignalLampState>();
        endTime = 0;
        foreach (var m in reader.ReadMessages(GroundTruthTopic))
        {
            var gt = GroundTruth.Parser.ParseFrom(m.Data.Span);
            var time = Seconds(gt.StampNs);
            endTime = Math.Max(endTime, time);
            foreach (var id in trucks)
            {
                var egoIndex = IndexOf(gt.Vehicles, id);
                if (egoIndex < 0)
                {
                    continue;
                }

                var ego = gt.Vehicles[egoIndex];
                var s = result[id];
                s.Time.Add(time);
                s.Speed.Add(ego.Speed);
                s.Acceleration.Add(ego.Acceleration);
                var leadIndex = LeadOf(gt.Vehicles, egoIndex);
                if (leadIndex < 0)
                {
                    s.Gap.Add(double.NaN);
                    s.TimeGap.Add(double.NaN);
                    s.LeadId.Add(null);
                    continue;
                }

                var lead = gt.Vehicles[leadIndex];
                var gap = lead.S - ego.S - ((lead.Length + ego.Length) / 2);
                s.Gap.Add(gap);
                s.TimeGap.Add(ego.Speed > minSpeedForTimeGap ? gap / ego.Speed : double.NaN);
                s.LeadId.Add(lead.Id);
            }

            if (crossings is not null)
            {
                samples.Clear();
                foreach (var v in gt.Vehicles)
                {
                    samples.Add(new VehicleSample(v.Id, v.LaneId, v.S, v.Length, v.Speed));
                }

                for (var l = 0; l < stopLines.Count; l++)
                {
                    lineStates[l] = LineState(gt, stopLines[l]);
                }

                crossings.Observe(time, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(samples), lineStates);
            }

            foreach (var intersection in gt.Intersections)
            {
                foreach (var group in intersection.Groups)
                {
                    var key = (intersection.Id, group.Id);
                    if (!groupStates.TryGetValue(key, out var previous) || previous != group.State)
                    {
                        groupStates[key] = group.State;
                        events.Add(new ReportEvent(
                            time,
                            "signal_" + LampName(group.State),
                            string.Empty,
                            string.Create(CultureInfo.InvariantCulture, $"intersection {intersection.Id} group {group.Id}"),
                            EventSource.Signals));
                    }
                }
            }
        }

        if (crossings is not null)
        {
            foreach (var c in crossings.Crossings)
            {
                var line = stopLines[c.StopLine];
                var state = c.State.ToString().ToLowerInvariant();
                events.Add(new ReportEvent(
                    c.Time,
                    c.State == LineSignalState.Red ? "red_light_crossing" : "stop_line_crossing",
                    c.TruckId,
                    string.Create(CultureInfo.InvariantCulture, $"intersection {line.IntersectionId} group {line.SignalGroup} lane {line.LaneId} on {state}"),
                    EventSource.Signals));
            }
        }

        return result;
    }

    /// <summary>The state a stop line's signal group showed in this ground-truth step (dark when not in it).</summary>
    private static LineSignalState LineState(GroundTruth gt, StopLineSite line)
    {
        foreach (var intersection in gt.Intersections)
        {
            if (intersection.Id != line.IntersectionId)
            {
                continue;
            }

            foreach (var group in intersection.Groups)
            {
                if (group.Id == line.SignalGroup)
                {
                    return group.State switch
                    {
                        SignalLampState.Red => LineSignalState.Red,
                        SignalLampState.Amber => LineSignalState.Amber,
                        SignalLampState.Green => LineSignalState.Green,
                        _ => LineSignalState.Dark,
                    };
                }
            }
        }

        return LineSignalState.Dark;
    }

    private static VehicleView ReadCommands(McapReader reader, string id, List<ReportEvent> events, ref double endTime)
    {
        var time = new List<double>();
        var speed = new List<double>();
        var leadGap = new List<double>();
        var measuredTimeGap = new List<double>();
        var minSpeedForTimeGap = new KpiOptions().MinSpeedForTimeGap;
        var request = new List<double>();
        var timeGap = new List<double>();
        string state = string.Empty, role = string.Empty, mode = string.Empty, perception = string.Empty, controlMode = string.Empty;
        foreach (var m in reader.ReadMessages(VehiclePrefix + id + CommandSuffix))
        {
            var command = Command.Parser.ParseFrom(m.Data.Span);
            var t = Seconds((long)m.LogTime);
            endTime = Math.Max(endTime, t);
            var d = command.Diagnostics;
            if (d is null)
            {
                continue;
            }

            time.Add(t);
            speed.Add(d.EstimatedSpeed);
            leadGap.Add(d.HasLead ? d.LeadGap : double.NaN);
            measuredTimeGap.Add(d.HasLead && d.EstimatedSpeed > minSpeedForTimeGap ? d.LeadGap / d.EstimatedSpeed : double.NaN);
            request.Add(d.AccelerationRequest);
            timeGap.Add(d.Platoon is { } p && p.TimeGap > 0 ? p.TimeGap : double.NaN);
            Transition(events, t, id, "control_mode", ref controlMode, d.Mode);
            if (d.Platoon is { } platoon)
            {
                Transition(events, t, id, "platoon_state", ref state, platoon.State);
                Transition(events, t, id, "platoon_role", ref role, platoon.Role);
                var before = mode;
                if (Transition(events, t, id, "longitudinal_mode", ref mode, platoon.LongitudinalMode)
                    && string.Equals(before, "Cacc", StringComparison.Ordinal)
                    && string.Equals(platoon.LongitudinalMode, "Acc", StringComparison.Ordinal))
                {
                    events.Add(new ReportEvent(t, "v2v_fallback", id, "CACC → ACC", EventSource.VehicleDiagnostics));
                }
            }

            if (d.Perception is { } perceptionDiagnostics)
            {
                Transition(events, t, id, "perception_state", ref perception, perceptionDiagnostics.State);
            }
        }

        return new VehicleView(time, speed, leadGap, measuredTimeGap, request, timeGap);
    }

    /// <summary>Adds an event when <paramref name="value"/> differs from <paramref name="last"/> (the first value too).</summary>
    private static bool Transition(List<ReportEvent> events, double time, string id, string kind, ref string last, string value)
    {
        if (string.Equals(last, value, StringComparison.Ordinal))
        {
            return false;
        }

        var detail = last.Length == 0 ? value : $"{last} → {value}";
        last = value;
        events.Add(new ReportEvent(time, kind, id, detail, EventSource.VehicleDiagnostics));
        return true;
    }

    private static string LampName(SignalLampState state) => state switch
    {
        SignalLampState.Red => "red",
        SignalLampState.Amber => "amber",
        SignalLampState.Green => "green",
        SignalLampState.Off => "off",
        _ => "unspecified",
    };

    private static int IndexOf(Google.Protobuf.Collections.RepeatedField<VehicleTruth> vehicles, string id)
    {
        for (var i = 0; i < vehicles.Count; i++)
        {
            if (string.Equals(vehicles[i].Id, id, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Nearest vehicle ahead in the same lane (as <c>KpiAccumulator</c>), or −1.</summary>
    private static int LeadOf(Google.Protobuf.Collections.RepeatedField<VehicleTruth> vehicles, int egoIndex)
    {
        var ego = vehicles[egoIndex];
        var best = -1;
        var bestS = double.PositiveInfinity;
        for (var i = 0; i < vehicles.Count; i++)
        {
            if (i == egoIndex || !string.Equals(vehicles[i].LaneId, ego.LaneId, StringComparison.Ordinal))
            {
                continue;
            }

            var s = vehicles[i].S;
            if (s > ego.S && s < bestS)
            {
                bestS = s;
                best = i;
            }
        }

        return best;
    }

    private static double Seconds(long stampNs) => stampNs / NanosecondsPerSecond;

    /// <summary>Protobuf JSON of a message with the .proto field names (kpi.json's style).</summary>
    internal static string ToJson(IMessage message) =>
        new JsonFormatter(JsonFormatter.Settings.Default.WithPreserveProtoFieldNames(true).WithFormatDefaultValues(true)).Format(message);
}
