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
    public const int KeyPadSubtract = 333;
    public const int KeyPadAdd = 334;

    /// <summary>Every key the window polls.</summary>
    public static readonly int[] Keys = [KeySpace, KeyMinus, KeyEqual, KeyV, KeyEscape, KeyTab, KeyRight, KeyLeft, KeyPadSubtract, KeyPadAdd];

    public static ViewerAction ActionOf(int key) => key switch
    {
        KeySpace => ViewerAction.TogglePlay,
        KeyEqual or KeyPadAdd => ViewerAction.Faster,
        KeyMinus or KeyPadSubtract => ViewerAction.Slower,
        KeyRight => ViewerAction.StepForward,
        KeyLeft => ViewerAction.StepBack,
        KeyTab => ViewerAction.NextVehicle,
        KeyV => ViewerAction.ToggleView,
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
            case ViewerAction.Quit:
                return false;
        }

        return true;
    }
}
