using Microsoft.ML.OnnxRuntime;

namespace AutomationStack.Perception;

/// <summary>What a signal head shows, as the camera sees it.</summary>
public enum LightState
{
    Red = 0,
    Amber = 1,
    Green = 2,
    Unknown = 3,
}

/// <summary>A classification with the model's probabilities.</summary>
public readonly record struct LightClassification(LightState State, float Red, float Amber, float Green, float Unknown);

public sealed record TrafficLightClassifierOptions
{
    /// <summary>
    /// Green is reported only with at least this probability, otherwise Unknown: calling a red or amber head green
    /// is the one mistake that must not happen, so doubt about green is never resolved towards green.
    /// </summary>
    public double GreenConfidence { get; init; } = 0.9;

    /// <summary>Largest wall time of one inference; zero = no deadline.</summary>
    public TimeSpan Deadline { get; init; } = TimeSpan.Zero;
}

/// <summary>
/// The traffic-light classifier (<c>models/traffic_light_classifier.onnx</c>): a <see cref="TrafficLightCrop"/>
/// (3 × 64 × 32 bytes) → red / amber / green / unknown. Session created once; input and output buffers preallocated.
/// Not thread-safe.
/// </summary>
public sealed class TrafficLightClassifier : IDisposable
{
    public const string InputName = "crop";
    public const string OutputName = "logits";

    private readonly OnnxModel _model;
    private readonly OrtRunner _runner;
    private readonly float[] _input = new float[TrafficLightCrop.Size];
    private readonly float[] _logits = new float[4];
    private readonly TrafficLightClassifierOptions _options;

    /// <exception cref="PerceptionModelException">The file is missing, not ONNX, or has other tensors.</exception>
    public TrafficLightClassifier(string modelPath, TrafficLightClassifierOptions? options = null)
    {
        _options = options ?? new TrafficLightClassifierOptions();
        long[] inputShape = [1, TrafficLightCrop.Channels, TrafficLightCrop.Height, TrafficLightCrop.Width];
        long[] outputShape = [1, 4];
        _model = new OnnxModel(modelPath, [(InputName, inputShape)], [(OutputName, outputShape)]);
        _runner = new OrtRunner(_model.Session, [(InputName, _input, inputShape)], [(OutputName, _logits, outputShape)], _options.Deadline);
    }

    /// <exception cref="PerceptionFaultException">The inference failed or missed its deadline.</exception>
    public LightClassification Classify(ReadOnlySpan<byte> crop)
    {
        if (crop.Length != TrafficLightCrop.Size)
        {
            throw new ArgumentException($"a crop is {TrafficLightCrop.Size} bytes (3 × 64 × 32), got {crop.Length}", nameof(crop));
        }

        System.Numerics.Tensors.TensorPrimitives.ConvertChecked<byte, float>(crop, _input);
        System.Numerics.Tensors.TensorPrimitives.Multiply(_input, 1f / 255f, _input);

        _runner.Run();
        Span<float> p = stackalloc float[4];
        System.Numerics.Tensors.TensorPrimitives.SoftMax(_logits, p);
        var best = System.Numerics.Tensors.TensorPrimitives.IndexOfMax(p);
        var state = (LightState)best;
        if (state == LightState.Green && p[2] < _options.GreenConfidence)
        {
            state = LightState.Unknown;
        }

        return new LightClassification(state, p[0], p[1], p[2], p[3]);
    }

    public void Dispose()
    {
        _runner.Dispose();
        _model.Dispose();
    }
}
