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
}
