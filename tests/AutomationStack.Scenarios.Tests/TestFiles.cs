namespace AutomationStack.Scenarios.Tests;

internal static class TestFiles
{
    public static string RepoRoot { get; } = FindRepoRoot();

    public static string ShippedScenario => Path.Combine(RepoRoot, "sim-bridge", "scenarios", "corridor-3-trucks-acc.yaml");

    public static string Bad(string name) => Path.Combine(RepoRoot, "tests", "AutomationStack.Scenarios.Tests", "bad", name);

    private static string FindRepoRoot()
    {
        var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "AutomationStack.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("Repository root (AutomationStack.sln) not found.");
    }
}
