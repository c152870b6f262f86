using AutomationStack.Geometry;
using AutomationStack.Localization;
using AutomationStack.RoadMap;

namespace AutomationStack.Tracking;

/// <summary>
/// The vehicle to follow: Gap is bumper-to-rear along the lane, m; LeadSpeed absolute, m/s; RelativeSpeed =
/// LeadSpeed − ego speed (negative = closing), m/s; LeadAcceleration filtered, m/s².
/// </summary>
public readonly record struct LeadTarget(int TrackId, double Gap, double LeadSpeed, double RelativeSpeed, double LeadAcceleration);

/// <summary>Tuning of <see cref="LeadSelector"/>.</summary>
public sealed record LeadSelectorOptions
{
    /// <summary>Extra lateral tolerance beyond half the lane width when deciding lane membership, m.</summary>
    public double LaneMargin { get; init; } = 0.5;

    /// <summary>Tracks with a gap beyond this are not leads, m.</summary>
    public double MaxGap { get; init; } = 200.0;

    public static LeadSelectorOptions Default { get; } = new();
}

/// <summary>
/// Picks the nearest confirmed track ahead of the ego that lies in the given lane. Each track is mapped into the map
/// frame with the ego pose and projected onto the lane centreline; it is in the lane when |offset| &lt; width/2 +
/// margin and ahead when its arc length exceeds the ego centre's and it is ahead of the ego centre in the ego frame.
/// Gap = Δs − ego length/2 (clamped at 0). Stateless and allocation-free.
/// </summary>
public sealed class LeadSelector
{
    private readonly LeadSelectorOptions _options;
    private readonly double _egoHalfLength;

    /// <summary>Segments searched either side of a hint; centrelines are sampled at ≤ 2 m.</summary>
    private const int HintWindow = 16;

    private Lane? _hintLane;
    private int _egoSegmentHint = -1;

    public LeadSelector(LeadSelectorOptions options, double egoLength)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _egoHalfLength = egoLength / 2.0;
    }

    /// <summary>The lead in <paramref name="lane"/>, or null when there is none or the pose is invalid.</summary>
    public LeadTarget? Select(ReadOnlySpan<RadarTrack> tracks, in EgoState ego, Lane lane)
    {
        ArgumentNullException.ThrowIfNull(lane);
        if (!ego.Valid)
        {
            return null;
        }

        var position = new Vec2(ego.X, ego.Y);
        // Hinted projections: a full search of a long centreline per track per frame is the pipeline's hottest path.
        var hint = ReferenceEquals(lane, _hintLane) ? _egoSegmentHint : -1;
        var egoProjection = lane.Centreline.Project(position, hint, HintWindow);
        if (hint >= 0 && Math.Abs(egoProjection.Offset) > lane.Width)
        {
            egoProjection = lane.Centreline.Project(position);
        }

        _hintLane = lane;
        _egoSegmentHint = egoProjection.Segment;
        var egoS = egoProjection.S;
        var halfWidth = (lane.Width / 2.0) + _options.LaneMargin;
        LeadTarget? best = null;
        var bestGap = double.MaxValue;
        foreach (var track in tracks)
        {
            if (!track.Confirmed || !(track.RelativeX > 0))
            {
                continue;
            }

            var world = position + new Vec2(track.RelativeX, track.RelativeY).Rotate(ego.Heading);
            var trackHint = lane.Centreline.SegmentAt(egoS + track.RelativeX);
            var projection = lane.Centreline.Project(world, trackHint, HintWindow);
            if (!(Math.Abs(projection.Offset) < halfWidth) || !(projection.S > egoS))
            {
                continue;
            }

            var gap = Math.Max(projection.S - egoS - _egoHalfLength, 0.0);
            if (gap > _options.MaxGap || gap >= bestGap)
            {
                continue;
            }

            bestGap = gap;
            best = new LeadTarget(track.Id, gap, track.AbsoluteSpeed, track.RelativeSpeed, track.Acceleration);
        }

        return best;
    }
}
