using AutomationStack.Perception;
using AutomationStack.Simulation;
using AutomationStack.Simulation.Camera;

namespace AutomationStack.Dataset;

/// <summary>Classifier labels, in the order of the model's logits.</summary>
public enum LightLabel : byte
{
    Red = 0,
    Amber = 1,
    Green = 2,
    Unknown = 3,

    /// <summary>
    /// Partly hidden lit lamp (between <see cref="LightScenes.HiddenBelow"/> and <see cref="LightScenes.VisibleFrom"/>
    /// of it visible): either its colour or unknown is right, another colour is wrong. Not used for training.
    /// </summary>
    PartlyHidden = 4,
}

/// <summary>One labelled crop and what made it.</summary>
internal readonly record struct LightSample(LightLabel Label, SignalLamp Lamp, double Visibility, double Distance, int PixelHeight, bool Backlit, bool WashedOut);

/// <summary>
/// Random front-camera scenes with signal heads, one per seed: a straight road, one to three heads ahead at 8–70 m
/// facing the camera (± 0.35 rad), lamps red/amber/green or off, vehicles and sign plates that may hide them, random
/// sun (a share of them low and ahead: backlight and glare), exposure and noise. Each head whose housing is at least
/// <see cref="MinPixelHeight"/> px tall gives a crop; its label is its lit colour when at least
/// <see cref="VisibleFrom"/> of the lit lamp is visible, <see cref="LightLabel.Unknown"/> when less than
/// <see cref="HiddenBelow"/> is (occluded), the head is dark or the crop is washed out by glare (even its darkest fifth
/// brighter than <see cref="WashedOutLuminance"/>: the housing cannot be told from the sky), and
/// <see cref="LightLabel.PartlyHidden"/> in between.
/// </summary>
internal sealed class LightScenes
{
    public const int ImageWidth = 640;
    public const int ImageHeight = 360;
    public const double HorizontalFov = 60 * Math.PI / 180;
    public const int MinPixelHeight = 12;
    public const double VisibleFrom = 0.8;
    public const double HiddenBelow = 0.4;
    public const double WashedOutLuminance = 150;

    private readonly CameraRenderer _renderer = new(ImageWidth, ImageHeight);
    private readonly CameraScene _scene = new() { Ground = new StraightRoad() };

    /// <summary>Renders the scene of <paramref name="seed"/> and calls <paramref name="emit"/> with each crop (CHW bytes).</summary>
    public void Generate(ulong seed, Action<LightSample, ReadOnlySpan<byte>> emit)
    {
        var rng = new DeterministicRandom(seed ^ 0x7A11_11C4_0000_0000);
        _scene.Boxes.Clear();
        _scene.Heads.Clear();
        var backlit = rng.NextDouble() < 0.2;
        _scene.Lighting = backlit
            ? new Lighting(Between(rng, -0.35, 0.35), Between(rng, 0.04, 0.3), Between(rng, 0.25, 0.5), Between(rng, 0.6, 1.1), Between(rng, 0.4, 0.9))
            : new Lighting(Between(rng, -Math.PI, Math.PI), Between(rng, 0.1, 1.2), Between(rng, 0.25, 0.65), Between(rng, 0.55, 1.4), Between(rng, 0, 0.5));
        var pose = new CameraPose(0, 0, Between(rng, 2.2, 3.2), Between(rng, -0.04, 0.04), Between(rng, -0.03, 0.05), ImageWidth, ImageHeight, HorizontalFov);

        var heads = 1 + (int)(rng.NextDouble() * 3);
        for (var i = 0; i < heads; i++)
        {
            var x = Between(rng, 8, 70);
            var halfView = x * Math.Tan((HorizontalFov / 2) - 0.08);
            var y = Between(rng, -Math.Min(halfView, 10), Math.Min(halfView, 10));
            var roll = rng.NextDouble();
            var lamp = roll < 0.32 ? SignalLamp.Red : roll < 0.54 ? SignalLamp.Amber : roll < 0.88 ? SignalLamp.Green : SignalLamp.Off;
            _scene.Heads.Add(new SignalHead(x, y, Between(rng, 2.4, 5.5), Math.PI + Between(rng, -0.35, 0.35), lamp));
        }

        // Vehicles on the road (clutter and occluders), and sometimes a sign plate or a vehicle right in front of a head.
        var vehicles = (int)(rng.NextDouble() * 5);
        for (var i = 0; i < vehicles; i++)
        {
            AddVehicle(rng, Between(rng, 6, 90), (Math.Floor(rng.NextDouble() * 4) - 1.5) * 3.75);
        }

        foreach (var head in _scene.Heads.ToArray())
        {
            if (rng.NextDouble() < 0.3)
            {
                var d = Between(rng, 0.25, 0.8);
                var ox = head.X * d;
                var oy = (head.Y * d) + Between(rng, -1.2, 1.2);
                if (rng.NextDouble() < 0.5)
                {
                    // A plate on a post: thin, lifted to the head's line of sight.
                    var lineZ = pose.Z + ((head.Z + 0.5 - pose.Z) * d);
                    _scene.Boxes.Add(new SceneBox(ox, oy, Math.Max(0, lineZ - Between(rng, 0.2, 0.9)), 0.1, Between(rng, 0.6, 2.0), Between(rng, 0.5, 1.5), 0, Gray(rng)));
                }
                else
                {
                    AddVehicle(rng, ox, oy);
                }
            }
        }

        _renderer.Render(_scene, pose, Between(rng, 1, 7), rng.NextUInt64());
        Span<byte> crop = stackalloc byte[TrafficLightCrop.Size];
        for (var i = 0; i < _scene.Heads.Count; i++)
        {
            var head = _scene.Heads[i];
            if (!CameraRenderer.TryProjectHead(head, pose, out var rect) || rect.Height < MinPixelHeight)
            {
                continue;
            }

            var visibility = _renderer.HeadVisibility(i);
            TrafficLightCrop.Extract(_renderer.Rgb, ImageWidth, ImageHeight, rect.X, rect.Y, rect.Width, rect.Height, crop);
            var washedOut = DarkestFifthLuminance(crop) > WashedOutLuminance;
            var label = head.Lamp == SignalLamp.Off || visibility < HiddenBelow || washedOut ? LightLabel.Unknown
                : visibility < VisibleFrom ? LightLabel.PartlyHidden
                : (LightLabel)((int)head.Lamp - 1);
            emit(new LightSample(label, head.Lamp, visibility, head.X, rect.Height, backlit, washedOut), crop);
        }
    }

    /// <summary>The luminance below which a fifth of the crop's pixels lie.</summary>
    private static double DarkestFifthLuminance(ReadOnlySpan<byte> crop)
    {
        const int Plane = TrafficLightCrop.Width * TrafficLightCrop.Height;
        Span<int> histogram = stackalloc int[256];
        for (var p = 0; p < Plane; p++)
        {
            var y = (0.299 * crop[p]) + (0.587 * crop[Plane + p]) + (0.114 * crop[(2 * Plane) + p]);
            histogram[(int)Math.Clamp(y, 0, 255)]++;
        }

        var seen = 0;
        for (var v = 0; v < 256; v++)
        {
            seen += histogram[v];
            if (seen * 5 >= Plane)
            {
                return v;
            }
        }

        return 255;
    }

    private void AddVehicle(DeterministicRandom rng, double x, double y)
    {
        var kind = rng.NextDouble();
        var (length, width, height) = kind < 0.5 ? (4.6, 1.9, 1.5) : kind < 0.8 ? (16.5, 2.55, 4.0) : (14.8, 3.0, 2.0);
        _scene.Boxes.Add(new SceneBox(x + (length / 2), y, 0, length, width, height, Between(rng, -0.05, 0.05), new Rgb(
            (byte)(30 + (rng.NextDouble() * 200)), (byte)(30 + (rng.NextDouble() * 200)), (byte)(30 + (rng.NextDouble() * 200)))));
    }

    private static Rgb Gray(DeterministicRandom rng)
    {
        var v = (byte)(60 + (rng.NextDouble() * 160));
        return new Rgb(v, v, (byte)Math.Min(255, v + 20));
    }

    private static double Between(DeterministicRandom rng, double min, double max) => min + ((max - min) * rng.NextDouble());

    /// <summary>A straight six-lane road along x with dashed markings and grass verges.</summary>
    private sealed class StraightRoad : IGroundShader
    {
        private const double LaneWidth = 3.75;
        private const double HalfRoad = 3 * LaneWidth;

        public Rgb Shade(double x, double y)
        {
            var ay = Math.Abs(y);
            if (ay > HalfRoad + 0.5)
            {
                return new Rgb(78, 104, 58);
            }

            if (ay > HalfRoad)
            {
                return new Rgb(120, 118, 110);
            }

            var inLane = ay - (Math.Floor(ay / LaneWidth) * LaneWidth);
            var dash = x - (Math.Floor(x / 12) * 12) < 3;
            return (inLane < 0.08 || inLane > LaneWidth - 0.08) && (dash || ay > HalfRoad - 0.2)
                ? new Rgb(220, 220, 215)
                : new Rgb(86, 86, 90);
        }
    }
}
