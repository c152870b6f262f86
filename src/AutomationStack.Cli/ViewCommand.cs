using AutomationStack.Visualizer;
using AutomationStack.Visualizer.Model;
using AutomationStack.Visualizer.Native;

namespace AutomationStack.Cli;

/// <summary><c>automationstack view</c>: argument errors and an unreadable log exit 2, no OpenGL exits 4.</summary>
internal static class ViewCommand
{
    public static int Execute(string[] args, TextWriter stdout, TextWriter stderr)
    {
        if (args.Length > 0 && args[0] is "-h" or "--help")
        {
            stdout.WriteLine(ViewOptions.Usage);
            return ExitCodes.Passed;
        }

        ViewOptions options;
        try
        {
            options = ViewOptions.Parse(args);
        }
        catch (ArgumentException ex)
        {
            stderr.WriteLine($"error: {ex.Message}\n{ViewOptions.Usage}");
            return ExitCodes.BadInput;
        }

        try
        {
            ReplayViewer.Run(options, stderr);
            return ExitCodes.Passed;
        }
        catch (ReplayException ex)
        {
            stderr.WriteLine($"error: {ex.Message}");
            return ExitCodes.BadInput;
        }
        catch (GlUnavailableException ex)
        {
            stderr.WriteLine($"error: no OpenGL: {ex.Message}");
            return ExitCodes.GlUnavailable;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine($"error: {ex.Message}");
            return ExitCodes.RunError;
        }
    }
}
