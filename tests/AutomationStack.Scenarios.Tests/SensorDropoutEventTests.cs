using AutomationStack.Configuration;
using AutomationStack.Contracts;

namespace AutomationStack.Scenarios.Tests;

public class SensorDropoutEventTests
{
    private static readonly string TempDirectory = Path.Combine(Path.GetTempPath(), $"automationstack-sensor-dropout-tests-{Environment.ProcessId}");

    [OneTimeTearDown]
    public void DeleteTempFiles()
    {
        if (Directory.Exists(TempDirectory))
        {
            Directory.Delete(TempDirectory, recursive: true);
        }
    }

    [Test]
    public void Load_SensorDropoutEvents_ParsedWithOptionalUntil()
    {
        var scenario = ScenarioLoader.Load(Write("""
            - {at: 20, until: 25, vehicle: t, type: sensor_dropout, sensor: radar}
            - {at: 30, vehicle: t, type: sensor_dropout, sensor: gnss}
            - {at: 31, until: 32.5, vehicle: t, type: sensor_dropout, sensor: imu}
            - {at: 33, until: 34, vehicle: t, type: sensor_dropout, sensor: odometry}
            """));

        Assert.That(scenario.Events, Is.EqualTo(new ScenarioEvent[]
        {
            new SensorDropoutEvent(20, "t", 25, SensorSet.Radar),
            new SensorDropoutEvent(30, "t", null, SensorSet.Gnss),
            new SensorDropoutEvent(31, "t", 32.5, SensorSet.Imu),
            new SensorDropoutEvent(33, "t", 34, SensorSet.Odometry),
        }));
    }

    [Test]
    public void Load_SensorDropoutEvent_NotInTheDriverSchedule()
    {
        var schedule = new DriverInputSchedule(ScenarioLoader.Load(Write("- {at: 1, until: 2, vehicle: t, type: sensor_dropout, sensor: radar}")));

        var input = schedule.Evaluate("t", 1.5, 13);

        Assert.That(input.SetSpeed, Is.EqualTo(50 / 3.6).Within(1e-9));
        Assert.That(schedule.DrainStartedEvents(), Is.Empty);
    }

    [TestCase("{at: 1, vehicle: t, type: sensor_dropout}", "events[0].sensor", "missing")]
    [TestCase("{at: 1, vehicle: t, type: sensor_dropout, sensor: sonar}", "events[0].sensor", "radar, lidar, camera, gnss, imu, odometry")]
    [TestCase("{at: 1, vehicle: t, type: sensor_dropout, sensor: lidar}", "events[0].sensor", "no lidar")]
    [TestCase("{at: 1, vehicle: t, type: sensor_dropout, sensor: camera}", "events[0].sensor", "no camera")]
    [TestCase("{at: 5, until: 4, vehicle: t, type: sensor_dropout, sensor: radar}", "events[0].until", "after at = 5")]
    [TestCase("{at: 5, until: 61, vehicle: t, type: sensor_dropout, sensor: radar}", "events[0].until", "at most the duration 60")]
    [TestCase("{at: 1, vehicle: car1, type: sensor_dropout, sensor: radar}", "events[0].vehicle", "only to stack vehicles")]
    [TestCase("{at: 1, vehicle: ghost, type: sensor_dropout, sensor: radar}", "events[0].vehicle", "stack vehicle (t)")]
    [TestCase("{at: 1, type: sensor_dropout, sensor: radar}", "events[0].vehicle", "missing")]
    [TestCase("{at: 1, vehicle: t, type: sensor_dropout, sensor: radar, channel: {loss: 1}}", "events[0].channel", "unknown field")]
    public void Load_BadSensorDropoutEvent_ReportsField(string eventText, string field, string message)
    {
        var ex = Assert.Throws<ConfigurationException>(() => ScenarioLoader.Load(Write("- " + eventText)));

        Assert.That(ex.Errors, Has.Count.EqualTo(1), ex.Message);
        Assert.That(ex.Errors[0].Field, Is.EqualTo(field), ex.Message);
        Assert.That(ex.Errors[0].Message, Does.Contain(message), ex.Message);
    }

    private static string Write(string events) => TestFiles.WriteEventScenario(TempDirectory, "sd", events);
}
