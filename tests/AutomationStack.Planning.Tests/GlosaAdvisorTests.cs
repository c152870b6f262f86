namespace AutomationStack.Planning.Tests;

internal sealed class GlosaAdvisorTests
{
    private static readonly GlosaOptions Options = new();

    [Test]
    public void Advise_GreenLongEnough_PassAtLimit()
    {
        var a = GlosaAdvisor.Advise(200, 20, 22, 0, new SignalTiming(SignalPhase.Green, 30, 30, 30, 1), Options);

        Assert.That(a.Case, Is.EqualTo(GlosaCase.PassAtLimit));
        Assert.That(a.Speed, Is.EqualTo(22));
    }

    [Test]
    public void Advise_RedEndingBeforeArrivalAtLowerSpeed_SlowsToArriveAsWindowOpens()
    {
        // Red for 20 s more, 300 m away at 20 m/s: at the limit the truck would arrive at ≈ 14 s.
        var timing = new SignalTiming(SignalPhase.Red, 20, 20, 20, 1);

        var a = GlosaAdvisor.Advise(300, 20, 22, 0, timing, Options);

        Assert.That(a.Case, Is.EqualTo(GlosaCase.SlowToArriveOnGreen));
        Assert.That(a.Speed, Is.LessThan(20).And.GreaterThan(Options.MinimumSpeed));
        var arrival = GlosaAdvisor.ArrivalTime(300, 20, a.Speed, Options);
        Assert.That(arrival, Is.EqualTo(a.WindowOpen).Within(0.01));
        Assert.That(a.WindowOpen, Is.EqualTo(21));
    }

    [Test]
    public void Advise_LowConfidenceRed_AimsAtMaximumEnd()
    {
        var timing = new SignalTiming(SignalPhase.Red, 10, 25, 15, 0.2);

        var a = GlosaAdvisor.Advise(400, 20, 22, 0, timing, Options);

        Assert.That(a.WindowOpen, Is.EqualTo(26));
    }

    [Test]
    public void Advise_GreenEndsBeforeReachable_StopExpected()
    {
        var a = GlosaAdvisor.Advise(300, 20, 22, 0, new SignalTiming(SignalPhase.Green, 5, 5, 5, 1), Options);

        Assert.That(a.Case, Is.EqualTo(GlosaCase.StopExpected));
        Assert.That(a.HasAdvice, Is.False);
    }

    [Test]
    public void Advise_RedFarTooLongForMinimumSpeed_ApproachSlowly()
    {
        var a = GlosaAdvisor.Advise(50, 10, 22, 0, new SignalTiming(SignalPhase.Red, 60, 60, 60, 1), Options);

        Assert.That(a.Case, Is.EqualTo(GlosaCase.ApproachSlowly));
        Assert.That(a.Speed, Is.EqualTo(Options.MinimumSpeed));
    }

    [TestCase(SignalPhase.Amber)]
    [TestCase(SignalPhase.Unknown)]
    public void Advise_AmberOrUnknown_NoAdvice(SignalPhase phase)
    {
        var a = GlosaAdvisor.Advise(200, 20, 22, 0, new SignalTiming(phase, 3, 3, 3, 1), Options);

        Assert.That(a.HasAdvice, Is.False);
    }

    [Test]
    public void Advise_BeyondMaximumDistance_NoAdvice()
    {
        var a = GlosaAdvisor.Advise(1000, 20, 22, 0, new SignalTiming(SignalPhase.Red, 20, 20, 20, 1), Options);

        Assert.That(a.Case, Is.EqualTo(GlosaCase.None));
    }

    [Test]
    public void ArrivalTime_ConstantSpeed_DistanceOverSpeed()
    {
        Assert.That(GlosaAdvisor.ArrivalTime(100, 10, 10, Options), Is.EqualTo(10).Within(1e-12));
    }

    [Test]
    public void ArrivalTime_DeceleratingThroughLine_SolvesQuadratic()
    {
        // From 10 m/s towards 0 at 1 m/s²: 32 m are covered after 4 s (10·4 − 8).
        Assert.That(GlosaAdvisor.ArrivalTime(32, 10, 0, Options), Is.EqualTo(4).Within(1e-9));
    }
}
