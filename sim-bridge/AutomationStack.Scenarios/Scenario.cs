using AutomationStack.Contracts;
using AutomationStack.RoadMap;
using AutomationStack.Simulation;

namespace AutomationStack.Scenarios;

/// <summary>How the bridge paces the simulation: as fast as the vehicles answer, or tied to the wall clock.</summary>
public enum ScenarioMode
{
    Lockstep,
    Realtime,
}

/// <summary>Who drives a vehicle: a vehicle process running the stack, or the simulator's car-following model.</summary>
public enum VehicleRole
{
    Stack,
    Background,
}

/// <summary>
/// A vehicle at the start of a scenario (SI units). <see cref="S"/> is the arc length of the vehicle's geometric
/// centre along the centreline of <see cref="LaneId"/>. For stack vehicles <see cref="SetSpeed"/> is the driver's
/// initial set speed and <see cref="CarFollowing"/> is null; for background vehicles <see cref="SetSpeed"/> equals
/// the car-following desired speed, <see cref="ControlPeriodSteps"/> is 1 and <see cref="Parameters"/> is empty.
/// </summary>
public sealed record ScenarioVehicle(
    string Id,
    VehicleRole Role,
    TruckParameters Body,
    string LaneId,
    double S,
    double Speed,
    double SetSpeed,
    int ControlPeriodSteps,
    IReadOnlyDictionary<string, double> Parameters,
    IdmParameters? CarFollowing);

/// <summary>Something the driver of a stack vehicle does at simulated time <see cref="At"/> (s).</summary>
public abstract record ScenarioEvent(double At, string VehicleId);

/// <summary>The set speed steps to <see cref="Speed"/> (m/s).</summary>
public sealed record SetSpeedEvent(double At, string VehicleId, double Speed) : ScenarioEvent(At, VehicleId);

/// <summary>The set speed ramps from its value at <see cref="ScenarioEvent.At"/> to <see cref="Speed"/> (m/s) at <see cref="Rate"/> (m/s²).</summary>
public sealed record RampEvent(double At, string VehicleId, double Speed, double Rate) : ScenarioEvent(At, VehicleId);

/// <summary>
/// Set speed = base + Amplitude·sin(2π·Frequency·(t − At)) for <see cref="Duration"/> s, base being the set speed at
/// <see cref="ScenarioEvent.At"/>; afterwards the set speed is base again. Amplitude m/s, Frequency Hz.
/// </summary>
public sealed record SinusoidEvent(double At, string VehicleId, double Amplitude, double Frequency, double Duration)
    : ScenarioEvent(At, VehicleId);

/// <summary>
/// The driver presses the brake pedal: BrakeDeceleration = <see cref="Deceleration"/> (m/s²) until the vehicle's true
/// speed is at most <see cref="UntilSpeed"/> (m/s) or <see cref="MaxDuration"/> (s) has passed. The set speed is unchanged.
/// </summary>
public sealed record BrakeEvent(double At, string VehicleId, double Deceleration, double UntilSpeed, double MaxDuration)
    : ScenarioEvent(At, VehicleId);

/// <summary>The driver (HMI) of <see cref="ScenarioEvent.VehicleId"/> makes a platooning request.</summary>
public sealed record PlatoonEvent(double At, string VehicleId, PlatoonCommand Command, uint PlatoonId, int Index, double TimeGap) : ScenarioEvent(At, VehicleId);

/// <summary>
/// From <see cref="ScenarioEvent.At"/> until <see cref="Until"/> (s; null = the end of the run) the V2X channel is
/// <see cref="Channel"/> (the scenario's channel with the event's fields over it); then the scenario's channel again.
/// Applies to everyone, so <see cref="ScenarioEvent.VehicleId"/> is empty.
/// </summary>
public sealed record V2xChannelEvent(double At, double? Until, V2xChannelOptions Channel) : ScenarioEvent(At, string.Empty);

/// <summary>
/// Background vehicle <see cref="ScenarioEvent.VehicleId"/> changes into lane <see cref="TargetLaneId"/>: it moves
/// laterally to the target lane's centreline over <see cref="Duration"/> s (smooth quintic profile) and then follows
/// that lane with its car-following model. The only event type for a background vehicle.
/// </summary>
public sealed record LaneChangeEvent(double At, string VehicleId, string TargetLaneId, double Duration) : ScenarioEvent(At, VehicleId);

/// <summary>
/// From <see cref="ScenarioEvent.At"/> until <see cref="Until"/> (s; null = the end of the run) stack truck
/// <see cref="ScenarioEvent.VehicleId"/>'s <see cref="Sensor"/> is down: the bridge leaves its data out of the truck's
/// frames and marks it in <c>Frame.unavailable_sensors</c>. Dropouts of different sensors of a truck may overlap.
/// </summary>
public sealed record SensorDropoutEvent(double At, string VehicleId, double? Until, SensorSet Sensor) : ScenarioEvent(At, VehicleId);

/// <summary>What a run must satisfy to pass. Null thresholds are not checked. MinTimeGap s, MinDistance m, MaxSpeedRmsError m/s.</summary>
public sealed record PassCriteria(
    bool NoCollision,
    double? MinTimeGap,
    double? MinDistance,
    double? MaxSpeedRmsError,
    bool NoVehicleFailures,
    double? MaxStringStabilityRatio = null,
    double StringStabilityFrom = PassCriteria.DefaultStringStabilityFrom)
{
    /// <summary>Default start of the string-stability window, s (engagement transients come before it).</summary>
    public const double DefaultStringStabilityFrom = 5.0;
}

/// <summary>
/// A validated scenario (SI units). <see cref="SourcePath"/> and <see cref="MapPath"/> are absolute paths.
/// <see cref="StepLength"/> equals <c>World.StepLength</c>; <see cref="VehicleTimeout"/> and
/// <see cref="AttachTimeout"/> are wall-clock seconds. <see cref="Events"/> are ordered by time (stable).
/// </summary>
public sealed record Scenario(
    string Name,
    string Description,
    string SourcePath,
    string MapPath,
    RoadNetwork Map,
    double Duration,
    double StepLength,
    ulong Seed,
    ScenarioMode Mode,
    double VehicleTimeout,
    double AttachTimeout,
    WorldOptions World,
    IReadOnlyList<ScenarioVehicle> Vehicles,
    IReadOnlyList<ScenarioEvent> Events,
    PassCriteria PassCriteria)
{
    /// <summary>A simulated V2V attacker, or null.</summary>
    public V2xAttackerSettings? Attacker { get; init; }

    /// <summary>Fixed-time programs of the map's signal heads (heads without one are dark).</summary>
    public IReadOnlyList<ScenarioSignal> Signals { get; init; } = [];

    /// <summary>Signal controllers of the map's intersections (each with a roadside unit); empty: none run.</summary>
    public IReadOnlyList<ScenarioSignalController> SignalControllers { get; init; } = [];

    /// <summary>The simulator that moves background traffic (scenario <c>backend</c>, default embedded).</summary>
    public SimulationBackend Backend { get; init; } = SimulationBackend.Embedded;

    /// <summary>The SUMO coupling when <see cref="Backend"/> is <see cref="SimulationBackend.Sumo"/>, else null.</summary>
    public SumoSettings? Sumo { get; init; }

    /// <summary>
    /// The log's <c>/ground_truth</c> holds every this-many-th world step (scenario <c>recording.ground_truth_every</c>,
    /// default 1 = every step); steps with a new collision are always recorded. KPIs use every step either way.
    /// </summary>
    public int GroundTruthEvery { get; init; } = 1;

    /// <summary>
    /// The log also carries Foxglove's scene topics (<c>/foxglove/*</c>: lanes, vehicle boxes, signal heads, transforms,
    /// lidar point clouds; scenario <c>recording.foxglove</c>, default true).
    /// </summary>
    public bool FoxgloveTopics { get; init; } = true;
}

/// <summary>
/// The controller of map intersection <see cref="IntersectionId"/> (scenario <c>signal_controllers</c>): it drives the
/// heads of the intersection's signal groups, and a roadside unit broadcasts its SPaT and the intersection's MAP.
/// </summary>
public sealed record ScenarioSignalController(int IntersectionId, SignalControllerSettings Settings);

/// <summary>
/// A fixed-time program for map signal head <see cref="HeadId"/>: <see cref="Green"/>, <see cref="Amber"/> and
/// <see cref="Red"/> s, repeated, a green phase starting at <see cref="Offset"/> s (modulo the cycle); see
/// <see cref="FixedTimeSignalProgram"/>.
/// </summary>
public sealed record ScenarioSignal(string HeadId, double Green, double Amber, double Red, double Offset)
{
    public FixedTimeSignalProgram ToProgram() => new(Green, Amber, Red, Offset);
}

/// <summary>
/// A background vehicle that broadcasts malicious V2V messages: from <see cref="From"/> s, one message every
/// <see cref="Period"/> s, cycling through <see cref="Kinds"/> (names of the attack kinds: forged, untrusted_root,
/// expired_certificate, missing_permission, impersonation, replay, stale, future_dated, truncated, bit_flipped).
/// </summary>
public sealed record V2xAttackerSettings(string VehicleId, double From, double Period, IReadOnlyList<string> Kinds);

/// <summary>Which simulator moves the world's traffic and lights (scenario <c>backend</c>).</summary>
public enum SimulationBackend
{
    /// <summary>The embedded simulator: IDM background vehicles, the world's signal controllers.</summary>
    Embedded,

    /// <summary>SUMO over TraCI: SUMO moves the background traffic; the world keeps the stack trucks, sensors and lights.</summary>
    Sumo,
}

/// <summary>
/// One stream of SUMO background traffic (scenario <c>sumo.traffic</c>): vehicles of <see cref="Body"/> driving from the
/// start of road <see cref="FromRoad"/> to the end of road <see cref="ToRoad"/> (SUMO routes between them),
/// <see cref="Initial"/> of them placed at t = 0 at seeded free positions on <see cref="FromRoad"/>, and a further
/// <see cref="PerHour"/> vehicles per hour entering at its start. <see cref="MaxSpeed"/> m/s caps their speed (SUMO
/// also keeps the lane's limit), <see cref="BlueprintName"/> names the body in the log.
/// </summary>
public sealed record SumoTrafficStream(
    string FromRoad,
    string ToRoad,
    string BlueprintName,
    TruckParameters Body,
    int Initial,
    double PerHour,
    double MaxSpeed);

/// <summary>
/// The SUMO coupling (scenario <c>sumo</c>): SUMO steps every <see cref="StepLength"/> s (a whole number of world
/// steps) with random seed <see cref="Seed"/>; <see cref="Traffic"/> is its background traffic; no initial background
/// vehicle is placed within <see cref="TruckClearance"/> m (bumper to bumper) of a stack truck on its road.
/// </summary>
public sealed record SumoSettings(double StepLength, int Seed, IReadOnlyList<SumoTrafficStream> Traffic, double TruckClearance);
