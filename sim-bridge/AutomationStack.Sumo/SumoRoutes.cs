using System.Globalization;
using System.Text;
using AutomationStack.Contracts;
using AutomationStack.Scenarios;
using AutomationStack.Simulation;

namespace AutomationStack.Sumo;

/// <summary>A stack truck's place at the start, for keeping SUMO's initial traffic clear of it.</summary>
public readonly record struct TruckFootprint(string Id, string RoadId, double S, TruckParameters Body)
{
    public double Length => Body.Length;
}

/// <summary>
/// Writes SUMO's route file for a scenario's <see cref="SumoSettings.Traffic"/>: one vType per blueprint, the initial
/// vehicles of every stream at seeded positions (a jittered even spread over each lane's free length, clear of the
/// stack trucks by <see cref="SumoSettings.TruckClearance"/>), and a flow per stream with an inflow. Pure apart from
/// the file it writes; the same scenario and seed give the same bytes.
/// </summary>
public static class SumoRoutes
{
    /// <summary>Initial vehicles keep this far from the road's ends, m.</summary>
    public const double EndMargin = 20;

    /// <summary>Smallest bumper-to-bumper gap between two initial vehicles in a lane, m.</summary>
    public const double MinimumGap = 12;

    /// <summary>Ids: initial vehicles <c>s&lt;stream&gt;.&lt;n&gt;</c>, flow vehicles <c>f&lt;stream&gt;.&lt;n&gt;</c> (SUMO's flow naming).</summary>
    public static int StreamOf(string vehicleId)
    {
        ArgumentNullException.ThrowIfNull(vehicleId);
        if (vehicleId.Length < 2 || vehicleId[0] is not ('s' or 'f'))
        {
            return -1;
        }

        var dot = vehicleId.IndexOf('.', StringComparison.Ordinal);
        return dot > 1 && int.TryParse(vehicleId.AsSpan(1, dot - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var k) ? k : -1;
    }

    /// <exception cref="InvalidOperationException">a stream's initial vehicles do not fit on its road.</exception>
    public static string Build(SumoSettings settings, IReadOnlyList<SumoEdgePiece> edges, IReadOnlyList<TruckFootprint> trucks, double duration, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(edges);
        ArgumentNullException.ThrowIfNull(trucks);
        var random = DeterministicRandom.ForStream(seed, "sumo", "traffic");
        var xml = new StringBuilder();
        xml.Append("<routes>\n");
        foreach (var name in settings.Traffic.Select(t => t.BlueprintName).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            var body = settings.Traffic.First(t => t.BlueprintName == name).Body;
            xml.Append(VType(TypeId(name), body, settings.Traffic.Where(t => t.BlueprintName == name).Max(t => t.MaxSpeed)));
        }

        foreach (var truck in trucks)
        {
            // The stack trucks' twins: SUMO's followers keep their gap to the real box; SUMO never moves them itself.
            xml.Append(string.Create(
                CultureInfo.InvariantCulture,
                $"  <vType id=\"{StackTypeId(truck.Id)}\" vClass=\"truck\" length=\"{truck.Body.Length:0.###}\" width=\"{truck.Body.Width:0.###}\" height=\"{truck.Body.Height:0.###}\" maxSpeed=\"50\" emergencyDecel=\"{truck.Body.MaxDeceleration:0.###}\"/>\n"));
        }

        var departures = new List<(double Pos, string Line)>();
        var numbers = new int[settings.Traffic.Count];
        foreach (var road in settings.Traffic.Select(t => t.FromRoad).Distinct(StringComparer.Ordinal))
        {
            // Streams that start on the same road share its lanes: their initial vehicles are interleaved (each stream
            // evenly through the sequence) and spread together, so they never overlap.
            var pieces = edges.Where(e => e.RoadId == road).OrderBy(e => e.StartS).ToArray();
            var roadLength = pieces[^1].EndS;
            var lanes = pieces[0].LaneCount;
            var sequence = new List<(double Key, int Stream)>();
            for (var k = 0; k < settings.Traffic.Count; k++)
            {
                var stream = settings.Traffic[k];
                if (stream.FromRoad != road)
                {
                    continue;
                }

                for (var i = 0; i < stream.Initial; i++)
                {
                    sequence.Add(((i + 0.5) / stream.Initial, k));
                }
            }

            var ordered = sequence.OrderBy(e => e.Key).ThenBy(e => e.Stream).Select(e => e.Stream).ToArray();
            for (var lane = 0; lane < lanes; lane++)
            {
                var inLane = ordered.Where((_, i) => i % lanes == lane).ToArray();
                if (inLane.Length == 0)
                {
                    continue;
                }

                var longest = inLane.Max(k => settings.Traffic[k].Body.Length);
                var places = Spread(inLane.Length, roadLength, longest, Blocked(trucks, road, settings.TruckClearance, longest), random, road, lane);
                for (var i = 0; i < inLane.Length; i++)
                {
                    var k = inLane[i];
                    var stream = settings.Traffic[k];
                    var last = edges.Where(e => e.RoadId == stream.ToRoad).OrderBy(e => e.StartS).Last();
                    var sCentre = places[i];
                    var piece = pieces.Last(p => p.StartS <= sCentre);
                    var pos = Math.Clamp(sCentre - piece.StartS + (0.5 * stream.Body.Length), stream.Body.Length, piece.EndS - piece.StartS - 1.0);
                    departures.Add((sCentre, string.Create(
                        CultureInfo.InvariantCulture,
                        $"  <trip id=\"s{k}.{numbers[k]}\" type=\"{TypeId(stream.BlueprintName)}\" depart=\"0\" from=\"{piece.EdgeId}\" to=\"{last.EdgeId}\" departLane=\"{lane}\" departPos=\"{pos:0.###}\" departSpeed=\"max\"/>\n")));
                    numbers[k]++;
                }
            }
        }

        // SUMO wants the vehicles of one departure time in the file's order; front-most first so each is inserted
        // behind the ones already placed.
        foreach (var (_, line) in departures.OrderByDescending(d => d.Pos))
        {
            xml.Append(line);
        }

        for (var k = 0; k < settings.Traffic.Count; k++)
        {
            var stream = settings.Traffic[k];
            if (stream.PerHour <= 0)
            {
                continue;
            }

            var first = edges.Where(e => e.RoadId == stream.FromRoad).OrderBy(e => e.StartS).First();
            var last = edges.Where(e => e.RoadId == stream.ToRoad).OrderBy(e => e.StartS).Last();
            xml.Append(string.Create(
                CultureInfo.InvariantCulture,
                $"  <flow id=\"f{k}\" type=\"{TypeId(stream.BlueprintName)}\" begin=\"0\" end=\"{duration:0.###}\" vehsPerHour=\"{stream.PerHour:0.###}\" from=\"{first.EdgeId}\" to=\"{last.EdgeId}\" departLane=\"best\" departPos=\"base\" departSpeed=\"max\"/>\n"));
        }

        xml.Append("</routes>\n");
        return xml.ToString();
    }

    /// <summary>SUMO vType id of a stack truck's twin.</summary>
    public static string StackTypeId(string truckId) => "stack_" + truckId;

    /// <summary>SUMO vType id of a blueprint.</summary>
    public static string TypeId(string blueprint) => "bp_" + blueprint;

    private static string VType(string id, TruckParameters body, double maxSpeed)
    {
        var vClass = body.Category switch
        {
            VehicleCategory.Truck => "truck",
            VehicleCategory.Agv => "delivery",
            _ => "passenger",
        };
        return string.Create(
            CultureInfo.InvariantCulture,
            $"  <vType id=\"{id}\" vClass=\"{vClass}\" length=\"{body.Length:0.###}\" width=\"{body.Width:0.###}\" height=\"{body.Height:0.###}\" accel=\"{Math.Min(body.MaxAcceleration, 2.6):0.###}\" decel=\"{Math.Min(body.MaxDeceleration, 4.5):0.###}\" emergencyDecel=\"{body.MaxDeceleration:0.###}\" maxSpeed=\"{maxSpeed:0.###}\" minGap=\"2.5\" sigma=\"0.5\"/>\n");
    }

    /// <summary>Intervals of reference-line arc length that initial vehicles' centres must avoid around the trucks.</summary>
    private static List<(double From, double To)> Blocked(IReadOnlyList<TruckFootprint> trucks, string road, double clearance, double length) =>
        [.. trucks.Where(t => t.RoadId == road)
            .Select(t => (t.S - (0.5 * t.Length) - clearance - (0.5 * length), t.S + (0.5 * t.Length) + clearance + (0.5 * length)))];

    /// <summary>
    /// <paramref name="count"/> centre positions in [EndMargin, length − EndMargin] minus the blocked intervals: the free
    /// length is cut into equal slots, each vehicle at a seeded place within the middle half of its slot.
    /// </summary>
    private static List<double> Spread(int count, double roadLength, double vehicleLength, List<(double From, double To)> blocked, DeterministicRandom random, string road, int lane)
    {
        var result = new List<double>(count);
        if (count == 0)
        {
            return result;
        }

        // Free intervals.
        var free = new List<(double From, double To)> { (EndMargin, roadLength - EndMargin) };
        foreach (var (bFrom, bTo) in blocked)
        {
            var next = new List<(double, double)>();
            foreach (var (f, t) in free)
            {
                if (bTo <= f || bFrom >= t)
                {
                    next.Add((f, t));
                    continue;
                }

                if (bFrom > f)
                {
                    next.Add((f, bFrom));
                }

                if (bTo < t)
                {
                    next.Add((bTo, t));
                }
            }

            free = next;
        }

        var total = free.Sum(f => f.To - f.From);
        var slot = total / count;
        if (slot < vehicleLength + MinimumGap)
        {
            throw new InvalidOperationException(string.Create(
                CultureInfo.InvariantCulture,
                $"sumo.traffic: {count} initial vehicles do not fit in lane {lane} of road {road} ({total:0} m free, {vehicleLength + MinimumGap:0.#} m needed each)"));
        }

        for (var i = 0; i < count; i++)
        {
            var along = (i + 0.25 + (0.5 * random.NextDouble())) * slot;
            foreach (var (f, t) in free)
            {
                if (along <= t - f)
                {
                    result.Add(Math.Clamp(f + along, f + (0.5 * vehicleLength), t - (0.5 * vehicleLength)));
                    break;
                }

                along -= t - f;
            }
        }

        return result;
    }
}
