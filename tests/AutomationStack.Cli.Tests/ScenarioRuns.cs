namespace AutomationStack.Cli.Tests;

/// <summary>One finished `automationstack run`: exit code, output, and where it wrote its files.</summary>
internal sealed record ScenarioOutcome(int ExitCode, string Stdout, string Stderr, string OutDir)
{
    public string Recording => Path.Combine(OutDir, "run.mcap");

    public string Kpi => Path.Combine(OutDir, "kpi.json");

    public string Describe() => $"exit {ExitCode}\nstdout:\n{Stdout}\nstderr:\n{Stderr}";
}

/// <summary>Runs several CLI commands, a few at a time, each into its own folder under a root (shared by test fixtures).</summary>
internal static class ScenarioRuns
{
    /// <summary>
    /// Runs every (name, arguments) pair with <c>--out &lt;root&gt;/&lt;name&gt; --quiet</c> appended, at most
    /// <paramref name="parallel"/> at once, each bounded by <paramref name="timeout"/>; returns the outcomes by name.
    /// </summary>
    public static async Task<Dictionary<string, ScenarioOutcome>> RunAllAsync(IEnumerable<(string Name, string[] Args)> runs, string root, int parallel, TimeSpan timeout)
    {
        using var gate = new SemaphoreSlim(parallel);
        var outcomes = await Task.WhenAll(runs.Select(async run =>
        {
            await gate.WaitAsync();
            try
            {
                var outDir = Path.Combine(root, run.Name);
                var (code, stdout, stderr) = await CliProcess.RunCliAsync(timeout, [.. run.Args, "--out", outDir, "--quiet"]);
                return (run.Name, Outcome: new ScenarioOutcome(code, stdout, stderr, outDir));
            }
            finally
            {
                gate.Release();
            }
        }));
        return outcomes.ToDictionary(o => o.Name, o => o.Outcome, StringComparer.Ordinal);
    }
}
