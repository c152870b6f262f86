using AutomationStack.Configuration;

namespace AutomationStack.Scenarios;

/// <summary>
/// Loads and validates a scenario file (format <c>automationstack-scenario/1</c>, see docs/scenario-format.md) and
/// the map it refers to. Throws <see cref="ConfigurationException"/> listing every problem with file, line, column
/// and field path; problems in the map file are reported with the map file's own locations.
/// </summary>
public static class ScenarioLoader
{
    public const string FormatId = "automationstack-scenario/1";

    public static Scenario Load(string path)
    {
        var doc = ConfigDocument.Load(path);
        return new ScenarioReader(doc, path).Read();
    }
}
