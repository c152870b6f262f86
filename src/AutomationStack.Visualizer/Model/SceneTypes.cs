namespace AutomationStack.Visualizer.Model;

/// <summary>What a drawn vehicle is: a truck driven by the stack, a background road user, or a port AGV.</summary>
internal enum VehicleClass
{
    StackTruck,
    Background,
    Agv,
}

/// <summary>The longitudinal mode a platoon link is drawn in.</summary>
internal enum LinkMode
{
    Cacc,
    AccFallback,
    Joining,
    Emergency,
}

/// <summary>A lamp or signal-group state as drawn.</summary>
internal enum LightState
{
    Unknown,
    Off,
    Red,
    Amber,
    Green,
}

/// <summary>One vehicle at the scene's time: an oriented box, map frame (m, rad counter-clockwise from +x).</summary>
internal readonly record struct VehicleBox(
    string Id, VehicleClass Class, double X, double Y, double Heading, double Length, double Width, double Height,
    double Speed, double Acceleration, bool Failed);

/// <summary>A platoon link from a follower to its predecessor, coloured by the follower's mode.</summary>
internal readonly record struct PlatoonLink(string FollowerId, string PredecessorId, LinkMode Mode);

/// <summary>A map signal head with its lamp at the scene's time.</summary>
internal readonly record struct SignalLight(string Id, double X, double Y, LightState State);

/// <summary>
/// A stop line of a signal group's ingress lane, with the group's state and the SPaT count-down (s until the likely end
/// of the state; null when the log has no timing).
/// </summary>
internal readonly record struct StopLine(double X1, double Y1, double X2, double Y2, LightState State, double? Remaining);

/// <summary>
/// The stack's lead estimate of one truck (from its recorded diagnostics): where it believes the lead's rear is, and
/// where the ground-truth lead's rear really is (null when ground truth has no vehicle ahead in its lane).
/// </summary>
internal readonly record struct LeadTrack(string VehicleId, double EstimatedX, double EstimatedY, double? TrueX, double? TrueY, double Heading, string Source);

/// <summary>A lidar track of the selected truck in map coordinates: centre, heading, size, category, track id.</summary>
internal readonly record struct DetectedBox(int Id, string Category, double X, double Y, double Heading, double Length, double Width);

/// <summary>A recorded run event near the scene's time (shown for <see cref="SceneBuilder.EventShowTime"/> s).</summary>
internal readonly record struct EventMarker(string Kind, string VehicleId, double X, double Y, double Age, bool IsV2x);

/// <summary>A lane drawn as its centreline and its two edges (map frame, m).</summary>
internal sealed record LaneShape(string Id, double[] Xs, double[] Ys, double Width);

/// <summary>The static part of the scene: lanes, signal head sites and stop lines of the map (empty without a map).</summary>
internal sealed record RoadLayout(
    string Name, IReadOnlyList<LaneShape> Lanes, IReadOnlyList<(string Id, double X, double Y)> SignalHeads,
    IReadOnlyList<StopLineSite> StopLines)
{
    public static RoadLayout Empty { get; } = new(string.Empty, [], [], []);
}

/// <summary>Where a signal group's stop line lies on one of its ingress lanes.</summary>
internal readonly record struct StopLineSite(int IntersectionId, int GroupId, double X1, double Y1, double X2, double Y2);

/// <summary>Everything drawn for one instant: built by <see cref="SceneBuilder"/>, consumed by the renderer.</summary>
internal sealed record Scene(
    double Time,
    IReadOnlyList<VehicleBox> Vehicles,
    IReadOnlyList<PlatoonLink> Links,
    float[] LidarPoints,
    int LidarPointCount,
    IReadOnlyList<LeadTrack> Tracks,
    IReadOnlyList<SignalLight> Lights,
    IReadOnlyList<StopLine> StopLines,
    IReadOnlyList<EventMarker> Events,
    string? SelectedId)
{
    /// <summary>The selected truck's confirmed lidar tracks, placed in the map with its true pose (outlines).</summary>
    public IReadOnlyList<DetectedBox> Detected { get; init; } = [];

    /// <summary>The vehicle with <paramref name="id"/>, or null.</summary>
    public VehicleBox? Find(string? id)
    {
        if (id is null)
        {
            return null;
        }

        foreach (var v in Vehicles)
        {
            if (v.Id == id)
            {
                return v;
            }
        }

        return null;
    }
}
