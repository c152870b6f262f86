namespace AutomationStack.Planning;

/// <summary>Where a fused signal state came from.</summary>
public enum SignalSource
{
    None = 0,
    Spat = 1,
    Camera = 2,
    SpatAndCamera = 3,
}

/// <summary>
/// The fused belief about the ego lane's signal group: the phase to act on, SPaT's timing when SPaT is fresh and was
/// not overruled, where it came from, and whether SPaT and the camera disagreed on a colour.
/// </summary>
public readonly record struct FusedSignal(SignalTiming Timing, SignalSource Source, bool Disagreement)
{
    public SignalPhase Phase => Timing.Phase;
}

/// <summary>Ages after which a source is no longer believed, s.</summary>
public sealed record SignalFusionOptions
{
    /// <summary>SPaT is broadcast at 10 Hz; after this long without one it is stale.</summary>
    public double SpatMaxAge { get; init; } = 0.5;

    /// <summary>The camera classifies a head a few times a second; after this long its reading is stale.</summary>
    public double CameraMaxAge { get; init; } = 0.6;
}

/// <summary>
/// Fuses the SPaT state of the ego lane's signal group with the camera's classification of the head (the issue's
/// cross-check): when both name a colour and they differ, the more conservative one wins (red over amber over green)
/// and SPaT's timing is dropped, since it describes a phase the camera contradicts. An unknown camera reading (head
/// occluded, out of view) is no disagreement. Pure.
/// </summary>
public static class SignalStateFusion
{
    /// <summary>Fuses; a source whose age is NaN, negative or over its limit is ignored.</summary>
    public static FusedSignal Fuse(SignalTiming? spat, double spatAge, SignalPhase camera, double cameraAge, SignalFusionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var spatFresh = spat is { } s && s.Phase != SignalPhase.Unknown && spatAge >= 0 && spatAge <= options.SpatMaxAge;
        var cameraFresh = camera != SignalPhase.Unknown && cameraAge >= 0 && cameraAge <= options.CameraMaxAge;
        if (spatFresh && cameraFresh)
        {
            var timing = spat!.Value;
            if (timing.Phase == camera)
            {
                return new FusedSignal(timing, SignalSource.SpatAndCamera, false);
            }

            var conservative = MoreConservative(timing.Phase, camera);
            return conservative == timing.Phase
                ? new FusedSignal(timing, SignalSource.SpatAndCamera, true)
                : new FusedSignal(SignalTiming.Untimed(conservative), SignalSource.Camera, true);
        }

        if (spatFresh)
        {
            return new FusedSignal(spat!.Value, SignalSource.Spat, false);
        }

        return cameraFresh
            ? new FusedSignal(SignalTiming.Untimed(camera), SignalSource.Camera, false)
            : new FusedSignal(SignalTiming.Untimed(SignalPhase.Unknown), SignalSource.None, false);
    }

    /// <summary>Red over amber over green; unknown only when both are unknown.</summary>
    public static SignalPhase MoreConservative(SignalPhase a, SignalPhase b) => Rank(a) >= Rank(b) ? a : b;

    private static int Rank(SignalPhase phase) => phase switch
    {
        SignalPhase.Red => 3,
        SignalPhase.Amber => 2,
        SignalPhase.Green => 1,
        _ => 0,
    };
}
