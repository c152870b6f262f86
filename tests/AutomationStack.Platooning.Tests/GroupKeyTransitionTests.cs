using AutomationStack.Platooning.Protocol;

namespace AutomationStack.Platooning.Tests;

/// <summary>The agent's part in group-key distribution: which wrapped keys it accepts, and from whom.</summary>
internal sealed class GroupKeyTransitionTests
{
    private static readonly PlatoonConfig Config = new();
    private static readonly WrappedGroupKey Wrapped = new(0xABCD, new byte[130]);

    [Test]
    public void KeyUpdate_FromLeaderOfOwnPlatoon_AcceptedAndReported()
    {
        var follower = PlatoonAgent.Formed(2, Config, 5, 1);
        Feed.Send(follower, 1, Feed.LeaderPam(5, 100), 0);
        Feed.Send(follower, 1, Feed.Pcm(5, 0, 100), 0);
        follower.Step(Feed.Inputs(0, x: 50));

        Feed.Send(follower, 1, new Pmm(2, 40, new KeyUpdate(5, Wrapped)), 20, 1);
        var result = follower.Step(Feed.Inputs(20, x: 50));

        Assert.That(result.GroupKeys, Is.EqualTo(new[] { new ReceivedGroupKey(1, 5, Wrapped) }));
        Assert.That(result.Pmms().Single().Body, Is.EqualTo(new Ack(40, AckResult.Accepted)));
    }

    [Test]
    public void KeyUpdate_FromStationOutsideThePlatoon_RejectedNotReported()
    {
        var follower = PlatoonAgent.Formed(2, Config, 5, 1);
        Feed.Send(follower, 1, Feed.LeaderPam(5, 100), 0);
        follower.Step(Feed.Inputs(0, x: 50));

        Feed.Send(follower, 9, new Pmm(2, 41, new KeyUpdate(5, Wrapped)), 20, 1);
        var result = follower.Step(Feed.Inputs(20, x: 50));

        Assert.That(result.GroupKeys, Is.Empty);
        Assert.That(result.Pmms().Single().Body, Is.EqualTo(new Ack(41, AckResult.Rejected)));
        Assert.That(result.Events, Has.Some.EqualTo("KeyUpdateRejected:9"));
    }

    [Test]
    public void KeyUpdate_StandAlone_Rejected()
    {
        var agent = new PlatoonAgent(2, Config);
        Feed.Send(agent, 1, new Pmm(2, 42, new KeyUpdate(5, Wrapped)), 0);
        var result = agent.Step(Feed.Inputs(0));

        Assert.That(result.GroupKeys, Is.Empty);
        Assert.That(result.Pmms().Single().Body, Is.EqualTo(new Ack(42, AckResult.Rejected)));
    }

    [Test]
    public void JoinResponse_AcceptedWithKey_KeyReportedWithPlatoon()
    {
        var joiner = new PlatoonAgent(2, Config);
        Feed.Send(joiner, 1, Feed.LeaderPam(5, 100), 0);
        var request = joiner.Step(Feed.Inputs(0, x: 60, request: new PlatoonRequest(PlatoonRequestKind.Join, 5)));
        var transaction = request.Pmms().Single().TransactionId;

        Feed.Send(joiner, 1, new Pmm(2, 7, new Ack(transaction, AckResult.Accepted)), 20, 1);
        Feed.Send(joiner, 1, new Pmm(2, 8, new JoinResponse(true, JoinRejectReason.None, 5, 1, 1.4, Wrapped)), 20, 2);
        var result = joiner.Step(Feed.Inputs(20, x: 60));

        Assert.That(result.State, Is.EqualTo(PlatoonState.Joining));
        Assert.That(result.GroupKeys, Is.EqualTo(new[] { new ReceivedGroupKey(1, 5, Wrapped) }));
    }

    [Test]
    public void Members_LeaderWithTwoFollowers_ListedAscendingOnlyForLeader()
    {
        var leader = PlatoonAgent.Formed(1, Config, 5, 0);
        var follower = PlatoonAgent.Formed(3, Config, 5, 2);
        foreach (var agent in new[] { leader, follower })
        {
            Feed.Send(agent, 3, Feed.Pcm(5, 2, 0), 0);
            Feed.Send(agent, 2, Feed.Pcm(5, 1, 50), 0);
        }

        Assert.That(leader.Step(Feed.Inputs(0, x: 100)).Members, Is.EqualTo(new uint[] { 2, 3 }));
        Assert.That(follower.Step(Feed.Inputs(0, x: 0)).Members, Is.Empty);
    }

    [Test]
    public void SendManagement_BeforeFirstStep_Throws()
    {
        var agent = new PlatoonAgent(1, Config);

        Assert.Throws<InvalidOperationException>(() => agent.SendManagement(2, new KeyUpdate(5, Wrapped)));
    }

    [Test]
    public void SendManagement_Unacknowledged_RetriedEvery100Ms()
    {
        var leader = PlatoonAgent.Formed(1, Config, 5, 0);
        leader.Step(Feed.Inputs(0, x: 100));
        var sent = (Pmm)leader.SendManagement(2, new KeyUpdate(5, Wrapped)).Body;

        var retry = leader.Step(Feed.Inputs(100, x: 102));

        Assert.That(retry.Pmms().Single(), Is.EqualTo(sent));
    }
}
