using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace AutomationStack.Perception;

/// <summary>A model file that is missing, unreadable, not ONNX, or does not have the tensors the stack expects.</summary>
public sealed class PerceptionModelException : Exception
{
    public PerceptionModelException(string path, string message, Exception? inner = null)
        : base($"{path}: {message}", inner)
    {
        ModelPath = path;
    }

    public string ModelPath { get; }
}

/// <summary>One inference that failed (runtime error, or terminated for missing its deadline): a perception fault.</summary>
public sealed class PerceptionFaultException : Exception
{
    public PerceptionFaultException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }
}

/// <summary>
/// An ONNX Runtime session created once, on one intra-op thread (the vehicle process is one of several on a machine),
/// with its inputs and outputs checked against the names and shapes the stack expects, so a wrong or corrupt file is a
/// clear error at start-up (<see cref="PerceptionModelException"/>) and not a crash in the loop.
/// </summary>
internal sealed class OnnxModel : IDisposable
{
    private readonly InferenceSession _session;

    public OnnxModel(string path, IReadOnlyList<(string Name, long[] Shape)> inputs, IReadOnlyList<(string Name, long[] Shape)> outputs)
    {
        ArgumentNullException.ThrowIfNull(path);
        Path = path;
        if (!File.Exists(path))
        {
            throw new PerceptionModelException(path, "model file not found");
        }

        var options = new SessionOptions
        {
            IntraOpNumThreads = 1,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
        };
        try
        {
            _session = new InferenceSession(path, options);
        }
        catch (OnnxRuntimeException ex)
        {
            throw new PerceptionModelException(path, "not a loadable ONNX model (" + FirstLine(ex.Message) + ")", ex);
        }
        finally
        {
            options.Dispose();
        }

        try
        {
            Check("input", _session.InputMetadata, inputs);
            Check("output", _session.OutputMetadata, outputs);
        }
        catch
        {
            _session.Dispose();
            throw;
        }
    }

    public string Path { get; }

    public InferenceSession Session => _session;

    public void Dispose() => _session.Dispose();

    private void Check(string kind, IReadOnlyDictionary<string, NodeMetadata> actual, IReadOnlyList<(string Name, long[] Shape)> expected)
    {
        foreach (var (name, shape) in expected)
        {
            if (!actual.TryGetValue(name, out var meta))
            {
                throw new PerceptionModelException(Path, string.Create(CultureInfo.InvariantCulture,
                    $"has no {kind} tensor '{name}' (it has: {string.Join(", ", actual.Keys)})"));
            }

            if (meta.ElementDataType != TensorElementType.Float)
            {
                throw new PerceptionModelException(Path, $"{kind} '{name}' is {meta.ElementDataType}, expected float32");
            }

            var dims = meta.Dimensions;
            var matches = dims.Length == shape.Length;
            for (var i = 0; matches && i < dims.Length; i++)
            {
                // A symbolic (dynamic) dimension is reported as -1 and accepts anything.
                matches = dims[i] < 0 || shape[i] < 0 || dims[i] == shape[i];
            }

            if (!matches)
            {
                throw new PerceptionModelException(Path, string.Create(CultureInfo.InvariantCulture,
                    $"{kind} '{name}' has shape [{string.Join(", ", dims)}], expected [{string.Join(", ", shape)}]"));
            }
        }
    }

    private static string FirstLine(string text)
    {
        var end = text.IndexOfAny(['\r', '\n']);
        return end < 0 ? text : text[..end];
    }
}
