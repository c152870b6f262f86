using AutomationStack.Contracts;
using AutomationStack.Geometry;

namespace AutomationStack.Control;

/// <summary>Tuning of <see cref="PurePursuit"/>: lookahead = clamp(LookaheadGain·v, MinLookahead, MaxLookahead).</summary>
public sealed record LaneKeepingOptions
{
    /// <summary>Lookahead per unit speed, s.</summary>
    public double LookaheadGain { get; init; } = 1.0;

    /// <summary>Shortest lookahead distance, m.</summary>
    public double MinLookahead { get; init; } = 8.0;

    /// <summary>Longest lookahead distance, m.</summary>
    public double MaxLookahead { get; init; } = 40.0;

    public static LaneKeepingOptions Default { get; } = new();
}

/// <summary>
/// Pure-pursuit lane keeping on a centreline polyline. The reference point is the rear axle (centre −
/// RearAxleToCentre along the heading). The goal point lies on the centreline one lookahead distance (arc length)
/// beyond the rear axle's projection (the last segment is extended past the end). δ = atan(2·L·sin α / ld), with α the
/// goal's bearing from the heading and ld the actual distance to the goal. Keeps only a projection hint as state.
/// </summary>
public sealed class PurePursuit
{
    private const double MinGoalDistance = 0.1;
    private const int HintWindow = 16;

    private readonly LaneKeepingOptions _options;
    private readonly double _wheelbase;
    private readonly double _rearAxleToCentre;
    private Polyline? _lastPath;
    private int _hint = -1;

    public PurePursuit(LaneKeepingOptions options, TruckParameters truck)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(truck);
        _options = options;
        _wheelbase = truck.Wheelbase;
        _rearAxleToCentre = truck.RearAxleToCentre;
    }

    /// <summary>Lookahead distance at <paramref name="speed"/>, m.</summary>
    public double Lookahead(double speed) =>
        Math.Clamp(_options.LookaheadGain * Math.Max(speed, 0.0), _options.MinLookahead, _options.MaxLookahead);

    /// <summary>Road-wheel steering angle (rad, left positive) for a vehicle centred at (x, y) with the given heading and speed.</summary>
    public double Step(double x, double y, double heading, double speed, Polyline path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!ReferenceEquals(path, _lastPath))
        {
            _lastPath = path;
            _hint = -1;
        }

        var forward = Vec2.FromHeading(heading);
        var rear = new Vec2(x, y) - (forward * _rearAxleToCentre);
        var projection = path.Project(rear, _hint, HintWindow);
        _hint = projection.Segment;

        var lookahead = Lookahead(speed);
        var goalS = projection.S + lookahead;
        Vec2 goal;
        if (goalS > path.Length)
        {
            var (end, endHeading) = path.Evaluate(path.Length);
            goal = end + (Vec2.FromHeading(endHeading) * (goalS - path.Length));
        }
        else
        {
            goal = path.Evaluate(goalS).Point;
        }

        var toGoal = goal - rear;
        var distance = Math.Max(toGoal.Length, MinGoalDistance);
        var alpha = Angles.Normalize(Math.Atan2(toGoal.Y, toGoal.X) - heading);
        return Math.Atan(2.0 * _wheelbase * Math.Sin(alpha) / distance);
    }
}
