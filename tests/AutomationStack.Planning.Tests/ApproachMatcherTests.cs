using AutomationStack.Geometry;

namespace AutomationStack.Planning.Tests;

internal sealed class ApproachMatcherTests
{
    // Two eastbound lanes (y = −1.75 and −5.25) with the stop line at x = 880; one northbound lane of group 2.
    private static readonly ApproachLane Right = new(1, 1, "A1/0", Line(new Vec2(0, -5.25), new Vec2(1000, -5.25)), 880, 3.5);
    private static readonly ApproachLane Left = new(1, 1, "A1/1", Line(new Vec2(0, -1.75), new Vec2(1000, -1.75)), 880, 3.5);
    private static readonly ApproachLane North = new(1, 2, "B1/0", Line(new Vec2(894, -70), new Vec2(894, 70)), 62, 3.5);

    private static Polyline Line(Vec2 a, Vec2 b) => new([a, b]);

    private static ApproachMatcher Matcher() => new([Right, Left, North], new ApproachMatcherOptions());

    [Test]
    public void Match_InLaneBeforeStopLine_DistanceAlongLane()
    {
        var m = Matcher().Match(new Vec2(700, -5.0), 0.0);

        Assert.That(m, Is.Not.Null);
        Assert.That(m!.Value.Lane.LaneId, Is.EqualTo("A1/0"));
        Assert.That(m.Value.DistanceToStopLine, Is.EqualTo(180).Within(1e-9));
    }

    [Test]
    public void Match_TooFarBeforeStopLine_None()
    {
        Assert.That(Matcher().Match(new Vec2(300, -5.25), 0.0), Is.Null);
    }

    [Test]
    public void Match_WrongHeading_None()
    {
        Assert.That(Matcher().Match(new Vec2(700, -5.25), Math.PI), Is.Null);
    }

    [Test]
    public void Match_PastStopLine_KeptUntilPassedDistanceThenDropped()
    {
        var matcher = Matcher();
        matcher.Match(new Vec2(870, -5.25), 0.0);

        var past = matcher.Match(new Vec2(885, -5.25), 0.0);
        var gone = matcher.Match(new Vec2(905, -5.25), 0.0);

        Assert.That(past!.Value.DistanceToStopLine, Is.EqualTo(-5).Within(1e-9));
        Assert.That(gone, Is.Null);
    }

    [Test]
    public void Match_FreshPastStopLine_None()
    {
        Assert.That(Matcher().Match(new Vec2(885, -5.25), 0.0), Is.Null);
    }

    [Test]
    public void Match_LaneChangeWithinSameGroup_KeepsMatchUntilOutOfLane()
    {
        var matcher = Matcher();
        matcher.Match(new Vec2(700, -5.25), 0.0);

        var between = matcher.Match(new Vec2(705, -3.6), 0.0);

        Assert.That(between!.Value.Lane.LaneId, Is.EqualTo("A1/0"));
    }

    [Test]
    public void Match_CrossingRoad_OtherGroup()
    {
        var m = Matcher().Match(new Vec2(894.2, -30), Math.PI / 2);

        Assert.That(m!.Value.Lane.SignalGroup, Is.EqualTo(2));
        Assert.That(m.Value.DistanceToStopLine, Is.EqualTo(22).Within(1e-9));
    }
}
