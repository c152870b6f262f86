using AutomationStack.Contracts;

namespace AutomationStack.Tracking;

/// <summary>
/// The seam between a lidar object detector and the tracker: one scan in, boxes in the ego frame out (centre relative
/// to the ego's geometric centre, x forward, y left). The vehicle process plugs in the ONNX detector; unit tests plug in
/// fakes. Implementations own their buffers: the span is valid until the next call. Not thread-safe.
/// </summary>
public interface IObjectDetector
{
    /// <summary>Detections in <paramref name="scan"/> above the implementation's operating score.</summary>
    /// <exception cref="ObjectDetectorFaultException">The inference failed or missed its deadline.</exception>
    ReadOnlySpan<ObjectDetection> Detect(LidarScan scan);
}

/// <summary>A run-time failure of one detection (inference error, missed deadline): a perception fault, not a crash.</summary>
public sealed class ObjectDetectorFaultException : Exception
{
    public ObjectDetectorFaultException()
    {
    }

    public ObjectDetectorFaultException(string message)
        : base(message)
    {
    }

    public ObjectDetectorFaultException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
