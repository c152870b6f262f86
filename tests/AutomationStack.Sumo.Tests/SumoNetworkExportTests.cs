using System.Globalization;
using System.Xml.Linq;
using AutomationStack.RoadMap;
using AutomationStack.Traci;

namespace AutomationStack.Sumo.Tests;

/// <summary>The port-terminal map exported to a SUMO network by the real netconvert, and loaded by a real SUMO.</summary>
[NonParallelizable]
public sealed class SumoNetworkExportTests
{
    private string _folder = string.Empty;

    private static string RepoRoot
    {
        get
        {
            var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "AutomationStack.sln")))
            {
                dir = dir.Parent;
            }

            return dir?.FullName ?? throw new InvalidOperationException("repository root not found");
        }
    }

    [SetUp]
    public void CreateFolder()
    {
        if (SumoNetworkExport.FindNetconvert() is null || SumoProcess.FindBinary() is null)
        {
            const string message = "SUMO (netconvert, sumo) is not installed: Debian packages 'sumo sumo-tools' (the test command installs them)";
            if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
            {
                Assert.Fail(message);
            }

            Assert.Ignore(message);
        }

        _folder = Path.Combine(Path.GetTempPath(), "as-sumo-net-" + Guid.NewGuid().ToString("N"));
    }

    [TearDown]
    public void DeleteFolder()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    [Test]
    public void Export_PortTerminal_EdgesSplitAtCrossingsTrafficLightsAtIntersections()
    {
        var map = MapFile.Load(Path.Combine(RepoRoot, "sim-bridge", "maps", "port-terminal.yaml"));

        var result = SumoNetworkExport.Export(map, _folder, "port-terminal");

        Assert.That(result.TrafficLightIds, Is.EqualTo(new[] { "1", "2", "3" }));
        var t1 = result.Edges.Where(e => e.RoadId == "T1").ToList();
        Assert.That(t1, Has.Count.EqualTo(4), "T1 cut at the three crossings");
        Assert.That(t1.Select(e => e.StartS), Is.EqualTo(new[] { 0.0, 1400, 1900, 2400 }).Within(0.01));

        // SUMO's lanes lie where the map's do: T1 lane 0 (rightmost) centre at y = −5.25, lane 1 at −1.75.
        var net = XDocument.Load(result.NetFile);
        double FirstY(string laneId)
        {
            var shape = net.Descendants("lane").Single(l => (string?)l.Attribute("id") == laneId).Attribute("shape")!.Value;
            return double.Parse(shape.Split(' ')[0].Split(',')[1], CultureInfo.InvariantCulture);
        }

        Assert.That(FirstY("T1.0_0"), Is.EqualTo(-5.25).Within(0.05));
        Assert.That(FirstY("T1.0_1"), Is.EqualTo(-1.75).Within(0.05));
        Assert.That(net.Descendants("tlLogic").Select(t => (string?)t.Attribute("id")), Is.EquivalentTo(new[] { "1", "2", "3" }));
    }

    [Test]
    public void Export_PortTerminal_SumoLoadsItAndReportsTheTrafficLights()
    {
        var map = MapFile.Load(Path.Combine(RepoRoot, "sim-bridge", "maps", "port-terminal.yaml"));
        var result = SumoNetworkExport.Export(map, _folder, "port-terminal");

        using var sumo = SumoProcess.Start(new SumoOptions { NetFile = result.NetFile, Seed = 1, NoWarnings = true });
        sumo.Client.SimulationStep(1.0);

        Assert.That(sumo.Client.GetTrafficLightIds(), Is.EquivalentTo(new[] { "1", "2", "3" }));
        Assert.That(sumo.Client.GetTrafficLightState("1"), Does.Match("^[rRgGyYuoOs]+$"));
    }
}
