namespace AutomationStack.Cli;

/// <summary>Exit codes of the <c>automationstack</c> command.</summary>
public static class ExitCodes
{
    /// <summary>The run completed and met its pass criteria.</summary>
    public const int Passed = 0;

    /// <summary>The run completed and failed at least one pass criterion.</summary>
    public const int CriteriaFailed = 1;

    /// <summary>Bad input: command line, scenario or map file. Nothing was written.</summary>
    public const int BadInput = 2;

    /// <summary>The run could not complete (bridge could not start, interrupted, internal error).</summary>
    public const int RunError = 3;

    /// <summary><c>view</c>: no OpenGL context could be created (EGL/GLFW library, display or driver missing).</summary>
    public const int GlUnavailable = 4;
}
