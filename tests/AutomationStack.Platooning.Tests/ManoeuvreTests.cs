using AutomationStack.Platooning.Protocol;

namespace AutomationStack.Platooning.Tests;

internal sealed class ManoeuvreTests
{
    private static readonly PlatoonConfig Config = new();

    private static (Bus Bus, Truck[] Trucks) Formed(int count, uint platoonId = 5, uint firstStation = 1, double x0 = 1000)
    {
        var bus = new Bus();
        var trucks = new Truck[count];
        for (var i = 0; i < count; i++)
        {
            var x = x0 - (i * Truck.Spacing);
            trucks[i] = bus.Add(PlatoonAgent.Formed(firstStation + (uint)i, Config, platoonId, (byte)i), t => Truck.Cruise(x, t));
        }

        return (bus, trucks);
    }

    [Test]
    public void Leave_FollowerInMiddle_LeavingThenStandAloneAndSuccessorReindexed()
    {
        var (bus, t) = Formed(3);
        bus.RunUntil(980);
        t[1].Request = new PlatoonRequest(PlatoonRequestKind.Leave);
        bus.Tick();

        Assert.That(t[1].Last.State, Is.EqualTo(PlatoonState.Leaving));
        Assert.That(t[1].Last.Pmms().Select(p => (p.DestinationStationId, p.Body.Kind)), Is.EquivalentTo(new[] { (1u, PmmKind.LeaveNotice), (3u, PmmKind.LeaveNotice) }));
        Assert.That(t[1].Last.ToSend.Select(m => m.Body).OfType<Pcm>().Single().Status.HasFlag(PcmStatus.AboutToLeave), Is.True);

        bus.RunUntil(1500);
        Assert.That(t[1].Last.State, Is.EqualTo(PlatoonState.StandAlone));
        Assert.That(t[1].Last.Role, Is.EqualTo(PlatoonRole.StandAlone));
        Assert.That(t[1].Last.PlatoonId, Is.Zero);
        Assert.That(t[2].Last.Index, Is.EqualTo(1));
        Assert.That(t[2].Last.PredecessorStationId, Is.EqualTo(1u));
        Assert.That(t[0].Last.PlatoonSize, Is.EqualTo(2));
        Assert.That(t[0].Last.SuccessorStationId, Is.EqualTo(3u));
    }

    [Test]
    public void Leave_Leader_SuccessorBecomesLeaderOfSamePlatoon()
    {
        var (bus, t) = Formed(3);
        bus.RunUntil(980);
        t[0].Request = new PlatoonRequest(PlatoonRequestKind.Leave);
        bus.RunUntil(1500);

        Assert.That(t[0].Last.State, Is.EqualTo(PlatoonState.StandAlone));
        Assert.That(t[1].Last.Role, Is.EqualTo(PlatoonRole.Leader));
        Assert.That(t[1].Last.Index, Is.Zero);
        Assert.That(t[1].Last.PlatoonId, Is.EqualTo(5u));
        Assert.That(t[2].Last.Index, Is.EqualTo(1));
        Assert.That(t[1].Last.PlatoonSize, Is.EqualTo(2));
    }

    [Test]
    public void Split_LeaderRequestsAtIndex1_SplitTruckLeadsNewPlatoonWithThreeTimesGap()
    {
        var (bus, t) = Formed(3);
        bus.RunUntil(980);
        t[0].Request = new PlatoonRequest(PlatoonRequestKind.Split, Index: 1);
        bus.RunUntil(1100);

        Assert.That(t[1].Last.State, Is.EqualTo(PlatoonState.Splitting));
        Assert.That(t[1].Last.Role, Is.EqualTo(PlatoonRole.Leader));
        Assert.That(t[1].Last.Front, Is.EqualTo(FrontState.Opening));
        Assert.That(t[1].Last.PlatoonId, Is.EqualTo(2u));
        Assert.That(t[1].Last.Index, Is.Zero);
        Assert.That(t[1].Last.TargetTimeGap, Is.EqualTo(3 * 1.4).Within(1e-9));
        Assert.That(t[1].Last.Mode, Is.EqualTo(LongitudinalMode.Acc));
        Assert.That(t[2].Last.PlatoonId, Is.EqualTo(2u));
        Assert.That(t[2].Last.Index, Is.EqualTo(1));
        Assert.That(t[2].Last.Mode, Is.EqualTo(LongitudinalMode.Cacc));

        // Gap opened to 5 + 4.2 × 20 = 89 m: the split is complete.
        t[1].Position = time => Truck.Cruise(1000 - Truck.Spacing - 57, time);
        t[2].Position = time => Truck.Cruise(1000 - (2 * Truck.Spacing) - 57, time);
        bus.RunUntil(1200);
        Assert.That(t[1].Last.State, Is.EqualTo(PlatoonState.Platooning));
        Assert.That(t[1].Last.Front, Is.EqualTo(FrontState.None));
        Assert.That(t[0].Last.PlatoonSize, Is.EqualTo(1));
        Assert.That(t[1].Last.PlatoonSize, Is.EqualTo(2));
    }

    [Test]
    public void Merge_RearLeaderRequests_RearPlatoonReindexedIntoFrontPlatoon()
    {
        var bus = new Bus();
        var a = bus.Add(PlatoonAgent.Formed(1, Config, 10, 0), t => Truck.Cruise(1000, t));
        var b = bus.Add(PlatoonAgent.Formed(2, Config, 10, 1), t => Truck.Cruise(1000 - Truck.Spacing, t));
        Func<long, double> c0 = t => Truck.Cruise(1000 - (2 * Truck.Spacing), t) - Math.Max(0, 20 - (Math.Max(0, t - 1000) * 0.005));
        var c = bus.Add(PlatoonAgent.Formed(3, Config, 20, 0), c0);
        var d = bus.Add(PlatoonAgent.Formed(4, Config, 20, 1), t => c0(t) - Truck.Spacing);
        bus.RunUntil(980);
        c.Request = new PlatoonRequest(PlatoonRequestKind.Merge, 10);
        bus.Tick();
        Assert.That(c.Last.State, Is.EqualTo(PlatoonState.JoinRequested));
        Assert.That(c.Last.Pmms().Single().Body, Is.EqualTo(new MergeRequest(10, 20, 2)));

        bus.RunUntil(1100);
        Assert.That(c.Last.State, Is.EqualTo(PlatoonState.Joining));
        Assert.That(c.Last.Role, Is.EqualTo(PlatoonRole.Joiner));
        Assert.That((c.Last.PlatoonId, c.Last.Index), Is.EqualTo((10u, (byte)2)));
        Assert.That((d.Last.PlatoonId, d.Last.Index), Is.EqualTo((10u, (byte)3)));

        bus.RunUntil(6000);
        Assert.That(c.Last.State, Is.EqualTo(PlatoonState.Platooning));
        Assert.That(c.Last.Role, Is.EqualTo(PlatoonRole.Follower));
        Assert.That(c.Last.PredecessorStationId, Is.EqualTo(2u));
        Assert.That(d.Last.PredecessorStationId, Is.EqualTo(3u));
        Assert.That(new[] { a, b, c, d }.Select(x => x.Last.PlatoonId), Is.All.EqualTo(10u));
        Assert.That(new[] { a, b, c, d }.Select(x => (int)x.Last.Index), Is.EqualTo(new[] { 0, 1, 2, 3 }));
        Assert.That(a.Last.PlatoonSize, Is.EqualTo(4));
        Assert.That(b.Last.SuccessorStationId, Is.EqualTo(3u));
    }

    [Test]
    public void Dissolve_LeaderRequest_EveryMemberStandAlone()
    {
        var (bus, t) = Formed(3);
        bus.RunUntil(980);
        t[0].Request = new PlatoonRequest(PlatoonRequestKind.Dissolve);
        bus.RunUntil(1200);

        Assert.That(t.Select(x => x.Last.State), Is.All.EqualTo(PlatoonState.StandAlone));
        Assert.That(t.Select(x => x.Last.Role), Is.All.EqualTo(PlatoonRole.StandAlone));
    }

    [Test]
    public void ChangeGap_LeaderRequest_AllMembersTakeNewTimeGap()
    {
        var (bus, t) = Formed(3);
        bus.RunUntil(980);
        t[0].Request = new PlatoonRequest(PlatoonRequestKind.ChangeGap, TimeGap: 2.5);
        bus.RunUntil(1200);

        Assert.That(t[1].Last.TargetTimeGap, Is.EqualTo(2.5).Within(1e-9));
        Assert.That(t[2].Last.TargetTimeGap, Is.EqualTo(2.5).Within(1e-9));
        Assert.That(t[2].History.SelectMany(r => r.Events), Has.Some.StartsWith("GapChanged"));
    }

    [Test]
    public void Step_SameInputs_SameOutputs()
    {
        static List<string> Run()
        {
            var (bus, t) = Formed(3);
            bus.RunUntil(980);
            t[0].Request = new PlatoonRequest(PlatoonRequestKind.Split, Index: 2);
            t[1].BrakeRequest = 5;
            bus.RunUntil(3000);
            return t.SelectMany(x => x.History).Select(r => r with { ToSend = [], Events = [] } + string.Join("|", r.ToSend) + string.Join("|", r.Events)).ToList();
        }

        var first = Run();
        var second = Run();
        Assert.That(second, Is.EqualTo(first));
        Assert.That(first.Count(r => r.Contains("EmergencyBrake", StringComparison.Ordinal)), Is.Positive);
    }
}
