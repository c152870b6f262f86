namespace AutomationStack.Configuration;

/// <summary>
/// One problem found in a configuration file. <see cref="Line"/> and <see cref="Column"/> are 1-based; both are 0
/// when the problem concerns the file as a whole (for example, it does not exist). <see cref="Field"/> is the path of
/// the offending field (<c>vehicles[1].speed_kph</c>, list indices 0-based), empty for whole-file problems.
/// </summary>
public sealed record ConfigurationError(string File, int Line, int Column, string Field, string Message)
{
    /// <summary><c>file:line:column: field: message</c>, leaving out the parts that are not known.</summary>
    public override string ToString()
    {
        var location = Line > 0 ? $"{File}:{Line}:{Column}" : File;
        return Field.Length > 0 ? $"{location}: {Field}: {Message}" : $"{location}: {Message}";
    }
}

/// <summary>Thrown when one or more configuration files are invalid; carries every error found, not only the first.</summary>
public sealed class ConfigurationException : Exception
{
    public ConfigurationException(IEnumerable<ConfigurationError> errors)
        : this(Materialize(errors))
    {
    }

    private ConfigurationException(IReadOnlyList<ConfigurationError> errors)
        : base(string.Join('\n', errors))
    {
        Errors = errors;
    }

    public IReadOnlyList<ConfigurationError> Errors { get; }

    private static ConfigurationError[] Materialize(IEnumerable<ConfigurationError> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        var list = errors.ToArray();
        if (list.Length == 0)
        {
            throw new ArgumentException("A configuration exception needs at least one error.", nameof(errors));
        }

        return list;
    }
}
