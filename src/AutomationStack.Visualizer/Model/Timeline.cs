namespace AutomationStack.Visualizer.Model;

/// <summary>
/// Playback state: the replay time (s of simulated time), play/pause, speed (0.1–16×), scrubbing and frame stepping.
/// Advanced by the host with wall-clock seconds (<see cref="Update"/>); pure, no clock of its own.
/// </summary>
internal sealed class Timeline
{
    /// <summary>The speeds +/- step through.</summary>
    public static readonly double[] Speeds = [0.1, 0.25, 0.5, 1, 2, 4, 8, 16];

    public const double MinSpeed = 0.1;
    public const double MaxSpeed = 16;

    private int _speedIndex = 3;

    public Timeline(double start, double end, double frameStep)
    {
        if (!(end >= start) || !(frameStep > 0))
        {
            throw new ArgumentException($"timeline needs start ≤ end and frame step > 0 (got {start}, {end}, {frameStep})");
        }

        Start = start;
        End = end;
        FrameStep = frameStep;
        Time = start;
    }

    public double Start { get; }

    public double End { get; }

    /// <summary>Simulated seconds of one frame step.</summary>
    public double FrameStep { get; }

    public double Time { get; private set; }

    public bool Playing { get; private set; }

    public double Speed => Speeds[_speedIndex];

    /// <summary>True once playback has reached <see cref="End"/>.</summary>
    public bool AtEnd => Time >= End;

    public void Play() => Playing = true;

    public void Pause() => Playing = false;

    public void TogglePlay() => Playing = !Playing;

    public void Faster() => _speedIndex = Math.Min(_speedIndex + 1, Speeds.Length - 1);

    public void Slower() => _speedIndex = Math.Max(_speedIndex - 1, 0);

    /// <summary>Sets the speed to the nearest of <see cref="Speeds"/>.</summary>
    public void SetSpeed(double speed)
    {
        var best = 0;
        for (var i = 1; i < Speeds.Length; i++)
        {
            if (Math.Abs(Speeds[i] - speed) < Math.Abs(Speeds[best] - speed))
            {
                best = i;
            }
        }

        _speedIndex = best;
    }

    /// <summary>Moves to <paramref name="time"/>, clamped to the log.</summary>
    public void Scrub(double time) => Time = Math.Clamp(double.IsFinite(time) ? time : Start, Start, End);

    /// <summary>Moves by whole frames (negative: back) and pauses.</summary>
    public void Step(int frames)
    {
        Playing = false;
        Scrub(Time + (frames * FrameStep));
    }

    /// <summary>Advances by <paramref name="wallSeconds"/> × speed while playing; stops at the end.</summary>
    public void Update(double wallSeconds)
    {
        if (!Playing || !(wallSeconds > 0))
        {
            return;
        }

        Scrub(Time + (wallSeconds * Speed));
        if (AtEnd)
        {
            Playing = false;
        }
    }
}

/// <summary>The vehicle the camera follows: cycles through stack trucks first, then the others; null = free camera.</summary>
internal sealed class FollowCycle
{
    private readonly List<string> _ids = [];

    public FollowCycle(IEnumerable<string> stackTrucks, string? initial)
    {
        ArgumentNullException.ThrowIfNull(stackTrucks);
        _ids.AddRange(stackTrucks);
        Current = initial ?? (_ids.Count > 0 ? _ids[0] : null);
    }

    public string? Current { get; private set; }

    /// <summary>Adds the ids of a scene's vehicles that are not known yet (keeps the order stable).</summary>
    public void Learn(IEnumerable<string> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        foreach (var id in ids)
        {
            if (!_ids.Contains(id))
            {
                _ids.Add(id);
            }
        }
    }

    /// <summary>Next vehicle in the cycle (wraps round).</summary>
    public string? Next()
    {
        if (_ids.Count == 0)
        {
            return Current;
        }

        var i = Current is null ? -1 : _ids.IndexOf(Current);
        Current = _ids[(i + 1) % _ids.Count];
        return Current;
    }
}
