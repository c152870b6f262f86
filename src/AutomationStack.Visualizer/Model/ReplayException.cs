namespace AutomationStack.Visualizer.Model;

/// <summary>The log cannot be opened or read: missing, not MCAP, truncated, corrupt. The message names the file.</summary>
public sealed class ReplayException : Exception
{
    public ReplayException(string message)
        : base(message)
    {
    }

    public ReplayException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public ReplayException()
    {
    }
}
