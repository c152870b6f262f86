using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace AutomationStack.Configuration;

/// <summary>
/// One YAML configuration file, parsed into YamlDotNet's representation model, plus the list of errors found while
/// reading it. Reading code walks <see cref="Root"/> with the typed accessors of <see cref="ConfigMapping"/> and
/// <see cref="ConfigNode"/>, which record located errors instead of throwing; <see cref="ThrowIfErrors"/> then reports
/// all of them at once. Not thread-safe.
/// </summary>
public sealed class ConfigDocument
{
    private readonly List<ConfigurationError> _errors = [];

    private ConfigDocument(string fileName, string? fullPath, YamlMappingNode root)
    {
        FileName = fileName;
        FullPath = fullPath;
        Root = new ConfigMapping(this, root, string.Empty);
    }

    /// <summary>The name used in error locations (the path as given to <see cref="Load"/>).</summary>
    public string FileName { get; }

    /// <summary>Absolute path of the file, or null when parsed from text.</summary>
    public string? FullPath { get; }

    /// <summary>The top-level mapping.</summary>
    public ConfigMapping Root { get; }

    public IReadOnlyList<ConfigurationError> Errors => _errors;

    public bool HasErrors => _errors.Count > 0;

    /// <summary>
    /// Reads and parses <paramref name="path"/>. Throws <see cref="ConfigurationException"/> when the file does not
    /// exist or cannot be read, is not valid YAML (with the parser's line and column), is empty, holds more than one
    /// document, or its top level is not a mapping.
    /// </summary>
    public static ConfigDocument Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string fullPath;
        string text;
        try
        {
            fullPath = Path.GetFullPath(path);
            text = File.ReadAllText(fullPath);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw Whole(path, $"file not found (looked for {SafeFullPath(path)})");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            throw Whole(path, $"cannot read file: {ex.Message}");
        }

        return Parse(text, path, fullPath);
    }

    /// <summary>Parses YAML text; <paramref name="fileName"/> is used in error locations.</summary>
    public static ConfigDocument Parse(string text, string fileName) => Parse(text, fileName, null);

    /// <summary>Records an error at the given node.</summary>
    public void AddError(YamlNode node, string field, string message)
    {
        ArgumentNullException.ThrowIfNull(node);
        _errors.Add(new ConfigurationError(FileName, (int)node.Start.Line, (int)node.Start.Column, field, message));
    }

    /// <summary>Adds errors found elsewhere (for example in a file this one refers to).</summary>
    public void AddErrors(IEnumerable<ConfigurationError> errors) => _errors.AddRange(errors);

    /// <summary>Throws a <see cref="ConfigurationException"/> with every recorded error, ordered by file and position.</summary>
    public void ThrowIfErrors()
    {
        if (_errors.Count == 0)
        {
            return;
        }

        var fileOrder = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var e in _errors)
        {
            fileOrder.TryAdd(e.File, fileOrder.Count);
        }

        throw new ConfigurationException(
            _errors.OrderBy(e => fileOrder[e.File]).ThenBy(e => e.Line).ThenBy(e => e.Column));
    }

    private static ConfigDocument Parse(string text, string fileName, string? fullPath)
    {
        ArgumentNullException.ThrowIfNull(text);
        var stream = new YamlStream();
        var scanner = new Scanner(new StringReader(text), skipComments: true);
        try
        {
            stream.Load(new DepthLimitedParser(new Parser(scanner), MaxNestingDepth));
        }
        catch (YamlException ex)
        {
            var reason = Innermost(ex).Message;
            throw new ConfigurationException(
            [
                new ConfigurationError(fileName, (int)ex.Start.Line, (int)ex.Start.Column, string.Empty, $"invalid YAML: {reason}"),
            ]);
        }
        catch (InvalidOperationException)
        {
            // Some malformed input (an unterminated flow collection) trips the parser without a YamlException.
            var at = scanner.CurrentPosition;
            throw new ConfigurationException(
            [
                new ConfigurationError(fileName, (int)at.Line, (int)at.Column, string.Empty, "invalid YAML: unexpected content (is a bracket or quote left open?)"),
            ]);
        }
        catch (ArgumentException)
        {
            // YamlDotNet's representation model throws ArgumentException ("The current event is of an unsupported type")
            // for some malformed nesting (found by fuzzing, e.g. a line that is only ':' inside a block sequence).
            var at = scanner.CurrentPosition;
            throw new ConfigurationException(
            [
                new ConfigurationError(fileName, (int)at.Line, (int)at.Column, string.Empty, "invalid YAML: unexpected content (a key, value or list item where none can be)"),
            ]);
        }

        if (stream.Documents.Count == 0)
        {
            throw Whole(fileName, "expected a YAML mapping, got an empty file");
        }

        if (stream.Documents.Count > 1)
        {
            var second = stream.Documents[1].RootNode;
            throw new ConfigurationException(
            [
                new ConfigurationError(fileName, (int)second.Start.Line, (int)second.Start.Column, string.Empty, "expected a single YAML document, got several"),
            ]);
        }

        var root = stream.Documents[0].RootNode;
        if (root is not YamlMappingNode mapping)
        {
            throw new ConfigurationException(
            [
                new ConfigurationError(fileName, (int)root.Start.Line, (int)root.Start.Column, string.Empty, $"expected a mapping at the top level, got {ConfigNode.Describe(root)}"),
            ]);
        }

        return new ConfigDocument(fileName, fullPath, mapping);
    }

    /// <summary>
    /// Deepest nesting of mappings and sequences accepted. YamlDotNet's representation model loads nodes recursively, so
    /// a small file nested thousands of levels deep (found by fuzzing: 30 KB, about 16,000 levels) overflowed the
    /// stack and killed the process; configuration files need a handful of levels.
    /// </summary>
    public const int MaxNestingDepth = 64;

    /// <summary>Passes the parser's events through and throws <see cref="YamlException"/> when nesting gets too deep.</summary>
    private sealed class DepthLimitedParser(IParser inner, int maxDepth) : IParser
    {
        private int _depth;

        public ParsingEvent? Current => inner.Current;

        public bool MoveNext()
        {
            if (!inner.MoveNext())
            {
                return false;
            }

            switch (inner.Current)
            {
                case MappingStart or SequenceStart:
                    if (++_depth > maxDepth)
                    {
                        throw new YamlException(inner.Current.Start, inner.Current.End,
                            $"mappings and lists nested more than {maxDepth} levels deep");
                    }

                    break;
                case MappingEnd or SequenceEnd:
                    _depth--;
                    break;
            }

            return true;
        }
    }

    private static Exception Innermost(Exception ex)
    {
        // YamlDotNet wraps some errors (duplicate keys) in an outer exception whose message is only the location.
        while (ex.InnerException is not null)
        {
            ex = ex.InnerException;
        }

        return ex;
    }

    private static ConfigurationException Whole(string file, string message) =>
        new([new ConfigurationError(file, 0, 0, string.Empty, message)]);

    private static string SafeFullPath(string path)
    {
        try
        {
            return Path.GetFullPath(path);
        }
        catch (ArgumentException)
        {
            return path;
        }
    }
}
