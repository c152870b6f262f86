namespace AutomationStack.Evaluation;

/// <summary>One vehicle's true state at one instant, as the evaluator needs it.</summary>
public readonly record struct VehicleSample(string Id, string LaneId, double S, double Length, double Speed);

/// <summary>What a stack truck was asked to do at that instant (its reference for speed tracking).</summary>
public readonly record struct TruckReference(double SetSpeed, bool DriverBraking, bool Failed);

/// <summary>Options of the evaluator (SI units).</summary>
public sealed record KpiOptions
{
    /// <summary>Time gaps are evaluated only above this ego speed, m/s (a time gap is meaningless at standstill).</summary>
    public double MinSpeedForTimeGap { get; init; } = 2.0;

    /// <summary>A vehicle ahead within this bumper gap, m, makes the truck a follower for speed tracking.</summary>
    public double FollowingRange { get; init; } = 120.0;
}

/// <summary>Per-truck KPIs of a run, from ground truth.</summary>
public sealed record TruckKpis(
    string VehicleId,
    double MinDistance,
    double MinTimeGap,
    double SpeedRmsError,
    double SpeedMaxError,
    double DistanceTravelled,
    long SpeedSamples);

/// <summary>
/// Accumulates ground-truth KPIs of the stack trucks step by step: minimum bumper distance and time gap to the
/// vehicle ahead in the same lane, and speed tracking error against the reference speed
/// min(set speed, speed of the vehicle ahead when it is within <see cref="KpiOptions.FollowingRange"/>), leaving out
/// samples where the driver brakes or the truck's process has failed. Pure: no I/O, no clock.
/// </summary>
public sealed class KpiAccumulator
{
    private readonly KpiOptions _options;
    private readonly string[] _trucks;
    private readonly double[] _minDistance;
    private readonly double[] _minTimeGap;
    private readonly double[] _sumSquaredError;
    private readonly double[] _maxError;
    private readonly long[] _samples;
    private readonly double[] _distance;
    private readonly double[] _lastS;
    private readonly bool[] _seen;

    public KpiAccumulator(IReadOnlyList<string> truckIds, KpiOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(truckIds);
        _options = options ?? new KpiOptions();
        _trucks = [.. truckIds];
        var n = _trucks.Length;
        _minDistance = new double[n];
        _minTimeGap = new double[n];
        _sumSquaredError = new double[n];
        _maxError = new double[n];
        _samples = new long[n];
        _distance = new double[n];
        _lastS = new double[n];
        _seen = new bool[n];
        Array.Fill(_minDistance, double.PositiveInfinity);
        Array.Fill(_minTimeGap, double.PositiveInfinity);
    }

    public IReadOnlyList<string> TruckIds => _trucks;

    /// <summary>Adds one instant. <paramref name="references"/> is indexed like the truck ids.</summary>
    public void Observe(ReadOnlySpan<VehicleSample> vehicles, ReadOnlySpan<TruckReference> references)
    {
        if (references.Length != _trucks.Length)
        {
            throw new ArgumentException("One reference per truck is required.", nameof(references));
        }

        for (var t = 0; t < _trucks.Length; t++)
        {
            var egoIndex = IndexOf(vehicles, _trucks[t]);
            if (egoIndex < 0)
            {
                continue;
            }

            var ego = vehicles[egoIndex];
            if (_seen[t])
            {
                _distance[t] += Math.Abs(ego.S - _lastS[t]);
            }

            _seen[t] = true;
            _lastS[t] = ego.S;

            var leadIndex = LeadOf(vehicles, egoIndex);
            var reference = references[t];
            var target = reference.SetSpeed;
            if (leadIndex >= 0)
            {
                var lead = vehicles[leadIndex];
                var gap = lead.S - ego.S - ((lead.Length + ego.Length) / 2);
                _minDistance[t] = Math.Min(_minDistance[t], gap);
                if (ego.Speed > _options.MinSpeedForTimeGap)
                {
                    _minTimeGap[t] = Math.Min(_minTimeGap[t], gap / ego.Speed);
                }

                if (gap < _options.FollowingRange)
                {
                    target = Math.Min(target, lead.Speed);
                }
            }

            if (!reference.DriverBraking && !reference.Failed)
            {
                var error = Math.Abs(ego.Speed - target);
                _sumSquaredError[t] += error * error;
                _maxError[t] = Math.Max(_maxError[t], error);
                _samples[t]++;
            }
        }
    }

    public TruckKpis Result(int truckIndex) => new(
        _trucks[truckIndex],
        _minDistance[truckIndex],
        _minTimeGap[truckIndex],
        _samples[truckIndex] > 0 ? Math.Sqrt(_sumSquaredError[truckIndex] / _samples[truckIndex]) : 0.0,
        _maxError[truckIndex],
        _distance[truckIndex],
        _samples[truckIndex]);

    internal static int IndexOf(ReadOnlySpan<VehicleSample> vehicles, string id)
    {
        for (var i = 0; i < vehicles.Length; i++)
        {
            if (string.Equals(vehicles[i].Id, id, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Nearest vehicle ahead in the same lane, or −1.</summary>
    internal static int LeadOf(ReadOnlySpan<VehicleSample> vehicles, int egoIndex)
    {
        var ego = vehicles[egoIndex];
        var best = -1;
        var bestS = double.PositiveInfinity;
        for (var i = 0; i < vehicles.Length; i++)
        {
            if (i == egoIndex || !string.Equals(vehicles[i].LaneId, ego.LaneId, StringComparison.Ordinal))
            {
                continue;
            }

            var s = vehicles[i].S;
            if (s > ego.S && s < bestS)
            {
                bestS = s;
                best = i;
            }
        }

        return best;
    }
}
