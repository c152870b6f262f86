using System.Diagnostics;

/// <summary>One `automationstack run` of a shipped scenario as a child process, for the scenario tables.</summary>
internal static class ScenarioRun
{
    /// <summary>Runs <paramref name="scenario"/> into <paramref name="outDir"/> (quiet, plus <paramref name="extra"/> options); returns the exit code and output.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string cli, string scenario, string outDir, params string[] extra)
    {
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "exec", cli, "run", scenario, "--out", outDir, "--quiet" }.Concat(extra))
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Console.Error.WriteLine($"{Path.GetFileNameWithoutExtension(scenario)}: exit {process.ExitCode}");
        return (process.ExitCode, await stdout, await stderr);
    }
}
