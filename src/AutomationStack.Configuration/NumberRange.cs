namespace AutomationStack.Configuration;

/// <summary>
/// The finite numbers a field accepts, with the wording used in errors ("expected {Expected}, got …").
/// Non-finite values (.inf, .nan) are always rejected.
/// </summary>
public sealed record NumberRange(
    string Expected,
    double Min = double.NegativeInfinity,
    double Max = double.PositiveInfinity,
    bool MinExclusive = false,
    bool MaxExclusive = false)
{
    public static NumberRange Any(string expected = "a number") => new(expected);

    /// <summary>Greater than zero.</summary>
    public static NumberRange Positive(string expected) => new(expected, 0, double.PositiveInfinity, MinExclusive: true);

    /// <summary>Zero or more.</summary>
    public static NumberRange NonNegative(string expected) => new(expected, 0);

    /// <summary>In [min, max].</summary>
    public static NumberRange Between(double min, double max, string expected) => new(expected, min, max);

    /// <summary>A probability in [0, 1].</summary>
    public static NumberRange Probability(string expected = "a probability between 0 and 1") => new(expected, 0, 1);

    public bool Contains(double value) =>
        double.IsFinite(value)
        && (MinExclusive ? value > Min : value >= Min)
        && (MaxExclusive ? value < Max : value <= Max);
}
