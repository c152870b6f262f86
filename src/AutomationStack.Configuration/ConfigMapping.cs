using YamlDotNet.RepresentationModel;

namespace AutomationStack.Configuration;

/// <summary>
/// A YAML mapping read strictly: every key the reading code asks for (through <see cref="Get"/> or a typed accessor)
/// becomes a known field, and <see cref="RejectUnknownFields"/> reports every other key as
/// <c>unknown field 'x' (expected one of: …)</c>. Missing required fields are reported at the mapping.
/// </summary>
public sealed class ConfigMapping
{
    private readonly List<string> _known = [];
    private readonly Dictionary<string, (YamlNode Key, YamlNode Value)> _entries = new(StringComparer.Ordinal);
    private readonly List<(YamlNode Key, YamlNode Value)> _nonStringKeys = [];

    internal ConfigMapping(ConfigDocument document, YamlMappingNode node, string path)
    {
        Document = document;
        Node = node;
        Path = path;
        foreach (var (key, value) in node.Children)
        {
            if (key is YamlScalarNode { Value: { } name })
            {
                _entries[name] = (key, value);
            }
            else
            {
                _nonStringKeys.Add((key, value));
            }
        }
    }

    public ConfigDocument Document { get; }

    public YamlMappingNode Node { get; }

    /// <summary>Field path of the mapping itself (empty at the top level).</summary>
    public string Path { get; }

    /// <summary>Keys in document order.</summary>
    public IEnumerable<string> Keys => _entries.Keys;

    /// <summary>The path of a field in this mapping.</summary>
    public string ChildPath(string key) => Path.Length == 0 ? key : $"{Path}.{key}";

    public bool Contains(string key)
    {
        MarkKnown(key);
        return _entries.ContainsKey(key);
    }

    /// <summary>The value of <paramref name="key"/>, or null when absent. Marks the key as a known field.</summary>
    public ConfigNode? Get(string key)
    {
        MarkKnown(key);
        return _entries.TryGetValue(key, out var entry) ? new ConfigNode(Document, entry.Value, ChildPath(key)) : null;
    }

    /// <summary>As <see cref="Get"/>, but records "required field is missing" when absent.</summary>
    public ConfigNode? GetRequired(string key, string expected)
    {
        var node = Get(key);
        if (node is null)
        {
            Document.AddError(Node, ChildPath(key), $"required field is missing (expected {expected})");
        }

        return node;
    }

    /// <summary>The node of a key itself (for errors about the key, such as duplicates), or null when absent.</summary>
    public ConfigNode? GetKeyNode(string key) =>
        _entries.TryGetValue(key, out var entry) ? new ConfigNode(Document, entry.Key, ChildPath(key)) : null;

    /// <summary>All entries, for free-form mappings whose keys are names chosen by the user. Marks every key known.</summary>
    public IEnumerable<KeyValuePair<string, ConfigNode>> Entries()
    {
        foreach (var (key, _) in _nonStringKeys)
        {
            Document.AddError(key, Path, $"expected a field name, got {ConfigNode.Describe(key)}");
        }

        _nonStringKeys.Clear();
        foreach (var (name, entry) in _entries)
        {
            MarkKnown(name);
            yield return new KeyValuePair<string, ConfigNode>(name, new ConfigNode(Document, entry.Value, ChildPath(name)));
        }
    }

    public double? Number(string key, NumberRange range) => Get(key)?.AsNumber(range);

    public double? RequiredNumber(string key, NumberRange range)
    {
        ArgumentNullException.ThrowIfNull(range);
        return GetRequired(key, range.Expected)?.AsNumber(range);
    }

    public long? Integer(string key, long min, long max, string expected) => Get(key)?.AsInteger(min, max, expected);

    public long? RequiredInteger(string key, long min, long max, string expected) =>
        GetRequired(key, expected)?.AsInteger(min, max, expected);

    public ulong? UInt64(string key, string expected) => Get(key)?.AsUInt64(expected);

    public bool? Boolean(string key) => Get(key)?.AsBoolean();

    public string? String(string key, string expected) => Get(key)?.AsString(expected);

    public string? RequiredString(string key, string expected) => GetRequired(key, expected)?.AsString(expected);

    public T? Choice<T>(string key, IReadOnlyList<KeyValuePair<string, T>> options)
        where T : struct => Get(key)?.AsChoice(options);

    public T? RequiredChoice<T>(string key, IReadOnlyList<KeyValuePair<string, T>> options)
        where T : struct
    {
        ArgumentNullException.ThrowIfNull(options);
        return GetRequired(key, $"one of {string.Join(", ", options.Select(o => o.Key))}")?.AsChoice(options);
    }

    public ConfigMapping? Mapping(string key, string expected = "a mapping") => Get(key)?.AsMapping(expected);

    public ConfigMapping? RequiredMapping(string key, string expected = "a mapping") =>
        GetRequired(key, expected)?.AsMapping(expected);

    public ConfigSequence? Sequence(string key, string expected = "a list") => Get(key)?.AsSequence(expected);

    public ConfigSequence? RequiredSequence(string key, string expected = "a list") =>
        GetRequired(key, expected)?.AsSequence(expected);

    /// <summary>Reports every key that was not asked for, listing the known ones. Call after reading all fields.</summary>
    public void RejectUnknownFields()
    {
        var expected = _known.Count == 0 ? "no fields here" : $"expected one of: {string.Join(", ", _known)}";
        foreach (var (key, _) in _nonStringKeys)
        {
            Document.AddError(key, Path, $"expected a field name, got {ConfigNode.Describe(key)}");
        }

        _nonStringKeys.Clear();
        foreach (var (name, entry) in _entries)
        {
            if (!_known.Contains(name, StringComparer.Ordinal))
            {
                Document.AddError(entry.Key, ChildPath(name), $"unknown field '{name}' ({expected})");
            }
        }
    }

    private void MarkKnown(string key)
    {
        if (!_known.Contains(key, StringComparer.Ordinal))
        {
            _known.Add(key);
        }
    }
}

/// <summary>A YAML list; items carry paths <c>path[i]</c> (0-based).</summary>
public sealed class ConfigSequence
{
    internal ConfigSequence(ConfigDocument document, YamlSequenceNode node, string path)
    {
        Document = document;
        Node = node;
        Path = path;
    }

    public ConfigDocument Document { get; }

    public YamlSequenceNode Node { get; }

    public string Path { get; }

    public int Count => Node.Children.Count;

    public IReadOnlyList<ConfigNode> Items =>
        [.. Node.Children.Select((item, i) => new ConfigNode(Document, item, $"{Path}[{i}]"))];

    /// <summary>Records an error at the list itself.</summary>
    public void Error(string message) => Document.AddError(Node, Path, message);
}
