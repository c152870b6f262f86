namespace AutomationStack.Planning.Tests;

internal sealed class PlatoonCrossingPlannerTests
{
    private static readonly PlatoonCrossingOptions Options = new();

    // Three 16.5 m trucks at about 20 m gaps behind the leader: fronts 36.5 and 73 m behind the leader's front.
    private static readonly PlatoonMemberOffset[] Followers = [new(2, 36.5, 16.5), new(3, 73, 16.5)];

    private static SignalTiming Green(double min, double max, double likely, double confidence = 1) =>
        new(SignalPhase.Green, min, max, likely, confidence);

    [Test]
    public void Plan_WholePlatoonBeforeGreenEnd_PassIntact()
    {
        var p = PlatoonCrossingPlanner.Plan(0, 100, 20, Followers, Green(20, 20, 20), false, double.NaN, Options);

        Assert.That(p.Decision, Is.EqualTo(PlatoonCrossingDecision.PassIntact));
        Assert.That(p.RearArrival, Is.EqualTo(8.65).Within(1e-9));
    }

    [Test]
    public void Plan_RearLateButWithinMaximumGreen_RequestsPriority()
    {
        // Rear arrives at 8.65 s; the green likely ends at 7 s but can be held to 15 s.
        var p = PlatoonCrossingPlanner.Plan(0, 100, 20, Followers, Green(7, 15, 7), true, double.NaN, Options);

        Assert.That(p.Decision, Is.EqualTo(PlatoonCrossingDecision.RequestPriority));
        Assert.That(p.RequiredGreenEnd, Is.EqualTo(10.65).Within(1e-9));
    }

    [Test]
    public void Plan_PriorityGranted_PassIntact()
    {
        var p = PlatoonCrossingPlanner.Plan(0, 100, 20, Followers, Green(7, 15, 7), true, 10, Options);

        Assert.That(p.Decision, Is.EqualTo(PlatoonCrossingDecision.PassIntact));
    }

    [Test]
    public void Plan_RearLateNoPriority_SplitsInFrontOfLastTruck()
    {
        // Leader arrives at 5 s, follower 1 at 6.8 s, follower 2 at 8.65 s; the green ends at 8 s.
        var p = PlatoonCrossingPlanner.Plan(0, 100, 20, Followers, Green(8, 8, 8), false, double.NaN, Options);

        Assert.That(p.Decision, Is.EqualTo(PlatoonCrossingDecision.Split));
        Assert.That(p.SplitIndex, Is.EqualTo(1));
    }

    [Test]
    public void Plan_LateFollowerTooCloseToStop_SplitMovesBack()
    {
        // 25 m/s, leader 20 m from the line; follower 1 (56.5 m) arrives at 2.26 s after the green end (1.5 s) but
        // would need 5.6 m/s² to stop, so it clears on amber; follower 2 (93 m) needs 3.4 m/s² > 2: it clears too.
        var p = PlatoonCrossingPlanner.Plan(0, 20, 25, Followers, Green(1.5 + 1.0, 2.5, 2.5), false, double.NaN, Options);

        Assert.That(p.Decision, Is.EqualTo(PlatoonCrossingDecision.PassIntact));
    }

    [Test]
    public void Plan_LeaderMissesGreen_StopTogether()
    {
        var p = PlatoonCrossingPlanner.Plan(0, 200, 20, Followers, Green(5, 5, 5), false, double.NaN, Options);

        Assert.That(p.Decision, Is.EqualTo(PlatoonCrossingDecision.StopTogether));
    }

    [Test]
    public void Plan_NoTiming_None()
    {
        var p = PlatoonCrossingPlanner.Plan(0, 100, 20, Followers, SignalTiming.Untimed(SignalPhase.Green), false, double.NaN, Options);

        Assert.That(p.Decision, Is.EqualTo(PlatoonCrossingDecision.None));
    }
}
