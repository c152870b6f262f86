using AutomationStack.Contracts;
using AutomationStack.Perception;
using AutomationStack.Vehicle.Pipeline;

namespace AutomationStack.Vehicle;

/// <summary>
/// <see cref="ISignalLightClassifier"/> over the ONNX traffic-light classifier (<c>traffic_light_classifier.onnx</c>):
/// the housing rectangle is cut out of the image with <see cref="TrafficLightCrop"/> (the code that cut the training
/// crops) and classified; green only when confident. A failed or late inference is a reading with Fault set.
/// </summary>
public sealed class OnnxSignalLightClassifier : ISignalLightClassifier, IDisposable
{
    /// <summary>File name of the classifier in a models folder.</summary>
    public const string FileName = "traffic_light_classifier.onnx";

    private readonly TrafficLightClassifier _classifier;
    private readonly byte[] _crop = new byte[TrafficLightCrop.Size];

    /// <exception cref="PerceptionModelException">The file is missing, not ONNX, or has other tensors.</exception>
    public OnnxSignalLightClassifier(string modelPath, TimeSpan deadline)
    {
        _classifier = new TrafficLightClassifier(modelPath, new TrafficLightClassifierOptions { Deadline = deadline });
    }

    public SignalLightReading Classify(CameraImage image, PixelBox housing)
    {
        ArgumentNullException.ThrowIfNull(image);
        TrafficLightCrop.Extract(image.Rgb.Span, image.Width, image.Height, housing.X, housing.Y, housing.Width, housing.Height, _crop);
        try
        {
            var c = _classifier.Classify(_crop);
            return c.State switch
            {
                LightState.Red => new SignalLightReading(SignalLight.Red, c.Red),
                LightState.Amber => new SignalLightReading(SignalLight.Amber, c.Amber),
                LightState.Green => new SignalLightReading(SignalLight.Green, c.Green),
                _ => new SignalLightReading(SignalLight.Unknown, Math.Max(c.Unknown, c.Green)),
            };
        }
        catch (PerceptionFaultException)
        {
            return new SignalLightReading(SignalLight.Unknown, 0.0, Fault: true);
        }
    }

    public void Dispose() => _classifier.Dispose();
}
