using AutomationStack.Platooning.Protocol;

namespace AutomationStack.Platooning.Tests;

internal sealed class SafetyTests
{
    private static readonly PlatoonConfig Config = new();

    private static (Bus Bus, Truck[] Trucks) Formed(int count)
    {
        var bus = new Bus();
        var trucks = new Truck[count];
        for (var i = 0; i < count; i++)
        {
            var x = 1000 - (i * Truck.Spacing);
            trucks[i] = bus.Add(PlatoonAgent.Formed(1 + (uint)i, Config, 5, (byte)i), t => Truck.Cruise(x, t));
        }

        return (bus, trucks);
    }

    [Test]
    public void Emergency_OwnBrakeBeyondThreshold_ImmediatePcmWithFlagAndPmmToSuccessor()
    {
        var (bus, t) = Formed(3);
        bus.RunUntil(1000);
        // 1020 ms is not a 50 ms PCM slot (slots go out at 1000 and 1060).
        t[0].BrakeRequest = 5;
        bus.Tick();

        var leader = t[0].Last;
        Assert.That(leader.State, Is.EqualTo(PlatoonState.Emergency));
        Assert.That(leader.Mode, Is.EqualTo(LongitudinalMode.Emergency));
        Assert.That(leader.ToSend.Select(m => m.Body).OfType<Pcm>().Single().Status.HasFlag(PcmStatus.EmergencyBrake), Is.True);
        Assert.That(leader.Pmms().Single(), Has.Property("DestinationStationId").EqualTo(2u).And.Property("Body").EqualTo(new EmergencyBrake(5)));

        // Same tick: the follower brakes at the announced deceleration and propagates backwards the same way.
        var follower = t[1].Last;
        Assert.That(follower.State, Is.EqualTo(PlatoonState.Emergency));
        Assert.That(follower.EmergencyDeceleration, Is.EqualTo(5).Within(0.01));
        Assert.That(follower.ToSend.Select(m => m.Body).OfType<Pcm>().Single().Status.HasFlag(PcmStatus.EmergencyBrake), Is.True);
        Assert.That(follower.Pmms().Where(p => p.Body is EmergencyBrake).Single().DestinationStationId, Is.EqualTo(3u));
        Assert.That(t[2].Last.Mode, Is.EqualTo(LongitudinalMode.Emergency));
    }

    [Test]
    public void Emergency_ReceivedPmmOnly_FollowerEntersEmergencyAtAnnouncedDeceleration()
    {
        var agent = PlatoonAgent.Formed(2, Config, 5, 1);
        Feed.Send(agent, 1, new Pmm(2, 7, new EmergencyBrake(4.5)), 0);
        var result = agent.Step(Feed.Inputs(0));

        Assert.That(result.Mode, Is.EqualTo(LongitudinalMode.Emergency));
        Assert.That(result.EmergencyDeceleration, Is.EqualTo(4.5));
        Assert.That(result.Pcms(), Is.EqualTo(1));
    }

    [Test]
    public void Emergency_BrakeReleased_BackToPlatooningAfterHold()
    {
        var (bus, t) = Formed(2);
        bus.RunUntil(980);
        t[0].BrakeRequest = 5;
        bus.RunUntil(1500);
        t[0].BrakeRequest = 0;
        bus.RunUntil(1980);
        Assert.That(t[0].Last.State, Is.EqualTo(PlatoonState.Emergency));

        bus.RunUntil(2700);
        Assert.That(t[0].Last.State, Is.EqualTo(PlatoonState.Platooning));
        Assert.That(t[1].Last.State, Is.EqualTo(PlatoonState.Platooning));
        Assert.That(t[1].Last.Mode, Is.EqualTo(LongitudinalMode.Cacc));
    }

    [Test]
    public void CutIn_RadarGapMuchShorterFor200ms_CutInAccThenCaccAfter1sOfAgreement()
    {
        var (bus, t) = Formed(2);
        // An intruder 10 m ahead of the follower (the PCM says 33 m) from 2 s to 5 s.
        bus.Intruder = time => time is >= 2000 and < 5000 ? t[1].Position(time) + Truck.Length + 10 : null;
        bus.RunUntil(2180);
        Assert.That(t[1].Last.State, Is.EqualTo(PlatoonState.Platooning));

        bus.Tick();
        Assert.That(t[1].Last.State, Is.EqualTo(PlatoonState.CutIn));
        Assert.That(t[1].Last.Front, Is.EqualTo(FrontState.Intruder));
        Assert.That(t[1].Last.Mode, Is.EqualTo(LongitudinalMode.Acc));
        Assert.That(t[1].Last.TargetTimeGap, Is.EqualTo(Config.SafeAccTimeGap));

        bus.RunUntil(3000);
        Assert.That(t[1].History[^3..].SelectMany(r => r.ToSend).Select(m => m.Body).OfType<Pcm>().Last().Status.HasFlag(PcmStatus.IntruderDetected), Is.True);

        bus.RunUntil(5980);
        Assert.That(t[1].Last.State, Is.EqualTo(PlatoonState.CutIn));
        bus.Tick();
        Assert.That(t[1].Last.State, Is.EqualTo(PlatoonState.Platooning));
        Assert.That(t[1].Last.Mode, Is.EqualTo(LongitudinalMode.Cacc));
        Assert.That(t[1].Last.Events, Has.Some.StartsWith("CutInCleared"));
    }

    [Test]
    public void CutIn_ShortRadarGapUnder200ms_Ignored()
    {
        var (bus, t) = Formed(2);
        bus.Intruder = time => time is >= 2000 and < 2180 ? t[1].Position(time) + Truck.Length + 10 : null;
        bus.RunUntil(3000);

        Assert.That(t[1].History.Select(r => r.State), Is.All.EqualTo(PlatoonState.Platooning));
    }
}
