namespace AutomationStack.Scenarios.Tests;

internal static class TestFiles
{
    public static string RepoRoot { get; } = FindRepoRoot();

    public static string ShippedScenario => Path.Combine(RepoRoot, "sim-bridge", "scenarios", "corridor-3-trucks-acc.yaml");

    public static string Bad(string name) => Path.Combine(RepoRoot, "tests", "AutomationStack.Scenarios.Tests", "bad", name);

    /// <summary>
    /// Writes into <paramref name="directory"/> a 60 s scenario on corridor A with stack truck <c>t</c> and background
    /// car <c>car1</c> whose <c>events</c> section is <paramref name="events"/> (YAML list items); returns its path.
    /// </summary>
    public static string WriteEventScenario(string directory, string name, string events)
    {
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, $"{Guid.NewGuid():N}.yaml");
        var map = Path.Combine(RepoRoot, "sim-bridge", "maps", "corridor-a.yaml");
        var indented = string.Join("\n", events.Split('\n').Select(l => "  " + l.Trim()));
        File.WriteAllText(path, $$"""
            format: automationstack-scenario/1
            name: {{name}}
            map: {{map}}
            duration: 60
            vehicles:
              - {id: t, role: stack, lane: A1/0, s: 100, speed_kph: 50}
              - {id: car1, role: background, lane: A1/1, s: 100, speed_kph: 50}
            events:
            {{indented}}
            """);
        return path;
    }

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
