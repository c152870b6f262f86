using AutomationStack.Contracts;
using AutomationStack.Perception;
using AutomationStack.Tracking;

namespace AutomationStack.Vehicle;

/// <summary>
/// <see cref="IObjectDetector"/> over the ONNX lidar detector (<c>object_detector.onnx</c>): the scan's points and
/// mounting go to <see cref="LidarDetector"/>; its boxes (vehicle frame, above the operating score) become tracker
/// detections. A failed or late inference becomes <see cref="ObjectDetectorFaultException"/>.
/// </summary>
public sealed class OnnxObjectDetector : IObjectDetector, IDisposable
{
    /// <summary>File name of the detector in a models folder.</summary>
    public const string FileName = "object_detector.onnx";

    /// <summary>Two boxes of different classes overlapping by more than this are one vehicle: the lower score goes.</summary>
    public const double CrossClassIouThreshold = RotatedNms.DefaultCrossClassIouThreshold;

    private readonly LidarDetector _detector;
    private readonly ObjectDetection[] _output;

    /// <exception cref="PerceptionModelException">The file is missing, not ONNX, or its tensors do not fit the grid.</exception>
    public OnnxObjectDetector(string modelPath, double scoreThreshold, TimeSpan deadline)
    {
        var options = new LidarDetectorOptions
        {
            Decoder = CenterDecoderOptions.Default with { ScoreThreshold = scoreThreshold },
            Deadline = deadline,
            CrossClassIouThreshold = CrossClassIouThreshold,
        };
        _detector = new LidarDetector(modelPath, BevGridSpec.Default, options);
        _output = new ObjectDetection[options.Decoder.MaxDetections];
    }

    public ReadOnlySpan<ObjectDetection> Detect(LidarScan scan)
    {
        ArgumentNullException.ThrowIfNull(scan);
        var pose = new SensorPose(scan.Pose.X, scan.Pose.Y, scan.Pose.Z, scan.Pose.Yaw);
        ReadOnlySpan<Detection> boxes;
        try
        {
            boxes = _detector.Detect(scan.PointData, pose);
        }
        catch (PerceptionFaultException ex)
        {
            throw new ObjectDetectorFaultException(ex.Message, ex);
        }

        var count = Math.Min(boxes.Length, _output.Length);
        for (var i = 0; i < count; i++)
        {
            var b = boxes[i];
            _output[i] = new ObjectDetection((int)b.Class, b.X, b.Y, b.Length, b.Width, b.Yaw, b.Score);
        }

        return _output.AsSpan(0, count);
    }

    public void Dispose() => _detector.Dispose();
}
