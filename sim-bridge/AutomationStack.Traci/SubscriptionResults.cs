using System.Text;

namespace AutomationStack.Traci;

/// <summary>
/// The latest values of one subscribed object (vehicle or traffic light). The instance and its value arrays are
/// reused from step to step: numeric values are overwritten in place, strings are reused when unchanged.
/// </summary>
public sealed class SubscribedObject
{
    private byte[] _variables = new byte[8];
    private TraciValue[] _values = new TraciValue[8];

    internal SubscribedObject(string id) => Id = id;

    /// <summary>Object id (vehicle id or traffic-light id).</summary>
    public string Id { get; }

    /// <summary>Number of variables in the last result.</summary>
    public int Count { get; private set; }

    internal long Generation { get; set; }

    /// <summary>Variable id of entry <paramref name="index"/>.</summary>
    public byte VariableAt(int index) => (uint)index < (uint)Count ? _variables[index] : throw new ArgumentOutOfRangeException(nameof(index));

    /// <summary>Value of entry <paramref name="index"/>.</summary>
    public TraciValue ValueAt(int index) => (uint)index < (uint)Count ? _values[index] : throw new ArgumentOutOfRangeException(nameof(index));

    /// <summary>Looks up a variable of the last result.</summary>
    public bool TryGet(byte variable, out TraciValue value)
    {
        for (int i = 0; i < Count; i++)
        {
            if (_variables[i] == variable)
            {
                value = _values[i];
                return value.Kind != TraciValueKind.None;
            }
        }

        value = default;
        return false;
    }

    /// <summary>A subscribed double variable.</summary>
    /// <exception cref="KeyNotFoundException">The variable is not part of the subscription result.</exception>
    public double GetDouble(byte variable) => Get(variable).AsDouble();

    /// <summary>A subscribed position variable, m.</summary>
    /// <exception cref="KeyNotFoundException">The variable is not part of the subscription result.</exception>
    public TraciPosition GetPosition(byte variable) => Get(variable).AsPosition();

    /// <summary>A subscribed string variable.</summary>
    /// <exception cref="KeyNotFoundException">The variable is not part of the subscription result.</exception>
    public string GetString(byte variable) => Get(variable).AsString();

    /// <summary>A subscribed integer variable.</summary>
    /// <exception cref="KeyNotFoundException">The variable is not part of the subscription result.</exception>
    public int GetInt(byte variable) => Get(variable).AsInt();

    private TraciValue Get(byte variable) => TryGet(variable, out var value)
        ? value
        : throw new KeyNotFoundException($"Variable 0x{variable:X2} is not in the subscription result of '{Id}'.");

    internal void Resize(int count)
    {
        if (count > _variables.Length)
        {
            int size = Math.Max(count, _variables.Length * 2);
            Array.Resize(ref _variables, size);
            Array.Resize(ref _values, size);
        }

        Count = count;
    }

    internal string? PreviousString(int index, byte variable) =>
        index < _variables.Length && _variables[index] == variable ? _values[index].StringOrNull : null;

    internal void Set(int index, byte variable, TraciValue value)
    {
        _variables[index] = variable;
        _values[index] = value;
    }
}

/// <summary>
/// Subscription results of one domain, refreshed by every <see cref="TraciClient.SimulationStep"/>. Objects are
/// kept and reused across steps; an object that is missing from a step's reply (vehicle arrived, subscription
/// ended) is dropped. Not thread-safe: read it on the thread that steps the client.
/// </summary>
public sealed class SubscriptionResults
{
    private readonly Dictionary<string, SubscribedObject> _objects = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SubscribedObject>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private readonly List<SubscribedObject> _current = [];
    private readonly List<string> _stale = [];
    private long _generation;

    internal SubscriptionResults() => _lookup = _objects.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>Objects with results in the last step, in SUMO's order.</summary>
    public IReadOnlyList<SubscribedObject> Current => _current;

    /// <summary>The object's results of the last step, if it had any.</summary>
    public bool TryGet(string id, out SubscribedObject result)
    {
        if (_objects.TryGetValue(id, out var found) && found.Generation == _generation)
        {
            result = found;
            return true;
        }

        result = null!;
        return false;
    }

    internal void BeginStep()
    {
        _generation++;
        _current.Clear();
    }

    internal void EndStep()
    {
        if (_objects.Count == _current.Count) return;
        foreach (var (id, obj) in _objects)
        {
            if (obj.Generation != _generation) _stale.Add(id);
        }

        foreach (var id in _stale) _objects.Remove(id);
        _stale.Clear();
    }

    internal SubscribedObject Touch(ReadOnlySpan<byte> idBytes)
    {
        SubscribedObject? obj = null;
        if (idBytes.Length <= 256)
        {
            Span<char> chars = stackalloc char[256];
            int n = Encoding.UTF8.GetChars(idBytes, chars);
            _lookup.TryGetValue(chars[..n], out obj);
        }
        else
        {
            _objects.TryGetValue(Encoding.UTF8.GetString(idBytes), out obj);
        }

        if (obj is null)
        {
            obj = new SubscribedObject(Encoding.UTF8.GetString(idBytes));
            _objects[obj.Id] = obj;
        }

        if (obj.Generation != _generation)
        {
            obj.Generation = _generation;
            _current.Add(obj);
        }

        return obj;
    }
}
