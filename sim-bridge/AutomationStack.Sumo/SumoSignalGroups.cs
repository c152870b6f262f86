using AutomationStack.RoadMap;

namespace AutomationStack.Sumo;

/// <summary>A signal group's state as SUMO's traffic-light state string shows it.</summary>
public enum SumoGroupState
{
    Dark = 0,
    Red = 1,
    Amber = 2,
    Green = 3,
}

/// <summary>
/// Which of a SUMO traffic light's links (indices into its state string) belong to which signal group of the map's
/// intersection: a link belongs to the group one of whose ingress lanes is the link's incoming lane (mapped back from
/// the SUMO lane id through the export's edge pieces). A group's state is the most conservative of its links' states
/// (red over amber over green), so a group never shows green while one of its movements is red. Pure once built.
/// </summary>
public sealed class SumoSignalGroups
{
    private readonly int[][] _linksOfGroup;

    private SumoSignalGroups(Intersection intersection, int[][] linksOfGroup)
    {
        Intersection = intersection;
        _linksOfGroup = linksOfGroup;
    }

    public Intersection Intersection { get; }

    /// <summary>Link indices of group <paramref name="index"/> (in <see cref="Intersection"/>'s order).</summary>
    public IReadOnlyList<int> LinksOf(int index) => _linksOfGroup[index];

    /// <summary>
    /// Builds the mapping from the traffic light's controlled links (<c>GetTrafficLightControlledLinks</c>: per link
    /// index the incoming/outgoing lanes) and the exported edges.
    /// </summary>
    /// <exception cref="InvalidOperationException">A group has no link in SUMO's program (the network and the map disagree).</exception>
    public static SumoSignalGroups Build(Intersection intersection, IReadOnlyList<IReadOnlyList<(string IncomingLane, string OutgoingLane)>> links, IReadOnlyList<SumoEdgePiece> edges)
    {
        ArgumentNullException.ThrowIfNull(intersection);
        ArgumentNullException.ThrowIfNull(links);
        ArgumentNullException.ThrowIfNull(edges);
        var roadOfEdge = edges.ToDictionary(e => e.EdgeId, e => e.RoadId, StringComparer.Ordinal);
        var groups = new int[intersection.SignalGroups.Count][];
        for (var g = 0; g < groups.Length; g++)
        {
            var ingress = intersection.SignalGroups[g].Ingress.Select(i => i.LaneId).ToHashSet(StringComparer.Ordinal);
            var indices = new List<int>();
            for (var k = 0; k < links.Count; k++)
            {
                if (links[k].Any(l => MapLane(l.IncomingLane, roadOfEdge) is { } lane && ingress.Contains(lane)))
                {
                    indices.Add(k);
                }
            }

            if (indices.Count == 0)
            {
                throw new InvalidOperationException(
                    $"intersection {intersection.Id}: signal group {intersection.SignalGroups[g].Id} has no link in SUMO's traffic light (ingress {string.Join(", ", ingress)})");
            }

            groups[g] = [.. indices];
        }

        return new SumoSignalGroups(intersection, groups);
    }

    /// <summary>Group <paramref name="index"/>'s state in SUMO's state string (one character per link).</summary>
    public SumoGroupState StateOf(int index, string state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var result = SumoGroupState.Green;
        var any = false;
        foreach (var k in _linksOfGroup[index])
        {
            if (k >= state.Length)
            {
                return SumoGroupState.Dark;
            }

            any = true;
            var s = Of(state[k]);
            if (Rank(s) > Rank(result))
            {
                result = s;
            }
        }

        return any ? result : SumoGroupState.Dark;
    }

    /// <summary>
    /// The state string that shows each group's state on all its links (links of no group stay red): how the stack's
    /// own signal controller drives a SUMO traffic light (<c>SetTrafficLightState</c>), so SUMO's vehicles see the
    /// same lights as the stack trucks.
    /// </summary>
    public string StateString(int linkCount, IReadOnlyList<SumoGroupState> groupStates)
    {
        ArgumentNullException.ThrowIfNull(groupStates);
        var chars = new char[linkCount];
        Array.Fill(chars, 'r');
        for (var g = 0; g < _linksOfGroup.Length && g < groupStates.Count; g++)
        {
            var c = groupStates[g] switch
            {
                SumoGroupState.Green => 'G',
                SumoGroupState.Amber => 'y',
                SumoGroupState.Red => 'r',
                _ => 'o',
            };
            foreach (var k in _linksOfGroup[g])
            {
                if (k < linkCount)
                {
                    chars[k] = c;
                }
            }
        }

        return new string(chars);
    }

    /// <summary>
    /// When group <paramref name="index"/>'s current state ends under a static program: the rest of the running phase
    /// (until <paramref name="nextSwitch"/>, SUMO's absolute time of the next switch) plus every following phase
    /// (cyclically, at their durations) in which the group shows the same state; s, absolute. +∞ when the state never
    /// changes within one cycle. This is a SPaT end time for SUMO's lights (min = max = likely for a static program).
    /// </summary>
    public double StateEnd(int index, IReadOnlyList<(double Duration, string State)> phases, int currentPhase, double nextSwitch)
    {
        ArgumentNullException.ThrowIfNull(phases);
        if (phases.Count == 0 || currentPhase < 0 || currentPhase >= phases.Count)
        {
            return double.PositiveInfinity;
        }

        var state = StateOf(index, phases[currentPhase].State);
        var end = nextSwitch;
        for (var k = 1; k < phases.Count; k++)
        {
            var phase = phases[(currentPhase + k) % phases.Count];
            if (StateOf(index, phase.State) != state)
            {
                return end;
            }

            end += phase.Duration;
        }

        return double.PositiveInfinity;
    }

    /// <summary>The map lane id of a SUMO lane id <c>&lt;road&gt;.&lt;piece&gt;_&lt;index&gt;</c> from the export; null for internal or unknown lanes.</summary>
    public static string? MapLane(string sumoLane, IReadOnlyDictionary<string, string> roadOfEdge)
    {
        ArgumentNullException.ThrowIfNull(sumoLane);
        ArgumentNullException.ThrowIfNull(roadOfEdge);
        var cut = sumoLane.LastIndexOf('_');
        if (cut <= 0 || sumoLane.StartsWith(':'))
        {
            return null;
        }

        return roadOfEdge.TryGetValue(sumoLane[..cut], out var road) ? road + "/" + sumoLane[(cut + 1)..] : null;
    }

    private static SumoGroupState Of(char c) => c switch
    {
        'G' or 'g' or 's' => SumoGroupState.Green,
        'y' or 'Y' => SumoGroupState.Amber,
        'r' or 'R' or 'u' => SumoGroupState.Red,
        _ => SumoGroupState.Dark,
    };

    private static int Rank(SumoGroupState s) => s switch
    {
        SumoGroupState.Red => 3,
        SumoGroupState.Amber => 2,
        SumoGroupState.Dark => 4,
        _ => 1,
    };
}
