namespace AutomationStack.Traci;

/// <summary>
/// Many get (and set) commands sent as one TraCI message and answered by one reply
/// (<see cref="TraciClient.Execute"/>). The encoded commands are kept, so executing the same batch every step costs
/// no encoding; <see cref="Clear"/> empties it. Results are overwritten by each execution. Not thread-safe.
/// </summary>
public sealed class TraciBatch : IDisposable
{
    private readonly List<Entry> _entries = [];
    private TraciValue[] _results = new TraciValue[16];

    internal TraciWriter Commands { get; } = new(1024);

    internal IReadOnlyList<Entry> Entries => _entries;

    /// <summary>Number of commands in the batch.</summary>
    public int Count => _entries.Count;

    /// <summary>Result of the command added at <paramref name="index"/> (none for set commands).</summary>
    public TraciValue this[int index] => (uint)index < (uint)_entries.Count
        ? _results[index]
        : throw new ArgumentOutOfRangeException(nameof(index));

    /// <summary>Queues a vehicle variable get; returns the result index.</summary>
    public int AddVehicleGet(byte variable, string vehicleId) => AddGet(TraciCommand.GetVehicle, variable, vehicleId);

    /// <summary>Queues a traffic-light variable get (scalar, string or list variables); returns the result index.</summary>
    public int AddTrafficLightGet(byte variable, string trafficLightId) =>
        AddGet(TraciCommand.GetTrafficLight, variable, trafficLightId);

    /// <summary>Queues a simulation variable get (e.g. the departed vehicles' ids); returns the result index.</summary>
    public int AddSimulationGet(byte variable) => AddGet(TraciCommand.GetSimulation, variable, string.Empty);

    /// <summary>Queues setting a vehicle's speed, m/s (−1 hands control back to SUMO); returns the index.</summary>
    public int AddSetVehicleSpeed(string vehicleId, double speed)
    {
        ArgumentNullException.ThrowIfNull(vehicleId);
        var w = Commands;
        w.BeginCommand(TraciCommand.SetVehicle);
        w.WriteUByte(VehicleVariable.Speed);
        w.WriteString(vehicleId);
        w.WriteTypedDouble(speed);
        w.EndCommand();
        return Append(new Entry(TraciCommand.SetVehicle, VehicleVariable.Speed, vehicleId, false));
    }

    /// <summary>Queues a moveToXY (see <see cref="TraciClient.MoveVehicleToXY"/>); returns the index.</summary>
    public int AddMoveVehicleToXY(string vehicleId, string edgeId, int laneIndex, double x, double y, double angle, int keepRoute)
    {
        ArgumentNullException.ThrowIfNull(vehicleId);
        ArgumentNullException.ThrowIfNull(edgeId);
        var w = Commands;
        w.BeginCommand(TraciCommand.SetVehicle);
        w.WriteUByte(VehicleVariable.MoveToXY);
        w.WriteString(vehicleId);
        w.WriteCompoundHeader(6);
        w.WriteTypedString(edgeId);
        w.WriteTypedInt32(laneIndex);
        w.WriteTypedDouble(x);
        w.WriteTypedDouble(y);
        w.WriteTypedDouble(double.IsNaN(angle) ? TraciClient.InvalidDouble : angle);
        w.WriteTypedByte(checked((sbyte)keepRoute));
        w.EndCommand();
        return Append(new Entry(TraciCommand.SetVehicle, VehicleVariable.MoveToXY, vehicleId, false));
    }

    /// <summary>Queues setting a traffic light's state string (see <see cref="TraciClient.SetTrafficLightState"/>); returns the index.</summary>
    public int AddSetTrafficLightState(string trafficLightId, string state)
    {
        ArgumentNullException.ThrowIfNull(trafficLightId);
        ArgumentNullException.ThrowIfNull(state);
        var w = Commands;
        w.BeginCommand(TraciCommand.SetTrafficLight);
        w.WriteUByte(TrafficLightVariable.State);
        w.WriteString(trafficLightId);
        w.WriteTypedString(state);
        w.EndCommand();
        return Append(new Entry(TraciCommand.SetTrafficLight, TrafficLightVariable.State, trafficLightId, false));
    }

    internal int AddGet(byte command, byte variable, string objectId)
    {
        ArgumentNullException.ThrowIfNull(objectId);
        var w = Commands;
        w.BeginCommand(command);
        w.WriteUByte(variable);
        w.WriteString(objectId);
        w.EndCommand();
        return Append(new Entry(command, variable, objectId, true));
    }

    private int Append(Entry entry)
    {
        _entries.Add(entry);
        if (_entries.Count > _results.Length) Array.Resize(ref _results, _results.Length * 2);
        _results[_entries.Count - 1] = default;
        return _entries.Count - 1;
    }

    internal string? PreviousString(int index) => _results[index].StringOrNull;

    internal void SetResult(int index, TraciValue value) => _results[index] = value;

    /// <summary>Removes all commands and results.</summary>
    public void Clear()
    {
        _entries.Clear();
        Commands.Reset();
    }

    /// <inheritdoc />
    public void Dispose() => Commands.Dispose();

    internal readonly record struct Entry(byte Command, byte Variable, string ObjectId, bool IsGet);
}
