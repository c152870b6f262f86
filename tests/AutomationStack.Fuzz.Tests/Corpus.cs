namespace AutomationStack.Fuzz.Tests;

/// <summary>Where the committed seed corpus and regression inputs are.</summary>
internal static class Corpus
{
    public static string Root { get; } = RepositoryRoot.Find();

    public static string Seeds(string target) => Path.Combine(Root, "tools", "AutomationStack.Fuzz", "corpus", target);

    public static string Regressions(string target) => Path.Combine(Root, "tools", "AutomationStack.Fuzz", "regressions", target);

    public static IEnumerable<string> Files(string directory) =>
        Directory.Exists(directory) ? Directory.EnumerateFiles(directory).Order(StringComparer.Ordinal) : [];
}
