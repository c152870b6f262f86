using AutomationStack.Contracts;

namespace AutomationStack.Simulation.Tests;

/// <summary>The V2X channel model: burst loss, jitter, congestion, run-time changes, statistics.</summary>
internal sealed class V2xChannelTests
{
    [Test]
    public void SendV2x_GilbertElliott_LossesComeInBurstsOfExpectedMeanLength()
    {
        // Mean burst 1 / 0.2 = 5 messages; stationary loss share = 0.05 / (0.05 + 0.2) = 0.2.
        var world = TwoTrucks(new V2xChannelOptions { Latency = 0, Burst = new GilbertElliott(0.05, 0.2) });
        var received = new List<bool>();
        var inbox = new List<V2xMessage>();
        for (var i = 0; i < 20_000; i++)
        {
            world.SendV2x("a", new byte[] { 1 });
            world.Step();
            world.ReceiveV2x("b", inbox);
            received.Add(inbox.Count == 1);
        }

        var lossShare = received.Count(r => !r) / (double)received.Count;
        var bursts = Runs(received, false);
        Assert.That(lossShare, Is.EqualTo(0.2).Within(0.03));
        Assert.That(bursts.Average(), Is.EqualTo(5.0).Within(0.6));
        Assert.That(world.V2xStats.LostBurst, Is.EqualTo(received.Count(r => !r)));
    }

    [Test]
    public void SendV2x_IndependentLoss_LossesAreShortRuns()
    {
        var world = TwoTrucks(new V2xChannelOptions { Latency = 0, LossProbability = 0.2 });
        var received = new List<bool>();
        var inbox = new List<V2xMessage>();
        for (var i = 0; i < 20_000; i++)
        {
            world.SendV2x("a", new byte[] { 1 });
            world.Step();
            world.ReceiveV2x("b", inbox);
            received.Add(inbox.Count == 1);
        }

        Assert.That(Runs(received, false).Average(), Is.EqualTo(1.25).Within(0.1), "geometric runs: 1 / (1 − p)");
        Assert.That(world.V2xStats.LostRandom, Is.EqualTo(received.Count(r => !r)));
    }

    [Test]
    public void SetV2xChannel_TotalLossWindow_NothingArrivesThenRecovers()
    {
        var world = TwoTrucks(new V2xChannelOptions { Latency = 0 });
        var inbox = new List<V2xMessage>();
        var arrived = new List<int>();
        for (var i = 0; i < 30; i++)
        {
            if (i == 10)
            {
                world.SetV2xChannel(world.V2xOptions with { LossProbability = 1 });
            }

            if (i == 20)
            {
                world.SetV2xChannel(world.Options.V2x);
            }

            world.SendV2x("a", new byte[] { (byte)i });
            world.Step();
            world.ReceiveV2x("b", inbox);
            arrived.AddRange(inbox.Select(m => (int)m.Payload.Span[0]));
        }

        Assert.That(arrived, Is.EqualTo(Enumerable.Range(0, 10).Concat(Enumerable.Range(20, 10))));
    }

    [Test]
    public void SendV2x_UniformJitter_DelaysSpreadBetweenLatencyAndLatencyPlusJitter()
    {
        var world = TwoTrucks(new V2xChannelOptions { Latency = 0.05, LatencyJitter = 0.1 });
        var delays = DelaysInSteps(world, 2000);

        // 50 ms + U(0, 100 ms), rounded up to whole 10 ms steps: 6 … 15 steps, mean 10.5.
        Assert.That(delays.Min(), Is.EqualTo(6));
        Assert.That(delays.Max(), Is.EqualTo(15));
        Assert.That(delays.Average(), Is.EqualTo(10.5).Within(0.4));
    }

    [Test]
    public void SendV2x_ExponentialJitter_MeanDelayIsLatencyPlusMean()
    {
        var world = TwoTrucks(new V2xChannelOptions { Latency = 0.05, LatencyJitter = 0.1, JitterDistribution = JitterDistribution.Exponential });
        var delays = DelaysInSteps(world, 4000);

        // Ceil to whole 10 ms steps adds about half a step on average.
        Assert.That(delays.Average(), Is.EqualTo(15.5).Within(0.7));
        Assert.That(delays.Min(), Is.EqualTo(6));
        Assert.That(delays.Max(), Is.GreaterThan(40), "a long tail");
    }

    [Test]
    public void ReceiveV2x_JitterReorders_DeliveredInDeliveryOrderAndEachOnce()
    {
        var world = TwoTrucks(new V2xChannelOptions { Latency = 0, LatencyJitter = 0.2 });
        var inbox = new List<V2xMessage>();
        var got = new List<int>();
        for (var i = 0; i < 200; i++)
        {
            world.SendV2x("a", BitConverter.GetBytes(i));
            world.Step();
            world.ReceiveV2x("b", inbox);
            got.AddRange(inbox.Select(m => BitConverter.ToInt32(m.Payload.Span)));
        }

        for (var i = 0; i < 40; i++)
        {
            world.Step();
            world.ReceiveV2x("b", inbox);
            got.AddRange(inbox.Select(m => BitConverter.ToInt32(m.Payload.Span)));
        }

        Assert.That(got.Order(), Is.EqualTo(Enumerable.Range(0, 200)), "every message exactly once");
        Assert.That(got, Is.Not.Ordered, "jitter reorders messages");
    }

    [Test]
    public void SendV2x_SlowChannelManyMessages_LaterMessagesWaitForTheMedium()
    {
        // 1,000-byte messages (+50 overhead) at 84 kbit/s: 0.1 s of airtime each.
        var world = TwoTrucks(new V2xChannelOptions { Latency = 0, DataRate = 84_000, OverheadBytes = 50 });
        var inbox = new List<V2xMessage>();
        var payload = new byte[1000];
        for (var i = 0; i < 5; i++)
        {
            payload[0] = (byte)i;
            world.SendV2x("a", payload);
        }

        var arrivals = new List<long>();
        for (var step = 0; step < 100 && arrivals.Count < 5; step++)
        {
            world.Step();
            world.ReceiveV2x("b", inbox);
            arrivals.AddRange(inbox.Select(_ => world.Frame));
        }

        // The first goes at once (delivered on the next step); each later one waits 0.1 s per message before it.
        Assert.That(arrivals, Is.EqualTo(new long[] { 1, 10, 20, 30, 40 }), "each waits for the airtime of those before it");
        Assert.That(world.V2xStats.AirtimeSeconds, Is.EqualTo(0.5).Within(1e-9));
    }

    [Test]
    public void SendV2x_ReceiverBeyondRange_CountedOutOfRange()
    {
        var world = TwoTrucks(new V2xChannelOptions { Range = 30 });

        world.SendV2x("a", new byte[] { 1 });

        Assert.That(world.V2xStats.Sent, Is.EqualTo(1));
        Assert.That(world.V2xStats.OutOfRange, Is.EqualTo(1), "trucks are 40 m apart");
        Assert.That(world.V2xStats.Delivered, Is.Zero);
    }

    [Test]
    public void SendV2x_SameSeedSameChannel_IdenticalDeliveries()
    {
        static List<(long, int)> Trace()
        {
            var world = TwoTrucks(new V2xChannelOptions { LatencyJitter = 0.05, LossProbability = 0.1, Burst = new GilbertElliott(0.02, 0.3) });
            var inbox = new List<V2xMessage>();
            var trace = new List<(long, int)>();
            for (var i = 0; i < 500; i++)
            {
                world.SendV2x("a", BitConverter.GetBytes(i));
                world.Step();
                world.ReceiveV2x("b", inbox);
                trace.AddRange(inbox.Select(m => (world.Frame, BitConverter.ToInt32(m.Payload.Span))));
            }

            return trace;
        }

        var first = Trace();
        var second = Trace();
        Assert.That(second, Is.EqualTo(first));
    }

    private static List<int> DelaysInSteps(World world, int count)
    {
        var inbox = new List<V2xMessage>();
        var sentFrame = new Dictionary<int, long>();
        var delays = new List<int>();
        for (var i = 0; i < count || delays.Count < count; i++)
        {
            if (i < count)
            {
                sentFrame[i] = world.Frame;
                world.SendV2x("a", BitConverter.GetBytes(i));
            }

            world.Step();
            world.ReceiveV2x("b", inbox);
            delays.AddRange(inbox.Select(m => (int)(world.Frame - sentFrame[BitConverter.ToInt32(m.Payload.Span)])));
        }

        return delays;
    }

    private static List<int> Runs(List<bool> values, bool of)
    {
        var runs = new List<int>();
        var length = 0;
        foreach (var v in values)
        {
            if (v == of)
            {
                length++;
            }
            else if (length > 0)
            {
                runs.Add(length);
                length = 0;
            }
        }

        if (length > 0)
        {
            runs.Add(length);
        }

        return runs;
    }

    [Test]
    public void SendV2x_BackgroundCarInRange_KeepsNothingWhileTheTruckReceivesAndStatisticsCountBoth()
    {
        // A background car has no radio anyone reads: before the fix every message in range piled up in its inbox
        // for the rest of the run (the 2-hour soak's memory grew by 10 %).
        var world = TwoTrucks(new V2xChannelOptions { Latency = 0 });
        world.AddBackground("car", BackgroundBodies.Car, new IdmParameters(), TestWorlds.LaneZero, 150, 20);
        var truckInbox = new List<V2xMessage>();
        var carInbox = new List<V2xMessage>();
        var truckReceived = 0;
        for (var i = 0; i < 1000; i++)
        {
            world.SendV2x("a", new byte[] { 1, 2, 3 });
            world.Step();
            world.ReceiveV2x("b", truckInbox);
            truckReceived += truckInbox.Count;
        }

        world.ReceiveV2x("car", carInbox);
        Assert.That(truckReceived, Is.EqualTo(1000));
        Assert.That(carInbox, Is.Empty);
        Assert.That(world.V2xStats.Delivered, Is.EqualTo(2000), "the car's link is still drawn and counted: in range, not lost");
    }

    private static World TwoTrucks(V2xChannelOptions channel)
    {
        var world = new World(TestWorlds.Straight(), TestWorlds.NoiseFree() with { V2x = channel }, TestWorlds.Seed);
        world.AddTruck("a", TruckParameters.Default, TestWorlds.LaneZero, 100, 20);
        world.AddTruck("b", TruckParameters.Default, TestWorlds.LaneZero, 60, 20);
        return world;
    }
}
