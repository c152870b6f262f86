using System.Globalization;
using AutomationStack.Contracts;
using AutomationStack.Geometry;

namespace AutomationStack.Scenarios;

/// <summary>
/// Turns a scenario's events into what each stack vehicle's driver does, frame by frame. Deterministic: set-speed
/// profiles are closed-form functions of simulated time anchored at each event's scheduled time, so the result does
/// not depend on when frames happen to fall. Stateful (brake events end on the vehicle's true speed) and not
/// thread-safe.
/// <list type="bullet">
/// <item><see cref="SetSpeedEvent"/> replaces any running ramp or sinusoid with a constant set speed.</item>
/// <item><see cref="RampEvent"/> moves the set speed from its value at At towards Speed at Rate, then holds it.</item>
/// <item><see cref="SinusoidEvent"/> oscillates around the set speed at At for Duration, then returns to it.</item>
/// <item><see cref="BrakeEvent"/> sets BrakeDeceleration (set speed unchanged) until the true speed is at most
/// UntilSpeed or MaxDuration has passed; a later brake event replaces a running one.</item>
/// </list>
/// The set speed never goes below 0.
/// </summary>
public sealed class DriverInputSchedule
{
    private readonly Dictionary<string, VehicleSchedule> _vehicles = new(StringComparer.Ordinal);
    private readonly List<string> _started = [];

    public DriverInputSchedule(Scenario scenario)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        foreach (var vehicle in scenario.Vehicles)
        {
            if (vehicle.Role == VehicleRole.Stack)
            {
                var events = scenario.Events.Where(e => e is not SensorDropoutEvent && string.Equals(e.VehicleId, vehicle.Id, StringComparison.Ordinal)).OrderBy(e => e.At).ToArray();
                _vehicles.Add(vehicle.Id, new VehicleSchedule(vehicle.Id, vehicle.SetSpeed, events));
            }
        }
    }

    /// <summary>
    /// The driver input of stack vehicle <paramref name="vehicleId"/> at simulated <paramref name="time"/> (s), given its
    /// true speed (m/s). Call once per vehicle per frame with nondecreasing time. Throws <see cref="ArgumentException"/>
    /// for an id that is not a stack vehicle and <see cref="InvalidOperationException"/> when time goes backwards.
    /// </summary>
    public DriverInput Evaluate(string vehicleId, double time, double trueSpeed)
    {
        ArgumentNullException.ThrowIfNull(vehicleId);
        if (!_vehicles.TryGetValue(vehicleId, out var schedule))
        {
            throw new ArgumentException($"'{vehicleId}' is not a stack vehicle of this scenario.", nameof(vehicleId));
        }

        return schedule.Evaluate(time, trueSpeed, _started);
    }

    /// <summary>Descriptions of the events that began (and brake applications that ended) since the last call.</summary>
    public IReadOnlyList<string> DrainStartedEvents()
    {
        var drained = _started.ToArray();
        _started.Clear();
        return drained;
    }

    private static string Kph(double speed) => Units.MetresPerSecondToKph(speed).ToString("0.#", CultureInfo.InvariantCulture);

    private static string Num(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);

    private sealed class VehicleSchedule(string id, double initialSetSpeed, ScenarioEvent[] events)
    {
        private SetSpeedProfile _profile = SetSpeedProfile.Constant(initialSetSpeed);
        private BrakeEvent? _brake;
        private PlatoonRequest _platoon;
        private int _next;
        private double _lastTime = double.NegativeInfinity;

        public DriverInput Evaluate(double time, double trueSpeed, List<string> log)
        {
            if (time < _lastTime)
            {
                throw new InvalidOperationException($"Time went backwards for '{id}': {time} after {_lastTime}.");
            }

            _lastTime = time;
            while (_next < events.Length && events[_next].At <= time)
            {
                Start(events[_next++], log);
            }

            var deceleration = 0.0;
            if (_brake is { } brake)
            {
                if (trueSpeed <= brake.UntilSpeed)
                {
                    log.Add($"t={Num(time, "0.00")} s {id}: brake released at {Kph(trueSpeed)} km/h (target {Kph(brake.UntilSpeed)} km/h reached)");
                    _brake = null;
                }
                else if (time >= brake.At + brake.MaxDuration)
                {
                    log.Add($"t={Num(time, "0.00")} s {id}: brake released after {Num(brake.MaxDuration, "0.##")} s at {Kph(trueSpeed)} km/h");
                    _brake = null;
                }
                else
                {
                    deceleration = brake.Deceleration;
                }
            }

            return new DriverInput(Math.Max(0.0, _profile.ValueAt(time)), deceleration, _platoon);
        }

        private void Start(ScenarioEvent e, List<string> log)
        {
            var current = Math.Max(0.0, _profile.ValueAt(e.At));
            var prefix = $"t={Num(e.At, "0.00")} s {id}:";
            switch (e)
            {
                case SetSpeedEvent s:
                    _profile = SetSpeedProfile.Constant(s.Speed);
                    log.Add($"{prefix} set speed {Kph(current)} -> {Kph(s.Speed)} km/h");
                    break;
                case RampEvent r:
                    _profile = SetSpeedProfile.Ramp(current, r.Speed, r.Rate, r.At);
                    log.Add($"{prefix} set speed ramp {Kph(current)} -> {Kph(r.Speed)} km/h at {Num(r.Rate, "0.###")} m/s²");
                    break;
                case SinusoidEvent w:
                    _profile = SetSpeedProfile.Sinusoid(current, w.Amplitude, w.Frequency, w.At, w.Duration);
                    log.Add($"{prefix} set speed sinusoid {Kph(current)} ± {Kph(w.Amplitude)} km/h at {Num(w.Frequency, "0.###")} Hz for {Num(w.Duration, "0.##")} s");
                    break;
                case PlatoonEvent p:
                    _platoon = new PlatoonRequest(p.Command, p.PlatoonId, p.Index, p.TimeGap, _platoon.Sequence + 1);
                    log.Add($"{prefix} platoon request {p.Command.ToString().ToLowerInvariant()}{(p.PlatoonId != 0 ? $" platoon {p.PlatoonId}" : string.Empty)}{(p.Index != 0 ? $" index {p.Index}" : string.Empty)}{(p.TimeGap > 0 ? $" time gap {Num(p.TimeGap, "0.##")} s" : string.Empty)}");
                    break;
                case BrakeEvent b:
                    _brake = b;
                    log.Add($"{prefix} brake pedal {Num(b.Deceleration, "0.##")} m/s² until {Kph(b.UntilSpeed)} km/h (at most {Num(b.MaxDuration, "0.##")} s)");
                    break;
                default:
                    throw new NotSupportedException($"Unknown scenario event {e.GetType().Name}.");
            }
        }
    }

    /// <summary>Set speed as a closed-form function of time.</summary>
    private readonly record struct SetSpeedProfile(
        ProfileKind Kind, double Base, double Target, double Rate, double Start, double Amplitude, double Frequency, double Duration)
    {
        public static SetSpeedProfile Constant(double speed) => new(ProfileKind.Constant, speed, speed, 0, 0, 0, 0, 0);

        public static SetSpeedProfile Ramp(double from, double to, double rate, double start) => new(ProfileKind.Ramp, from, to, rate, start, 0, 0, 0);

        public static SetSpeedProfile Sinusoid(double center, double amplitude, double frequency, double start, double duration) =>
            new(ProfileKind.Sinusoid, center, center, 0, start, amplitude, frequency, duration);

        public double ValueAt(double time)
        {
            var elapsed = Math.Max(0.0, time - Start);
            switch (Kind)
            {
                case ProfileKind.Ramp:
                    var change = Rate * elapsed;
                    return Target >= Base ? Math.Min(Target, Base + change) : Math.Max(Target, Base - change);
                case ProfileKind.Sinusoid:
                    return elapsed < Duration ? Base + (Amplitude * Math.Sin(2.0 * Math.PI * Frequency * elapsed)) : Base;
                default:
                    return Base;
            }
        }
    }

    private enum ProfileKind
    {
        Constant,
        Ramp,
        Sinusoid,
    }
}
