using Microsoft.ML.OnnxRuntime;

namespace AutomationStack.Perception;

/// <summary>
/// Runs one session over preallocated input and output buffers (ORT values created once over managed memory, no
/// per-run allocation of tensors), optionally bounded by a deadline: a timer sets <see cref="RunOptions.Terminate"/>
/// when it expires, ORT abandons the run, and the caller gets a <see cref="PerceptionFaultException"/>. The deadline is
/// the only wall-clock element of perception; with the default (none) nothing here depends on time.
/// </summary>
internal sealed class OrtRunner : IDisposable
{
    private readonly InferenceSession _session;
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;
    private readonly OrtValue[] _inputs;
    private readonly OrtValue[] _outputs;
    private readonly TimeSpan _deadline;
    private readonly Timer? _timer;
    private RunOptions _runOptions = new();

    public OrtRunner(InferenceSession session, (string Name, float[] Buffer, long[] Shape)[] inputs, (string Name, float[] Buffer, long[] Shape)[] outputs, TimeSpan deadline)
    {
        _session = session;
        _inputNames = [.. inputs.Select(i => i.Name)];
        _outputNames = [.. outputs.Select(o => o.Name)];
        _inputs = [.. inputs.Select(i => OrtValue.CreateTensorValueFromMemory(i.Buffer, i.Shape))];
        _outputs = [.. outputs.Select(o => OrtValue.CreateTensorValueFromMemory(o.Buffer, o.Shape))];
        _deadline = deadline;
        if (deadline > TimeSpan.Zero)
        {
            _timer = new Timer(static state => ((OrtRunner)state!).Expire(), this, Timeout.Infinite, Timeout.Infinite);
        }
    }

    public void Run()
    {
        var options = _runOptions;
        try
        {
            _timer?.Change(_deadline, Timeout.InfiniteTimeSpan);
            _session.Run(options, _inputNames, _inputs, _outputNames, _outputs);
        }
        catch (OnnxRuntimeException ex)
        {
            if (options.Terminate)
            {
                // A terminated RunOptions stays terminated: the next run needs a fresh one.
                _runOptions = new RunOptions();
                options.Dispose();
                throw new PerceptionFaultException($"inference exceeded its deadline of {_deadline.TotalMilliseconds:0.#} ms and was abandoned", ex);
            }

            throw new PerceptionFaultException("inference failed: " + ex.Message, ex);
        }
        finally
        {
            _timer?.Change(Timeout.Infinite, Timeout.Infinite);
        }
    }

    public void Dispose()
    {
        _timer?.Dispose();
        foreach (var value in _inputs.Concat(_outputs))
        {
            value.Dispose();
        }

        _runOptions.Dispose();
    }

    private void Expire() => _runOptions.Terminate = true;
}
