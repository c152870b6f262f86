using AutomationStack.Simulation.Camera;

namespace AutomationStack.Simulation.Tests.Camera;

internal sealed class CameraRendererTests
{
    private const int Width = 320;
    private const int Height = 180;
    private static readonly CameraPose Pose = new(0, 0, 2.5, 0, 0, Width, Height, 60 * Math.PI / 180);

    [Test]
    public void Render_BoxAhead_CentrePixelHasTheBoxColourShaded()
    {
        var renderer = new CameraRenderer(Width, Height);
        var scene = new CameraScene();
        scene.Boxes.Add(new SceneBox(20, 0, 0, 4, 3, 5, 0, new Rgb(200, 20, 20)));

        renderer.Render(scene, Pose, 0, 1);
        var (r, g, b) = Pixel(renderer, Width / 2, Height / 2);

        Assert.That(r, Is.GreaterThan(60));
        Assert.That(g, Is.LessThan(r / 3));
        Assert.That(b, Is.LessThan(r / 3));
    }

    [TestCase(SignalLamp.Red, 0)]
    [TestCase(SignalLamp.Amber, 1)]
    [TestCase(SignalLamp.Green, 2)]
    public void Render_LitLamp_BrightInItsColourAtItsSlot(SignalLamp lamp, int slot)
    {
        var renderer = new CameraRenderer(Width, Height);
        var scene = new CameraScene();
        var head = new SignalHead(12, 0, 2.0, Math.PI, lamp);
        scene.Heads.Add(head);

        renderer.Render(scene, Pose, 0, 1);
        var (u, v) = ProjectLamp(head, slot);
        var (r, g, b) = Pixel(renderer, u, v);

        var expected = lamp switch
        {
            SignalLamp.Red => r > 200 && g < 100,
            SignalLamp.Amber => r > 200 && g is > 120 and < 220 && b < 100,
            _ => g > 200 && r < 100,
        };
        Assert.That(expected, Is.True, $"pixel ({u}, {v}) = ({r}, {g}, {b})");
        Assert.That(renderer.HeadVisibility(0), Is.GreaterThan(0.95));
    }

    [Test]
    public void Render_HeadBehindTruck_VisibilityNearZero()
    {
        var renderer = new CameraRenderer(Width, Height);
        var scene = new CameraScene();
        scene.Heads.Add(new SignalHead(40, 0, 2.0, Math.PI, SignalLamp.Red));
        scene.Boxes.Add(new SceneBox(15, 0, 0, 16.5, 2.55, 4.0, 0, new Rgb(120, 120, 120)));

        renderer.Render(scene, Pose, 0, 1);

        Assert.That(renderer.HeadVisibility(0), Is.LessThan(0.05));
    }

    [Test]
    public void Render_SameSeedTwice_IdenticalImageOtherSeedDiffers()
    {
        var renderer = new CameraRenderer(Width, Height);
        var scene = new CameraScene();
        scene.Boxes.Add(new SceneBox(20, 2, 0, 4, 2, 1.5, 0.3, new Rgb(30, 60, 200)));

        renderer.Render(scene, Pose, 4, 7);
        var first = renderer.Rgb.ToArray();
        renderer.Render(scene, Pose, 4, 7);
        var second = renderer.Rgb.ToArray();
        renderer.Render(scene, Pose, 4, 8);

        Assert.That(second, Is.EqualTo(first));
        Assert.That(renderer.Rgb.ToArray(), Is.Not.EqualTo(first));
    }

    [Test]
    public void Render_SunAhead_GlareBrightensTheImage()
    {
        var renderer = new CameraRenderer(Width, Height);
        var scene = new CameraScene { Lighting = new Lighting(0, 0.1, 0.4, 1.0, 0) };
        renderer.Render(scene, Pose, 0, 1);
        var plain = Mean(renderer);
        scene.Lighting = scene.Lighting with { Glare = 0.8 };

        renderer.Render(scene, Pose, 0, 1);

        Assert.That(Mean(renderer), Is.GreaterThan(plain + 20));
    }

    [Test]
    public void TryProjectHead_BehindCamera_False()
    {
        Assert.That(CameraRenderer.TryProjectHead(new SignalHead(-10, 0, 2, 0, SignalLamp.Red), Pose, out _), Is.False);
        Assert.That(CameraRenderer.TryProjectHead(new SignalHead(10, 0, 2, Math.PI, SignalLamp.Red), Pose, out var rect), Is.True);
        Assert.That(rect.X, Is.LessThan(Width / 2).And.GreaterThan((Width / 2) - 20));
    }

    private static (int X, int Y) ProjectLamp(SignalHead head, int slot)
    {
        // Lamp centre: on the front face (towards the camera, −x here), at the slot's height.
        var x = head.X - (SignalHead.HousingDepth / 2);
        var z = head.Z + SignalHead.LampHeight(slot);
        var f = Pose.FocalLength;
        return ((int)(Width / 2.0), (int)((Height / 2.0) - (f * (z - Pose.Z) / x)));
    }

    private static (int R, int G, int B) Pixel(CameraRenderer renderer, int u, int v)
    {
        var p = ((v * renderer.Width) + u) * 3;
        return (renderer.Rgb[p], renderer.Rgb[p + 1], renderer.Rgb[p + 2]);
    }

    private static double Mean(CameraRenderer renderer)
    {
        var sum = 0.0;
        foreach (var b in renderer.Rgb)
        {
            sum += b;
        }

        return sum / renderer.Rgb.Length;
    }
}
