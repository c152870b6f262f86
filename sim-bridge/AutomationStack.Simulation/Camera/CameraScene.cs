namespace AutomationStack.Simulation.Camera;

/// <summary>An 8-bit RGB colour.</summary>
public readonly record struct Rgb(byte R, byte G, byte B)
{
    public static Rgb Lerp(Rgb a, Rgb b, double t) => new(
        (byte)Math.Clamp(a.R + ((b.R - a.R) * t), 0, 255),
        (byte)Math.Clamp(a.G + ((b.G - a.G) * t), 0, 255),
        (byte)Math.Clamp(a.B + ((b.B - a.B) * t), 0, 255));
}

/// <summary>
/// A solid box standing on the ground (or lifted by <paramref name="Z0"/>) in the world frame: centre of its footprint
/// (<paramref name="X"/>, <paramref name="Y"/>), size, heading; lit by the sun with a flat colour.
/// </summary>
public readonly record struct SceneBox(double X, double Y, double Z0, double Length, double Width, double Height, double Yaw, Rgb Color);

/// <summary>What a signal head shows: one lamp lit, or none.</summary>
public enum SignalLamp
{
    Off,
    Red,
    Amber,
    Green,
}

/// <summary>
/// A vertical three-lamp signal head (red on top, amber, green at the bottom) on a pole: the housing is
/// <see cref="HousingWidth"/> × <see cref="HousingHeight"/> × <see cref="HousingDepth"/> m, its bottom
/// <paramref name="Z"/> m above the ground, facing <paramref name="Yaw"/> (the direction the lamps shine).
/// </summary>
public readonly record struct SignalHead(double X, double Y, double Z, double Yaw, SignalLamp Lamp)
{
    public const double HousingWidth = 0.35;
    public const double HousingHeight = 1.0;
    public const double HousingDepth = 0.3;
    public const double LampRadius = 0.11;

    /// <summary>Height of lamp <paramref name="slot"/> (0 = red at the top … 2 = green) above the housing's bottom.</summary>
    public static double LampHeight(int slot) => HousingHeight * (0.8 - (0.3 * slot));
}

/// <summary>Sun, ambient light and camera exposure of one rendering.</summary>
/// <param name="SunAzimuth">World-frame azimuth of the sun, rad.</param>
/// <param name="SunElevation">Elevation of the sun above the horizon, rad.</param>
/// <param name="Ambient">Share of light that is not direct sun, 0 … 1.</param>
/// <param name="Exposure">Gain applied to the lit (non-emissive) scene, around 1.</param>
/// <param name="Glare">Strength of the bloom and veil when the sun is in or near the view, 0 … 1.</param>
public readonly record struct Lighting(double SunAzimuth, double SunElevation, double Ambient, double Exposure, double Glare)
{
    public static Lighting Default { get; } = new(2.5, 0.8, 0.45, 1.0, 0.6);
}

/// <summary>
/// The ground's colour at a world point: asphalt, lane markings, verge. Implemented by the simulator from the map and
/// by the dataset tool from its generated roads.
/// </summary>
public interface IGroundShader
{
    Rgb Shade(double x, double y);
}

/// <summary>Everything a camera can see: boxes (vehicles, furniture), signal heads, the ground and the light.</summary>
public sealed class CameraScene
{
    public List<SceneBox> Boxes { get; } = [];

    public List<SignalHead> Heads { get; } = [];

    public IGroundShader? Ground { get; set; }

    public Lighting Lighting { get; set; } = Lighting.Default;
}

/// <summary>
/// Pinhole camera: position in the world (z up), yaw (heading of the optical axis) and pitch (positive looks down),
/// image size and horizontal field of view; square pixels, principal point at the centre.
/// </summary>
public readonly record struct CameraPose(double X, double Y, double Z, double Yaw, double Pitch, int Width, int Height, double HorizontalFov)
{
    public double FocalLength => Width / 2.0 / Math.Tan(HorizontalFov / 2);
}
