using AutomationStack.Contracts;

namespace AutomationStack.Simulation;

/// <summary>
/// The shared V2X medium of a <see cref="World"/> (see <see cref="V2xChannelOptions"/>): per-link range, loss and
/// latency, airtime on one medium, delivery at whole physics steps. Randomness comes from the sender's own stream,
/// so adding a receiver never changes another vehicle's noise. Counters say what happened to every message.
/// </summary>
internal sealed class V2xChannel(double stepLength, long stepNs)
{
    /// <summary>Relative slack when rounding latencies up to whole steps (absorbs 0.02/0.01 = 2.0000000004).</summary>
    private const double StepRoundingSlack = 1e-9;

    private const int BitsPerByte = 8;

    /// <summary>Simulated time, s, until which the medium is busy with earlier messages.</summary>
    private double _busyUntil;

    public V2xChannelStats Stats { get; } = new();

    /// <summary>
    /// A vehicle broadcasts: every other vehicle (in list order, then every roadside station) within range gets the
    /// message unless its link loses it. Vehicle links draw from the sender's stream, station links from the station's
    /// uplink stream.
    /// </summary>
    public void Send(SimVehicle sender, IReadOnlyList<SimVehicle> vehicles, IReadOnlyList<RoadsideStation> stations, V2xChannelOptions o, long frame, ReadOnlyMemory<byte> payload)
    {
        var (message, wait) = PutOnMedium(sender.StationId, o, frame, payload);
        foreach (var r in vehicles)
        {
            if (ReferenceEquals(r, sender))
            {
                continue;
            }

            if (Link(sender.V2xLinks, sender.BurstState, r.StationId, r.X - sender.X, r.Y - sender.Y, o, wait, frame, out var deliverFrame) && HasReceiver(r))
            {
                r.Deliver(new PendingV2x(deliverFrame, message));
            }
        }

        foreach (var station in stations)
        {
            if (Link(station.UplinkLinks, station.UplinkBurstState, sender.StationId, station.X - sender.X, station.Y - sender.Y, o, wait, frame, out var deliverFrame))
            {
                station.Deliver(new PendingV2x(deliverFrame, message));
            }
        }
    }

    /// <summary>A roadside station broadcasts: every vehicle within range gets the message unless its link loses it (stations do not hear each other).</summary>
    public void Send(RoadsideStation sender, IReadOnlyList<SimVehicle> vehicles, V2xChannelOptions o, long frame, ReadOnlyMemory<byte> payload)
    {
        var (message, wait) = PutOnMedium(sender.StationId, o, frame, payload);
        foreach (var r in vehicles)
        {
            if (Link(sender.V2xLinks, sender.BurstState, r.StationId, r.X - sender.X, r.Y - sender.Y, o, wait, frame, out var deliverFrame) && HasReceiver(r))
            {
                r.Deliver(new PendingV2x(deliverFrame, message));
            }
        }
    }

    /// <summary>
    /// Whether a vehicle's radio is read: only vehicles driven from outside (stack trucks, whose frames carry what they
    /// received). Background, mirrored and failed vehicles have no reader, so they keep nothing: their links are still
    /// drawn (same random streams and channel statistics), but a message they would get is not queued — otherwise
    /// every message in range would pile up in their inboxes for the whole run (found by the 2-hour soak).
    /// </summary>
    private static bool HasReceiver(SimVehicle vehicle) => vehicle.Control == ControlSource.External;

    /// <summary>Counts the message, books its airtime on the medium and returns it with its wait for the medium, s.</summary>
    private (V2xMessage Message, double Wait) PutOnMedium(uint senderStationId, V2xChannelOptions o, long frame, ReadOnlyMemory<byte> payload)
    {
        var now = frame * stepLength;
        var message = new V2xMessage(senderStationId, frame * stepNs, payload.ToArray());
        var airtime = (payload.Length + o.OverheadBytes) * BitsPerByte / o.DataRate;
        var start = Math.Max(now, _busyUntil);
        _busyUntil = start + airtime;
        // Latency covers an idle channel (access, airtime of a typical message, processing); congestion adds the
        // time this message waits for the medium behind earlier ones.
        Stats.Sent++;
        Stats.AirtimeSeconds += airtime;
        return (message, start - now);
    }

    /// <summary>One directed link: range, burst and random loss, latency. True with the delivery frame when it gets through.</summary>
    private bool Link(
        DeterministicRandom rng, Dictionary<uint, bool> burstState, uint linkKey, double dx, double dy, V2xChannelOptions o, double wait, long frame, out long deliverFrame)
    {
        deliverFrame = 0;
        if ((dx * dx) + (dy * dy) > o.Range * o.Range)
        {
            Stats.OutOfRange++;
            return false;
        }

        // Always the same number of draws per link, whatever the outcome, so one setting never shifts another's.
        var lost = false;
        if (o.Burst is { } ge)
        {
            var bad = burstState.TryGetValue(linkKey, out var b) && b;
            bad = bad ? rng.NextDouble() >= ge.BadToGood : rng.NextDouble() < ge.GoodToBad;
            burstState[linkKey] = bad;
            lost = rng.NextDouble() < (bad ? ge.LossInBad : ge.LossInGood);
            if (lost)
            {
                Stats.LostBurst++;
            }
        }

        var random = rng.NextDouble() < o.LossProbability;
        var jitterDraw = rng.NextDouble();
        if (lost)
        {
            return false;
        }

        if (random)
        {
            Stats.LostRandom++;
            return false;
        }

        var jitter = o.JitterDistribution == JitterDistribution.Exponential
            ? -o.LatencyJitter * Math.Log(1 - jitterDraw)
            : o.LatencyJitter * jitterDraw;
        var delay = wait + o.Latency + jitter;
        var steps = Math.Max(1L, (long)Math.Ceiling((delay / stepLength) - StepRoundingSlack));
        deliverFrame = frame + steps;
        Stats.Delivered++;
        return true;
    }
}

/// <summary>What the V2X channel did with the messages sent so far (one count per link for losses and deliveries).</summary>
public sealed class V2xChannelStats
{
    /// <summary>Messages put on the medium.</summary>
    public long Sent { get; internal set; }

    /// <summary>Links not attempted: receiver beyond range.</summary>
    public long OutOfRange { get; internal set; }

    /// <summary>Links lost to a Gilbert–Elliott burst.</summary>
    public long LostBurst { get; internal set; }

    /// <summary>Links lost to independent loss.</summary>
    public long LostRandom { get; internal set; }

    /// <summary>Links delivered (possibly still in flight).</summary>
    public long Delivered { get; internal set; }

    /// <summary>Sum of airtime, s.</summary>
    public double AirtimeSeconds { get; internal set; }
}
