namespace AutomationStack.Tracking;

/// <summary>
/// A vehicle entering the gap between the ego and its predecessor. TrackId: the cutting-in track; Gap: bumper to bumper
/// from the ego, m; LateralOffset: its centre's y, m; LateralSpeed: its y velocity, m/s; TimeToEnter: until its centre
/// is inside the corridor (0 when it already is), s.
/// </summary>
public readonly record struct CutInTarget(int TrackId, double Gap, double LateralOffset, double LateralSpeed, double TimeToEnter);

/// <summary>Tuning of <see cref="CutInDetector"/>.</summary>
public sealed record CutInOptions
{
    /// <summary>Corridor half-width, m.</summary>
    public double HalfWidth { get; init; } = CorridorLeadSelector.DefaultHalfWidth;

    /// <summary>A track outside the corridor counts when it will enter within this time at its lateral speed, s.</summary>
    public double Horizon { get; init; } = 1.5;

    /// <summary>Lateral speed toward the corridor below this does not count as moving in, m/s.</summary>
    public double MinLateralSpeed { get; init; } = 0.3;

    /// <summary>Search distance ahead when the predecessor is not among the tracks, m (ego centre to track centre).</summary>
    public double MaxDistance { get; init; } = 60.0;

    public static CutInOptions Default { get; } = new();
}

/// <summary>
/// Finds a confirmed track (not the predecessor) whose centre lies longitudinally between the ego's front bumper and the
/// predecessor's rear (0 &lt; gap and X + half extent &lt; predecessor X − its half extent; without a predecessor, or
/// when its id is not among the tracks: X &lt; MaxDistance) and whose lateral offset is in the corridor (|y| &lt; HalfWidth) or moving into it (y·vy &lt; 0,
/// |vy| ≥ MinLateralSpeed, (|y| − HalfWidth)/|vy| ≤ Horizon). Of several, the one entering first, then the nearest.
/// Stateless and allocation-free.
/// </summary>
public static class CutInDetector
{
    /// <summary>The cut-in, or null. <paramref name="predecessorId"/>: the track of the vehicle the ego follows, if known.</summary>
    public static CutInTarget? Detect(ReadOnlySpan<ObjectTrack> tracks, int? predecessorId, double egoLength, CutInOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        // Without a (visible) predecessor the search ends at MaxDistance, measured to the track's centre.
        var limit = options.MaxDistance;
        var predecessorFound = false;
        if (predecessorId is { } id)
        {
            foreach (var track in tracks)
            {
                if (track.Id == id)
                {
                    limit = track.X - track.HalfExtentX;
                    predecessorFound = true;
                    break;
                }
            }
        }

        CutInTarget? best = null;
        foreach (var track in tracks)
        {
            if (!track.Confirmed || track.Id == predecessorId)
            {
                continue;
            }

            var halfExtent = track.HalfExtentX;
            var gap = track.X - (egoLength / 2) - halfExtent;
            var front = predecessorFound ? track.X + halfExtent : track.X;
            if (!(gap > 0) || !(front < limit))
            {
                continue;
            }

            var offset = Math.Abs(track.Y);
            double timeToEnter;
            if (offset < options.HalfWidth)
            {
                timeToEnter = 0.0;
            }
            else
            {
                var inward = -Math.Sign(track.Y) * track.Vy;
                if (!(inward >= options.MinLateralSpeed))
                {
                    continue;
                }

                timeToEnter = (offset - options.HalfWidth) / inward;
                if (!(timeToEnter <= options.Horizon))
                {
                    continue;
                }
            }

            if (best is { } b && (timeToEnter > b.TimeToEnter || (timeToEnter == b.TimeToEnter && gap >= b.Gap)))
            {
                continue;
            }

            best = new CutInTarget(track.Id, gap, track.Y, track.Vy, timeToEnter);
        }

        return best;
    }
}
