using AutomationStack.Contracts;

namespace AutomationStack.Simulation.Tests;

public class V2xTests
{
    [Test]
    public void ReceiveV2x_MessageWithLatency_DeliveredAfterCeilLatencyOverStep()
    {
        var options = TestWorlds.NoiseFree() with { V2x = new V2xChannelOptions { Latency = 0.045 } };
        var world = TwoTrucks(options);
        var inbox = new List<V2xMessage>();
        world.Step();
        var sentAt = world.StampNs;

        world.SendV2x("a", new byte[] { 1, 2, 3 });

        for (var i = 0; i < 4; i++)
        {
            world.Step();
            world.ReceiveV2x("b", inbox);
            Assert.That(inbox, Is.Empty);
        }

        world.Step();
        world.ReceiveV2x("b", inbox);
        Assert.That(inbox, Has.Count.EqualTo(1));
        Assert.That(inbox[0].SenderStationId, Is.EqualTo(world.StationIdOf("a")));
        Assert.That(inbox[0].StampNs, Is.EqualTo(sentAt));
        Assert.That(inbox[0].Payload.ToArray(), Is.EqualTo(new byte[] { 1, 2, 3 }));

        world.ReceiveV2x("a", inbox);
        Assert.That(inbox, Is.Empty, "no echo to the sender");
        world.ReceiveV2x("b", inbox);
        Assert.That(inbox, Is.Empty, "each message delivered once");
    }

    [Test]
    public void ReceiveV2x_ZeroLatency_DeliveredOnNextStepInSendOrder()
    {
        var options = TestWorlds.NoiseFree() with { V2x = new V2xChannelOptions { Latency = 0 } };
        var world = TwoTrucks(options);
        var inbox = new List<V2xMessage>();

        world.SendV2x("a", new byte[] { 1 });
        world.SendV2x("a", new byte[] { 2 });
        world.ReceiveV2x("b", inbox);
        Assert.That(inbox, Is.Empty);

        world.Step();
        world.ReceiveV2x("b", inbox);
        Assert.That(inbox.Select(m => m.Payload.Span[0]), Is.EqualTo(new byte[] { 1, 2 }));
    }

    [Test]
    public void SendV2x_ReceiverBeyondRange_GetsNothing()
    {
        var world = TwoTrucks(TestWorlds.NoiseFree());
        world.AddTruck("far", TruckParameters.Default, TestWorlds.LaneZero, 100 + world.Options.V2x.Range + 1, 20);
        var inbox = new List<V2xMessage>();

        world.SendV2x("a", new byte[] { 7 });
        TestWorlds.Run(world, 1);

        world.ReceiveV2x("far", inbox);
        Assert.That(inbox, Is.Empty);
        world.ReceiveV2x("b", inbox);
        Assert.That(inbox, Has.Count.EqualTo(1));
    }

    [Test]
    public void SendV2x_LossyChannel_DropsConfiguredFraction()
    {
        const int messages = 4000;
        var options = TestWorlds.NoiseFree() with { V2x = new V2xChannelOptions { LossProbability = 0.3 } };
        var world = TwoTrucks(options);
        var inbox = new List<V2xMessage>();

        for (var i = 0; i < messages; i++)
        {
            world.SendV2x("a", new byte[] { 0 });
        }

        TestWorlds.Run(world, 1);
        world.ReceiveV2x("b", inbox);

        // ±4σ of a binomial(4000, 0.7) count.
        Assert.That(inbox, Has.Count.InRange(2684, 2916));
    }

    private static World TwoTrucks(WorldOptions options)
    {
        var world = new World(TestWorlds.Straight(), options, TestWorlds.Seed);
        world.AddTruck("a", TruckParameters.Default, TestWorlds.LaneZero, 100, 20);
        world.AddTruck("b", TruckParameters.Default, TestWorlds.LaneZero, 60, 20);
        return world;
    }
}
