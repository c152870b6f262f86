using AutomationStack.Contracts;

namespace AutomationStack.Simulation;

/// <summary>
/// A fixed V2X station of the world (a roadside unit): it sends from and receives at (<see cref="X"/>,
/// <see cref="Y"/>) over the same channel model as the vehicles. Its random streams are its own: links from it draw
/// from <c>V2xLinks</c>, links from vehicles to it from <c>UplinkLinks</c>, so adding a station never changes a
/// vehicle-to-vehicle link's draws.
/// </summary>
public sealed class RoadsideStation
{
    /// <summary>Smallest roadside station id: vehicles are numbered 1, 2, … in spawn order and stay below it.</summary>
    public const uint MinStationId = 1_000_000;

    private const string DownlinkStreamName = "v2x";
    private const string UplinkStreamName = "v2x-uplink";

    internal RoadsideStation(uint stationId, double x, double y, ulong worldSeed)
    {
        StationId = stationId;
        X = x;
        Y = y;
        var name = "rsu-" + stationId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        V2xLinks = DeterministicRandom.ForStream(worldSeed, name, DownlinkStreamName);
        UplinkLinks = DeterministicRandom.ForStream(worldSeed, name, UplinkStreamName);
    }

    /// <summary>Station id on the V2X channel (distinct from every vehicle's).</summary>
    public uint StationId { get; }

    /// <summary>Antenna position, map frame, m.</summary>
    public double X { get; }

    /// <summary>Antenna position, map frame, m.</summary>
    public double Y { get; }

    /// <summary>Per-link loss draws for messages this station sends.</summary>
    internal DeterministicRandom V2xLinks { get; }

    /// <summary>Per-link loss draws for messages vehicles send to this station.</summary>
    internal DeterministicRandom UplinkLinks { get; }

    /// <summary>Gilbert–Elliott state of links from this station, by receiver station id.</summary>
    internal Dictionary<uint, bool> BurstState { get; } = [];

    /// <summary>Gilbert–Elliott state of links to this station, by sender station id.</summary>
    internal Dictionary<uint, bool> UplinkBurstState { get; } = [];

    /// <summary>Received messages waiting for their delivery frame, ordered by it.</summary>
    internal List<PendingV2x> Inbox { get; } = [];

    internal void Deliver(PendingV2x pending)
    {
        var i = Inbox.Count;
        while (i > 0 && Inbox[i - 1].DeliverFrame > pending.DeliverFrame)
        {
            i--;
        }

        Inbox.Insert(i, pending);
    }
}
