using System.Globalization;

namespace AutomationStack.Traci;

/// <summary>A position in SUMO's network coordinates, m (z is 0 for 2D positions).</summary>
/// <param name="X">East, m.</param>
/// <param name="Y">North, m.</param>
/// <param name="Z">Up, m.</param>
public readonly record struct TraciPosition(double X, double Y, double Z);

/// <summary>What a <see cref="TraciValue"/> holds.</summary>
public enum TraciValueKind
{
    /// <summary>No value (not read yet, or SUMO reported an error for this variable).</summary>
    None = 0,
    /// <summary>Integer (TraCI ubyte, byte or int).</summary>
    Int,
    /// <summary>Double.</summary>
    Double,
    /// <summary>2D or 3D position.</summary>
    Position,
    /// <summary>String.</summary>
    String,
    /// <summary>String list.</summary>
    StringList,
    /// <summary>Double list.</summary>
    DoubleList,
}

/// <summary>
/// One typed value read from a TraCI reply (batch result or subscription variable). A struct so that numeric
/// results can be overwritten in place every step without allocating.
/// </summary>
public readonly struct TraciValue
{
    private readonly double _x;
    private readonly double _y;
    private readonly double _z;
    private readonly long _int;
    private readonly object? _ref;

    private TraciValue(TraciValueKind kind, double x, double y, double z, long i, object? r, bool is3D)
    {
        Kind = kind;
        _x = x;
        _y = y;
        _z = z;
        _int = i;
        _ref = r;
        Is3D = is3D;
    }

    /// <summary>What this value holds.</summary>
    public TraciValueKind Kind { get; }

    /// <summary>True for a 3D position.</summary>
    public bool Is3D { get; }

    internal static TraciValue FromInt(TraciValueKind kind, int value) => new(kind, 0, 0, 0, value, null, false);
    internal static TraciValue FromDouble(double value) => new(TraciValueKind.Double, value, 0, 0, 0, null, false);
    internal static TraciValue FromPosition(TraciPosition p, bool is3D) => new(TraciValueKind.Position, p.X, p.Y, p.Z, 0, null, is3D);
    internal static TraciValue FromString(string value) => new(TraciValueKind.String, 0, 0, 0, 0, value, false);
    internal static TraciValue FromStringList(string[] value) => new(TraciValueKind.StringList, 0, 0, 0, 0, value, false);
    internal static TraciValue FromDoubleList(double[] value) => new(TraciValueKind.DoubleList, 0, 0, 0, 0, value, false);
    internal static TraciValue Error(string message) => new(TraciValueKind.None, 0, 0, 0, 0, message, false);

    /// <summary>For <see cref="TraciValueKind.None"/> values that SUMO refused: SUMO's error text, else null.</summary>
    public string? ErrorText => Kind == TraciValueKind.None ? _ref as string : null;

    /// <summary>The integer value.</summary>
    /// <exception cref="InvalidOperationException">The value is not an integer.</exception>
    public int AsInt() => Kind == TraciValueKind.Int ? (int)_int : throw Wrong(TraciValueKind.Int);

    /// <summary>The double value (integers are widened).</summary>
    /// <exception cref="InvalidOperationException">The value is not numeric.</exception>
    public double AsDouble() => Kind switch
    {
        TraciValueKind.Double => _x,
        TraciValueKind.Int => _int,
        _ => throw Wrong(TraciValueKind.Double),
    };

    /// <summary>The position value, m.</summary>
    /// <exception cref="InvalidOperationException">The value is not a position.</exception>
    public TraciPosition AsPosition() => Kind == TraciValueKind.Position ? new TraciPosition(_x, _y, _z) : throw Wrong(TraciValueKind.Position);

    /// <summary>The string value.</summary>
    /// <exception cref="InvalidOperationException">The value is not a string.</exception>
    public string AsString() => Kind == TraciValueKind.String ? (string)_ref! : throw Wrong(TraciValueKind.String);

    /// <summary>The string-list value.</summary>
    /// <exception cref="InvalidOperationException">The value is not a string list.</exception>
    public IReadOnlyList<string> AsStringList() => Kind == TraciValueKind.StringList ? (string[])_ref! : throw Wrong(TraciValueKind.StringList);

    /// <summary>The double-list value.</summary>
    /// <exception cref="InvalidOperationException">The value is not a double list.</exception>
    public IReadOnlyList<double> AsDoubleList() => Kind == TraciValueKind.DoubleList ? (double[])_ref! : throw Wrong(TraciValueKind.DoubleList);

    internal string? StringOrNull => Kind == TraciValueKind.String ? (string)_ref! : null;

    private InvalidOperationException Wrong(TraciValueKind wanted) =>
        new(string.Create(CultureInfo.InvariantCulture, $"TraCI value is {Kind}, not {wanted}{(ErrorText is { } e ? ": " + e : "")}."));

    /// <inheritdoc />
    public override string ToString() => Kind switch
    {
        TraciValueKind.Int => _int.ToString(CultureInfo.InvariantCulture),
        TraciValueKind.Double => _x.ToString("R", CultureInfo.InvariantCulture),
        TraciValueKind.Position => string.Create(CultureInfo.InvariantCulture, $"({_x}, {_y}, {_z})"),
        TraciValueKind.String => (string)_ref!,
        TraciValueKind.StringList => string.Join(",", (string[])_ref!),
        TraciValueKind.DoubleList => string.Join(",", ((double[])_ref!).Select(d => d.ToString("R", CultureInfo.InvariantCulture))),
        _ => ErrorText ?? "none",
    };
}
