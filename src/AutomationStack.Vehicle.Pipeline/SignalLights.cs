using System.Globalization;
using AutomationStack.Contracts;
using AutomationStack.Localization;
using AutomationStack.RoadMap;

namespace AutomationStack.Vehicle.Pipeline;

/// <summary>What a signal head shows, as the camera classifies it.</summary>
public enum SignalLight
{
    Unknown = 0,
    Red = 1,
    Amber = 2,
    Green = 3,
}

/// <summary>One classification: the state and the classifier's probability of it; Fault when the inference failed.</summary>
public readonly record struct SignalLightReading(SignalLight State, double Confidence, bool Fault = false);

/// <summary>An image rectangle in pixels (x right, y down from the top-left corner).</summary>
public readonly record struct PixelBox(double X, double Y, double Width, double Height);

/// <summary>
/// The seam between the camera's traffic-light classifier and the pipeline: the housing rectangle of a head in an
/// image in, its state out. The vehicle process plugs in the ONNX classifier; tests plug in fakes. A failed inference
/// comes back as a reading with <see cref="SignalLightReading.Fault"/> (state Unknown), never as an exception.
/// </summary>
public interface ISignalLightClassifier
{
    SignalLightReading Classify(CameraImage image, PixelBox housing);
}

/// <summary>
/// Projects a map signal head's housing into a camera image from the ego pose estimate and the image's mount and
/// intrinsics (flat world: the camera's height is its mount height). Camera frame x along the optical axis, y left,
/// z up; u = Cx − Fx·y/x, v = Cy − Fy·z/x (<see cref="CameraImage"/>). Pure.
/// </summary>
public static class SignalHeadProjector
{
    private const double NearPlane = 0.5;

    /// <summary>The housing's bounding rectangle; false when a corner is behind the camera or the box is not wholly inside the image.</summary>
    public static bool TryProject(SignalHeadSite head, double egoX, double egoY, double egoHeading, CameraImage image, out PixelBox box)
    {
        ArgumentNullException.ThrowIfNull(head);
        ArgumentNullException.ThrowIfNull(image);
        var (ch, sh) = (Math.Cos(egoHeading), Math.Sin(egoHeading));
        var m = image.Pose;
        var camX = egoX + (m.X * ch) - (m.Y * sh);
        var camY = egoY + (m.X * sh) + (m.Y * ch);
        var camZ = m.Z;
        var yaw = egoHeading + m.Yaw;
        var (cy, sy) = (Math.Cos(yaw), Math.Sin(yaw));
        var (cp, sp) = (Math.Cos(m.Pitch), Math.Sin(m.Pitch));
        var (hc, hs) = (Math.Cos(head.Heading), Math.Sin(head.Heading));
        double minU = double.MaxValue, minV = double.MaxValue, maxU = double.MinValue, maxV = double.MinValue;
        for (var k = 0; k < 8; k++)
        {
            var lx = ((k & 1) == 0 ? -0.5 : 0.5) * SignalHeadSite.HousingDepth;
            var ly = ((k & 2) == 0 ? -0.5 : 0.5) * SignalHeadSite.HousingWidth;
            var dx = head.X + (lx * hc) - (ly * hs) - camX;
            var dy = head.Y + (lx * hs) + (ly * hc) - camY;
            var dz = head.Height + ((k & 4) == 0 ? 0 : SignalHeadSite.HousingHeight) - camZ;
            var forward = (dx * cy * cp) + (dy * sy * cp) - (dz * sp);
            var left = (-dx * sy) + (dy * cy);
            var up = (dx * cy * sp) + (dy * sy * sp) + (dz * cp);
            if (forward < NearPlane)
            {
                box = default;
                return false;
            }

            var u = image.Cx - (image.Fx * left / forward);
            var v = image.Cy - (image.Fy * up / forward);
            minU = Math.Min(minU, u);
            maxU = Math.Max(maxU, u);
            minV = Math.Min(minV, v);
            maxV = Math.Max(maxV, v);
        }

        box = new PixelBox(minU, minV, maxU - minU, maxV - minV);
        return minU >= 0 && minV >= 0 && maxU <= image.Width && maxV <= image.Height && maxU > minU && maxV > minV;
    }
}

/// <summary>
/// The camera's signal-head stage (parameter perception.camera_lights): in each frame with an image, every map head
/// ahead that faces the ego (its lamps within 60° of pointing back along the ego's heading), between
/// <see cref="MinRange"/> and <see cref="PerceptionOptions.LightRange"/> along the heading and within 30 m across, is
/// projected with the ego estimate; one whose housing is wholly in the image and at least <see cref="MinPixels"/> tall is
/// classified. The reported head is the nearest one ahead that controls the ego's lane (one showing a state preferred
/// over an unknown one up to 5 m farther, ties to the lower id). State changes of the reported head are logged. Pure
/// apart from its state.
/// </summary>
internal sealed class SignalHeadObserver
{
    public const double MinRange = 5.0;
    public const double MinPixels = 12.0;
    private const double MaxLateral = 30.0;
    private static readonly double FacingCos = Math.Cos(Math.PI / 3);

    private readonly ISignalLightClassifier _classifier;
    private readonly PerceptionOptions _options;
    private readonly List<VehicleLogLine> _log;
    private SignalDiagnostics _current;
    private string _loggedHead = string.Empty;
    private SignalLight _loggedState;
    private long _classified;
    private long _faults;

    public SignalHeadObserver(ISignalLightClassifier classifier, PerceptionOptions options, List<VehicleLogLine> log)
    {
        _classifier = classifier;
        _options = options;
        _log = log;
    }

    /// <summary>Classifies the heads in view when the frame has an image; returns the diagnostics to report (the last image's between images).</summary>
    public SignalDiagnostics Step(long stampNs, CameraImage? image, in EgoState ego, RoadNetwork map, string? laneId)
    {
        if (image is null || !ego.Valid)
        {
            return _current with { HeadsClassified = _classified, ClassifierFaults = _faults };
        }

        var (ch, sh) = (Math.Cos(ego.Heading), Math.Sin(ego.Heading));
        SignalHeadSite? best = null;
        var bestDistance = double.MaxValue;
        var bestReading = default(SignalLightReading);
        foreach (var head in map.SignalHeads)
        {
            var dx = head.X - ego.X;
            var dy = head.Y - ego.Y;
            var along = (dx * ch) + (dy * sh);
            var across = (-dx * sh) + (dy * ch);
            // Facing the ego: the lamps shine back along the ego's heading.
            var facing = -((Math.Cos(head.Heading) * ch) + (Math.Sin(head.Heading) * sh));
            if (along < MinRange || along > _options.LightRange || Math.Abs(across) > MaxLateral || facing < FacingCos)
            {
                continue;
            }

            if (!SignalHeadProjector.TryProject(head, ego.X, ego.Y, ego.Heading, image, out var box) || box.Height < MinPixels)
            {
                continue;
            }

            var reading = _classifier.Classify(image, box);
            _classified++;
            if (reading.Fault)
            {
                _faults++;
            }

            // Of the heads that control the lane (a junction has one each side), the nearest; one that shows a state
            // wins over one classified unknown (hidden behind a vehicle, washed out) when it is no more than 5 m farther.
            var controlsLane = laneId is not null && head.LaneIds.Contains(laneId, StringComparer.Ordinal);
            if (controlsLane && Better(head.Id, along, reading, best?.Id, bestDistance, bestReading))
            {
                best = head;
                bestDistance = along;
                bestReading = reading;
            }
        }

        _current = best is null
            ? default
            : new SignalDiagnostics(best.Id, Name(bestReading.State), bestReading.Confidence, bestDistance, 0, 0);
        if (best is not null && (!string.Equals(best.Id, _loggedHead, StringComparison.Ordinal) || bestReading.State != _loggedState))
        {
            _log.Add(new VehicleLogLine(stampNs, LogLevel.Info, string.Create(CultureInfo.InvariantCulture,
                $"signal head {best.Id}: {Name(bestReading.State)} at {bestDistance:F0} m (p {bestReading.Confidence:F2}){(bestReading.Fault ? " — classifier fault" : string.Empty)}")));
            _loggedHead = best.Id;
            _loggedState = bestReading.State;
        }
        else if (best is null)
        {
            _loggedHead = string.Empty;
        }

        return _current with { HeadsClassified = _classified, ClassifierFaults = _faults };
    }

    private static bool Better(string id, double distance, SignalLightReading reading, string? bestId, double bestDistance, SignalLightReading bestReading)
    {
        if (bestId is null)
        {
            return true;
        }

        if (Math.Abs(distance - bestDistance) > 5.0)
        {
            return distance < bestDistance;
        }

        var known = reading.State != SignalLight.Unknown;
        var bestKnown = bestReading.State != SignalLight.Unknown;
        return known != bestKnown ? known : string.CompareOrdinal(id, bestId) < 0;
    }

    private static string Name(SignalLight state) => state switch
    {
        SignalLight.Red => "red",
        SignalLight.Amber => "amber",
        SignalLight.Green => "green",
        _ => "unknown",
    };
}
