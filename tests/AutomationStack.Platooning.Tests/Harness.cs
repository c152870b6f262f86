using AutomationStack.Platooning.Protocol;

namespace AutomationStack.Platooning.Tests;

/// <summary>A simulated truck: position as a function of time, one-shot requests, results kept.</summary>
internal sealed class Truck
{
    public const double Length = 16.5;

    /// <summary>Centre distance of two trucks at the PSF target gap at 20 m/s: 16.5 + 5 + 1.4 × 20.</summary>
    public const double Spacing = 49.5;

    public Truck(PlatoonAgent agent, Func<long, double> position)
    {
        Agent = agent;
        Position = position;
    }

    public PlatoonAgent Agent { get; }

    public Func<long, double> Position { get; set; }

    public double Speed { get; set; } = 20;

    public double BrakeRequest { get; set; }

    public string Lane { get; set; } = "lane-1";

    public PlatoonRequest Request { get; set; }

    public PlatoonStepResult Last { get; set; } = null!;

    public List<PlatoonStepResult> History { get; } = [];

    public static double Cruise(double x0, long t) => x0 + (20 * t / 1000.0);
}

/// <summary>In-memory broadcast medium: every message goes through the codec and reaches every other truck.</summary>
internal sealed class Bus
{
    private readonly Dictionary<uint, uint> sequence = [];

    public List<Truck> Trucks { get; } = [];

    public long Now { get; private set; }

    /// <summary>Messages for which this returns true are lost (sender, body).</summary>
    public Func<uint, V2xBody, bool> Drop { get; set; } = (_, _) => false;

    /// <summary>An intruder's centre position (same lane), if any.</summary>
    public Func<long, double?> Intruder { get; set; } = _ => null;

    public Truck Add(PlatoonAgent agent, Func<long, double> position)
    {
        var truck = new Truck(agent, position);
        Trucks.Add(truck);
        return truck;
    }

    public void Tick()
    {
        foreach (var truck in Trucks)
        {
            var x = truck.Position(Now);
            var (hasLead, gap) = Radar(truck, x);
            var inputs = new PlatoonInputs(Now, x, 0, 0, truck.Speed, 0, truck.Lane, 0, hasLead, gap, truck.Speed, truck.BrakeRequest, truck.Request);
            truck.Request = default;
            truck.Last = truck.Agent.Step(inputs);
            truck.History.Add(truck.Last);
            foreach (var message in truck.Last.ToSend)
            {
                Deliver(truck.Agent.StationId, message.Body);
            }
        }

        Now += 20;
    }

    public void RunUntil(long t)
    {
        while (Now <= t)
        {
            Tick();
        }
    }

    private void Deliver(uint sender, V2xBody body)
    {
        if (Drop(sender, body))
        {
            return;
        }

        var seq = sequence.TryGetValue(sender, out var s) ? s + 1 : 0;
        sequence[sender] = seq;
        var bytes = V2xCodec.Encode(new MessageHeader(body.MessageType, sender, (ulong)Now, seq), body);
        var (header, decoded) = V2xCodec.Decode(bytes);
        foreach (var other in Trucks)
        {
            other.Agent.Receive(header, decoded);
        }
    }

    private (bool, double) Radar(Truck truck, double x)
    {
        var nearest = double.PositiveInfinity;
        foreach (var other in Trucks)
        {
            var ox = other.Position(Now);
            if (other != truck && ox > x && string.Equals(other.Lane, truck.Lane, StringComparison.Ordinal))
            {
                nearest = Math.Min(nearest, ox);
            }
        }

        if (Intruder(Now) is { } ix && ix > x)
        {
            nearest = Math.Min(nearest, ix);
        }

        return double.IsFinite(nearest) && nearest - x - Truck.Length < 200 ? (true, nearest - x - Truck.Length) : (false, 0);
    }
}

/// <summary>Direct feeding of one agent.</summary>
internal static class Feed
{
    public static PlatoonInputs Inputs(long t, double x = 0, double brake = 0, PlatoonRequest request = default, bool radar = false, double radarGap = 0) =>
        new(t, x, 0, 0, 20, 0, "lane-1", 0, radar, radarGap, 20, brake, request);

    public static void Send(PlatoonAgent agent, uint sender, V2xBody body, long t, uint seq = 0) =>
        agent.Receive(new MessageHeader(body.MessageType, sender, (ulong)t, seq), body);

    public static Pcm Pcm(uint platoonId, byte index, double x, PcmStatus status = PcmStatus.None, double desired = 0) =>
        new(platoonId, index, x, 0, 0, 20, 0, desired, 1.4, Truck.Length, status);

    public static Pam LeaderPam(uint platoonId, double x) =>
        new(platoonId, PlatoonRole.Leader, x, 0, 0, 20, "lane-1", 1, 7, true, PlatooningLevel.Psf, 6);

    public static IEnumerable<Pmm> Pmms(this PlatoonStepResult result) => result.ToSend.Select(m => m.Body).OfType<Pmm>();

    public static int Pcms(this PlatoonStepResult result) => result.ToSend.Count(m => m.Body is Pcm);
}
