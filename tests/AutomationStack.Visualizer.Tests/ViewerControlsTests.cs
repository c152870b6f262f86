using AutomationStack.Visualizer.Model;

namespace AutomationStack.Visualizer.Tests;

[TestFixture]
public sealed class ViewerControlsTests
{
    [Test]
    public void Apply_EveryKey_ItsEffect()
    {
        var timeline = new Timeline(0, 10, 0.5);
        var follow = new FollowCycle(["truck1", "truck2"], null);
        var view = ViewMode.Top;
        timeline.Scrub(5);

        bool Press(int key) => ViewerControls.Apply(ViewerControls.ActionOf(key), timeline, follow, ref view);

        Press(ViewerControls.KeySpace);
        var playing = timeline.Playing;
        Press(ViewerControls.KeyEqual);
        Press(ViewerControls.KeyPadAdd);
        var faster = timeline.Speed;
        Press(ViewerControls.KeyMinus);
        var slower = timeline.Speed;
        Press(ViewerControls.KeyRight);
        Press(ViewerControls.KeyRight);
        Press(ViewerControls.KeyLeft);
        Press(ViewerControls.KeyTab);
        Press(ViewerControls.KeyV);
        var quit = !Press(ViewerControls.KeyEscape);

        Assert.That(
            (playing, faster, slower, timeline.Time, timeline.Playing, follow.Current, view, quit),
            Is.EqualTo((true, 4.0, 2.0, 5.5, false, "truck2", ViewMode.Chase, true)));
    }

    [Test]
    public void ActionOf_UnboundKey_None()
    {
        Assert.That(ViewerControls.ActionOf(65), Is.EqualTo(ViewerAction.None));
    }

    [Test]
    public void Apply_PageAndHomeEnd_JumpsClamped()
    {
        var timeline = new Timeline(0, 30, 0.1);
        var follow = new FollowCycle([], null);
        var view = ViewMode.Top;
        bool Press(int key) => ViewerControls.Apply(ViewerControls.ActionOf(key), timeline, follow, ref view);

        Press(ViewerControls.KeyPageDown);
        var forward = timeline.Time;
        Press(ViewerControls.KeyEnd);
        var end = timeline.Time;
        Press(ViewerControls.KeyPageUp);
        var back = timeline.Time;
        Press(ViewerControls.KeyHome);

        Assert.That((forward, end, back, timeline.Time), Is.EqualTo((10.0, 30.0, 20.0, 0.0)));
    }

    [Test]
    public void TimeAtCursor_OnTheBar_ProportionalOffIt_Null()
    {
        var (x, y, w, h) = MeshBuilder.TimelineBar(640, 480);

        var middle = ViewerControls.TimeAtCursor(x + (w / 2), y + (h / 2), 640, 480, 10, 110);
        var left = ViewerControls.TimeAtCursor(x - 3, y, 640, 480, 10, 110);
        var above = ViewerControls.TimeAtCursor(x + (w / 2), y - 40, 640, 480, 10, 110);

        Assert.That((middle, left, above), Is.EqualTo(((double?)60.0, (double?)10.0, (double?)null)));
    }
}
