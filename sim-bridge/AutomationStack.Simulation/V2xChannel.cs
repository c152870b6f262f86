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

    public void Send(SimVehicle sender, IReadOnlyList<SimVehicle> vehicles, V2xChannelOptions o, long frame, ReadOnlyMemory<byte> payload)
    {
        var now = frame * stepLength;
        var message = new V2xMessage(sender.StationId, frame * stepNs, payload.ToArray());
        var airtime = (payload.Length + o.OverheadBytes) * BitsPerByte / o.DataRate;
        var start = Math.Max(now, _busyUntil);
        _busyUntil = start + airtime;
        // Latency covers an idle channel (access, airtime of a typical message, processing); congestion adds the
        // time this message waits for the medium behind earlier ones.
        var wait = start - now;
        Stats.Sent++;
        Stats.AirtimeSeconds += airtime;
        var rangeSquared = o.Range * o.Range;
        foreach (var r in vehicles)
        {
            if (ReferenceEquals(r, sender))
            {
                continue;
            }

            var dx = r.X - sender.X;
            var dy = r.Y - sender.Y;
            if ((dx * dx) + (dy * dy) > rangeSquared)
            {
                Stats.OutOfRange++;
                continue;
            }

            // Always the same number of draws per link, whatever the outcome, so one setting never shifts another's.
            var rng = sender.V2xLinks;
            var lost = false;
            if (o.Burst is { } ge)
            {
                var bad = sender.BurstState.TryGetValue(r.StationId, out var b) && b;
                bad = bad ? rng.NextDouble() >= ge.BadToGood : rng.NextDouble() < ge.GoodToBad;
                sender.BurstState[r.StationId] = bad;
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
                continue;
            }

            if (random)
            {
                Stats.LostRandom++;
                continue;
            }

            var jitter = o.JitterDistribution == JitterDistribution.Exponential
                ? -o.LatencyJitter * Math.Log(1 - jitterDraw)
                : o.LatencyJitter * jitterDraw;
            var delay = wait + o.Latency + jitter;
            var steps = Math.Max(1L, (long)Math.Ceiling((delay / stepLength) - StepRoundingSlack));
            r.Deliver(new PendingV2x(frame + steps, message));
            Stats.Delivered++;
        }
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
