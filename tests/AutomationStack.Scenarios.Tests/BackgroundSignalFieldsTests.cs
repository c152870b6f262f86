using AutomationStack.Configuration;

namespace AutomationStack.Scenarios.Tests;

/// <summary>The car-following fields for signals and shuttles: <c>obey_signals</c> and <c>loop</c>.</summary>
public sealed class BackgroundSignalFieldsTests
{
    private static readonly string TempDirectory = Path.Combine(Path.GetTempPath(), "automationstack-background-signal-tests");

    private static string WriteTemp(string carFollowing)
    {
        Directory.CreateDirectory(TempDirectory);
        var path = Path.Combine(TempDirectory, $"{Guid.NewGuid():N}.yaml");
        var map = Path.Combine(TestFiles.RepoRoot, "sim-bridge", "maps", "port-terminal.yaml");
        File.WriteAllText(path, $$"""
            format: automationstack-scenario/1
            name: background
            map: {{map}}
            duration: 10
            vehicles:
              - {id: t, role: stack, lane: T1/0, s: 100, speed_kph: 50}
              - {id: agv, role: background, blueprint: agv, lane: V1N/0, s: 20, speed_kph: 20, car_following: {{carFollowing}}}
            """);
        return path;
    }

    [Test]
    public void Load_DefaultCarFollowing_ObeysSignalsAndDoesNotLoop()
    {
        var scenario = ScenarioLoader.Load(WriteTemp("{desired_speed_kph: 25}"));

        var idm = scenario.Vehicles.Single(v => v.Id == "agv").CarFollowing!;
        Assert.That(idm.ObeySignals, Is.True);
        Assert.That(idm.Loop, Is.False);
    }

    [Test]
    public void Load_LoopAndIgnoreSignals_Read()
    {
        var scenario = ScenarioLoader.Load(WriteTemp("{desired_speed_kph: 25, loop: true, obey_signals: false}"));

        var idm = scenario.Vehicles.Single(v => v.Id == "agv").CarFollowing!;
        Assert.That(idm.ObeySignals, Is.False);
        Assert.That(idm.Loop, Is.True);
    }

    [Test]
    public void Load_LoopNotABoolean_ErrorNamesTheField()
    {
        var path = WriteTemp("{loop: sometimes}");

        var ex = Assert.Throws<ConfigurationException>(() => ScenarioLoader.Load(path));

        Assert.That(ex!.Errors.Select(e => e.Field), Is.EqualTo(new[] { "vehicles[1].car_following.loop" }));
    }
}
