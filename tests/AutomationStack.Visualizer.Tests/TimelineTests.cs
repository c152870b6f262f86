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

[TestFixture]
public sealed class BitmapFontTests
{
    [Test]
    public void AddText_One_LitPixelsAsSquares()
    {
        var triangles = new VertexList();

        BitmapFont.AddText(triangles, "1", 10, 20, 2, Palette.Cursor);

        // '1' has 10 lit pixels in the 5 × 7 font: 10 squares of two triangles.
        Assert.That(triangles.Count, Is.EqualTo(10 * 6));
        var xs = Enumerable.Range(0, triangles.Count).Select(i => triangles.Data[i * VertexList.FloatsPerVertex]).ToArray();
        Assert.That((xs.Min(), xs.Max()), Is.EqualTo((12f, 18f)));
    }

    [Test]
    public void AddText_LowerCaseAndUnknown_CapitalsAndBlanks()
    {
        var lower = new VertexList();
        var upper = new VertexList();

        BitmapFont.AddText(lower, "truck#1", 0, 0, 1, Palette.Cursor);
        BitmapFont.AddText(upper, "TRUCK 1", 0, 0, 1, Palette.Cursor);

        Assert.That(lower.Data.ToArray(), Is.EqualTo(upper.Data.ToArray()));
        Assert.That(BitmapFont.Width("AB", 3), Is.EqualTo(((2 * BitmapFont.Advance) - 1) * 3));
    }
}

[TestFixture]
public sealed class PointSplatterTests
{
    [Test]
    public void Draw_PointsThroughTopCamera_SquaresOfTheirClassAtTheirPixels()
    {
        var camera = new ViewCamera(ViewMode.Top, 0, 0, 0, 100, 80);
        var splatter = new PointSplatter(100, 80);
        float[] points = [2, 0, 1, -2, 0, 0.1f, 500, 0, 1];

        splatter.Draw(points, 3, camera.Matrix);

        var obstacle = camera.WorldToPixel(2, 0, 1)!.Value;
        var ground = camera.WorldToPixel(-2, 0, 0.1)!.Value;
        byte At((double X, double Y) p, int dx = 0, int dy = 0) => splatter.Pixels[(((int)p.Y + dy) * 100) + (int)p.X + dx];
        Assert.That((At(obstacle), At(obstacle, 1, 1), At(ground)), Is.EqualTo((PointSplatter.Obstacle, PointSplatter.Obstacle, PointSplatter.Ground)));
        Assert.That(splatter.Drawn, Is.EqualTo(2), "the point 500 m away is outside the frame");
        Assert.That(splatter.Pixels.Count(b => b != 0), Is.EqualTo(2 * PointSplatter.PointSize * PointSplatter.PointSize));
    }

    [Test]
    public void Draw_Again_ClearsTheLastFrame()
    {
        var camera = new ViewCamera(ViewMode.Top, 0, 0, 0, 50, 50);
        var splatter = new PointSplatter(50, 50);

        splatter.Draw([1, 1, 1], 1, camera.Matrix);
        splatter.Draw([], 0, camera.Matrix);

        Assert.That(splatter.Pixels.All(b => b == 0), Is.True);
    }
}
