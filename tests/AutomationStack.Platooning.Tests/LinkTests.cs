using AutomationStack.Platooning.Protocol;

namespace AutomationStack.Platooning.Tests;

internal sealed class LinkTests
{
    private static readonly PlatoonConfig Config = new();

    /// <summary>Follower 2 (platoon 5, index 1) behind leader 1 at the target gap; PCMs every 50 ms while <paramref name="pcmAt"/>.</summary>
    private static List<PlatoonStepResult> RunFollower(long until, Func<long, bool> pcmAt, PlatoonAgent? agent = null)
    {
        agent ??= PlatoonAgent.Formed(2, Config, 5, 1);
        var results = new List<PlatoonStepResult>();
        for (long t = 0; t <= until; t += 10)
        {
            if (t % 50 == 0 && pcmAt(t))
            {
                Feed.Send(agent, 1, Feed.Pcm(5, 0, Truck.Cruise(1000, t)), t);
            }

            if (t % 20 == 0)
            {
                results.Add(agent.Step(Feed.Inputs(t, Truck.Cruise(1000 - Truck.Spacing, t), radar: true, radarGap: 33)));
            }
        }

        return results;
    }

    private static PlatoonStepResult At(List<PlatoonStepResult> results, long t) => results[(int)(t / 20)];

    [Test]
    public void Pmm_NoAck_RetriedEvery100msThenFailsAfter10Retries()
    {
        var agent = new PlatoonAgent(2, Config);
        Feed.Send(agent, 1, Feed.LeaderPam(5, 100), 0);
        var sent = new List<long>();
        var failedAt = -1L;
        for (long t = 0; t <= 1500; t += 20)
        {
            var r = agent.Step(Feed.Inputs(t, request: t == 0 ? new PlatoonRequest(PlatoonRequestKind.Join, 5) : default));
            sent.AddRange(r.Pmms().Where(p => p.Body is JoinRequest).Select(_ => t));
            if (failedAt < 0 && r.Events.Any(e => e.StartsWith("PmmFailed:JoinRequest", StringComparison.Ordinal)))
            {
                failedAt = t;
                Assert.That(r.State, Is.EqualTo(PlatoonState.StandAlone));
            }
        }

        Assert.That(sent, Is.EqualTo(Enumerable.Range(0, 11).Select(i => i * 100L)));
        Assert.That(failedAt, Is.EqualTo(1100));
    }

    [Test]
    public void Pmm_Acked_NoMoreRetries()
    {
        var agent = new PlatoonAgent(2, Config);
        Feed.Send(agent, 1, Feed.LeaderPam(5, 100), 0);
        var first = agent.Step(Feed.Inputs(0, request: new PlatoonRequest(PlatoonRequestKind.Join, 5)));
        var tx = first.Pmms().Single().TransactionId;
        Feed.Send(agent, 1, new Pmm(2, 900, new Ack(tx, AckResult.Accepted)), 20);
        var later = Enumerable.Range(1, 30).Select(i => agent.Step(Feed.Inputs(i * 20))).ToList();

        Assert.That(later.SelectMany(r => r.Pmms()), Is.Empty);
        Assert.That(later[^1].State, Is.EqualTo(PlatoonState.JoinRequested));
    }

    [Test]
    public void Pmm_DuplicateTransaction_AckedAgainButProcessedOnce()
    {
        var agent = PlatoonAgent.Formed(2, Config, 5, 1);
        var change = new Pmm(2, 42, new GapChange(5, 2.0, GapChangeReason.Intersection));
        Feed.Send(agent, 1, change, 0);
        var first = agent.Step(Feed.Inputs(0));
        Feed.Send(agent, 1, change, 100);
        var second = agent.Step(Feed.Inputs(100));

        Assert.That(first.Pmms().Single().Body, Is.EqualTo(new Ack(42, AckResult.Accepted)));
        Assert.That(second.Pmms().Single().Body, Is.EqualTo(new Ack(42, AckResult.Accepted)));
        Assert.That(first.Events.Count(e => e.StartsWith("GapChanged", StringComparison.Ordinal)), Is.EqualTo(1));
        Assert.That(second.Events.Count(e => e.StartsWith("GapChanged", StringComparison.Ordinal)), Is.Zero);
        Assert.That(second.Events, Has.Some.EqualTo("DuplicatePmm:GapChange"));
    }

    [Test]
    public void FormedFollower_FirstPcm_ConnectingToConnectedCacc()
    {
        var results = RunFollower(100, _ => true);

        Assert.That(At(results, 0).Front, Is.EqualTo(FrontState.Connected));
        Assert.That(At(results, 0).Mode, Is.EqualTo(LongitudinalMode.Cacc));
        Assert.That(At(results, 0).PredecessorStationId, Is.EqualTo(1u));
        Assert.That(At(results, 0).PredecessorSpeed, Is.EqualTo(20));
        Assert.That(At(results, 0).PredecessorGapFromPcm, Is.EqualTo(33).Within(1e-6));
        Assert.That(At(results, 0).TargetTimeGap, Is.EqualTo(1.4));
    }

    [Test]
    public void CommLoss_No300msOfPcm_ConnectedToCommLostAccExactlyAt300ms()
    {
        var results = RunFollower(1500, t => t <= 1000);

        Assert.That(At(results, 1280).Mode, Is.EqualTo(LongitudinalMode.Cacc));
        Assert.That(At(results, 1300).Mode, Is.EqualTo(LongitudinalMode.Acc));
        Assert.That(At(results, 1300).Front, Is.EqualTo(FrontState.CommLost));
        Assert.That(At(results, 1300).TargetTimeGap, Is.GreaterThanOrEqualTo(1.4));
        Assert.That(At(results, 1300).State, Is.EqualTo(PlatoonState.Platooning));
    }

    [Test]
    public void CommLoss_2sWithoutPcm_LeavesAsLeaderOfTheRest()
    {
        var results = RunFollower(3500, t => t <= 1000);

        Assert.That(At(results, 2980).Role, Is.EqualTo(PlatoonRole.Follower));
        Assert.That(At(results, 3000).Role, Is.EqualTo(PlatoonRole.Leader));
        Assert.That(At(results, 3000).Index, Is.Zero);
        Assert.That(At(results, 3000).PlatoonId, Is.EqualTo(2u));
        Assert.That(At(results, 3000).Events, Has.Some.EqualTo("CommLossLeave:1"));
        Assert.That(At(results, 3000).Mode, Is.EqualTo(LongitudinalMode.Acc));
    }

    [Test]
    public void CommLoss_PcmsBack_RecoveringThenCaccAfter1sContinuous()
    {
        var results = RunFollower(4000, t => t is <= 1000 or >= 1500);

        Assert.That(At(results, 1500).Front, Is.EqualTo(FrontState.Recovering));
        Assert.That(At(results, 2480).Mode, Is.EqualTo(LongitudinalMode.Acc));
        Assert.That(At(results, 2500).Mode, Is.EqualTo(LongitudinalMode.Cacc));
        Assert.That(At(results, 2500).Front, Is.EqualTo(FrontState.Connected));
    }

    [Test]
    public void CommLoss_GapDuringRecovery_RecoveryCountRestarts()
    {
        // Back at 1500, a 200 ms hole at 2000–2200 (short of a new 300 ms loss), continuous again from 2200.
        var results = RunFollower(4000, t => t is <= 1000 or (>= 1500 and <= 2000) or >= 2200);

        Assert.That(At(results, 2100).Front, Is.EqualTo(FrontState.Recovering));
        Assert.That(At(results, 2500).Mode, Is.EqualTo(LongitudinalMode.Acc));
        Assert.That(At(results, 3180).Mode, Is.EqualTo(LongitudinalMode.Acc));
        Assert.That(At(results, 3200).Mode, Is.EqualTo(LongitudinalMode.Cacc));
    }

    [Test]
    public void CommLoss_PcmsBackWithLatencyAndSingleLosses_RecoversAfter1s()
    {
        // PCMs generated every 50 ms arrive 30 ms later (header time = generation). Lost: everything from 1000 to 1500
        // (comm loss), then every third PCM — single losses are 100 ms intervals, still continuous by the protocol.
        var agent = PlatoonAgent.Formed(2, Config, 5, 1);
        var results = new List<PlatoonStepResult>();
        const long latency = 30;
        for (long t = 0; t <= 4000; t += 10)
        {
            var generated = t - latency;
            if (generated >= 0 && generated % 50 == 0 && (generated <= 1000 || (generated >= 1500 && generated / 50 % 3 != 0)))
            {
                Feed.Send(agent, 1, Feed.Pcm(5, 0, Truck.Cruise(1000, generated)), generated);
            }

            if (t % 20 == 0)
            {
                results.Add(agent.Step(Feed.Inputs(t, Truck.Cruise(1000 - Truck.Spacing, t), radar: true, radarGap: 33)));
            }
        }

        Assert.That(At(results, 1400).Front, Is.EqualTo(FrontState.CommLost));
        Assert.That(At(results, 1600).Front, Is.EqualTo(FrontState.Recovering));
        var connected = results.Select((r, i) => (Result: r, Time: i * 20L))
            .FirstOrDefault(x => x.Time > 1500 && x.Result is { Front: FrontState.Connected, Mode: LongitudinalMode.Cacc }, (null!, -1)).Time;
        Assert.That(connected, Is.InRange(2500, 2600), "1 s after the first PCM back (generated 1500, received 1530)");
        Assert.That(results.Skip((int)(connected / 20)).All(r => r.Mode == LongitudinalMode.Cacc), Is.True, "stays in CACC with single losses");
    }

    [Test]
    public void Timers_Leader10s_200PcmsAnd20Pams()
    {
        var agent = PlatoonAgent.Formed(1, Config, 5, 0);
        var results = Enumerable.Range(0, 500).Select(i => agent.Step(Feed.Inputs(i * 20L))).ToList();

        Assert.That(results.Sum(r => r.Pcms()), Is.EqualTo(200));
        Assert.That(results.Sum(r => r.ToSend.Count(m => m.Body is Pam)), Is.EqualTo(20));
    }

    [Test]
    public void Timers_StandAlone10s_NoPcmAnd20Pams()
    {
        var agent = new PlatoonAgent(1, Config);
        var results = Enumerable.Range(0, 500).Select(i => agent.Step(Feed.Inputs(i * 20L))).ToList();

        Assert.That(results.Sum(r => r.Pcms()), Is.Zero);
        Assert.That(results.Sum(r => r.ToSend.Count(m => m.Body is Pam)), Is.EqualTo(20));
    }
}
