namespace AutomationStack.Visualizer.Model;

/// <summary>What a key press does in the window.</summary>
internal enum ViewerAction
{
    None,
    TogglePlay,
    Faster,
    Slower,
    StepForward,
    StepBack,
    NextVehicle,
    ToggleView,
    JumpBack,
    JumpForward,
    ToStart,
    ToEnd,
    Quit,
}

/// <summary>Key bindings of the window and their effect on a session (pure: tested without a window).</summary>
internal static class ViewerControls
{
    // GLFW key codes.
    public const int KeySpace = 32;
    public const int KeyMinus = 45;
    public const int KeyEqual = 61;
    public const int KeyV = 86;
    public const int KeyEscape = 256;
    public const int KeyTab = 258;
    public const int KeyRight = 262;
    public const int KeyLeft = 263;
    public const int KeyPageUp = 266;
    public const int KeyPageDown = 267;
    public const int KeyHome = 268;
    public const int KeyEnd = 269;
    public const int KeyPadSubtract = 333;
    public const int KeyPadAdd = 334;

    /// <summary>How far page up / page down jump, s of simulated time.</summary>
    public const double JumpSeconds = 10;

    /// <summary>Vertical slack round the timeline bar for clicks, px.</summary>
    public const int TimelineGrabSlack = 6;

    /// <summary>Every key the window polls.</summary>
    public static readonly int[] Keys =
    [
        KeySpace, KeyMinus, KeyEqual, KeyV, KeyEscape, KeyTab, KeyRight, KeyLeft, KeyPageUp, KeyPageDown, KeyHome, KeyEnd, KeyPadSubtract, KeyPadAdd,
    ];

    public static ViewerAction ActionOf(int key) => key switch
    {
        KeySpace => ViewerAction.TogglePlay,
        KeyEqual or KeyPadAdd => ViewerAction.Faster,
        KeyMinus or KeyPadSubtract => ViewerAction.Slower,
        KeyRight => ViewerAction.StepForward,
        KeyLeft => ViewerAction.StepBack,
        KeyTab => ViewerAction.NextVehicle,
        KeyV => ViewerAction.ToggleView,
        KeyPageUp => ViewerAction.JumpBack,
        KeyPageDown => ViewerAction.JumpForward,
        KeyHome => ViewerAction.ToStart,
        KeyEnd => ViewerAction.ToEnd,
        KeyEscape => ViewerAction.Quit,
        _ => ViewerAction.None,
    };

    /// <summary>Applies an action; returns false for <see cref="ViewerAction.Quit"/>.</summary>
    public static bool Apply(ViewerAction action, Timeline timeline, FollowCycle follow, ref ViewMode view)
    {
        ArgumentNullException.ThrowIfNull(timeline);
        ArgumentNullException.ThrowIfNull(follow);
        switch (action)
        {
            case ViewerAction.TogglePlay:
                timeline.TogglePlay();
                break;
            case ViewerAction.Faster:
                timeline.Faster();
                break;
            case ViewerAction.Slower:
                timeline.Slower();
                break;
            case ViewerAction.StepForward:
                timeline.Step(1);
                break;
            case ViewerAction.StepBack:
                timeline.Step(-1);
                break;
            case ViewerAction.NextVehicle:
                follow.Next();
                break;
            case ViewerAction.ToggleView:
                view = view == ViewMode.Top ? ViewMode.Chase : ViewMode.Top;
                break;
            case ViewerAction.JumpBack:
                timeline.Scrub(timeline.Time - JumpSeconds);
                break;
            case ViewerAction.JumpForward:
                timeline.Scrub(timeline.Time + JumpSeconds);
                break;
            case ViewerAction.ToStart:
                timeline.Scrub(timeline.Start);
                break;
            case ViewerAction.ToEnd:
                timeline.Scrub(timeline.End);
                break;
            case ViewerAction.Quit:
                return false;
        }

        return true;
    }

    /// <summary>
    /// Scrubbing with the mouse: the time under a cursor at (x, y) px on the overlay's timeline bar (which spans the
    /// whole log, <paramref name="logStart"/> … <paramref name="logEnd"/>), or null when the cursor is not on it.
    /// </summary>
    public static double? TimeAtCursor(double x, double y, int width, int height, double logStart, double logEnd)
    {
        var (bx, by, bw, bh) = MeshBuilder.TimelineBar(width, height);
        if (y < by - TimelineGrabSlack || y > by + bh + TimelineGrabSlack || x < bx - TimelineGrabSlack || x > bx + bw + TimelineGrabSlack || bw <= 0)
        {
            return null;
        }

        return logStart + (Math.Clamp((x - bx) / bw, 0, 1) * (logEnd - logStart));
    }
}
