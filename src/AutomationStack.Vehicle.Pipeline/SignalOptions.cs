using AutomationStack.Planning;

namespace AutomationStack.Vehicle.Pipeline;

/// <summary>
/// The signalised-intersection stage (parameters <c>signals.*</c>): with <see cref="StopLines"/> on (the default) a
/// truck on an ingress lane of a MAP it has received obeys the signal group of that lane (SPaT, cross-checked with the
/// camera when <c>perception.camera_lights</c> is on); <see cref="Glosa"/> caps the set speed with the green light
/// optimal speed advice.
/// </summary>
public sealed record SignalOptions
{
    /// <summary>Obey signals at MAP stop lines (stop for red, amber when able; unknown = stop).</summary>
    public bool StopLines { get; init; } = true;

    /// <summary>Cap the set speed with GLOSA advice from SPaT.</summary>
    public bool Glosa { get; init; } = true;

    /// <summary>Platoon leaders plan the crossing for the platoon (pass intact, priority request, split).</summary>
    public bool PlatoonCrossing { get; init; } = true;

    public StopLineOptions StopLine { get; init; } = new();

    public GlosaOptions GlosaAdvice { get; init; } = new();

    public SignalFusionOptions Fusion { get; init; } = new();

    public ApproachMatcherOptions Matcher { get; init; } = new();

    public PlatoonCrossingOptions Crossing { get; init; } = new();

    public static SignalOptions Default { get; } = new();
}
