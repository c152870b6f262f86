using System.Text;
using AutomationStack.Configuration;
using AutomationStack.RoadMap;
using AutomationStack.Scenarios;

namespace AutomationStack.Fuzz;

/// <summary>
/// Scenario and map files from text: an input whose text names the map format (<c>automationstack-map/</c>) goes to
/// <see cref="MapFile.Parse"/>, any other to <see cref="ScenarioLoader.Load"/> (YAML parsing, every field's
/// validation, and the map it refers to). The input is written as <c>scenarios/fuzz.yaml</c> in a scratch folder
/// next to a copy of the shipped maps (<c>maps/*.yaml</c>), so <c>map: ../maps/corridor-a.yaml</c> resolves like in the
/// repository. The documented bad-input outcome is <see cref="ConfigurationException"/> (every problem with file, line,
/// column).
/// </summary>
internal sealed class ScenarioTarget : FuzzTarget, IDisposable
{
    private const string MapFormatPrefix = "automationstack-map/";
    private readonly string _directory;
    private readonly string _scenarioPath;

    public ScenarioTarget()
    {
        var root = ScratchRoot();
        _directory = Path.Combine(root, $"automationstack-fuzz-scenario-{Environment.ProcessId}");
        var maps = Path.Combine(_directory, "maps");
        Directory.CreateDirectory(maps);
        Directory.CreateDirectory(Path.Combine(_directory, "scenarios"));
        foreach (var map in Directory.EnumerateFiles(Path.Combine(AppContext.BaseDirectory, "maps"), "*.yaml"))
        {
            File.Copy(map, Path.Combine(maps, Path.GetFileName(map)), overwrite: true);
        }

        _scenarioPath = Path.Combine(_directory, "scenarios", "fuzz.yaml");
    }

    public override string Name => "scenario";

    public override string Description => "scenario YAML parser and validation (with the referenced map), and the map parser";

    public override IReadOnlyList<Type> ExpectedExceptions { get; } = [typeof(ConfigurationException)];

    public override IReadOnlyList<string> InstrumentedAssemblies { get; } =
        ["AutomationStack.Scenarios.dll", "AutomationStack.Configuration.dll", "AutomationStack.RoadMap.dll"];

    /// <summary>YAML parsing, the map file the scenario loads and the error list allocate generously; still bounded.</summary>
    public override long AllocationBudget(int inputLength) => (64L << 20) + (512L * inputLength);

    public override void Execute(ReadOnlySpan<byte> input)
    {
        var text = Encoding.UTF8.GetString(input);
        try
        {
            if (text.Contains(MapFormatPrefix, StringComparison.Ordinal))
            {
                MapFile.Parse(text, "fuzz-map.yaml");
            }
            else
            {
                File.WriteAllBytes(_scenarioPath, input);
                ScenarioLoader.Load(_scenarioPath);
            }
        }
        catch (ConfigurationException) when (!Strict)
        {
            // documented bad-input outcome
        }
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // best effort
        }
    }
}
