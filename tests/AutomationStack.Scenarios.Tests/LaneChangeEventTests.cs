using AutomationStack.Configuration;

namespace AutomationStack.Scenarios.Tests;

public class LaneChangeEventTests
{
    private static readonly string TempDirectory = Path.Combine(Path.GetTempPath(), $"automationstack-lane-change-tests-{Environment.ProcessId}");

    [OneTimeTearDown]
    public void DeleteTempFiles()
    {
        if (Directory.Exists(TempDirectory))
        {
            Directory.Delete(TempDirectory, recursive: true);
        }
    }

    [Test]
    public void Load_LaneChangeEvents_ParsedWithDefaultDuration()
    {
        var scenario = ScenarioLoader.Load(Write("""
            - {at: 30, vehicle: car1, type: lane_change, lane: A1/0, duration: 3.5}
            - {at: 50, vehicle: car1, type: lane_change, lane: A1/1}
            """));

        Assert.That(scenario.Events, Is.EqualTo(new ScenarioEvent[]
        {
            new LaneChangeEvent(30, "car1", "A1/0", 3.5),
            new LaneChangeEvent(50, "car1", "A1/1", ScenarioReader.DefaultLaneChangeDuration),
        }));
    }

    [Test]
    public void Load_LaneChangeEvent_NotInAnyDriverSchedule()
    {
        var schedule = new DriverInputSchedule(ScenarioLoader.Load(Write("- {at: 1, vehicle: car1, type: lane_change, lane: A1/0}")));

        var input = schedule.Evaluate("t", 2, 20);

        Assert.That(input.SetSpeed, Is.EqualTo(50 / 3.6).Within(1e-9));
        Assert.That(schedule.DrainStartedEvents(), Is.Empty);
    }

    [Test]
    public void Load_ShippedCutInScenario_HasTwoLaneChangesOfCar1()
    {
        var path = Path.Combine(TestFiles.RepoRoot, "sim-bridge", "scenarios", "platoon-cut-in.yaml");

        var events = ScenarioLoader.Load(path).Events.OfType<LaneChangeEvent>().ToArray();

        Assert.That(events.Select(e => (e.VehicleId, e.TargetLaneId)), Is.EqualTo(new[] { ("car1", "A1/0"), ("car1", "A1/1") }));
    }

    [TestCase("{at: 1, vehicle: t, type: lane_change, lane: A1/1}", "events[0].vehicle", "only to background vehicles")]
    [TestCase("{at: 1, vehicle: ghost, type: lane_change, lane: A1/1}", "events[0].vehicle", "background vehicle (car1)")]
    [TestCase("{at: 1, type: lane_change, lane: A1/1}", "events[0].vehicle", "missing")]
    [TestCase("{at: 1, vehicle: car1, type: lane_change}", "events[0].lane", "missing")]
    [TestCase("{at: 1, vehicle: car1, type: lane_change, lane: B7/0}", "events[0].lane", "a lane of map")]
    [TestCase("{at: 1, vehicle: car1, type: lane_change, lane: A1/0, duration: 0}", "events[0].duration", "above 0")]
    [TestCase("{at: 1, vehicle: car1, type: lane_change, lane: A1/0, duration: 31}", "events[0].duration", "at most 30")]
    [TestCase("{at: 1, vehicle: car1, type: lane_change, lane: A1/0, speed_kph: 3}", "events[0].speed_kph", "unknown field")]
    [TestCase("{at: 1, vehicle: car1, type: set_speed, speed_kph: 30}", "events[0].vehicle", "only to stack vehicles")]
    public void Load_BadLaneChangeEvent_ReportsField(string eventText, string field, string message)
    {
        var ex = Assert.Throws<ConfigurationException>(() => ScenarioLoader.Load(Write("- " + eventText)));

        Assert.That(ex.Errors, Has.Count.EqualTo(1), ex.Message);
        Assert.That(ex.Errors[0].Field, Is.EqualTo(field), ex.Message);
        Assert.That(ex.Errors[0].Message, Does.Contain(message), ex.Message);
    }

    private static string Write(string events) => TestFiles.WriteEventScenario(TempDirectory, "lc", events);
}
