using AutomationStack.Geometry;

namespace AutomationStack.Planning;

/// <summary>
/// One ingress lane of a signalised intersection as the vehicle knows it from MAP (and its own lane map): the
/// intersection and signal group that control it, the lane, its centreline (map coordinates, m, in the direction of
/// travel), the stop line as arc length along that centreline, and the lane width, m.
/// </summary>
public sealed record ApproachLane(int IntersectionId, int SignalGroup, string LaneId, Polyline Centreline, double StopLineS, double Width);

/// <summary>The matched approach and the front bumper's distance to its stop line along the lane, m (negative once past).</summary>
public readonly record struct ApproachMatch(ApproachLane Lane, double DistanceToStopLine, double LateralOffset);

/// <summary>Gates of the MAP matcher.</summary>
public sealed record ApproachMatcherOptions
{
    /// <summary>Approaches further than this before the stop line are not matched, m.</summary>
    public double MaxDistance { get; init; } = 400;

    /// <summary>A matched approach is kept until the front is this far past the line, m (so Passed is seen).</summary>
    public double PassedDistance { get; init; } = 20;

    /// <summary>Extra lateral tolerance beyond half the lane width, m.</summary>
    public double LateralTolerance { get; init; } = 0.5;

    /// <summary>Largest heading difference to the lane's direction, rad.</summary>
    public double MaxHeadingError { get; init; } = 0.5;
}

/// <summary>
/// Matches the ego position (front bumper) and heading to an ingress lane of a MAP: inside the lane laterally,
/// heading along it, before its stop line (up to <see cref="ApproachMatcherOptions.MaxDistance"/>). Keeps the
/// current match while it stays valid (hysteresis: no flapping between adjacent lanes of one approach when they share
/// a signal group; a lane change to a lane of another group is a new match). Stateful, pure.
/// </summary>
public sealed class ApproachMatcher
{
    private readonly IReadOnlyList<ApproachLane> _lanes;
    private readonly ApproachMatcherOptions _options;
    private ApproachLane? _current;

    public ApproachMatcher(IReadOnlyList<ApproachLane> lanes, ApproachMatcherOptions options)
    {
        ArgumentNullException.ThrowIfNull(lanes);
        ArgumentNullException.ThrowIfNull(options);
        _lanes = lanes;
        _options = options;
    }

    /// <summary>The current match, if any.</summary>
    public ApproachLane? Current => _current;

    public ApproachMatch? Match(Vec2 front, double heading)
    {
        if (_current is { } current && TryMatch(current, front, heading, keeping: true) is { } kept)
        {
            // A lane change within the approach to a lane of the same group keeps the match; to another group, not.
            var better = Best(front, heading);
            if (better is null || better.Value.Lane.SignalGroup == current.SignalGroup
                || better.Value.Lane.IntersectionId != current.IntersectionId
                || Math.Abs(kept.LateralOffset) <= (0.5 * current.Width))
            {
                return kept;
            }

            _current = better.Value.Lane;
            return better;
        }

        var found = Best(front, heading);
        _current = found?.Lane;
        return found;
    }

    private ApproachMatch? Best(Vec2 front, double heading)
    {
        ApproachMatch? best = null;
        foreach (var lane in _lanes)
        {
            if (TryMatch(lane, front, heading, keeping: false) is { } m
                && (best is null || Math.Abs(m.LateralOffset) < Math.Abs(best.Value.LateralOffset)))
            {
                best = m;
            }
        }

        return best;
    }

    private ApproachMatch? TryMatch(ApproachLane lane, Vec2 front, double heading, bool keeping)
    {
        var p = lane.Centreline.Project(front);
        var distance = lane.StopLineS - p.S;
        var lateralGate = (0.5 * lane.Width) + _options.LateralTolerance;
        var headingError = Math.Abs(Angles.Normalize(heading - p.Heading));
        var behind = keeping ? -_options.PassedDistance : 0.0;
        return Math.Abs(p.Offset) <= lateralGate && headingError <= _options.MaxHeadingError
            && distance <= _options.MaxDistance && distance > behind
            ? new ApproachMatch(lane, distance, p.Offset)
            : null;
    }
}
