using AutomationStack.Contracts;
using AutomationStack.RoadMap;
using AutomationStack.Simulation.Camera;

namespace AutomationStack.Simulation.Tests.Camera;

internal sealed class CameraSensorTests
{
    private const long Second = 1_000_000_000;

    [TestCase(0.0, SignalLamp.Green)]
    [TestCase(9.99, SignalLamp.Green)]
    [TestCase(10.0, SignalLamp.Amber)]
    [TestCase(12.99, SignalLamp.Amber)]
    [TestCase(13.0, SignalLamp.Red)]
    [TestCase(19.99, SignalLamp.Red)]
    [TestCase(20.0, SignalLamp.Green)]
    [TestCase(3600.0, SignalLamp.Green)]
    public void FixedTimeProgram_NoOffset_GreenAmberRedRepeated(double time, SignalLamp expected)
    {
        var program = new FixedTimeSignalProgram(10, 3, 7, 0);

        Assert.That(program.LampAt((long)Math.Round(time * Second)), Is.EqualTo(expected));
    }

    [TestCase(0.0, SignalLamp.Red)]
    [TestCase(3.99, SignalLamp.Red)]
    [TestCase(4.0, SignalLamp.Green)]
    [TestCase(18.99, SignalLamp.Green)]
    [TestCase(19.0, SignalLamp.Amber)]
    [TestCase(22.0, SignalLamp.Red)]
    [TestCase(34.0, SignalLamp.Green)]
    public void FixedTimeProgram_Offset_GreenStartsAtOffset(double time, SignalLamp expected)
    {
        var program = new FixedTimeSignalProgram(15, 3, 12, 4);

        Assert.That(program.LampAt((long)Math.Round(time * Second)), Is.EqualTo(expected));
    }

    [Test]
    public void FixedTimeProgram_NoAmber_SkipsIt()
    {
        var program = new FixedTimeSignalProgram(2, 0, 4, 0);

        Assert.That(Enumerable.Range(0, 6).Select(t => program.LampAt(t * Second)),
            Is.EqualTo(new[] { SignalLamp.Green, SignalLamp.Green, SignalLamp.Red, SignalLamp.Red, SignalLamp.Red, SignalLamp.Red }));
    }

    [TestCase(-1, 3, 7)]
    [TestCase(0, 0, 0)]
    [TestCase(double.NaN, 3, 7)]
    public void FixedTimeProgram_BadDurations_ArgumentOutOfRange(double green, double amber, double red)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new FixedTimeSignalProgram(green, amber, red, 0));
    }

    [Test]
    public void World_HeadWithoutProgram_Off_WithProgram_FollowsSimulatedTime()
    {
        var world = new World(HeadMap(), Options(), TestWorlds.Seed);
        world.SetSignalProgram("H1", new FixedTimeSignalProgram(0.5, 0.2, 0.3, 0));

        var lamps = new List<SignalLamp>();
        for (var i = 0; i < 100; i++)
        {
            world.Step();
            lamps.Add(world.SignalLampOf(0));
        }

        Assert.That(world.SignalLampOf(1), Is.EqualTo(SignalLamp.Off));
        Assert.That(lamps[10], Is.EqualTo(SignalLamp.Green), "t = 0.11 s");
        Assert.That(lamps[59], Is.EqualTo(SignalLamp.Amber), "t = 0.6 s");
        Assert.That(lamps[79], Is.EqualTo(SignalLamp.Red), "t = 0.8 s");
        Assert.Throws<ArgumentException>(() => world.SetSignalProgram("nope", null));
    }

    [TestCase(SignalLamp.Red)]
    [TestCase(SignalLamp.Green)]
    public void MeasureCamera_TruckFacingHead_LitLampColourAtTheHeadsProjection(SignalLamp lamp)
    {
        var world = new World(HeadMap(), Options(), TestWorlds.Seed);
        // Red: always red; green: always green (a cycle of one phase).
        world.SetSignalProgram("H1", lamp == SignalLamp.Red ? new FixedTimeSignalProgram(0, 0, 60, 0) : new FixedTimeSignalProgram(60, 0, 0, 0));
        world.AddTruck("ego", TruckParameters.Default, TestWorlds.LaneZero, 100, 0);

        var image = world.MeasureCamera("ego");
        var site = world.SignalHeads[0];
        var head = new SignalHead(site.X, site.Y, site.Height, site.Heading, lamp);
        var pose = world.CameraPoseOf("ego");
        Assert.That(CameraRenderer.TryProjectHead(head, pose, out var rect), Is.True);

        // The lit lamp's disc: red at the top slot, green at the bottom one.
        var slot = lamp == SignalLamp.Red ? 0 : 2;
        var lampV = rect.Y + (int)(rect.Height * (1 - (SignalHead.LampHeight(slot) / SignalHead.HousingHeight)));
        var (r, g, b) = LampPixel(image, rect.X + (rect.Width / 2), lampV);
        Assert.That(rect.Height, Is.InRange(20, 30), "1 m housing at 40 m with a 966 px focal length");
        if (lamp == SignalLamp.Red)
        {
            Assert.That(r > 200 && g < 110 && b < 110, Is.True, $"({r}, {g}, {b})");
        }
        else
        {
            Assert.That(g > 200 && r < 110, Is.True, $"({r}, {g}, {b})");
        }
    }

    [Test]
    public void MeasureCamera_ImageFieldsAndIntrinsics()
    {
        var world = new World(HeadMap(), Options(), TestWorlds.Seed);
        world.AddTruck("ego", TruckParameters.Default, TestWorlds.LaneZero, 100, 20);
        for (var i = 0; i < 30; i++)
        {
            world.Step();
        }

        var image = world.MeasureCamera("ego");

        Assert.That((image.FrameNumber, image.StampNs, image.Width, image.Height), Is.EqualTo((30L, 300_000_000L, 800, 450)));
        Assert.That(image.Rgb.Length, Is.EqualTo(800 * 450 * 3));
        Assert.That(image.Fx, Is.EqualTo(400 / Math.Tan(22.5 * Math.PI / 180)).Within(1e-9));
        Assert.That((image.Fy, image.Cx, image.Cy), Is.EqualTo((image.Fx, 400.0, 225.0)));
        Assert.That(image.Pose, Is.EqualTo(new CameraMount(8.25 - 0.3, 0, 2.5, 0, 0)));
        Assert.That(world.CameraMountOf("ego"), Is.EqualTo(image.Pose));
    }

    [Test]
    public void MeasureCamera_SameSeedSameFrame_SameBytes_OtherSeedDiffers()
    {
        byte[] Render(ulong seed)
        {
            var world = new World(HeadMap(), Options(), seed);
            world.SetSignalProgram("H1", new FixedTimeSignalProgram(1, 1, 1, 0));
            world.AddTruck("ego", TruckParameters.Default, TestWorlds.LaneZero, 100, 20);
            world.AddBackground("car", BackgroundBodies.Car, new IdmParameters(), TestWorlds.LaneZero, 130, 15);
            for (var i = 0; i < 20; i++)
            {
                world.Step();
            }

            return world.MeasureCamera("ego").Rgb.ToArray();
        }

        var first = Render(7);

        Assert.That(Render(7), Is.EqualTo(first));
        Assert.That(Render(8), Is.Not.EqualTo(first));
    }

    [Test]
    public void MeasureCamera_NoiseDependsOnFrameNotOnEarlierImages()
    {
        var a = new World(HeadMap(), Options(), 3);
        var b = new World(HeadMap(), Options(), 3);
        a.AddTruck("ego", TruckParameters.Default, TestWorlds.LaneZero, 100, 0);
        b.AddTruck("ego", TruckParameters.Default, TestWorlds.LaneZero, 100, 0);
        a.MeasureCamera("ego");
        a.MeasureCamera("ego");
        a.Step();
        b.Step();

        Assert.That(a.MeasureCamera("ego").Rgb.ToArray(), Is.EqualTo(b.MeasureCamera("ego").Rgb.ToArray()));
    }

    [Test]
    public void MeasureCamera_CarAhead_DrawnInCarColour()
    {
        var world = new World(HeadMap(), Options() with { Camera = new CameraOptions { NoiseSigma = 0 } }, TestWorlds.Seed);
        world.AddTruck("ego", TruckParameters.Default, TestWorlds.LaneZero, 100, 0);
        world.AddBackground("car", BackgroundBodies.Car, new IdmParameters(), TestWorlds.LaneZero, 125, 0);

        var image = world.MeasureCamera("ego");
        // The car's rear face centre, 0.75 m above the ground, 12.45 m ahead of the camera (at x = 107.95).
        var v = (int)(225 + (image.Fy * (2.5 - 0.75) / (125 - 2.3 - 107.95)));
        var (r, g, b) = LampPixel(image, 400, v);

        Assert.That(b > r && b > g, Is.True, $"({r}, {g}, {b})");
    }

    [Test]
    public void RoadGroundShader_TwoLanes_AsphaltMarkingsShoulderGrass()
    {
        // Lanes centred at y = 0 and 3.5: the road spans y = −1.75 … 5.25, the lane boundary is at y = 1.75.
        var shader = new RoadGroundShader(TestWorlds.Straight(laneCount: 2));
        var asphalt = new Rgb(86, 86, 90);
        var marking = new Rgb(220, 220, 215);

        Assert.That(shader.Shade(100, 0), Is.EqualTo(asphalt), "lane 0 centre");
        Assert.That(shader.Shade(100, -1.7), Is.EqualTo(marking), "right edge line");
        Assert.That(shader.Shade(100, 5.2), Is.EqualTo(marking), "left edge line");
        Assert.That(shader.Shade(2, 1.75), Is.EqualTo(marking), "dash between the lanes (s mod 18 < 6)");
        Assert.That(shader.Shade(100, 1.75), Is.EqualTo(asphalt), "gap between the dashes (100 mod 18 = 10)");
        Assert.That(shader.Shade(100, -2.0), Is.EqualTo(new Rgb(120, 118, 110)), "shoulder");
        Assert.That(shader.Shade(100, -3.0), Is.EqualTo(new Rgb(78, 104, 58)), "grass");
        Assert.That(shader.Shade(-5, 0), Is.EqualTo(new Rgb(78, 104, 58)), "before the road starts");
        Assert.That(shader.Shade(4000, 0), Is.EqualTo(asphalt), "far along (the walk from the last segment)");
    }

    private static (int R, int G, int B) LampPixel(CameraImage image, int u, int v)
    {
        var p = ((v * image.Width) + u) * 3;
        var rgb = image.Rgb.Span;
        return (rgb[p], rgb[p + 1], rgb[p + 2]);
    }

    private static WorldOptions Options() => TestWorlds.NoiseFree() with { Camera = new CameraOptions { Enabled = true } };

    /// <summary>A straight lane along +x at y = 0 with head H1 40 m ahead of a truck's camera at s = 100, facing it, and H2 without a program.</summary>
    private static RoadNetwork HeadMap()
    {
        var straight = TestWorlds.Straight();
        // Truck at s = 100: front at 108.25, camera at 107.95; the head 40 m ahead, on the centreline, 2.0 m up.
        return new RoadNetwork(straight.Name, straight.Lanes,
        [
            new SignalHeadSite("H1", 147.95, 0, 2.0, Math.PI, [TestWorlds.LaneZero]),
            new SignalHeadSite("H2", 300, 5, 2.5, Math.PI, []),
        ]);
    }
}
