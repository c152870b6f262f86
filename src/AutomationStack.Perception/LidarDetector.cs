namespace AutomationStack.Perception;

public sealed record LidarDetectorOptions
{
    public CenterDecoderOptions Decoder { get; init; } = CenterDecoderOptions.Default;

    /// <summary>IoU above which a lower-scored detection of the same class is suppressed.</summary>
    public double NmsIouThreshold { get; init; } = RotatedNms.DefaultIouThreshold;

    /// <summary>IoU above which a lower-scored detection of ANOTHER class is suppressed; +∞ = class-wise NMS only.</summary>
    public double CrossClassIouThreshold { get; init; } = double.PositiveInfinity;

    /// <summary>Largest wall time of one inference; zero = no deadline.</summary>
    public TimeSpan Deadline { get; init; } = TimeSpan.Zero;
}

/// <summary>
/// The BEV lidar object detector (<c>models/object_detector.onnx</c>): point cloud → <see cref="BevRasterizer"/> →
/// ONNX Runtime (input <c>bev</c> [1, 4, H, W], outputs <c>heatmap</c> [1, 3, H', W'] logits and <c>regression</c>
/// [1, 6, H', W']) → <see cref="CenterDecoder"/> → <see cref="RotatedNms"/>. Session created once, every buffer
/// preallocated; the result span is valid until the next call. Not thread-safe.
/// </summary>
public sealed class LidarDetector : IDisposable
{
    public const string InputName = "bev";
    public const string HeatmapName = "heatmap";
    public const string RegressionName = "regression";

    private readonly OnnxModel _model;
    private readonly OrtRunner _runner;
    private readonly BevRasterizer _rasterizer;
    private readonly CenterDecoder _decoder;
    private readonly float[] _bev;
    private readonly float[] _heatmap;
    private readonly float[] _regression;
    private readonly Detection[] _detections;
    private readonly double _nmsIou;
    private readonly double _crossClassIou;

    /// <exception cref="PerceptionModelException">The file is missing, not ONNX, or its tensors do not fit the grid.</exception>
    public LidarDetector(string modelPath, BevGridSpec spec, LidarDetectorOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        options ??= new LidarDetectorOptions();
        Spec = spec;
        _rasterizer = new BevRasterizer(spec);
        _decoder = new CenterDecoder(spec, options.Decoder);
        _nmsIou = options.NmsIouThreshold;
        _crossClassIou = options.CrossClassIouThreshold;
        _bev = new float[spec.TensorLength];
        _heatmap = new float[_decoder.HeatmapLength];
        _regression = new float[_decoder.RegressionLength];
        _detections = new Detection[options.Decoder.MaxDetections];
        long[] input = [1, BevGridSpec.ChannelCount, spec.Rows, spec.Columns];
        long[] heat = [1, CenterHead.HeatmapChannels, _decoder.OutputRows, _decoder.OutputColumns];
        long[] reg = [1, CenterHead.RegressionChannels, _decoder.OutputRows, _decoder.OutputColumns];
        _model = new OnnxModel(modelPath, [(InputName, input)], [(HeatmapName, heat), (RegressionName, reg)]);
        _runner = new OrtRunner(_model.Session, [(InputName, _bev, input)], [(HeatmapName, _heatmap, heat), (RegressionName, _regression, reg)], options.Deadline);
    }

    public BevGridSpec Spec { get; }

    /// <summary>Detections (vehicle frame, descending score) in one scan; points are x, y, z, intensity in the sensor frame.</summary>
    /// <exception cref="PerceptionFaultException">The inference failed or missed its deadline.</exception>
    public ReadOnlySpan<Detection> Detect(ReadOnlySpan<float> points, scoped in SensorPose pose)
    {
        _rasterizer.Rasterize(points, pose, _bev);
        _runner.Run();
        var count = _decoder.Decode(_heatmap, _regression, _detections);
        count = RotatedNms.Suppress(_detections.AsSpan(0, count), _nmsIou, _crossClassIou);
        return _detections.AsSpan(0, count);
    }

    public void Dispose()
    {
        _runner.Dispose();
        _model.Dispose();
    }
}
