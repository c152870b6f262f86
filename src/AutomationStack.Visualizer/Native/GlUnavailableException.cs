namespace AutomationStack.Visualizer.Native;

/// <summary>No OpenGL context could be created (library missing, no display, driver refused the version).</summary>
public sealed class GlUnavailableException : Exception
{
    public GlUnavailableException(string message)
        : base(message)
    {
    }

    public GlUnavailableException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public GlUnavailableException()
    {
    }
}
