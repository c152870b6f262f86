using AutomationStack.Configuration;
using AutomationStack.Simulation;
using AutomationStack.Simulation.Camera;

namespace AutomationStack.Scenarios.Tests;

public sealed class CameraScenarioTests
{
    private const double Degree = Math.PI / 180;

    private static readonly string TempDirectory = Path.Combine(Path.GetTempPath(), $"automationstack-camera-scenario-tests-{Environment.ProcessId}");

    [Test]
    public void Load_NoCameraSection_CameraOffWithDefaultsAndNoSignals()
    {
        var scenario = ScenarioLoader.Load(TestFiles.ShippedScenario);

        Assert.That(scenario.World.Camera, Is.EqualTo(new CameraOptions()));
        Assert.That(scenario.World.Camera.Enabled, Is.False);
        Assert.That(scenario.Signals, Is.Empty);
    }

    [Test]
    public void Load_ShippedCameraScenario_CameraOnAtTenHertzEveryHeadProgrammed()
    {
        var scenario = ScenarioLoader.Load(Path.Combine(TestFiles.RepoRoot, "sim-bridge", "scenarios", "perception-camera-signals.yaml"));

        Assert.That(scenario.World.Camera.Enabled, Is.True);
        Assert.That(scenario.World.Camera.PeriodSteps, Is.EqualTo(10));
        Assert.That(scenario.World.Camera.RecordEvery, Is.EqualTo(10));
        Assert.That(scenario.Signals.Select(s => s.HeadId), Is.EquivalentTo(scenario.Map.SignalHeads.Select(h => h.Id)));
    }

    [Test]
    public void Load_CameraFields_AreApplied()
    {
        var scenario = ScenarioLoader.Load(WriteTemp(Scenario("""
            sensors:
              camera:
                enabled: true
                width: 640
                height: 360
                horizontal_fov_deg: 60
                rate_hz: 20
                mount_behind_front: 0.5
                mount_height: 2.8
                pitch_deg: 2
                noise_sigma: 3
                max_distance: 250
                lighting: {sun_azimuth_deg: 90, sun_elevation_deg: 10, ambient: 0.3, exposure: 1.2, glare: 0.2, random: true}
            """)));

        var camera = scenario.World.Camera;
        Assert.That((camera.Enabled, camera.Width, camera.Height, camera.PeriodSteps), Is.EqualTo((true, 640, 360, 5)));
        Assert.That(camera.HorizontalFov, Is.EqualTo(60 * Degree).Within(1e-12));
        Assert.That((camera.MountBehindFront, camera.MountHeight, camera.NoiseSigma, camera.MaxDistance), Is.EqualTo((0.5, 2.8, 3.0, 250.0)));
        Assert.That(camera.Pitch, Is.EqualTo(2 * Degree).Within(1e-12));
        Assert.That(camera.Lighting.SunAzimuth, Is.EqualTo(90 * Degree).Within(1e-12));
        Assert.That(camera.Lighting.SunElevation, Is.EqualTo(10 * Degree).Within(1e-12));
        Assert.That((camera.Lighting.Ambient, camera.Lighting.Exposure, camera.Lighting.Glare, camera.RandomLighting), Is.EqualTo((0.3, 1.2, 0.2, true)));
        Assert.That(camera.RecordEvery, Is.EqualTo(20), "default: one recorded image a second at 20 Hz");
    }

    [TestCase("{camera: {enabled: true, record_every: 0}}", 0)]
    [TestCase("{camera: {enabled: true, record_every: 1}}", 1)]
    [TestCase("{camera: {enabled: true, rate_hz: 5}}", 5)]
    public void Load_RecordEvery_ExplicitOrOneImageASecond(string sensors, int expected)
    {
        var scenario = ScenarioLoader.Load(WriteTemp(Scenario($"sensors: {sensors}")));

        Assert.That(scenario.World.Camera.RecordEvery, Is.EqualTo(expected));
    }

    [TestCase("{camera: {width: 8}}", "sensors.camera.width", "an image width in pixels from 16 to 4096")]
    [TestCase("{camera: {height: 360.5}}", "sensors.camera.height", "an image height in pixels")]
    [TestCase("{camera: {horizontal_fov_deg: 170}}", "sensors.camera.horizontal_fov_deg", "from 5 to 150")]
    [TestCase("{camera: {rate_hz: 30}}", "sensors.camera.rate_hz", "whole number of physics steps of 0.01 s (e.g. 33.333 Hz), got 30 Hz = 3.333 steps")]
    [TestCase("{camera: {pitch_deg: 60}}", "sensors.camera.pitch_deg", "from -45 to 45")]
    [TestCase("{camera: {noise_sigma: -1}}", "sensors.camera.noise_sigma", "a standard deviation on the 0–255 scale")]
    [TestCase("{camera: {record_every: -1}}", "sensors.camera.record_every", "from 0 (record none)")]
    [TestCase("{camera: {lighting: {ambient: 2}}}", "sensors.camera.lighting.ambient", "a share of ambient light from 0 to 1")]
    [TestCase("{camera: {lighting: {sun: 3}}}", "sensors.camera.lighting.sun", "unknown field 'sun'")]
    [TestCase("{camera: {fov: 60}}", "sensors.camera.fov", "unknown field 'fov'")]
    [TestCase("{camera: on}", "sensors.camera", "a mapping of front-camera options")]
    public void Load_BadCameraField_ReportsFieldAndReason(string sensors, string field, string message)
    {
        var path = WriteTemp(Scenario($"sensors: {sensors}"));

        var ex = Assert.Throws<ConfigurationException>(() => ScenarioLoader.Load(path));

        Assert.That(ex.Errors, Has.Count.EqualTo(1), ex.Message);
        Assert.That(ex.Errors[0].Field, Is.EqualTo(field), ex.Message);
        Assert.That(ex.Errors[0].Message, Does.Contain(message));
    }

    [Test]
    public void Load_Signals_ProgramsForMapHeads()
    {
        var scenario = ScenarioLoader.Load(WriteTemp(Scenario("""
            signals:
              - {head: P1, green: 10, amber: 3, red: 7, offset: 4}
              - {head: M1, green: 2, amber: 0, red: 4}
            """), SignalsMap));

        Assert.That(scenario.Signals, Is.EqualTo(new[] { new ScenarioSignal("P1", 10, 3, 7, 4), new ScenarioSignal("M1", 2, 0, 4, 0) }));
        Assert.That(scenario.Signals[0].ToProgram().LampAt(5_000_000_000), Is.EqualTo(SignalLamp.Green));
    }

    [Test]
    public void Load_BadSignals_EveryProblemWithLocation()
    {
        var path = WriteTemp(Scenario("""
            signals:
              - {head: X9, green: 10, amber: 3, red: 7}
              - {head: P1, green: 10, amber: 3, red: 7}
              - {head: P1, green: 10, amber: 3, red: 7}
              - {head: P2, green: -1, amber: 3, red: 7, phase: 2}
              - {head: J1, green: 0, amber: 0, red: 0}
              - {head: J2, amber: 3, red: 7}
            """), SignalsMap);

        var ex = Assert.Throws<ConfigurationException>(() => ScenarioLoader.Load(path));

        Assert.That(ex.Errors.Select(e => e.Field), Is.EquivalentTo(new[]
        {
            "signals[0].head", "signals[2].head", "signals[3].green", "signals[3].phase", "signals[4].red", "signals[5].green",
        }), ex.Message);
        Assert.That(ex.Message, Does.Contain("signals[0].head: expected the id of a signal head of map 'corridor-a-signals' (P1, P2, M1"));
        Assert.That(ex.Message, Does.Contain("duplicate program for signal head 'P1'"));
        Assert.That(ex.Message, Does.Contain("expected green + amber + red above 0 s"));
    }

    [Test]
    public void Load_SignalsOnMapWithoutHeads_SaysTheMapHasNone()
    {
        var path = WriteTemp(Scenario("signals: [{head: P1, green: 1, amber: 1, red: 1}]"));

        var ex = Assert.Throws<ConfigurationException>(() => ScenarioLoader.Load(path));

        Assert.That(ex.Errors.Single().Message, Does.Contain("map 'corridor-a' has no signal_heads"));
    }

    [OneTimeTearDown]
    public void DeleteTempFiles()
    {
        if (Directory.Exists(TempDirectory))
        {
            Directory.Delete(TempDirectory, recursive: true);
        }
    }

    private static string SignalsMap => Path.Combine(TestFiles.RepoRoot, "sim-bridge", "maps", "corridor-a-signals.yaml");

    private static string Scenario(string extra) => $"""
        format: automationstack-scenario/1
        name: camera
        map: MAP
        duration: 10
        {extra}
        vehicles:
          - {"{"}id: t, role: stack, lane: A1/0, s: 100, speed_kph: 50{"}"}
        """;

    private static string WriteTemp(string text, string? map = null)
    {
        Directory.CreateDirectory(TempDirectory);
        var path = Path.Combine(TempDirectory, $"{Guid.NewGuid():N}.yaml");
        map ??= Path.Combine(TestFiles.RepoRoot, "sim-bridge", "maps", "corridor-a.yaml");
        File.WriteAllText(path, text.Replace("MAP", map, StringComparison.Ordinal));
        return path;
    }
}
