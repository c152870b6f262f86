using AutomationStack.Simulation.Camera;

namespace AutomationStack.Simulation;

/// <summary>
/// What one signal head shows at simulated time. <see cref="World"/> only asks for the lamp at its current time.
/// A fixed-time program is a pure function of time (no state, no random draws); a head driven by an intersection's
/// <see cref="SignalController"/> (<see cref="ControlledSignalHead"/>) shows the controller's state, which the world
/// steps at every step boundary before it asks.
/// </summary>
public interface ISignalProgram
{
    /// <summary>The lamp lit at simulated time <paramref name="stampNs"/> (ns since the start of the run).</summary>
    SignalLamp LampAt(long stampNs);
}

/// <summary>
/// A fixed-time program: green for <see cref="Green"/> s, amber for <see cref="Amber"/> s, red for <see cref="Red"/>
/// s, repeated; a green phase starts at every t = <see cref="Offset"/> + k · cycle (k any integer), so before the
/// first one the program is already running (t = 0 is at cycle position −offset). Durations are rounded to whole
/// nanoseconds once, and the phase is computed in integer nanoseconds: no drift over long runs. A phase of length 0
/// is skipped (e.g. no amber).
/// </summary>
public sealed class FixedTimeSignalProgram : ISignalProgram
{
    private readonly long _greenNs;
    private readonly long _amberEndNs;
    private readonly long _cycleNs;
    private readonly long _offsetNs;

    /// <exception cref="ArgumentOutOfRangeException">a negative or non-finite duration, an empty cycle or a non-finite offset.</exception>
    public FixedTimeSignalProgram(double green, double amber, double red, double offset)
    {
        CheckDuration(green, nameof(green));
        CheckDuration(amber, nameof(amber));
        CheckDuration(red, nameof(red));
        if (!double.IsFinite(offset))
        {
            throw new ArgumentOutOfRangeException(nameof(offset), offset, "The offset must be a finite number of seconds.");
        }

        _greenNs = ToNs(green);
        _amberEndNs = _greenNs + ToNs(amber);
        _cycleNs = _amberEndNs + ToNs(red);
        if (_cycleNs <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(red), "A signal cycle needs a positive length (green + amber + red).");
        }

        _offsetNs = Modulo(ToNs(offset), _cycleNs);
        Green = green;
        Amber = amber;
        Red = red;
        Offset = offset;
    }

    /// <summary>Green time per cycle, s.</summary>
    public double Green { get; }

    /// <summary>Amber time per cycle, s.</summary>
    public double Amber { get; }

    /// <summary>Red time per cycle, s.</summary>
    public double Red { get; }

    /// <summary>Start of a green phase, s (modulo the cycle).</summary>
    public double Offset { get; }

    /// <summary>Cycle length, s.</summary>
    public double Cycle => _cycleNs / 1e9;

    public SignalLamp LampAt(long stampNs)
    {
        var position = Modulo(stampNs - _offsetNs, _cycleNs);
        return position < _greenNs ? SignalLamp.Green : position < _amberEndNs ? SignalLamp.Amber : SignalLamp.Red;
    }

    private static long ToNs(double seconds) => (long)Math.Round(seconds * 1e9);

    private static long Modulo(long value, long modulus)
    {
        var r = value % modulus;
        return r < 0 ? r + modulus : r;
    }

    private static void CheckDuration(double value, string name)
    {
        if (!(value >= 0) || double.IsInfinity(value))
        {
            throw new ArgumentOutOfRangeException(name, value, "Signal phase durations must be finite and ≥ 0 s.");
        }
    }
}

/// <summary>
/// A head driven by signal group <see cref="GroupId"/> of a <see cref="SignalController"/>: shows the group's current
/// state (the controller is stepped by the world, so <c>stampNs</c> is its current time).
/// </summary>
public sealed class ControlledSignalHead(SignalController controller, int groupId) : ISignalProgram
{
    public SignalController Controller { get; } = controller ?? throw new ArgumentNullException(nameof(controller));

    public int GroupId { get; } = groupId;

    public SignalLamp LampAt(long stampNs) => Controller.LampOf(GroupId);
}
