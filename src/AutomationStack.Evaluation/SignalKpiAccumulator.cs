namespace AutomationStack.Evaluation;

/// <summary>A stop line of a signal group on one lane: arc length <see cref="S"/> along the lane, m.</summary>
public readonly record struct StopLineSite(int IntersectionId, int SignalGroup, string LaneId, double S);

/// <summary>A signal group's state as recorded (the controller's truth, not what a vehicle believed).</summary>
public enum LineSignalState
{
    Dark = 0,
    Red = 1,
    Amber = 2,
    Green = 3,
}

/// <summary>One truck's front crossing one stop line: when, in which state, and which green period of that line it belongs to.</summary>
public readonly record struct StopLineCrossing(string TruckId, int StopLine, double Time, LineSignalState State, int GreenPeriod);

/// <summary>Per-truck figures at signals: red-light violations, crossings on amber, stops and traction energy per unit mass (J/kg).</summary>
public sealed record TruckSignalKpis(string TruckId, int RedLightViolations, int AmberCrossings, int Crossings, int Stops, double TractionEnergy);

/// <summary>A platoon passing one stop line: the members in order, and whether all of them crossed in the same green period.</summary>
public sealed record PlatoonCrossing(int StopLine, IReadOnlyList<string> Members, bool Intact);

/// <summary>
/// KPIs at signalised stop lines from ground truth: a truck's front bumper (centre s + length / 2) crossing a stop
/// line of its lane is a crossing, in the state the controller showed at that instant; red is a violation. A green
/// period is the run of non-red states (green, then amber) between two reds of a line: a platoon is intact at a line
/// when its members crossed it in the same period (nobody was stopped and left behind). Stops: the speed falling
/// under <see cref="StopSpeed"/> after having been above <see cref="MovingSpeed"/>. Traction energy: ∫ max(a, 0)·v dt
/// per unit mass, a from successive speeds. Pure.
/// </summary>
public sealed class SignalKpiAccumulator
{
    /// <summary>Speed under which a truck counts as stopped, m/s.</summary>
    public const double StopSpeed = 0.5;

    /// <summary>Speed a truck must exceed before it can count a new stop, m/s.</summary>
    public const double MovingSpeed = 2.0;

    private readonly string[] _trucks;
    private readonly StopLineSite[] _lines;
    private readonly int[] _greenPeriod;
    private readonly LineSignalState[] _lastState;
    private readonly double[] _lastFront;
    private readonly string?[] _lastLane;
    private readonly double[] _lastSpeed;
    private readonly double[] _lastTime;
    private readonly bool[] _stopped;
    private readonly int[] _violations;
    private readonly int[] _amber;
    private readonly int[] _crossings;
    private readonly int[] _stops;
    private readonly double[] _energy;
    private readonly List<StopLineCrossing> _events = [];

    public SignalKpiAccumulator(IReadOnlyList<string> truckIds, IReadOnlyList<StopLineSite> stopLines)
    {
        ArgumentNullException.ThrowIfNull(truckIds);
        ArgumentNullException.ThrowIfNull(stopLines);
        _trucks = [.. truckIds];
        _lines = [.. stopLines];
        _greenPeriod = new int[_lines.Length];
        _lastState = new LineSignalState[_lines.Length];
        var n = _trucks.Length;
        _lastFront = new double[n];
        _lastLane = new string?[n];
        _lastSpeed = new double[n];
        _lastTime = new double[n];
        _stopped = new bool[n];
        _violations = new int[n];
        _amber = new int[n];
        _crossings = new int[n];
        _stops = new int[n];
        _energy = new double[n];
        Array.Fill(_lastTime, double.NaN);
    }

    public IReadOnlyList<StopLineSite> StopLines => _lines;

    /// <summary>Every crossing so far, in time order.</summary>
    public IReadOnlyList<StopLineCrossing> Crossings => _events;

    /// <summary>Adds one instant: the vehicles (trucks found by id) and each stop line's state, indexed like <see cref="StopLines"/>.</summary>
    public void Observe(double time, ReadOnlySpan<VehicleSample> vehicles, ReadOnlySpan<LineSignalState> lineStates)
    {
        if (lineStates.Length != _lines.Length)
        {
            throw new ArgumentException($"One state per stop line is required ({_lines.Length}).", nameof(lineStates));
        }

        for (var l = 0; l < _lines.Length; l++)
        {
            if (lineStates[l] is LineSignalState.Green or LineSignalState.Amber && _lastState[l] is LineSignalState.Red or LineSignalState.Dark)
            {
                _greenPeriod[l]++;
            }

            _lastState[l] = lineStates[l];
        }

        for (var t = 0; t < _trucks.Length; t++)
        {
            var index = IndexOf(vehicles, _trucks[t]);
            if (index < 0)
            {
                continue;
            }

            var v = vehicles[index];
            var front = v.S + (0.5 * v.Length);
            if (!double.IsNaN(_lastTime[t]))
            {
                var dt = time - _lastTime[t];
                var a = dt > 0 ? (v.Speed - _lastSpeed[t]) / dt : 0.0;
                if (a > 0)
                {
                    _energy[t] += a * 0.5 * (v.Speed + _lastSpeed[t]) * dt;
                }

                if (_lastLane[t] == v.LaneId)
                {
                    for (var l = 0; l < _lines.Length; l++)
                    {
                        var line = _lines[l];
                        if (line.LaneId == v.LaneId && _lastFront[t] < line.S && front >= line.S)
                        {
                            Cross(t, l, time, lineStates[l]);
                        }
                    }
                }
            }

            if (v.Speed < StopSpeed && !_stopped[t] && !double.IsNaN(_lastTime[t]))
            {
                _stopped[t] = true;
                _stops[t]++;
            }
            else if (v.Speed > MovingSpeed)
            {
                _stopped[t] = false;
            }

            _lastFront[t] = front;
            _lastLane[t] = v.LaneId;
            _lastSpeed[t] = v.Speed;
            _lastTime[t] = time;
        }
    }

    public TruckSignalKpis Result(int truckIndex) =>
        new(_trucks[truckIndex], _violations[truckIndex], _amber[truckIndex], _crossings[truckIndex], _stops[truckIndex], _energy[truckIndex]);

    /// <summary>
    /// The platoon's passages: for each crossing of a stop line by <paramref name="members"/>[0] (the leader), whether
    /// every other member crossed the same line in the same green period. A member that never crossed it counts as
    /// left behind.
    /// </summary>
    public IReadOnlyList<PlatoonCrossing> PlatoonCrossings(IReadOnlyList<string> members)
    {
        ArgumentNullException.ThrowIfNull(members);
        var result = new List<PlatoonCrossing>();
        if (members.Count == 0)
        {
            return result;
        }

        foreach (var lead in _events)
        {
            if (lead.TruckId != members[0])
            {
                continue;
            }

            var intact = true;
            for (var m = 1; m < members.Count && intact; m++)
            {
                var follower = members[m];
                intact = _events.Exists(e => e.TruckId == follower && e.StopLine == lead.StopLine && e.GreenPeriod == lead.GreenPeriod
                    && e.State != LineSignalState.Red);
            }

            result.Add(new PlatoonCrossing(lead.StopLine, members, intact));
        }

        return result;
    }

    private void Cross(int truck, int line, double time, LineSignalState state)
    {
        _crossings[truck]++;
        if (state == LineSignalState.Red)
        {
            _violations[truck]++;
        }
        else if (state == LineSignalState.Amber)
        {
            _amber[truck]++;
        }

        _events.Add(new StopLineCrossing(_trucks[truck], line, time, state, _greenPeriod[line]));
    }

    private static int IndexOf(ReadOnlySpan<VehicleSample> vehicles, string id)
    {
        for (var i = 0; i < vehicles.Length; i++)
        {
            if (vehicles[i].Id == id)
            {
                return i;
            }
        }

        return -1;
    }
}
