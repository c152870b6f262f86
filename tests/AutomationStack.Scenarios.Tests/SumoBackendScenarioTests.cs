using AutomationStack.Configuration;

namespace AutomationStack.Scenarios.Tests;

/// <summary>The scenario's <c>backend</c>, <c>sumo</c> and <c>recording</c> fields.</summary>
public sealed class SumoBackendScenarioTests
{
    private static readonly string TempDirectory = Path.Combine(Path.GetTempPath(), "automationstack-sumo-scenario-tests");

    private static string WriteTemp(string top, string extraVehicle = "")
    {
        Directory.CreateDirectory(TempDirectory);
        var path = Path.Combine(TempDirectory, $"{Guid.NewGuid():N}.yaml");
        var map = Path.Combine(TestFiles.RepoRoot, "sim-bridge", "maps", "port-terminal.yaml");
        File.WriteAllText(path, $$"""
            format: automationstack-scenario/1
            name: sumo
            map: {{map}}
            duration: 10
            {{top}}
            vehicles:
              - {id: t, role: stack, lane: T1/0, s: 100, speed_kph: 50}
              {{extraVehicle}}
            """);
        return path;
    }

    [Test]
    public void Load_NoBackend_EmbeddedWithoutSumoSettings()
    {
        var scenario = ScenarioLoader.Load(TestFiles.ShippedScenario);

        Assert.That(scenario.Backend, Is.EqualTo(SimulationBackend.Embedded));
        Assert.That(scenario.Sumo, Is.Null);
        Assert.That(scenario.GroundTruthEvery, Is.EqualTo(1));
    }

    [Test]
    public void Load_SumoBackend_ReadsStepSeedAndStreams()
    {
        var scenario = ScenarioLoader.Load(WriteTemp("""
            backend: sumo
            recording: {ground_truth_every: 10}
            sumo:
              step_length: 0.2
              seed: 7
              truck_clearance: 25
              traffic:
                - {from: V1N, blueprint: agv, initial: 2, per_hour: 90, max_speed_kph: 25}
                - {from: T1, to: T1, initial: 5}
            """));

        Assert.That(scenario.Backend, Is.EqualTo(SimulationBackend.Sumo));
        Assert.That(scenario.GroundTruthEvery, Is.EqualTo(10));
        var sumo = scenario.Sumo!;
        Assert.That(sumo.StepLength, Is.EqualTo(0.2));
        Assert.That(sumo.Seed, Is.EqualTo(7));
        Assert.That(sumo.TruckClearance, Is.EqualTo(25));
        Assert.That(sumo.Traffic, Has.Count.EqualTo(2));
        Assert.That(sumo.Traffic[0], Is.EqualTo(sumo.Traffic[0] with { FromRoad = "V1N", ToRoad = "V1N", BlueprintName = "agv", Initial = 2, PerHour = 90 }));
        Assert.That(sumo.Traffic[0].MaxSpeed, Is.EqualTo(25 / 3.6).Within(1e-9));
        Assert.That(sumo.Traffic[1].BlueprintName, Is.EqualTo("car"));
        Assert.That(sumo.Traffic[1].MaxSpeed, Is.EqualTo(130 / 3.6).Within(1e-9));
    }

    [Test]
    public void Load_SumoBackendDefaults_StepPointOneSeedFromScenario()
    {
        var scenario = ScenarioLoader.Load(WriteTemp("backend: sumo\nsumo: {}"));

        Assert.That(scenario.Sumo!.StepLength, Is.EqualTo(0.1));
        Assert.That(scenario.Sumo.Traffic, Is.Empty);
        Assert.That(scenario.Sumo.TruckClearance, Is.EqualTo(30));
    }

    [Test]
    public void Load_UnknownRoadAndBlueprint_ErrorsNameTheFields()
    {
        var path = WriteTemp("backend: sumo\nsumo: {traffic: [{from: X9, blueprint: bus}]}");

        var ex = Assert.Throws<ConfigurationException>(() => ScenarioLoader.Load(path));

        Assert.That(ex!.Errors.Select(e => e.Field), Is.EquivalentTo(new[] { "sumo.traffic[0].from", "sumo.traffic[0].blueprint" }));
        Assert.That(ex.Errors[0].Message, Does.Contain("T1"));
    }

    [Test]
    public void Load_StepNotAMultipleOfTheWorldStep_ErrorNamesTheField()
    {
        var path = WriteTemp("backend: sumo\nsumo: {step_length: 0.015}");

        var ex = Assert.Throws<ConfigurationException>(() => ScenarioLoader.Load(path));

        Assert.That(ex!.Errors.Select(e => e.Field), Is.EqualTo(new[] { "sumo.step_length" }));
    }

    [Test]
    public void Load_SumoBackendWithBackgroundVehicle_ErrorSaysTrafficComesFromSumo()
    {
        var path = WriteTemp("backend: sumo\nsumo: {}", "- {id: agv, role: background, blueprint: agv, lane: V1N/0, s: 20, speed_kph: 20}");

        var ex = Assert.Throws<ConfigurationException>(() => ScenarioLoader.Load(path));

        Assert.That(ex!.Errors.Single().Field, Is.EqualTo("backend"));
        Assert.That(ex.Errors.Single().Message, Does.Contain("sumo.traffic").And.Contain("agv"));
    }

    [Test]
    public void Load_SumoSettingsWithoutSumoBackend_ErrorNamesTheField()
    {
        var path = WriteTemp("sumo: {}");

        var ex = Assert.Throws<ConfigurationException>(() => ScenarioLoader.Load(path));

        Assert.That(ex!.Errors.Single().Field, Is.EqualTo("sumo"));
    }

    [Test]
    public void Load_SumoBackendWithoutSumo_ErrorNamesTheMissingField()
    {
        var path = WriteTemp("backend: sumo");

        var ex = Assert.Throws<ConfigurationException>(() => ScenarioLoader.Load(path));

        Assert.That(ex!.Errors.Single().Field, Is.EqualTo("sumo"));
    }
}
