namespace AutomationStack.RoadMap;

/// <summary>
/// A signalised intersection of the map (<c>intersections</c> in the map file): where its roadside unit stands and its
/// signal groups. <paramref name="Id"/> is the intersection id on the V2X wire (SPaT, MAP, signal requests; 1 … 65535),
/// (<paramref name="X"/>, <paramref name="Y"/>) the reference position in map coordinates (m): the roadside unit's
/// antenna and the origin MAP messages describe the intersection around.
/// </summary>
public sealed record Intersection(int Id, double X, double Y, IReadOnlyList<SignalGroup> SignalGroups)
{
    /// <summary>Largest intersection id (u16 on the wire).</summary>
    public const int MaxId = ushort.MaxValue;

    /// <summary>The signal group with id <paramref name="signalGroupId"/>, or null.</summary>
    public SignalGroup? FindGroup(int signalGroupId)
    {
        foreach (var group in SignalGroups)
        {
            if (group.Id == signalGroupId)
            {
                return group;
            }
        }

        return null;
    }

    /// <summary>The signal group one of whose ingress lanes is <paramref name="laneId"/>, or null.</summary>
    public SignalGroup? FindGroupOfIngress(string laneId)
    {
        foreach (var group in SignalGroups)
        {
            foreach (var ingress in group.Ingress)
            {
                if (string.Equals(ingress.LaneId, laneId, StringComparison.Ordinal))
                {
                    return group;
                }
            }
        }

        return null;
    }
}

/// <summary>
/// One signal group of an <see cref="Intersection"/>: the movements that always show the same lamp.
/// <paramref name="Id"/> is small (1 … 255, u8 on the wire), <paramref name="HeadIds"/> the map signal heads it drives
/// and <paramref name="Ingress"/> its ingress lanes with their stop lines and the egress lanes they connect to.
/// </summary>
public sealed record SignalGroup(int Id, IReadOnlyList<string> HeadIds, IReadOnlyList<IngressLane> Ingress)
{
    /// <summary>Largest signal group id (u8 on the wire).</summary>
    public const int MaxId = byte.MaxValue;
}

/// <summary>
/// An ingress lane of a signal group: <paramref name="StopLineS"/> is the stop line as arc length along the lane (m),
/// <paramref name="EgressLaneIds"/> the lanes a vehicle leaving this stop line on green may continue in (the
/// connections ingress → egress of the group).
/// </summary>
public sealed record IngressLane(string LaneId, double StopLineS, IReadOnlyList<string> EgressLaneIds);
