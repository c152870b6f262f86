using AutomationStack.Configuration;
using AutomationStack.Contracts;
using AutomationStack.Simulation;

namespace AutomationStack.Scenarios.Tests;

public sealed class LidarScenarioTests
{
    private const double Degree = Math.PI / 180;

    private static readonly string TempDirectory = Path.Combine(Path.GetTempPath(), $"automationstack-lidar-scenario-tests-{Environment.ProcessId}");

    [Test]
    public void Load_NoLidarSection_LidarOffWithDefaults()
    {
        var scenario = ScenarioLoader.Load(TestFiles.ShippedScenario);

        Assert.That(scenario.World.Lidar, Is.EqualTo(new LidarOptions()));
        Assert.That(scenario.World.Lidar.Enabled, Is.False);
    }

    [Test]
    public void Load_ShippedLidarScenario_LidarOnAtTenHertzWithMixedTraffic()
    {
        var scenario = ScenarioLoader.Load(Path.Combine(TestFiles.RepoRoot, "sim-bridge", "scenarios", "perception-lidar-corridor.yaml"));

        Assert.That(scenario.World.Lidar, Is.EqualTo(new LidarOptions { Enabled = true }).Using<LidarOptions>(Close));
        Assert.That(scenario.Vehicles.Count(v => v.Role == VehicleRole.Stack), Is.EqualTo(3));
        Assert.That(scenario.Vehicles.Select(v => v.Body.Category).Distinct(), Is.EquivalentTo(new[] { VehicleCategory.Truck, VehicleCategory.Car }));
    }

    [Test]
    public void Load_LidarFields_AreApplied()
    {
        var scenario = ScenarioLoader.Load(WriteTemp(Scenario("""
            sensors:
              lidar:
                enabled: true
                beams: 64
                min_elevation_deg: -20
                max_elevation_deg: 10
                azimuth_resolution_deg: 0.2
                max_range: 150
                range_noise: 0.03
                dropout: 0.05
                rate_hz: 20
            """)));

        Assert.That(scenario.World.Lidar, Is.EqualTo(new LidarOptions
        {
            Enabled = true,
            Beams = 64,
            MinElevation = -20 * Degree,
            MaxElevation = 10 * Degree,
            AzimuthResolution = 0.2 * Degree,
            MaxRange = 150,
            RangeNoise = 0.03,
            Dropout = 0.05,
            PeriodSteps = 5,
        }).Using<LidarOptions>(Close));
    }

    [Test]
    public void Load_LidarRateWithOtherStep_PeriodInSteps()
    {
        var scenario = ScenarioLoader.Load(WriteTemp(Scenario("""
            step: 0.02
            sensors: {lidar: {enabled: true, rate_hz: 5}}
            """)));

        Assert.That(scenario.World.Lidar.PeriodSteps, Is.EqualTo(10));
    }

    [TestCase("{lidar: {enabled: yes please}}", "sensors.lidar.enabled", "expected true or false")]
    [TestCase("{lidar: {beams: 0}}", "sensors.lidar.beams", "a whole number of beams from 1 to 256")]
    [TestCase("{lidar: {beams: 2.5}}", "sensors.lidar.beams", "a whole number of beams")]
    [TestCase("{lidar: {min_elevation_deg: -95}}", "sensors.lidar.min_elevation_deg", "above -90 and below 90")]
    [TestCase("{lidar: {min_elevation_deg: 10, max_elevation_deg: 5}}", "sensors.lidar.max_elevation_deg", "max_elevation_deg above min_elevation_deg")]
    [TestCase("{lidar: {azimuth_resolution_deg: 0}}", "sensors.lidar.azimuth_resolution_deg", "from 0.05 to 10")]
    [TestCase("{lidar: {max_range: -1}}", "sensors.lidar.max_range", "a range in metres above 0")]
    [TestCase("{lidar: {range_noise: -0.1}}", "sensors.lidar.range_noise", "a standard deviation in metres")]
    [TestCase("{lidar: {dropout: 1.5}}", "sensors.lidar.dropout", "a probability")]
    [TestCase("{lidar: {rate_hz: 0}}", "sensors.lidar.rate_hz", "a scan rate in Hz above 0")]
    [TestCase("{lidar: {rate_hz: 30}}", "sensors.lidar.rate_hz", "whole number of physics steps of 0.01 s (e.g. 33.333 Hz), got 30 Hz = 3.333 steps")]
    [TestCase("{lidar: {beam: 32}}", "sensors.lidar.beam", "unknown field 'beam'")]
    [TestCase("{lidar: 32}", "sensors.lidar", "a mapping of lidar options")]
    public void Load_BadLidarField_ReportsFieldAndReason(string sensors, string field, string message)
    {
        var path = WriteTemp(Scenario($"sensors: {sensors}"));

        var ex = Assert.Throws<ConfigurationException>(() => ScenarioLoader.Load(path));

        Assert.That(ex.Errors, Has.Count.EqualTo(1), ex.Message);
        Assert.That(ex.Errors[0].Field, Is.EqualTo(field), ex.Message);
        Assert.That(ex.Errors[0].Message, Does.Contain(message));
    }

    [Test]
    public void Load_BuiltInBodies_HaveHeightAndCategory()
    {
        var scenario = ScenarioLoader.Load(WriteTemp("""
            format: automationstack-scenario/1
            name: bodies
            map: MAP
            duration: 10
            vehicles:
              - {id: t, role: stack, lane: A1/0, s: 300, speed_kph: 50}
              - {id: c, role: background, lane: A1/1, s: 300, speed_kph: 50}
              - {id: a, role: background, blueprint: agv, lane: A1/0, s: 200, speed_kph: 20}
            """));

        var bodies = scenario.Vehicles.Select(v => (v.Body.Category, v.Body.Height)).ToArray();
        Assert.That(bodies, Is.EqualTo(new[] { (VehicleCategory.Truck, 4.0), (VehicleCategory.Car, 1.5), (VehicleCategory.Agv, 2.0) }));
        var agv = scenario.Vehicles[2].Body;
        Assert.That((agv.Length, agv.Width, agv.Mass), Is.EqualTo((14.8, 3.0, 25000.0)));
    }

    [Test]
    public void Load_BlueprintHeightAndCategory_AreApplied()
    {
        var scenario = ScenarioLoader.Load(WriteTemp("""
            format: automationstack-scenario/1
            name: bodies
            map: MAP
            duration: 10
            blueprints:
              van: {base: car, length: 6, height: 2.6, category: truck}
              loaded-agv: {base: agv, height: 4.6}
            vehicles:
              - {id: v, role: background, blueprint: van, lane: A1/0, s: 300, speed_kph: 50}
              - {id: a, role: background, blueprint: loaded-agv, lane: A1/0, s: 200, speed_kph: 20}
            """));

        Assert.That(scenario.Vehicles[0].Body, Is.EqualTo(BackgroundBodies.Car with { Length = 6, Height = 2.6, Category = VehicleCategory.Truck }));
        Assert.That(scenario.Vehicles[1].Body, Is.EqualTo(BackgroundBodies.Agv with { Height = 4.6 }));
    }

    [TestCase("{height: 0}", "blueprints.b.height", "a height in metres above 0 and at most 5")]
    [TestCase("{height: 7}", "blueprints.b.height", "a height in metres above 0 and at most 5")]
    [TestCase("{category: bus}", "blueprints.b.category", "car, truck, agv")]
    public void Load_BadBlueprintField_ReportsFieldAndReason(string blueprint, string field, string message)
    {
        var path = WriteTemp($$"""
            format: automationstack-scenario/1
            name: bodies
            map: MAP
            duration: 10
            blueprints:
              b: {{blueprint}}
            vehicles:
              - {id: t, role: stack, lane: A1/0, s: 300, speed_kph: 50}
            """);

        var ex = Assert.Throws<ConfigurationException>(() => ScenarioLoader.Load(path));

        Assert.That(ex.Errors, Has.Count.EqualTo(1), ex.Message);
        Assert.That(ex.Errors[0].Field, Is.EqualTo(field), ex.Message);
        Assert.That(ex.Errors[0].Message, Does.Contain(message));
    }

    [Test]
    public void Load_RedefinedAgv_IsRejected()
    {
        var path = WriteTemp("""
            format: automationstack-scenario/1
            name: bodies
            map: MAP
            duration: 10
            blueprints:
              agv: {height: 3}
            vehicles:
              - {id: t, role: stack, lane: A1/0, s: 300, speed_kph: 50}
            """);

        var ex = Assert.Throws<ConfigurationException>(() => ScenarioLoader.Load(path));

        Assert.That(ex.Errors.Single().Message, Does.Contain("blueprint 'agv' is built in and cannot be redefined"));
    }

    [OneTimeTearDown]
    public void DeleteTempFiles()
    {
        if (Directory.Exists(TempDirectory))
        {
            Directory.Delete(TempDirectory, recursive: true);
        }
    }

    private static bool Close(LidarOptions a, LidarOptions b) =>
        a == b with
        {
            MinElevation = a.MinElevation,
            MaxElevation = a.MaxElevation,
            AzimuthResolution = a.AzimuthResolution,
        }
        && Math.Abs(a.MinElevation - b.MinElevation) < 1e-12
        && Math.Abs(a.MaxElevation - b.MaxElevation) < 1e-12
        && Math.Abs(a.AzimuthResolution - b.AzimuthResolution) < 1e-12;

    private static string Scenario(string extra) => $"""
        format: automationstack-scenario/1
        name: lidar
        map: MAP
        duration: 10
        {extra}
        vehicles:
          - {"{"}id: t, role: stack, lane: A1/0, s: 100, speed_kph: 50{"}"}
        """;

    private static string WriteTemp(string text)
    {
        Directory.CreateDirectory(TempDirectory);
        var path = Path.Combine(TempDirectory, $"{Guid.NewGuid():N}.yaml");
        var map = Path.Combine(TestFiles.RepoRoot, "sim-bridge", "maps", "corridor-a.yaml");
        File.WriteAllText(path, text.Replace("MAP", map, StringComparison.Ordinal));
        return path;
    }
}
