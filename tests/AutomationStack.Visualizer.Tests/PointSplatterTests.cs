using AutomationStack.Visualizer.Model;

namespace AutomationStack.Visualizer.Tests;

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
