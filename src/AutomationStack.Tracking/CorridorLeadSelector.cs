namespace AutomationStack.Tracking;

/// <summary>
/// Lead selection on <see cref="ObjectTrack"/>s without a map: the ego lane is a straight corridor along the ego x axis,
/// |y| &lt; half-width (the centre of the track decides). The lead is the confirmed track in the corridor whose centre
/// is ahead of the ego centre (X &gt; 0) with the smallest bumper-to-bumper gap
/// Gap = X − egoLength/2 − (track's half extent along x: |cos yaw|·L/2 + |sin yaw|·W/2), clamped at 0.
/// LeadSpeed = Vx (over ground along the ego heading), RelativeSpeed = RelativeVx (negative = closing),
/// LeadAcceleration = 0 (the constant-velocity tracker does not estimate it). Stateless and allocation-free.
/// </summary>
public static class CorridorLeadSelector
{
    /// <summary>Default corridor half-width, m.</summary>
    public const double DefaultHalfWidth = 1.8;

    /// <summary>The lead in the corridor, or null when there is none.</summary>
    public static LeadTarget? Select(ReadOnlySpan<ObjectTrack> tracks, double egoLength, double halfWidth = DefaultHalfWidth)
    {
        LeadTarget? best = null;
        var bestGap = double.MaxValue;
        foreach (var track in tracks)
        {
            if (!track.Confirmed || !(track.X > 0) || !(Math.Abs(track.Y) < halfWidth))
            {
                continue;
            }

            var gap = Math.Max(track.X - (egoLength / 2) - track.HalfExtentX, 0.0);
            if (gap >= bestGap)
            {
                continue;
            }

            bestGap = gap;
            best = new LeadTarget(track.Id, gap, track.Vx, track.RelativeVx, 0.0);
        }

        return best;
    }
}
