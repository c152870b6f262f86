using AutomationStack.Platooning.Protocol;

namespace AutomationStack.Platooning.Tests;

internal sealed class JoinTests
{
    private static readonly PlatoonConfig Config = new();

    [Test]
    public void Step_CreatePlatoonRequest_StandAloneToPlatooningLeader()
    {
        var agent = new PlatoonAgent(1, Config);
        var result = agent.Step(Feed.Inputs(0, request: new PlatoonRequest(PlatoonRequestKind.CreatePlatoon, 77)));

        Assert.That(result.State, Is.EqualTo(PlatoonState.Platooning));
        Assert.That(result.Role, Is.EqualTo(PlatoonRole.Leader));
        Assert.That(result.PlatoonId, Is.EqualTo(77u));
        Assert.That(result.Index, Is.Zero);
        Assert.That(result.Pcms(), Is.EqualTo(1));
    }

    [Test]
    public void JoinAtBack_LeaderAndJoinerOnBus_RequestResponseJoiningCompletePlatooning()
    {
        var bus = new Bus();
        var leader = bus.Add(new PlatoonAgent(1, Config), t => Truck.Cruise(1000, t));
        // The joiner starts 30 m behind its target spot and closes at 5 m/s from t = 1 s.
        var joiner = bus.Add(new PlatoonAgent(2, Config), t => Truck.Cruise(1000 - Truck.Spacing, t) - Math.Max(0, 30 - ((t - 1000) * 0.005)));
        leader.Request = new PlatoonRequest(PlatoonRequestKind.CreatePlatoon, 5);
        bus.RunUntil(980);
        joiner.Request = new PlatoonRequest(PlatoonRequestKind.Join, 5);

        bus.Tick();
        Assert.That(joiner.Last.State, Is.EqualTo(PlatoonState.JoinRequested));
        Assert.That(joiner.Last.Pmms().Single().Body, Is.TypeOf<JoinRequest>());

        bus.Tick();
        Assert.That(leader.Last.Events, Has.Some.StartsWith("JoinAccepted:2,1"));
        Assert.That(leader.Last.Pmms().Select(p => p.Body.Kind), Is.EqualTo(new[] { PmmKind.Ack, PmmKind.JoinResponse }));
        Assert.That(joiner.Last.State, Is.EqualTo(PlatoonState.Joining));
        Assert.That(joiner.Last.Role, Is.EqualTo(PlatoonRole.Joiner));
        Assert.That(joiner.Last.Index, Is.EqualTo(1));
        Assert.That(joiner.Last.PlatoonId, Is.EqualTo(5u));

        bus.RunUntil(4000);
        Assert.That(joiner.Last.State, Is.EqualTo(PlatoonState.Joining));
        Assert.That(joiner.Last.Mode, Is.EqualTo(LongitudinalMode.Cacc));
        Assert.That(joiner.Last.PredecessorStationId, Is.EqualTo(1u));
        Assert.That(joiner.Last.PredecessorGapFromPcm, Is.EqualTo(33 + 15).Within(0.6));

        bus.RunUntil(8000);
        var completed = joiner.History.FindIndex(r => r.Events.Any(e => e.StartsWith("JoinCompleted", StringComparison.Ordinal)));
        Assert.That(completed, Is.GreaterThan(0));
        Assert.That(joiner.History[completed].Pmms().Select(p => p.Body), Has.Some.TypeOf<JoinComplete>());
        Assert.That(joiner.Last.State, Is.EqualTo(PlatoonState.Platooning));
        Assert.That(joiner.Last.Role, Is.EqualTo(PlatoonRole.Follower));
        Assert.That(joiner.Last.Front, Is.EqualTo(FrontState.Connected));
        Assert.That(joiner.Last.Index, Is.EqualTo(1));
        Assert.That(joiner.Last.TargetTimeGap, Is.EqualTo(1.4).Within(1e-9));
        Assert.That(leader.Last.Role, Is.EqualTo(PlatoonRole.Leader));
        Assert.That(leader.Last.Rear, Is.EqualTo(RearState.Connected));
        Assert.That(leader.Last.SuccessorStationId, Is.EqualTo(2u));
        Assert.That(leader.Last.PlatoonSize, Is.EqualTo(2));
        Assert.That(leader.History.SelectMany(r => r.Events), Has.Some.EqualTo("JoinCompleted:2"));
    }

    [Test]
    public void JoinRequest_NoPlatoonId_JoinsTheNearestJoinablePlatoonAhead()
    {
        var bus = new Bus();
        var leader = bus.Add(new PlatoonAgent(1, Config), t => Truck.Cruise(1000, t));
        var joiner = bus.Add(new PlatoonAgent(2, Config), t => Truck.Cruise(1000 - Truck.Spacing, t) - Math.Max(0, 30 - ((t - 1000) * 0.005)));
        leader.Request = new PlatoonRequest(PlatoonRequestKind.CreatePlatoon, 5);
        bus.RunUntil(980);
        joiner.Request = new PlatoonRequest(PlatoonRequestKind.Join);

        bus.Tick();
        bus.Tick();

        Assert.That(joiner.Last.State, Is.EqualTo(PlatoonState.Joining));
        Assert.That(joiner.Last.PlatoonId, Is.EqualTo(5u));
    }

    [Test]
    public void JoinRequest_NoPlatoonIdAndNonePlatoonHeard_FailsWithEvent()
    {
        var agent = new PlatoonAgent(2, Config);

        var result = agent.Step(Feed.Inputs(0, request: new PlatoonRequest(PlatoonRequestKind.Join)));

        Assert.That(result.State, Is.EqualTo(PlatoonState.StandAlone));
        Assert.That(result.Events, Has.Some.StartsWith("JoinFailed"));
    }

    [Test]
    public void JoinAtBack_ThirdTruck_AssignedIndexTwoAndLastTruckLearnsSuccessor()
    {
        var bus = new Bus();
        var leader = bus.Add(PlatoonAgent.Formed(1, Config, 5, 0), t => Truck.Cruise(1000, t));
        var middle = bus.Add(PlatoonAgent.Formed(2, Config, 5, 1), t => Truck.Cruise(1000 - Truck.Spacing, t));
        var joiner = bus.Add(new PlatoonAgent(3, Config), t => Truck.Cruise(1000 - (2 * Truck.Spacing), t));
        bus.RunUntil(980);
        joiner.Request = new PlatoonRequest(PlatoonRequestKind.Join, 5);
        bus.RunUntil(2000);

        Assert.That(joiner.Last.State, Is.EqualTo(PlatoonState.Platooning));
        Assert.That(joiner.Last.Index, Is.EqualTo(2));
        Assert.That(joiner.Last.PredecessorStationId, Is.EqualTo(2u));
        Assert.That(middle.Last.SuccessorStationId, Is.EqualTo(3u));
        Assert.That(leader.Last.PlatoonSize, Is.EqualTo(3));
    }

    [Test]
    public void JoinRequest_PlatoonFull_RejectedJoinerBackToStandAlone()
    {
        var config = Config with { MaxPlatoonSize = 2 };
        var bus = new Bus();
        bus.Add(PlatoonAgent.Formed(1, config, 5, 0), t => Truck.Cruise(1000, t));
        bus.Add(PlatoonAgent.Formed(2, config, 5, 1), t => Truck.Cruise(1000 - Truck.Spacing, t));
        var joiner = bus.Add(new PlatoonAgent(3, config), t => Truck.Cruise(1000 - (2 * Truck.Spacing), t));
        bus.RunUntil(980);
        joiner.Request = new PlatoonRequest(PlatoonRequestKind.Join, 5);
        bus.RunUntil(1100);

        Assert.That(joiner.Last.State, Is.EqualTo(PlatoonState.StandAlone));
        Assert.That(joiner.Last.Role, Is.EqualTo(PlatoonRole.StandAlone));
        Assert.That(joiner.History.SelectMany(r => r.Events), Has.Some.EqualTo("JoinRejected:1,PlatoonFull"));
    }

    [Test]
    public void JoinRequest_TooFar_Rejected()
    {
        var bus = new Bus();
        bus.Add(PlatoonAgent.Formed(1, Config, 5, 0), t => Truck.Cruise(1000, t));
        var joiner = bus.Add(new PlatoonAgent(3, Config), t => Truck.Cruise(1000 - 101, t));
        bus.RunUntil(980);
        joiner.Request = new PlatoonRequest(PlatoonRequestKind.Join, 5);
        bus.RunUntil(1100);

        Assert.That(joiner.Last.State, Is.EqualTo(PlatoonState.StandAlone));
        Assert.That(joiner.History.SelectMany(r => r.Events), Has.Some.EqualTo("JoinRejected:1,TooFar"));
    }

    [Test]
    public void JoinRequest_NotJoinable_Rejected()
    {
        var bus = new Bus();
        bus.Add(PlatoonAgent.Formed(1, Config with { Joinable = false }, 5, 0), t => Truck.Cruise(1000, t));
        var joiner = bus.Add(new PlatoonAgent(3, Config), t => Truck.Cruise(1000 - 60, t));
        bus.RunUntil(980);
        joiner.Request = new PlatoonRequest(PlatoonRequestKind.Join, 5);
        bus.RunUntil(1100);

        Assert.That(joiner.Last.State, Is.EqualTo(PlatoonState.StandAlone));
        Assert.That(joiner.History.SelectMany(r => r.Events), Has.Some.EqualTo("JoinRejected:1,NotJoinable"));
    }

    [Test]
    public void JoinRequest_PafWithTwoFollowers_ThirdRejectedPlatoonFull()
    {
        var paf = Config with { Level = PlatooningLevel.Paf };
        const double pafSpacing = 16.5 + 5 + (0.3 * 20);
        var bus = new Bus();
        bus.Add(PlatoonAgent.Formed(1, paf, 5, 0), t => Truck.Cruise(1000, t));
        bus.Add(PlatoonAgent.Formed(2, paf, 5, 1), t => Truck.Cruise(1000 - pafSpacing, t));
        var second = bus.Add(new PlatoonAgent(3, paf), t => Truck.Cruise(1000 - (2 * pafSpacing), t));
        var third = bus.Add(new PlatoonAgent(4, paf), t => Truck.Cruise(1000 - (3 * pafSpacing), t));
        bus.RunUntil(980);
        second.Request = new PlatoonRequest(PlatoonRequestKind.Join, 5);
        bus.RunUntil(2000);
        third.Request = new PlatoonRequest(PlatoonRequestKind.Join, 5);
        bus.RunUntil(3000);

        Assert.That(second.Last.State, Is.EqualTo(PlatoonState.Platooning));
        Assert.That(second.Last.TargetTimeGap, Is.EqualTo(0.3).Within(1e-9));
        Assert.That(third.Last.State, Is.EqualTo(PlatoonState.StandAlone));
        Assert.That(third.History.SelectMany(r => r.Events), Has.Some.EqualTo("JoinRejected:1,PlatoonFull"));
    }

    [Test]
    public void Joining_GapNotReachedIn60s_TimesOutToStandAloneAndLeaderFreed()
    {
        var bus = new Bus();
        var leader = bus.Add(PlatoonAgent.Formed(1, Config, 5, 0), t => Truck.Cruise(1000, t));
        var joiner = bus.Add(new PlatoonAgent(2, Config), t => Truck.Cruise(1000 - 80, t));
        bus.RunUntil(980);
        joiner.Request = new PlatoonRequest(PlatoonRequestKind.Join, 5);
        bus.RunUntil(1020);
        Assert.That(joiner.Last.State, Is.EqualTo(PlatoonState.Joining));

        // Accepted at t = 1020 ms: still joining 59 980 ms later, aborted at 60 000 ms.
        bus.RunUntil(61_000);
        Assert.That(joiner.Last.State, Is.EqualTo(PlatoonState.Joining));
        bus.Tick();
        Assert.That(joiner.Last.Events, Has.Some.StartsWith("JoinTimeout"));
        Assert.That(joiner.Last.State, Is.EqualTo(PlatoonState.StandAlone));
        Assert.That(joiner.Last.Pmms().Select(p => p.Body), Has.Some.TypeOf<LeaveNotice>());
        bus.Tick();
        Assert.That(leader.Last.Events, Has.Some.EqualTo("MemberLeft:2,1"));
        Assert.That(leader.Last.PlatoonSize, Is.EqualTo(1));
    }

    [Test]
    public void JoinRequested_LeaderUnknown_StaysStandAloneWithEvent()
    {
        var agent = new PlatoonAgent(2, Config);
        var result = agent.Step(Feed.Inputs(0, request: new PlatoonRequest(PlatoonRequestKind.Join, 5)));

        Assert.That(result.State, Is.EqualTo(PlatoonState.StandAlone));
        Assert.That(result.Events, Has.Some.EqualTo("JoinFailed:5,LeaderUnknown"));
    }
}
