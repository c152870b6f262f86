namespace AutomationStack.Visualizer.Model;

/// <summary>An RGBA colour, components 0…1.</summary>
internal readonly record struct Rgba(float R, float G, float B, float A = 1)
{
    public Rgba Scaled(float factor) => new(R * factor, G * factor, B * factor, A);

    public Rgba WithAlpha(float alpha) => new(R, G, B, alpha);

    /// <summary>The 8-bit value of each channel as a frame buffer stores it.</summary>
    public (byte R, byte G, byte B) ToBytes() => (ToByte(R), ToByte(G), ToByte(B));

    private static byte ToByte(float v) => (byte)Math.Clamp((int)MathF.Round(v * 255), 0, 255);
}

/// <summary>Every colour the viewer draws (the tests look for them in rendered pixels).</summary>
internal static class Palette
{
    public static readonly Rgba Background = new(0.10f, 0.12f, 0.10f);
    public static readonly Rgba Road = new(0.28f, 0.28f, 0.30f);
    public static readonly Rgba LaneEdge = new(0.80f, 0.80f, 0.80f);
    public static readonly Rgba StackTruck = new(0.15f, 0.40f, 0.95f);
    public static readonly Rgba SelectedTruck = new(0.55f, 0.80f, 1.00f);
    public static readonly Rgba BackgroundVehicle = new(0.78f, 0.78f, 0.80f);
    public static readonly Rgba Agv = new(0.95f, 0.60f, 0.10f);
    public static readonly Rgba FailedVehicle = new(0.60f, 0.10f, 0.60f);
    public static readonly Rgba LinkCacc = new(0.10f, 0.90f, 0.20f);
    public static readonly Rgba LinkAccFallback = new(1.00f, 0.85f, 0.00f);
    public static readonly Rgba LinkJoining = new(0.00f, 0.90f, 0.90f);
    public static readonly Rgba LinkEmergency = new(1.00f, 0.30f, 0.00f);
    public static readonly Rgba LightRed = new(1.00f, 0.00f, 0.00f);
    public static readonly Rgba LightAmber = new(1.00f, 0.60f, 0.00f);
    public static readonly Rgba LightGreen = new(0.00f, 1.00f, 0.00f);
    public static readonly Rgba LightOff = new(0.20f, 0.20f, 0.20f);
    public static readonly Rgba LightUnknown = new(0.50f, 0.50f, 0.50f);
    public static readonly Rgba LidarGround = new(0.20f, 0.34f, 0.34f);
    public static readonly Rgba LidarObstacle = new(1.00f, 0.40f, 0.80f);
    public static readonly Rgba LeadEstimate = new(1.00f, 1.00f, 1.00f);

    /// <summary>Outline of a lidar track of the selected truck (yellow: apart from the vehicle classes and the lidar points).</summary>
    public static readonly Rgba Detected = new(1.00f, 0.95f, 0.10f);
    public static readonly Rgba LeadTruth = new(0.40f, 1.00f, 0.40f);
    public static readonly Rgba EventV2x = new(0.70f, 0.30f, 1.00f);
    public static readonly Rgba EventOther = new(1.00f, 1.00f, 1.00f);
    public static readonly Rgba EventCollision = new(1.00f, 0.10f, 0.10f);
    public static readonly Rgba PanelBackground = new(0.00f, 0.00f, 0.00f, 0.65f);
    public static readonly Rgba PanelAxis = new(0.45f, 0.45f, 0.45f);
    public static readonly Rgba TimelineFill = new(0.30f, 0.55f, 0.95f);
    public static readonly Rgba TimelineTrack = new(0.30f, 0.30f, 0.30f);
    public static readonly Rgba Cursor = new(1.00f, 1.00f, 1.00f);

    /// <summary>Lidar points below this height are ground (drawn dim), m.</summary>
    public const float LidarGroundHeight = 0.3f;

    public static Rgba Of(VehicleClass kind, bool selected, bool failed) => failed
        ? FailedVehicle
        : kind switch
        {
            VehicleClass.StackTruck => selected ? SelectedTruck : StackTruck,
            VehicleClass.Agv => Agv,
            _ => BackgroundVehicle,
        };

    public static Rgba Of(LinkMode mode) => mode switch
    {
        LinkMode.Cacc => LinkCacc,
        LinkMode.Joining => LinkJoining,
        LinkMode.Emergency => LinkEmergency,
        _ => LinkAccFallback,
    };

    public static Rgba Of(LightState state) => state switch
    {
        LightState.Red => LightRed,
        LightState.Amber => LightAmber,
        LightState.Green => LightGreen,
        LightState.Off => LightOff,
        _ => LightUnknown,
    };

    public static Rgba Of(PlotKind kind) => kind switch
    {
        PlotKind.Speed => new(0.40f, 0.80f, 1.00f),
        PlotKind.Gap => new(0.40f, 1.00f, 0.40f),
        PlotKind.TimeGap => new(1.00f, 0.85f, 0.20f),
        _ => new(1.00f, 0.50f, 0.50f),
    };
}
