namespace AutomationStack.Evaluation;

/// <summary>
/// One stack truck's platoon-related state at one instant: true acceleration m/s², the desired gap m its controller
/// holds (NaN when unknown), and its platoon state, role and longitudinal mode as the vehicle reported them (empty when
/// platooning is off).
/// </summary>
public readonly record struct TruckPlatoonSample(double Acceleration, double DesiredGap, string State, string Role, string Mode);

/// <summary>Platoon KPIs of one truck (SI units; NaN where not applicable).</summary>
public sealed record TruckPlatoonKpis(
    string VehicleId,
    string? PredecessorId,
    double PeakSpacingError,
    double PeakAcceleration,
    double SpacingErrorRatio,
    double AccelerationRatio,
    double CaccShare,
    IReadOnlyList<double> JoinDurations,
    IReadOnlyList<double> FallbackDelays);

/// <summary>
/// String stability and platoon behaviour from ground truth and the trucks' reported modes: per truck the peak
/// |spacing error| (true bumper gap to the stack truck ahead in its lane minus the desired gap) and peak |acceleration|
/// from <see cref="WindowStart"/> on; the ratio of each to the same figure of the stack truck ahead (follower i over
/// follower i − 1; for accelerations also the first follower over the leader); the share of time in CACC; how long
/// each join or merge took (JoinRequested → Platooning as a follower); and each CACC → ACC fallback's delay after the
/// last V2X channel change (<see cref="NoteChannelChange"/>). Pure; no clock.
/// </summary>
public sealed class PlatoonKpiAccumulator
{
    private readonly string[] _trucks;
    private readonly double[] _peakError;
    private readonly double[] _peakAcceleration;
    private readonly string?[] _predecessor;
    private readonly long[] _samples;
    private readonly long[] _caccSamples;
    private readonly string[] _lastState;
    private readonly string[] _lastMode;
    private readonly double[] _joinStart;
    private readonly List<double>[] _joins;
    private readonly List<double>[] _fallbacks;
    private double _lastChannelChange = double.NaN;

    public PlatoonKpiAccumulator(IReadOnlyList<string> truckIds, double windowStart)
    {
        ArgumentNullException.ThrowIfNull(truckIds);
        _trucks = [.. truckIds];
        WindowStart = windowStart;
        var n = _trucks.Length;
        _peakError = new double[n];
        _peakAcceleration = new double[n];
        _predecessor = new string?[n];
        _samples = new long[n];
        _caccSamples = new long[n];
        _lastState = new string[n];
        _lastMode = new string[n];
        _joinStart = new double[n];
        _joins = [.. Enumerable.Range(0, n).Select(_ => new List<double>())];
        _fallbacks = [.. Enumerable.Range(0, n).Select(_ => new List<double>())];
        Array.Fill(_lastState, string.Empty);
        Array.Fill(_lastMode, string.Empty);
        Array.Fill(_joinStart, double.NaN);
    }

    /// <summary>Peaks and ratios count from this simulated time on, s (engagement transients before it are left out).</summary>
    public double WindowStart { get; }

    /// <summary>The V2X channel model changed at <paramref name="time"/> s (a scenario `v2x` event).</summary>
    public void NoteChannelChange(double time) => _lastChannelChange = time;

    /// <summary>Adds one instant; <paramref name="trucks"/> is indexed like the truck ids.</summary>
    public void Observe(double time, ReadOnlySpan<VehicleSample> vehicles, ReadOnlySpan<TruckPlatoonSample> trucks)
    {
        if (trucks.Length != _trucks.Length)
        {
            throw new ArgumentException("One sample per truck is required.", nameof(trucks));
        }

        for (var t = 0; t < _trucks.Length; t++)
        {
            var sample = trucks[t];
            Transitions(t, time, sample);
            var egoIndex = KpiAccumulator.IndexOf(vehicles, _trucks[t]);
            if (egoIndex < 0 || time < WindowStart)
            {
                continue;
            }

            _samples[t]++;
            if (string.Equals(sample.Mode, "Cacc", StringComparison.Ordinal))
            {
                _caccSamples[t]++;
            }

            _peakAcceleration[t] = Math.Max(_peakAcceleration[t], Math.Abs(sample.Acceleration));
            var leadIndex = KpiAccumulator.LeadOf(vehicles, egoIndex);
            if (leadIndex < 0 || Array.IndexOf(_trucks, vehicles[leadIndex].Id) < 0)
            {
                continue;
            }

            var ego = vehicles[egoIndex];
            var lead = vehicles[leadIndex];
            _predecessor[t] = lead.Id;
            if (double.IsFinite(sample.DesiredGap))
            {
                var gap = lead.S - ego.S - ((lead.Length + ego.Length) / 2);
                _peakError[t] = Math.Max(_peakError[t], Math.Abs(gap - sample.DesiredGap));
            }
        }
    }

    public TruckPlatoonKpis Result(int truckIndex)
    {
        var predecessor = _predecessor[truckIndex];
        var p = predecessor is null ? -1 : Array.IndexOf(_trucks, predecessor);
        var errorRatio = p >= 0 && _predecessor[p] is not null && _peakError[p] > 0 ? _peakError[truckIndex] / _peakError[p] : double.NaN;
        var accelerationRatio = p >= 0 && _peakAcceleration[p] > 0 ? _peakAcceleration[truckIndex] / _peakAcceleration[p] : double.NaN;
        return new TruckPlatoonKpis(
            _trucks[truckIndex],
            predecessor,
            predecessor is null ? double.NaN : _peakError[truckIndex],
            _peakAcceleration[truckIndex],
            errorRatio,
            accelerationRatio,
            _samples[truckIndex] > 0 ? _caccSamples[truckIndex] / (double)_samples[truckIndex] : 0.0,
            _joins[truckIndex],
            _fallbacks[truckIndex]);
    }

    private void Transitions(int t, double time, in TruckPlatoonSample sample)
    {
        var state = sample.State ?? string.Empty;
        var mode = sample.Mode ?? string.Empty;
        if (!string.Equals(state, _lastState[t], StringComparison.Ordinal))
        {
            if (string.Equals(state, "JoinRequested", StringComparison.Ordinal) && double.IsNaN(_joinStart[t]))
            {
                _joinStart[t] = time;
            }
            else if (string.Equals(state, "Platooning", StringComparison.Ordinal) && string.Equals(sample.Role, "Follower", StringComparison.Ordinal) && !double.IsNaN(_joinStart[t]))
            {
                _joins[t].Add(time - _joinStart[t]);
                _joinStart[t] = double.NaN;
            }
            else if (string.Equals(state, "StandAlone", StringComparison.Ordinal))
            {
                _joinStart[t] = double.NaN;
            }

            _lastState[t] = state;
        }

        if (!string.Equals(mode, _lastMode[t], StringComparison.Ordinal))
        {
            if (string.Equals(_lastMode[t], "Cacc", StringComparison.Ordinal) && string.Equals(mode, "Acc", StringComparison.Ordinal))
            {
                _fallbacks[t].Add(double.IsNaN(_lastChannelChange) ? double.NaN : time - _lastChannelChange);
            }

            _lastMode[t] = mode;
        }
    }
}
