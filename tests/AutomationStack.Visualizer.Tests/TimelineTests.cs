using AutomationStack.Visualizer.Model;

namespace AutomationStack.Visualizer.Tests;

[TestFixture]
public sealed class TimelineTests
{
    [Test]
    public void Update_Playing_AdvancesBySpeedTimesWallTime()
    {
        var timeline = new Timeline(10, 100, 0.1);
        timeline.Play();
        timeline.Faster();

        timeline.Update(0.5);

        Assert.That((timeline.Speed, timeline.Time), Is.EqualTo((2.0, 11.0)));
    }

    [Test]
    public void Update_Paused_DoesNotMove()
    {
        var timeline = new Timeline(0, 10, 0.1);

        timeline.Update(1);

        Assert.That(timeline.Time, Is.Zero);
    }

    [Test]
    public void Faster_Slower_ClampedTo0Point1And16()
    {
        var timeline = new Timeline(0, 10, 0.1);
        for (var i = 0; i < 20; i++)
        {
            timeline.Faster();
        }

        var max = timeline.Speed;
        for (var i = 0; i < 20; i++)
        {
            timeline.Slower();
        }

        Assert.That((max, timeline.Speed), Is.EqualTo((16.0, 0.1)));
    }

    [Test]
    public void Step_BackAndForth_MovesWholeFramesAndPauses()
    {
        var timeline = new Timeline(0, 10, 0.1);
        timeline.Scrub(5);
        timeline.Play();

        timeline.Step(3);
        timeline.Step(-1);

        Assert.That(timeline.Time, Is.EqualTo(5.2).Within(1e-12));
        Assert.That(timeline.Playing, Is.False);
    }

    [Test]
    public void Scrub_OutsideLog_Clamped()
    {
        var timeline = new Timeline(1, 10, 0.1);

        timeline.Scrub(-5);
        var low = timeline.Time;
        timeline.Scrub(50);

        Assert.That((low, timeline.Time), Is.EqualTo((1.0, 10.0)));
    }

    [Test]
    public void Update_PastEnd_StopsAtEnd()
    {
        var timeline = new Timeline(0, 1, 0.1);
        timeline.Play();

        timeline.Update(5);

        Assert.That((timeline.Time, timeline.Playing, timeline.AtEnd), Is.EqualTo((1.0, false, true)));
    }

    [Test]
    public void SetSpeed_Between_NearestStep()
    {
        var timeline = new Timeline(0, 1, 0.1);

        timeline.SetSpeed(3.5);

        Assert.That(timeline.Speed, Is.EqualTo(4));
    }

    [Test]
    public void Next_FollowCycle_TrucksThenOthersThenWraps()
    {
        var cycle = new FollowCycle(["truck1", "truck2"], null);
        cycle.Learn(["truck1", "car1", "truck2"]);

        var seen = new[] { cycle.Current, cycle.Next(), cycle.Next(), cycle.Next() };

        Assert.That(seen, Is.EqualTo(new[] { "truck1", "truck2", "car1", "truck1" }));
    }
}
