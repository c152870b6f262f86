using System.Diagnostics;
using System.Text;

namespace AutomationStack.Visualizer.Tests;

/// <summary>Runs the built CLI (optionally under another program such as xvfb-run) with a timeout.</summary>
internal static class ChildProcess
{
    public static string RepoRoot
    {
        get
        {
            var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "AutomationStack.sln")))
            {
                dir = dir.Parent;
            }

            return dir?.FullName ?? throw new InvalidOperationException("AutomationStack.sln not found above the test directory");
        }
    }

    public static string CliDll => Path.Combine(TestContext.CurrentContext.TestDirectory, "automationstack.dll");

    public static Task<(int ExitCode, string Stdout, string Stderr)> RunCliAsync(TimeSpan timeout, params string[] arguments) =>
        RunAsync("dotnet", ["exec", CliDll, .. arguments], timeout);

    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(
        string fileName, IEnumerable<string> arguments, TimeSpan timeout, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RepoRoot,
        };
        foreach (var a in arguments)
        {
            start.ArgumentList.Add(a);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                start.Environment.Remove(key);
            }
            else
            {
                start.Environment[key] = value;
            }
        }

        return await AutomationStack.Tests.Shared.ChildProcessRunner.RunAsync(start, timeout);
    }

    /// <summary>The full path of a program on PATH, or null.</summary>
    public static string? OnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(File.Exists);
}
