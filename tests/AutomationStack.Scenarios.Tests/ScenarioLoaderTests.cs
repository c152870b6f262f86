using AutomationStack.Configuration;
using AutomationStack.Contracts;
using AutomationStack.Simulation;

namespace AutomationStack.Scenarios.Tests;

public sealed class ScenarioLoaderTests
{
    private const double Kph = 1 / 3.6;

    [Test]
    public void Load_ShippedScenario_HasHeaderValuesAsWritten()
    {
        var scenario = ScenarioLoader.Load(TestFiles.ShippedScenario);

        Assert.That(scenario.Name, Is.EqualTo("corridor-3-trucks-acc"));
        Assert.That(scenario.Description, Does.StartWith("Three 40 t trucks"));
        Assert.That(scenario.Duration, Is.EqualTo(120));
        Assert.That(scenario.StepLength, Is.EqualTo(0.01));
        Assert.That(scenario.World.StepLength, Is.EqualTo(0.01));
        Assert.That(scenario.Seed, Is.EqualTo(42UL));
        Assert.That(scenario.Mode, Is.EqualTo(ScenarioMode.Lockstep));
        Assert.That(scenario.VehicleTimeout, Is.EqualTo(5));
        Assert.That(scenario.AttachTimeout, Is.EqualTo(60));
        Assert.That(scenario.SourcePath, Is.EqualTo(TestFiles.ShippedScenario));
        Assert.That(scenario.MapPath, Is.EqualTo(Path.Combine(TestFiles.RepoRoot, "sim-bridge", "maps", "corridor-a.yaml")));
        Assert.That(scenario.Map.Name, Is.EqualTo("corridor-a"));
        Assert.That(scenario.PassCriteria, Is.EqualTo(new PassCriteria(true, 0.8, 3, null, false)));
    }

    [Test]
    public void Load_ShippedScenario_HasVehiclesAsWritten()
    {
        var scenario = ScenarioLoader.Load(TestFiles.ShippedScenario);
        var vehicles = scenario.Vehicles;

        Assert.That(vehicles.Select(v => v.Id), Is.EqualTo(new[] { "truck1", "truck2", "truck3", "car1", "car2", "car3" }));
        var trucks = vehicles.Where(v => v.Role == VehicleRole.Stack).ToList();
        Assert.That(trucks, Has.Count.EqualTo(3));
        foreach (var truck in trucks)
        {
            Assert.That(truck.LaneId, Is.EqualTo("A1/0"));
            Assert.That(truck.Speed, Is.EqualTo(80 * Kph).Within(1e-12));
            Assert.That(truck.SetSpeed, Is.EqualTo(80 * Kph).Within(1e-12));
            Assert.That(truck.ControlPeriodSteps, Is.EqualTo(2));
            Assert.That(truck.Body, Is.EqualTo(TruckParameters.Default));
            Assert.That(truck.Parameters, Is.EqualTo(new Dictionary<string, double> { ["acc.time_gap"] = 1.5 }));
            Assert.That(truck.CarFollowing, Is.Null);
        }

        // About 1.5 s bumper-to-bumper time gap at 80 km/h.
        var gap = (trucks[0].S - trucks[1].S - TruckParameters.Default.Length) / trucks[0].Speed;
        Assert.That(gap, Is.EqualTo(1.5).Within(0.05));

        var car2 = vehicles.Single(v => v.Id == "car2");
        Assert.That(car2.Role, Is.EqualTo(VehicleRole.Background));
        Assert.That(car2.Body, Is.EqualTo(BackgroundBodies.Car));
        Assert.That(car2.LaneId, Is.EqualTo("A1/1"));
        Assert.That(car2.S, Is.EqualTo(60));
        Assert.That(car2.CarFollowing!.DesiredSpeed, Is.EqualTo(110 * Kph).Within(1e-12));
        Assert.That(car2.CarFollowing.TimeHeadway, Is.EqualTo(1.2));
        Assert.That(car2.CarFollowing.MinimumGap, Is.EqualTo(2));
        Assert.That(car2.Parameters, Is.Empty);
    }

    [Test]
    public void Load_ShippedScenario_HasEventsInTimeOrder()
    {
        var events = ScenarioLoader.Load(TestFiles.ShippedScenario).Events;

        Assert.That(events, Has.Count.EqualTo(3));
        Assert.That(events[0], Is.EqualTo(new SinusoidEvent(15, "truck1", 5 * Kph, 0.1, 20)));
        Assert.That(events[1], Is.EqualTo(new BrakeEvent(50, "truck1", 3, 40 * Kph, 10)));
        Assert.That(events[2], Is.EqualTo(new RampEvent(95, "truck1", 70 * Kph, 0.3)));
    }

    [Test]
    public void Load_MinimalScenario_UsesDefaults()
    {
        var scenario = ScenarioLoader.Load(WriteTemp("""
            format: automationstack-scenario/1
            name: minimal
            map: MAP
            duration: 10
            vehicles:
              - {id: t, role: stack, lane: A1/0, s: 100, speed_kph: 50, set_speed_kph: 60, control_period_steps: 5}
              - {id: c, role: background, lane: A1/1, s: 100, speed_kph: 90}
            """));

        Assert.That(scenario.StepLength, Is.EqualTo(0.01));
        Assert.That(scenario.Seed, Is.EqualTo(1UL));
        Assert.That(scenario.World, Is.EqualTo(new WorldOptions()));
        Assert.That(scenario.PassCriteria, Is.EqualTo(new PassCriteria(true, null, null, null, false)));
        Assert.That(scenario.Events, Is.Empty);
        Assert.That(scenario.Vehicles[0].SetSpeed, Is.EqualTo(60 * Kph).Within(1e-12));
        Assert.That(scenario.Vehicles[0].ControlPeriodSteps, Is.EqualTo(5));
        Assert.That(scenario.Vehicles[1].CarFollowing!.DesiredSpeed, Is.EqualTo(90 * Kph).Within(1e-12));
    }

    [Test]
    public void Load_SensorsBlueprintsAndV2x_AreApplied()
    {
        var scenario = ScenarioLoader.Load(WriteTemp("""
            format: automationstack-scenario/1
            name: options
            map: MAP
            duration: 10
            step: 0.02
            mode: realtime
            seed: 7
            sensors:
              gnss_position_noise: 0.5
              gnss_heading_noise_deg: 1
              radar: {max_range: 150, half_fov_deg: 10}
            v2x: {range: 500, latency: 0.1, loss: 0.2}
            minimal_risk_deceleration: 4
            blueprints:
              heavy: {mass: 40000, length: 18.75}
            vehicles:
              - {id: t, role: stack, blueprint: heavy, lane: A1/0, s: 100, speed_kph: 50}
            """));

        Assert.That(scenario.Mode, Is.EqualTo(ScenarioMode.Realtime));
        Assert.That(scenario.World.StepLength, Is.EqualTo(0.02));
        Assert.That(scenario.World.Ego.GnssPositionNoise, Is.EqualTo(0.5));
        Assert.That(scenario.World.Ego.GnssHeadingNoise, Is.EqualTo(Math.PI / 180).Within(1e-12));
        Assert.That(scenario.World.Radar.MaxRange, Is.EqualTo(150));
        Assert.That(scenario.World.Radar.HalfFieldOfView, Is.EqualTo(10 * Math.PI / 180).Within(1e-12));
        Assert.That(scenario.World.V2x, Is.EqualTo(new V2xChannelOptions { Range = 500, Latency = 0.1, LossProbability = 0.2 }));
        Assert.That(scenario.World.MinimalRiskDeceleration, Is.EqualTo(4));
        Assert.That(scenario.Vehicles[0].Body, Is.EqualTo(TruckParameters.Default with { Mass = 40000, Length = 18.75 }));
    }

    [TestCase("unknown-field.yaml", "vehicles[0].sped_kph", 10, "unknown field 'sped_kph' (expected one of:")]
    [TestCase("wrong-type.yaml", "vehicles[1].speed_kph", 15, "expected a speed in km/h from 0 to 250, got \"fast\"")]
    [TestCase("negative-step.yaml", "step", 5, "expected a positive number of seconds, at most 0.1, got -0.01")]
    [TestCase("missing-map.yaml", "map", 3, "map file not found:")]
    public void Load_BadScenario_ReportsFieldAndLine(string file, string field, int line, string message)
    {
        var path = TestFiles.Bad(file);

        var ex = Assert.Throws<ConfigurationException>(() => ScenarioLoader.Load(path));

        Assert.That(ex.Errors, Has.Count.EqualTo(1), ex.Message);
        Assert.That(ex.Errors[0].Field, Is.EqualTo(field));
        Assert.That(ex.Errors[0].Line, Is.EqualTo(line));
        Assert.That(ex.Message, Does.Contain($"{path}:{line}:").And.Contain($"{field}: ").And.Contain(message));
    }

    [Test]
    public void Load_MissingMap_NamesResolvedPath()
    {
        var ex = Assert.Throws<ConfigurationException>(() => ScenarioLoader.Load(TestFiles.Bad("missing-map.yaml")));

        Assert.That(ex.Message, Does.Contain(Path.Combine(TestFiles.RepoRoot, "tests", "AutomationStack.Scenarios.Tests", "maps", "does-not-exist.yaml")));
    }

    [Test]
    public void Load_BrokenMap_ReportsMapFileLocation()
    {
        var ex = Assert.Throws<ConfigurationException>(() => ScenarioLoader.Load(TestFiles.Bad("bad-map-ref.yaml")));

        Assert.That(ex.Errors.Single().File, Does.EndWith("broken-map.yaml"));
        Assert.That(ex.Errors.Single().Line, Is.EqualTo(10));
        Assert.That(ex.Errors.Single().Field, Is.EqualTo("roads[0].segments[0].straight.length"));
    }

    [Test]
    public void Load_SyntaxError_ReportsLine()
    {
        var ex = Assert.Throws<ConfigurationException>(() => ScenarioLoader.Load(TestFiles.Bad("syntax-error.yaml")));

        Assert.That(ex.Errors.Single().Line, Is.EqualTo(7));
        Assert.That(ex.Message, Does.Contain("invalid YAML"));
    }

    [Test]
    public void Load_MissingScenarioFile_NamesPath()
    {
        var ex = Assert.Throws<ConfigurationException>(() => ScenarioLoader.Load("no/such/scenario.yaml"));

        Assert.That(ex.Message, Does.Contain("no/such/scenario.yaml"));
    }

    [Test]
    public void Load_ManyErrors_ReportsAllOfThem()
    {
        var ex = Assert.Throws<ConfigurationException>(() => ScenarioLoader.Load(TestFiles.Bad("many-errors.yaml")));

        var byField = ex.Errors.Select(e => $"{e.Line} {e.Field}: {e.Message}").ToList();
        Assert.That(byField, Has.Some.StartsWith("10 vehicles[0].blueprint: expected one of the blueprints"));
        Assert.That(byField, Has.Some.StartsWith("14 vehicles[1].id: duplicate vehicle id 'truck1'"));
        Assert.That(byField, Has.Some.StartsWith("16 vehicles[1].lane: expected a lane of map 'corridor-a' (A1/0, A1/1), got \"B7/0\""));
        Assert.That(byField, Has.Some.StartsWith("23 vehicles[2].s: expected an arc length in metres from 0 to the lane length"));
        Assert.That(byField, Has.Some.StartsWith("33 vehicles[4].s: expected a position not overlapping vehicle 'truck3'"));
        Assert.That(byField, Has.Some.StartsWith("40 vehicles[5].parameters: field 'parameters' applies only to vehicles with role: stack"));
        Assert.That(byField, Has.Some.StartsWith("42 events[0].vehicle: expected the id of a stack vehicle (truck1, truck2, truck3, truck4), got \"ghost\""));
        Assert.That(byField, Has.Some.StartsWith("43 events[1].vehicle: events apply only to stack vehicles"));
        Assert.That(byField, Has.Some.StartsWith("44 events[2].at: expected a time in seconds from 0 to below the duration 60, got 75"));
        Assert.That(byField, Has.Some.StartsWith("45 events[3].type: expected one of set_speed, ramp, sinusoid, brake, v2x, platoon, lane_change, sensor_dropout, got \"warp\""));
        Assert.That(ex.Errors, Has.Count.EqualTo(10), ex.Message);
    }

    [Test]
    public void Load_EventOnBackgroundOnlyField_ReportsTypeSpecificFields()
    {
        var path = WriteTemp("""
            format: automationstack-scenario/1
            name: e
            map: MAP
            duration: 10
            vehicles:
              - {id: t, role: stack, lane: A1/0, s: 100, speed_kph: 50}
            events:
              - {at: 1, vehicle: t, type: set_speed, speed_kph: 60, rate: 1}
            """);

        var ex = Assert.Throws<ConfigurationException>(() => ScenarioLoader.Load(path));

        Assert.That(ex.Errors.Single().Message, Is.EqualTo("unknown field 'rate' (expected one of: at, type, vehicle, speed_kph)"));
        Assert.That(ex.Errors.Single().Field, Is.EqualTo("events[0].rate"));
    }

    [Test]
    public void Load_V2xChannelFieldsAndEvent_AreApplied()
    {
        var scenario = ScenarioLoader.Load(WriteTemp("""
            format: automationstack-scenario/1
            name: v2x
            map: MAP
            duration: 60
            v2x:
              range: 400
              latency: 0.03
              latency_jitter: 0.02
              jitter_distribution: exponential
              loss: 0.01
              burst: {good_to_bad: 0.02, bad_to_good: 0.25}
              data_rate: 3000000
              overhead_bytes: 60
            vehicles:
              - {id: t, role: stack, lane: A1/0, s: 100, speed_kph: 50}
            events:
              - {at: 40, until: 45, type: v2x, channel: {loss: 1}}
              - {at: 50, type: v2x, channel: {latency: 0.3, burst: {good_to_bad: 0.1, bad_to_good: 0.5, loss_in_good: 0.01, loss_in_bad: 0.9}}}
            """));

        var baseline = new V2xChannelOptions
        {
            Range = 400,
            Latency = 0.03,
            LatencyJitter = 0.02,
            JitterDistribution = JitterDistribution.Exponential,
            LossProbability = 0.01,
            Burst = new GilbertElliott(0.02, 0.25),
            DataRate = 3e6,
            OverheadBytes = 60,
        };
        Assert.That(scenario.World.V2x, Is.EqualTo(baseline));
        var events = scenario.Events.OfType<V2xChannelEvent>().ToArray();
        Assert.That(events, Has.Length.EqualTo(2));
        Assert.That(events[0], Is.EqualTo(new V2xChannelEvent(40, 45, baseline with { LossProbability = 1 })));
        Assert.That(events[1], Is.EqualTo(new V2xChannelEvent(50, null, baseline with { Latency = 0.3, Burst = new GilbertElliott(0.1, 0.5, 0.01, 0.9) })));
        Assert.That(events[0].VehicleId, Is.Empty);
    }

    [Test]
    public void Load_PlatoonEvents_Parsed()
    {
        var scenario = ScenarioLoader.Load(WriteTemp("""
            format: automationstack-scenario/1
            name: p
            map: MAP
            duration: 60
            vehicles:
              - {id: t, role: stack, lane: A1/0, s: 100, speed_kph: 50}
            events:
              - {at: 1, vehicle: t, type: platoon, action: create, platoon_id: 3}
              - {at: 2, vehicle: t, type: platoon, action: split, index: 2}
              - {at: 3, vehicle: t, type: platoon, action: change_gap, time_gap: 0.8}
              - {at: 4, vehicle: t, type: platoon, action: join}
            """));

        Assert.That(scenario.Events, Is.EqualTo(new ScenarioEvent[]
        {
            new PlatoonEvent(1, "t", PlatoonCommand.Create, 3, 0, 0),
            new PlatoonEvent(2, "t", PlatoonCommand.Split, 0, 2, 0),
            new PlatoonEvent(3, "t", PlatoonCommand.ChangeGap, 0, 0, 0.8),
            new PlatoonEvent(4, "t", PlatoonCommand.Join, 0, 0, 0),
        }));
    }

    [TestCase("{at: 1, vehicle: t, type: platoon, action: create}", "events[0].platoon_id", "platoon id above 0")]
    [TestCase("{at: 1, vehicle: t, type: platoon, action: split}", "events[0].index", "missing")]
    [TestCase("{at: 1, vehicle: t, type: platoon, action: dance}", "events[0].action", "create, join, leave, split, merge, change_gap")]
    [TestCase("{at: 1, vehicle: t, type: platoon, action: change_gap, time_gap: 0.1}", "events[0].time_gap", "from 0.3 to 4")]
    [TestCase("{at: 40, type: v2x, vehicle: t, channel: {loss: 1}}", "events[0].vehicle", "takes no vehicle")]
    [TestCase("{at: 40, until: 30, type: v2x, channel: {loss: 1}}", "events[0].until", "after at = 40")]
    [TestCase("{at: 40, type: v2x}", "events[0].channel", "missing")]
    [TestCase("{at: 40, type: v2x, channel: {los: 1}}", "events[0].channel.los", "unknown field 'los'")]
    [TestCase("{at: 40, type: v2x, channel: {loss: 1.5}}", "events[0].channel.loss", "expected a probability")]
    [TestCase("{at: 40, type: v2x, channel: {burst: {good_to_bad: 0.1}}}", "events[0].channel.burst.bad_to_good", "missing")]
    [TestCase("{at: 40, type: v2x, channel: {jitter_distribution: normal}}", "events[0].channel.jitter_distribution", "uniform, exponential")]
    public void Load_BadV2xEvent_ReportsField(string eventText, string field, string message)
    {
        var path = WriteTemp($$"""
            format: automationstack-scenario/1
            name: e
            map: MAP
            duration: 60
            vehicles:
              - {id: t, role: stack, lane: A1/0, s: 100, speed_kph: 50}
            events:
              - {{eventText}}
            """);

        var ex = Assert.Throws<ConfigurationException>(() => ScenarioLoader.Load(path));

        Assert.That(ex.Errors, Has.Count.EqualTo(1), ex.Message);
        Assert.That(ex.Errors[0].Field, Is.EqualTo(field), ex.Message);
        Assert.That(ex.Errors[0].Message, Does.Contain(message));
    }

    private static readonly string TempDirectory = Path.Combine(Path.GetTempPath(), $"automationstack-scenario-tests-{Environment.ProcessId}");

    [OneTimeTearDown]
    public void DeleteTempFiles()
    {
        if (Directory.Exists(TempDirectory))
        {
            Directory.Delete(TempDirectory, recursive: true);
        }
    }

    private static string WriteTemp(string text)
    {
        var dir = TempDirectory;
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, $"{Guid.NewGuid():N}.yaml");
        var map = Path.Combine(TestFiles.RepoRoot, "sim-bridge", "maps", "corridor-a.yaml");
        File.WriteAllText(path, text.Replace("MAP", map, StringComparison.Ordinal));
        return path;
    }
}
