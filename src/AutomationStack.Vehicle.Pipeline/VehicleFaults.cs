namespace AutomationStack.Vehicle.Pipeline;

/// <summary>Fault bits reported per frame in <c>VehicleDiagnostics.Faults</c>.</summary>
[Flags]
public enum VehicleFaults
{
    None = 0,

    /// <summary>A control request was non-finite and replaced by the safe command.</summary>
    NonFiniteCommand = 1 << 0,

    /// <summary>One or more ego measurement fields were non-finite and ignored.</summary>
    NonFiniteMeasurement = 1 << 1,

    /// <summary>One or more radar detections were rejected.</summary>
    InvalidRadarDetection = 1 << 2,

    /// <summary>The frame's target lane id is not in the map (fell back to the located lane).</summary>
    UnknownTargetLane = 1 << 3,

    /// <summary>Ego measurement older than the allowed age.</summary>
    StaleInputs = 1 << 4,

    /// <summary>The ego pose estimate is invalid.</summary>
    EstimateInvalid = 1 << 5,

    /// <summary>Driver input (set speed or brake pedal) non-finite or negative.</summary>
    InvalidDriverInput = 1 << 6,

    /// <summary>No lane to follow (map empty or pose invalid).</summary>
    NoLane = 1 << 7,

    /// <summary>Lidar perception failed this frame (detector fault or no scan within its age): radar-only ACC.</summary>
    PerceptionFault = 1 << 8,

    /// <summary>
    /// A sensor reports itself down (<c>SensorFrame.Unavailable</c>): its data is missing from the frame. For the
    /// radar, the lead comes from the lidar or the predecessor's PCM with at least the ACC time gap, or the truck
    /// decelerates gently until the radar has been back for <c>safety.recovery_time</c>.
    /// </summary>
    SensorUnavailable = 1 << 9,
}
