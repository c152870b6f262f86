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
}

/// <summary>
/// The thin host loop: frame in → pipeline step → command out, until the world ends the run. Knows nothing about
/// which world the interface talks to.
/// </summary>
public static class VehicleHost
{
    /// <summary>Connects, builds the pipeline from the session's parameters and runs it to the end of the run.</summary>
    /// <exception cref="ArgumentException">A pipeline parameter is unknown or out of range.</exception>
    public static async Task<long> RunAsync(IVehicleInterface world, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(world);
        await world.ConnectAsync(cancellationToken).ConfigureAwait(false);
        var session = world.Session;
        using var pipeline = new VehiclePipeline(session, PipelineOptions.FromParameters(session.Parameters));
        long frames = 0;
        while (await world.NextFrameAsync(cancellationToken).ConfigureAwait(false) is { } frame)
        {
            var output = pipeline.Step(frame);
            await world.SendAsync(output, cancellationToken).ConfigureAwait(false);
            frames++;
        }

        return frames;
    }
}
