using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace AutomationStack.Configuration;

/// <summary>
/// A value in a <see cref="ConfigDocument"/> with its field path. The <c>As…</c> conversions return null and record a
/// located error ("expected …, got …") when the value has the wrong type or is out of range.
/// Scalars follow the YAML 1.2 core schema: quoted scalars are always strings, so <c>"80"</c> is not a number.
/// </summary>
public sealed class ConfigNode
{
    private const int MaxShownLength = 40;

    internal ConfigNode(ConfigDocument document, YamlNode node, string path)
    {
        Document = document;
        Node = node;
        Path = path;
    }

    public ConfigDocument Document { get; }

    public YamlNode Node { get; }

    /// <summary>Field path, e.g. <c>vehicles[1].speed_kph</c>.</summary>
    public string Path { get; }

    /// <summary>1-based line of the value.</summary>
    public int Line => (int)Node.Start.Line;

    /// <summary>1-based column of the value.</summary>
    public int Column => (int)Node.Start.Column;

    /// <summary>True for <c>~</c>, <c>null</c> or an empty plain value.</summary>
    public bool IsNull => IsNullScalar(Node);

    /// <summary>Records an error at this value with a free-form message.</summary>
    public void Error(string message) => Document.AddError(Node, Path, message);

    /// <summary>Records "expected {expected}, got {this value}" at this value.</summary>
    public void Reject(string expected) => Error($"expected {expected}, got {Describe(Node)}");

    public double? AsNumber(NumberRange range)
    {
        ArgumentNullException.ThrowIfNull(range);
        if (!TryPlainScalar(out var text)
            || !double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            || !range.Contains(value))
        {
            Reject(range.Expected);
            return null;
        }

        return value;
    }

    public long? AsInteger(long min, long max, string expected)
    {
        if (!TryPlainScalar(out var text)
            || !long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
            || value < min
            || value > max)
        {
            Reject(expected);
            return null;
        }

        return value;
    }

    public ulong? AsUInt64(string expected)
    {
        if (!TryPlainScalar(out var text)
            || !ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
        {
            Reject(expected);
            return null;
        }

        return value;
    }

    /// <summary>Accepts plain <c>true</c> / <c>false</c> (any case).</summary>
    public bool? AsBoolean(string expected = "true or false")
    {
        if (TryPlainScalar(out var text))
        {
            if (string.Equals(text, "true", StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }

            if (string.Equals(text, "false", StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }
        }

        Reject(expected);
        return null;
    }

    /// <summary>Any non-null scalar, as text. With <paramref name="allowEmpty"/> false, rejects empty and blank strings.</summary>
    public string? AsString(string expected, bool allowEmpty = false)
    {
        if (Node is YamlScalarNode scalar && !IsNull && scalar.Value is { } value && (allowEmpty || !string.IsNullOrWhiteSpace(value)))
        {
            return value;
        }

        Reject(expected);
        return null;
    }

    /// <summary>One of the given names (case-sensitive); errors list the accepted names.</summary>
    public T? AsChoice<T>(IReadOnlyList<KeyValuePair<string, T>> options)
        where T : struct
    {
        ArgumentNullException.ThrowIfNull(options);
        if (Node is YamlScalarNode { Value: { } text } && !IsNull)
        {
            foreach (var (name, value) in options)
            {
                if (string.Equals(name, text, StringComparison.Ordinal))
                {
                    return value;
                }
            }
        }

        Reject($"one of {string.Join(", ", options.Select(o => o.Key))}");
        return null;
    }

    public ConfigMapping? AsMapping(string expected = "a mapping")
    {
        if (Node is YamlMappingNode mapping)
        {
            return new ConfigMapping(Document, mapping, Path);
        }

        Reject(expected);
        return null;
    }

    public ConfigSequence? AsSequence(string expected = "a list")
    {
        if (Node is YamlSequenceNode sequence)
        {
            return new ConfigSequence(Document, sequence, Path);
        }

        Reject(expected);
        return null;
    }

    /// <summary>How a value is shown after "got": numbers and booleans as written, strings quoted, collections by kind.</summary>
    public static string Describe(YamlNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        switch (node)
        {
            case YamlMappingNode:
                return "a mapping";
            case YamlSequenceNode:
                return "a list";
            case YamlScalarNode scalar:
                var value = scalar.Value ?? string.Empty;
                if (scalar.Style is ScalarStyle.Plain or ScalarStyle.Any)
                {
                    if (value.Length == 0)
                    {
                        return "nothing";
                    }

                    if (IsNullScalar(scalar))
                    {
                        return "null";
                    }

                    if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out _)
                        || string.Equals(value, "true", StringComparison.OrdinalIgnoreCase)
                        || string.Equals(value, "false", StringComparison.OrdinalIgnoreCase))
                    {
                        return value;
                    }
                }

                var shown = value.Length > MaxShownLength ? string.Concat(value.AsSpan(0, MaxShownLength), "…") : value;
                return $"\"{shown.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)}\"";
            default:
                return "an alias";
        }
    }

    internal static bool IsNullScalar(YamlNode node) =>
        node is YamlScalarNode scalar
        && scalar.Style is ScalarStyle.Plain or ScalarStyle.Any
        && (string.IsNullOrEmpty(scalar.Value) || scalar.Value is "~" or "null" or "Null" or "NULL");

    private bool TryPlainScalar(out string text)
    {
        if (Node is YamlScalarNode { Style: ScalarStyle.Plain or ScalarStyle.Any, Value: { Length: > 0 } value })
        {
            text = value;
            return true;
        }

        text = string.Empty;
        return false;
    }
}
