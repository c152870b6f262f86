using AutomationStack.Contracts;
using AutomationStack.Vehicle.Pipeline;

namespace AutomationStack.Vehicle;

/// <summary>Exit codes of the vehicle process.</summary>
public static class VehicleExitCodes
{
    public const int Ok = 0;
    public const int BadArguments = 2;
    public const int ConnectionFailed = 3;
    public const int InternalError = 4;

    /// <summary>A model file the session needs is missing, corrupt or has the wrong tensors.</summary>
    public const int ModelError = 5;

    /// <summary>A TLS file (--tls-ca, --tls-cert, --tls-key) is missing, not PEM, or does not fit (key vs certificate, CA not a CA, expired).</summary>
    public const int TlsFileError = 6;

    /// <summary>TLS with the bridge failed (its certificate is not from the trusted CA or not for its host; it refused
    /// this vehicle's client certificate) or the bridge refused the vehicle's identity (PermissionDenied).</summary>
    public const int TlsRejected = 7;
}

/// <summary>Where the vehicle process finds its models.</summary>
public sealed record VehicleHostOptions
{
    /// <summary>The folder shipped next to the executable (the repository's <c>models/</c>, copied at build).</summary>
    public static string DefaultModelsDirectory => Path.Combine(AppContext.BaseDirectory, "models");

    /// <summary>Folder holding <c>object_detector.onnx</c> and <c>traffic_light_classifier.onnx</c>.</summary>
    public string ModelsDirectory { get; init; } = DefaultModelsDirectory;

    public static VehicleHostOptions Default { get; } = new();
}

/// <summary>
/// The thin host loop: frame in → pipeline step → command out, until the world ends the run. Knows nothing about
/// which world the interface talks to.
/// </summary>
public static class VehicleHost
{
    /// <summary>Connects, builds the pipeline from the session's parameters and runs it to the end of the run.</summary>
    /// <exception cref="ArgumentException">A pipeline parameter is unknown or out of range.</exception>
    /// <exception cref="Perception.PerceptionModelException">perception.lidar is on and the detector model cannot be used.</exception>
    public static Task<long> RunAsync(IVehicleInterface world, CancellationToken cancellationToken) =>
        RunAsync(world, VehicleHostOptions.Default, cancellationToken);

    /// <inheritdoc cref="RunAsync(IVehicleInterface, CancellationToken)"/>
    public static async Task<long> RunAsync(IVehicleInterface world, VehicleHostOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(world);
        ArgumentNullException.ThrowIfNull(options);
        await world.ConnectAsync(cancellationToken).ConfigureAwait(false);
        var session = world.Session;
        var pipelineOptions = PipelineOptions.FromParameters(session.Parameters);
        using var detector = CreateDetector(pipelineOptions, options);
        using var lights = CreateLightClassifier(pipelineOptions, options);
        using var pipeline = new VehiclePipeline(session, pipelineOptions, detector, lights);
        long frames = 0;
        while (await world.NextFrameAsync(cancellationToken).ConfigureAwait(false) is { } frame)
        {
            var output = pipeline.Step(frame);
            await world.SendAsync(output, cancellationToken).ConfigureAwait(false);
            frames++;
        }

        return frames;
    }

    /// <summary>The ONNX traffic-light classifier when the session turns perception.camera_lights on; null otherwise.</summary>
    public static OnnxSignalLightClassifier? CreateLightClassifier(PipelineOptions pipeline, VehicleHostOptions host)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        ArgumentNullException.ThrowIfNull(host);
        return pipeline.Perception.CameraLights
            ? new OnnxSignalLightClassifier(Path.Combine(host.ModelsDirectory, OnnxSignalLightClassifier.FileName), TimeSpan.FromSeconds(pipeline.Perception.Deadline))
            : null;
    }

    /// <summary>The ONNX detector when the session turns lidar perception on; null otherwise. Loaded once, before the first frame.</summary>
    public static OnnxObjectDetector? CreateDetector(PipelineOptions pipeline, VehicleHostOptions host)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        ArgumentNullException.ThrowIfNull(host);
        if (!pipeline.Perception.Lidar)
        {
            return null;
        }

        var path = Path.Combine(host.ModelsDirectory, OnnxObjectDetector.FileName);
        return new OnnxObjectDetector(path, pipeline.Perception.ScoreThreshold, TimeSpan.FromSeconds(pipeline.Perception.Deadline));
    }
}
