namespace AutomationStack.Evaluation;

/// <summary>Thresholds a run must meet; null = not checked.</summary>
public sealed record Criteria(bool NoCollision, double? MinTimeGap, double? MinDistance, double? MaxSpeedRmsError, bool NoVehicleFailures, double? MaxStringStabilityRatio = null);

/// <summary>Run-level facts the criteria are checked against.</summary>
public sealed record RunFacts(int Collisions, IReadOnlyList<TruckKpis> Trucks, IReadOnlyList<string> FailedVehicles, IReadOnlyList<TruckPlatoonKpis>? Platoon = null);

/// <summary>Checks pass criteria; returns the list of failed criteria in words (empty = pass).</summary>
public static class PassCriteriaEvaluator
{
    public static IReadOnlyList<string> Evaluate(Criteria criteria, RunFacts facts)
    {
        ArgumentNullException.ThrowIfNull(criteria);
        ArgumentNullException.ThrowIfNull(facts);
        var failed = new List<string>();
        if (criteria.NoCollision && facts.Collisions > 0)
        {
            failed.Add(FormattableString.Invariant($"no_collision: {facts.Collisions} collision(s)"));
        }

        foreach (var truck in facts.Trucks)
        {
            if (criteria.MinTimeGap is { } minGap && truck.MinTimeGap < minGap)
            {
                failed.Add(FormattableString.Invariant($"min_time_gap: {truck.VehicleId} reached {truck.MinTimeGap:F2} s < {minGap:F2} s"));
            }

            if (criteria.MinDistance is { } minDistance && truck.MinDistance < minDistance)
            {
                failed.Add(FormattableString.Invariant($"min_distance: {truck.VehicleId} reached {truck.MinDistance:F2} m < {minDistance:F2} m"));
            }

            if (criteria.MaxSpeedRmsError is { } maxRms && truck.SpeedRmsError > maxRms)
            {
                failed.Add(FormattableString.Invariant($"max_speed_rms_error: {truck.VehicleId} had {truck.SpeedRmsError:F2} m/s > {maxRms:F2} m/s"));
            }
        }

        if (criteria.MaxStringStabilityRatio is { } maxRatio)
        {
            foreach (var truck in facts.Platoon ?? [])
            {
                if (double.IsFinite(truck.SpacingErrorRatio) && truck.SpacingErrorRatio > maxRatio)
                {
                    failed.Add(FormattableString.Invariant($"max_string_stability_ratio: {truck.VehicleId} amplified its predecessor's spacing error {truck.SpacingErrorRatio:F3}× > {maxRatio:F3}"));
                }
            }
        }

        if (criteria.NoVehicleFailures && facts.FailedVehicles.Count > 0)
        {
            failed.Add($"no_vehicle_failures: failed {string.Join(", ", facts.FailedVehicles)}");
        }

        return failed;
    }
}
