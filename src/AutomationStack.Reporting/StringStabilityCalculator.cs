namespace AutomationStack.Reporting;

/// <summary>One platoon member's true series, for <see cref="StringStabilityCalculator"/>.</summary>
public readonly record struct MemberSeries(string VehicleId, IReadOnlyList<double> Time, IReadOnlyList<double> Speed, IReadOnlyList<double> Acceleration);

/// <summary>
/// String stability of a platoon from true series (pure). For each member, over the samples with time ≥ window start:
/// peak |acceleration| (the figure <c>kpi.json</c>'s <c>string_stability.peak_acceleration</c> also holds) and the
/// speed amplitude, half of (max speed − min speed). A disturbance that shrinks down the platoon gives ratios below 1:
/// each member's figure over its predecessor's and over the leader's. Ratios are NaN for the leader and where the
/// reference figure is 0; a member without samples in the window has NaN figures.
/// </summary>
public static class StringStabilityCalculator
{
    /// <summary><paramref name="membersLeaderFirst"/>: the platoon in order, leader first.</summary>
    public static PlatoonStability Compute(IReadOnlyList<MemberSeries> membersLeaderFirst, double windowStart)
    {
        ArgumentNullException.ThrowIfNull(membersLeaderFirst);
        var rows = new List<StringStabilityRow>(membersLeaderFirst.Count);
        var peaks = new double[membersLeaderFirst.Count];
        var amplitudes = new double[membersLeaderFirst.Count];
        for (var i = 0; i < membersLeaderFirst.Count; i++)
        {
            (peaks[i], amplitudes[i]) = Figures(membersLeaderFirst[i], windowStart);
            var predecessor = i > 0 ? membersLeaderFirst[i - 1].VehicleId : null;
            rows.Add(new StringStabilityRow(
                i,
                membersLeaderFirst[i].VehicleId,
                predecessor,
                peaks[i],
                amplitudes[i],
                i > 0 ? Ratio(peaks[i], peaks[i - 1]) : double.NaN,
                i > 0 ? Ratio(peaks[i], peaks[0]) : double.NaN,
                i > 0 ? Ratio(amplitudes[i], amplitudes[0]) : double.NaN));
        }

        return new PlatoonStability(windowStart, rows);
    }

    /// <summary>Peak |a| m/s² and speed amplitude m/s over the window; NaN, NaN without samples in it.</summary>
    public static (double PeakAcceleration, double SpeedAmplitude) Figures(MemberSeries member, double windowStart)
    {
        var peak = 0.0;
        var min = double.PositiveInfinity;
        var max = double.NegativeInfinity;
        var any = false;
        for (var k = 0; k < member.Time.Count; k++)
        {
            if (member.Time[k] < windowStart)
            {
                continue;
            }

            any = true;
            peak = Math.Max(peak, Math.Abs(member.Acceleration[k]));
            min = Math.Min(min, member.Speed[k]);
            max = Math.Max(max, member.Speed[k]);
        }

        return any ? (peak, (max - min) / 2) : (double.NaN, double.NaN);
    }

    private static double Ratio(double value, double reference) =>
        reference > 0 && double.IsFinite(reference) && double.IsFinite(value) ? value / reference : double.NaN;
}
