using AutomationStack.Contracts;
using AutomationStack.RoadMap;

namespace AutomationStack.Simulation.Camera;

/// <summary>
/// The front camera of the world's stack trucks: builds a <see cref="CameraScene"/> from the world (the map's ground
/// through <see cref="RoadGroundShader"/>, every other vehicle as a box of its body's size and height in a colour per
/// category, the road posts, the map's signal heads with their current lamps), culls what is farther than
/// <see cref="CameraOptions.MaxDistance"/> or outside the field of view, and renders it with one
/// <see cref="CameraRenderer"/>. Flat world, like the lidar: everything stands on z = 0 of the camera's vehicle.
/// The returned image's pixel buffer is the renderer's and is overwritten by the next capture.
/// </summary>
internal sealed class CameraModel
{
    private static readonly Rgb CarColor = new(45, 80, 160);
    private static readonly Rgb TruckColor = new(205, 205, 200);
    private static readonly Rgb AgvColor = new(230, 165, 30);
    private static readonly Rgb PostColor = new(235, 235, 230);

    private readonly CameraOptions _options;
    private readonly CameraRenderer _renderer;
    private readonly CameraScene _scene;
    private readonly double _focal;
    private readonly double _tanHalfFov;

    public CameraModel(CameraOptions options, RoadNetwork map, Lighting lighting)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(map);
        if (!(options.HorizontalFov > 0) || options.HorizontalFov >= Math.PI || options.PeriodSteps < 1 || !(options.MaxDistance > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(options), "Camera needs a field of view in (0, π), a period of ≥ 1 step and a positive drawing distance.");
        }

        _options = options;
        _renderer = new CameraRenderer(options.Width, options.Height);
        _scene = new CameraScene { Ground = new RoadGroundShader(map), Lighting = lighting };
        _focal = options.Width / 2.0 / Math.Tan(options.HorizontalFov / 2);
        // Horizontal half-angle of the image corners (the diagonal is wider than the horizontal edge).
        _tanHalfFov = Math.Sqrt((options.Width * options.Width) + (options.Height * options.Height)) / 2.0 / _focal;
    }

    public CameraRenderer Renderer => _renderer;

    /// <summary>The camera's mounting on <paramref name="body"/> (vehicle frame).</summary>
    public static CameraMount MountOf(TruckParameters body, CameraOptions options) =>
        new((0.5 * body.Length) - options.MountBehindFront, 0, options.MountHeight, 0, options.Pitch);

    /// <summary>The world pose of <paramref name="v"/>'s camera now.</summary>
    public CameraPose PoseOf(SimVehicle v)
    {
        var mount = MountOf(v.Body, _options);
        var (cos, sin) = (Math.Cos(v.Heading), Math.Sin(v.Heading));
        return new CameraPose(v.X + (cos * mount.X), v.Y + (sin * mount.X), mount.Z, v.Heading, mount.Pitch, _options.Width, _options.Height, _options.HorizontalFov);
    }

    /// <summary>Renders <paramref name="ego"/>'s image; <paramref name="heads"/> are the map's heads with their lamps now.</summary>
    public CameraImage Capture(SimVehicle ego, IReadOnlyList<SimVehicle> vehicles, ReadOnlySpan<RoadPost> posts, IReadOnlyList<SignalHead> heads,
        long frame, long stampNs, ulong noiseSeed)
    {
        var pose = PoseOf(ego);
        _scene.Boxes.Clear();
        _scene.Heads.Clear();
        var (cos, sin) = (Math.Cos(pose.Yaw), Math.Sin(pose.Yaw));
        for (var i = 0; i < vehicles.Count; i++)
        {
            var o = vehicles[i];
            var body = o.Body;
            var radius = 0.5 * Math.Sqrt((body.Length * body.Length) + (body.Width * body.Width));
            if (ReferenceEquals(o, ego) || !InView(pose, cos, sin, o.X, o.Y, radius))
            {
                continue;
            }

            _scene.Boxes.Add(new SceneBox(o.X, o.Y, 0, body.Length, body.Width, body.Height, o.Heading, ColorOf(body.Category)));
        }

        var postRadius = RoadPost.Size;
        foreach (var post in posts)
        {
            if (InView(pose, cos, sin, post.X, post.Y, postRadius))
            {
                _scene.Boxes.Add(new SceneBox(post.X, post.Y, 0, RoadPost.Size, RoadPost.Size, RoadPost.Height, post.Heading, PostColor));
            }
        }

        for (var i = 0; i < heads.Count; i++)
        {
            var head = heads[i];
            if (InView(pose, cos, sin, head.X, head.Y, 1.0))
            {
                _scene.Heads.Add(head);
            }
        }

        _renderer.Render(_scene, pose, _options.NoiseSigma, noiseSeed);
        var mount = MountOf(ego.Body, _options);
        return new CameraImage(frame, stampNs, mount, _focal, _focal, _options.Width / 2.0, _options.Height / 2.0,
            _options.Width, _options.Height, _renderer.RgbMemory);
    }

    /// <summary>The heads drawn in the last capture (the visible subset of the map's heads, in map order).</summary>
    public IReadOnlyList<SignalHead> LastHeads => _scene.Heads;

    private static Rgb ColorOf(VehicleCategory category) => category switch
    {
        VehicleCategory.Car => CarColor,
        VehicleCategory.Agv => AgvColor,
        _ => TruckColor,
    };

    /// <summary>Within drawing distance and not wholly behind the camera or outside its horizontal view.</summary>
    private bool InView(in CameraPose pose, double cos, double sin, double x, double y, double radius)
    {
        var (dx, dy) = (x - pose.X, y - pose.Y);
        var max = _options.MaxDistance + radius;
        if ((dx * dx) + (dy * dy) > max * max)
        {
            return false;
        }

        var forward = (dx * cos) + (dy * sin);
        if (forward < -radius)
        {
            return false;
        }

        var lateral = Math.Abs((dy * cos) - (dx * sin));
        return lateral <= (Math.Max(forward, 0) * _tanHalfFov) + (radius * Math.Sqrt(1 + (_tanHalfFov * _tanHalfFov)));
    }
}
