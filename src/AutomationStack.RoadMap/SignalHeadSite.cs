namespace AutomationStack.RoadMap;

/// <summary>
/// A traffic signal head of the map: a vertical three-lamp head on a pole. (<paramref name="X"/>,
/// <paramref name="Y"/>) is the centre of the housing's footprint in map coordinates (m), <paramref name="Height"/> the
/// height of the housing's bottom above the road surface (m), <paramref name="Heading"/> the direction the lamps shine
/// (rad, counter-clockwise from +x: a head that faces traffic driving east has heading π), and
/// <paramref name="LaneIds"/> the lanes it controls (may be empty: not tied to a lane yet).
/// </summary>
public sealed record SignalHeadSite(string Id, double X, double Y, double Height, double Heading, IReadOnlyList<string> LaneIds)
{
    /// <summary>Housing of the standard three-lamp head the simulator draws: width across, m.</summary>
    public const double HousingWidth = 0.35;

    /// <summary>Housing height, m (red on top, amber, green at the bottom).</summary>
    public const double HousingHeight = 1.0;

    /// <summary>Housing depth along <see cref="Heading"/>, m.</summary>
    public const double HousingDepth = 0.3;
}
