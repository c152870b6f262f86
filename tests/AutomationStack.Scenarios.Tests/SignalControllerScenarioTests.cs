using AutomationStack.Configuration;
using AutomationStack.Simulation;

namespace AutomationStack.Scenarios.Tests;

public sealed class SignalControllerScenarioTests
{
    private static readonly string TempDirectory = Path.Combine(Path.GetTempPath(), "automationstack-signal-controller-tests");

    private static string SignalsMap => Path.Combine(TestFiles.RepoRoot, "sim-bridge", "maps", "corridor-a-signals.yaml");

    private static string Scenario(string extra) => $"""
        format: automationstack-scenario/1
        name: controllers
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
        File.WriteAllText(path, text.Replace("MAP", map ?? SignalsMap, StringComparison.Ordinal));
        return path;
    }

    [Test]
    public void Load_ActuatedController_SettingsWithStagesAndDefaults()
    {
        var scenario = ScenarioLoader.Load(WriteTemp(Scenario("""
            signal_controllers:
              - intersection: 1
                mode: actuated
                detector_distance: 35
                priority: false
                stages:
                  - {groups: [1], min_green: 8, max_green: 40, passage: 3}
                  - {groups: [2], min_green: 5, max_green: 20, passage: 2.5}
            """)));

        var c = scenario.SignalControllers.Single();
        Assert.That(c.IntersectionId, Is.EqualTo(1));
        Assert.That(c.Settings.Mode, Is.EqualTo(SignalControlMode.Actuated));
        Assert.That((c.Settings.Amber, c.Settings.AllRed, c.Settings.DetectorDistance, c.Settings.DetectorLength, c.Settings.Priority),
            Is.EqualTo((SignalControllerSettings.DefaultAmber, SignalControllerSettings.DefaultAllRed, 35.0, SignalControllerSettings.DefaultDetectorLength, false)));
        Assert.That(c.Settings.Stages[0].Groups, Is.EqualTo(new[] { 1 }));
        Assert.That((c.Settings.Stages[1].MinGreen, c.Settings.Stages[1].MaxGreen, c.Settings.Stages[1].Passage), Is.EqualTo((5.0, 20.0, 2.5)));
    }

    [Test]
    public void Load_FixedTimeController_GreenAndOptionalMaxGreen()
    {
        var scenario = ScenarioLoader.Load(WriteTemp(Scenario("""
            signal_controllers:
              - intersection: 1
                mode: fixed_time
                amber: 4
                all_red: 1
                stages:
                  - {groups: [1], green: 20, max_green: 26}
                  - {groups: [2], green: 12}
            """)));

        var s = scenario.SignalControllers.Single().Settings;
        Assert.That(s.Mode, Is.EqualTo(SignalControlMode.FixedTime));
        Assert.That((s.Amber, s.AllRed, s.Priority), Is.EqualTo((4.0, 1.0, true)));
        Assert.That(s.Stages, Has.Count.EqualTo(2));
        Assert.That((s.Stages[0].MinGreen, s.Stages[0].MaxGreen), Is.EqualTo((20.0, 26.0)));
        Assert.That((s.Stages[1].MinGreen, s.Stages[1].MaxGreen), Is.EqualTo((12.0, 12.0)));
    }

    [Test]
    public void Load_BadControllers_EveryProblemWithLocation()
    {
        var path = WriteTemp(Scenario("""
            signal_controllers:
              - intersection: 4
                mode: actuated
                stages:
                  - {groups: [1], min_green: 8, max_green: 40, passage: 3}
                  - {groups: [2], min_green: 5, max_green: 20, passage: 2}
              - intersection: 1
                mode: fixed_time
                detector_distance: 30
                stages:
                  - {groups: [1, 7], green: 10, passage: 2}
                  - {groups: [2], green: 10, max_green: 5}
              - intersection: 1
                mode: sometimes
                stages:
                  - {groups: [1], min_green: 8, max_green: 40, passage: 3}
            """));

        var ex = Assert.Throws<ConfigurationException>(() => ScenarioLoader.Load(path));

        Assert.That(ex.Errors.Select(e => e.Field), Is.EquivalentTo(new[]
        {
            "signal_controllers[0].intersection",
            "signal_controllers[1].detector_distance",
            "signal_controllers[1].stages[0].groups[1]",
            "signal_controllers[1].stages[0].passage",
            "signal_controllers[1].stages[1].max_green",
            "signal_controllers[2].intersection",
            "signal_controllers[2].mode",
            "signal_controllers[2].stages",
        }), ex.Message);
        Assert.That(ex.Message, Does.Contain("signal_controllers[0].intersection: expected the id of an intersection of map 'corridor-a-signals' (1), got 4"));
        Assert.That(ex.Message, Does.Contain("'detector_distance' applies to mode 'actuated' only"));
        Assert.That(ex.Message, Does.Contain("groups[1]: expected a signal group of intersection 1 (1, 2), got 7"));
        Assert.That(ex.Message, Does.Contain("'passage' applies to mode 'actuated'"));
        Assert.That(ex.Message, Does.Contain("max_green: expected a maximum green of at least the green 10 s, got 5"));
        Assert.That(ex.Message, Does.Contain("expected at least two stages, got 1"));
        Assert.That(ex.Message, Does.Contain("duplicate controller for intersection 1"));
    }

    [Test]
    public void Load_ControllerAndFixedProgramForSameHead_Rejected()
    {
        var path = WriteTemp(Scenario("""
            signals:
              - {head: J1, green: 14, amber: 3, red: 16}
            signal_controllers:
              - intersection: 1
                mode: fixed_time
                stages:
                  - {groups: [1], green: 10}
                  - {groups: [2], green: 10}
            """));

        var ex = Assert.Throws<ConfigurationException>(() => ScenarioLoader.Load(path));

        Assert.That(ex.Errors.Single().Field, Is.EqualTo("signal_controllers[0].intersection"));
        Assert.That(ex.Message, Does.Contain("signal head 'J1' of intersection 1 has a fixed program in 'signals' too"));
    }

    [Test]
    public void Load_StagesNotCoveringEveryGroup_Rejected()
    {
        var path = WriteTemp(Scenario("""
            signal_controllers:
              - intersection: 1
                mode: fixed_time
                stages:
                  - {groups: [1], green: 10}
                  - {groups: [1], green: 10}
            """));

        var ex = Assert.Throws<ConfigurationException>(() => ScenarioLoader.Load(path));

        Assert.That(ex.Errors.Single().Field, Is.EqualTo("signal_controllers[0].stages"));
        Assert.That(ex.Message, Does.Contain("expected stages that fit intersection 1: stage 0: signal group 1 is also in the next stage"));
    }

    [Test]
    public void Load_MapWithoutIntersections_SaysSo()
    {
        var path = WriteTemp(Scenario("""
            signal_controllers:
              - intersection: 1
                mode: fixed_time
                stages:
                  - {groups: [1], green: 10}
                  - {groups: [2], green: 10}
            """), Path.Combine(TestFiles.RepoRoot, "sim-bridge", "maps", "corridor-a.yaml"));

        var ex = Assert.Throws<ConfigurationException>(() => ScenarioLoader.Load(path));

        Assert.That(ex.Message, Does.Contain("but map 'corridor-a' has no intersections"));
    }

    [Test]
    public void Load_IntersectionBeyondMapMessageLimits_Rejected()
    {
        var dir = Path.Combine(TempDirectory, Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        var map = Path.Combine(dir, "wide.yaml");
        File.WriteAllText(map, """
            format: automationstack-map/1
            name: wide
            roads:
              - id: R
                lane_count: 6
                lane_width: 3.5
                speed_limit_kph: 50
                start: {x: 0, y: 0}
                segments:
                  - straight: {length: 300}
              - id: C
                lane_count: 1
                lane_width: 3.5
                speed_limit_kph: 50
                start: {x: 150, y: -60, heading_deg: 90}
                segments:
                  - straight: {length: 120}
            intersections:
              - id: 1
                x: 140
                y: -25
                signal_groups:
                  - id: 1
                    ingress:
                      - {lane: R/0, stop_line_s: 140, egress: [R/0]}
                      - {lane: R/1, stop_line_s: 140, egress: [R/1]}
                      - {lane: R/2, stop_line_s: 140, egress: [R/2]}
                      - {lane: R/3, stop_line_s: 140, egress: [R/3]}
                      - {lane: R/4, stop_line_s: 140, egress: [R/4]}
                  - id: 2
                    ingress:
                      - {lane: C/0, stop_line_s: 50, egress: [C/0]}
            """);
        var path = WriteTemp(Scenario("""
            signal_controllers:
              - intersection: 1
                mode: fixed_time
                stages:
                  - {groups: [1], green: 10}
                  - {groups: [2], green: 10}
            """).Replace("lane: A1/0", "lane: R/5", StringComparison.Ordinal), map);

        var ex = Assert.Throws<ConfigurationException>(() => ScenarioLoader.Load(path));

        Assert.That(ex.Errors.Single().Field, Is.EqualTo("signal_controllers[0].intersection"), ex.Message);
        Assert.That(ex.Message, Does.Contain("intersection 1 cannot be described in one MAP message for its roadside unit: group 1 has 5 ingress lanes, a MAP carries 4"));
    }
}
