namespace AutomationStack.RoadMap;

/// <summary>
/// A traffic signal head of the map: a vertical three-lamp head on a pole. (<paramref name="X"/>,
/// <paramref name="Y"/>) is the centre of the housing's footprint in map coordinates (m), <paramref name="Height"/> the
/// height of the housing's bottom above the road surface (m), <paramref name="Heading"/> the direction the lamps shine
/// (rad, counter-clockwise from +x: a head that faces traffic driving east has heading π), and
/// <paramref name="LaneIds"/> the lanes it controls (may be empty: not tied to a lane yet).
/// </summary>
public sealed record SignalHeadSite(string Id, double X, double Y, double Height, double Heading, IReadOnlyList<string> LaneIds);
