using System.Diagnostics;

namespace AutomationStack.Traci.Tests;

/// <summary>The client against a real SUMO 1.15 process (generated grid networks, 127.0.0.1, free ports).</summary>
[TestFixture]
[CancelAfter(60_000)]
internal sealed class SumoIntegrationTests
{
    private static readonly byte[] VehicleVariables =
    [
        VehicleVariable.Speed, VehicleVariable.Position, VehicleVariable.Angle, VehicleVariable.LaneId,
        VehicleVariable.LanePosition, VehicleVariable.RoadId, VehicleVariable.Acceleration,
    ];

    private static void Steps(TraciClient client, int count)
    {
        for (int i = 0; i < count; i++) client.SimulationStep();
    }

    /// <summary>Subscribes every vehicle that departed in the last step.</summary>
    private static void SubscribeDeparted(TraciClient client, ReadOnlySpan<byte> variables) =>
        client.SubscribeVehicles(client.GetDepartedVehicleIds(), variables);

    [Test]
    public void GetVersion_RealSumo_ReturnsApi20()
    {
        using var sumo = SumoFiles.StartSmall();
        var (api, software) = sumo.Client.GetVersion();
        Assert.Multiple(() =>
        {
            Assert.That(api, Is.EqualTo(TraciClient.ApiVersion));
            Assert.That(software, Does.Contain("SUMO"));
        });
    }

    [Test]
    public void SimulationStep_TenSteps_TimeAdvancesByStepLength()
    {
        using var sumo = SumoFiles.StartSmall();
        Steps(sumo.Client, 10);
        Assert.That(sumo.Client.GetSimulationTime(), Is.EqualTo(1.0).Within(1e-9));
        sumo.Client.SimulationStep(2.5);
        Assert.That(sumo.Client.GetSimulationTime(), Is.EqualTo(2.5).Within(1e-9));
    }

    [Test]
    public void SimulationStep_RouteFile_VehiclesDepart()
    {
        using var sumo = SumoFiles.StartSmall();
        var client = sumo.Client;
        var departed = new List<string>();
        for (int i = 0; i < 30; i++)
        {
            client.SimulationStep();
            departed.AddRange(client.GetDepartedVehicleIds());
        }

        var ids = client.GetVehicleIds();
        Assert.Multiple(() =>
        {
            Assert.That(departed, Does.Contain("v0").And.Contain("v4"));
            Assert.That(ids, Is.SubsetOf(departed));
            Assert.That(ids, Is.Not.Empty);
            Assert.That(client.GetMinExpectedNumber(), Is.GreaterThanOrEqualTo(40 - client.GetArrivedVehicleIds().Count - 10));
            Assert.That(client.GetVehicleRoadId("v0"), Is.EqualTo(SumoFiles.SmallRoute0[0]));
        });
    }

    [Test]
    public void SubscribeVehicle_AfterSteps_MatchesIndividualGetters()
    {
        using var sumo = SumoFiles.StartSmall();
        var client = sumo.Client;
        for (int i = 0; i < 60; i++)
        {
            client.SimulationStep();
            SubscribeDeparted(client, VehicleVariables);
        }

        client.SimulationStep();
        var current = client.VehicleSubscriptions.Current;
        Assert.That(current, Has.Count.GreaterThanOrEqualTo(5));
        foreach (var v in current)
        {
            var id = v.Id;
            Assert.Multiple(() =>
            {
                Assert.That(v.GetDouble(VehicleVariable.Speed), Is.EqualTo(client.GetVehicleSpeed(id)), id);
                Assert.That(v.GetPosition(VehicleVariable.Position), Is.EqualTo(client.GetVehiclePosition(id)), id);
                Assert.That(v.GetDouble(VehicleVariable.Angle), Is.EqualTo(client.GetVehicleAngle(id)), id);
                Assert.That(v.GetString(VehicleVariable.LaneId), Is.EqualTo(client.GetVehicleLaneId(id)), id);
                Assert.That(v.GetDouble(VehicleVariable.LanePosition), Is.EqualTo(client.GetVehicleLanePosition(id)), id);
                Assert.That(v.GetString(VehicleVariable.RoadId), Is.EqualTo(client.GetVehicleRoadId(id)), id);
                Assert.That(v.GetDouble(VehicleVariable.Acceleration), Is.EqualTo(client.GetVehicleAcceleration(id)), id);
            });
        }
    }

    [Test]
    public void SetVehicleSpeed_ThreeSeconds_VehicleDrivesAtSetSpeed()
    {
        using var sumo = SumoFiles.StartSmall();
        var client = sumo.Client;
        Steps(client, 2);
        Assert.That(client.GetVehicleIds(), Does.Contain("v0"));
        client.SetVehicleSpeedMode("v0", 31);
        client.SetVehicleLaneChangeMode("v0", 0);
        client.SetVehicleSpeed("v0", 3.0);
        Steps(client, 30);
        Assert.That(client.GetVehicleSpeed("v0"), Is.EqualTo(3.0).Within(1e-6));
        client.SetVehicleSpeed("v0", -1);
        Steps(client, 10);
        Assert.That(client.GetVehicleSpeed("v0"), Is.GreaterThan(3.0), "control handed back to SUMO");
    }

    [Test]
    public void MoveVehicleToXY_FiftyMetresAhead_VehicleIsThere()
    {
        using var sumo = SumoFiles.StartSmall();
        var client = sumo.Client;
        Steps(client, 2);
        var p = client.GetVehiclePosition("v0");
        double heading = client.GetVehicleAngle("v0") * Math.PI / 180;
        double x = p.X + 50 * Math.Sin(heading);
        double y = p.Y + 50 * Math.Cos(heading);
        string road = client.GetVehicleRoadId("v0");
        client.MoveVehicleToXY("v0", road, 0, x, y, client.GetVehicleAngle("v0"), keepRoute: 1);
        client.SimulationStep();
        var moved = client.GetVehiclePosition("v0");
        double distance = Math.Sqrt(((moved.X - x) * (moved.X - x)) + ((moved.Y - y) * (moved.Y - y)));
        Assert.Multiple(() =>
        {
            Assert.That(distance, Is.LessThan(1.0), $"moved to ({moved.X}, {moved.Y}), wanted ({x}, {y})");
            Assert.That(client.GetVehicleRoadId("v0"), Is.EqualTo(road));
        });
    }

    [Test]
    public void AddVehicle_OnNewRoute_DepartsAndCanBeRemoved()
    {
        using var sumo = SumoFiles.StartSmall(routes: false);
        var client = sumo.Client;
        client.AddRoute("extra", SumoFiles.SmallRoute0);
        client.AddVehicle("added", "extra", depart: "now", departSpeed: "0");
        client.SimulationStep();
        Assert.That(client.GetVehicleIds(), Is.EqualTo(new[] { "added" }));
        Steps(client, 20);
        Assert.That(client.GetVehicleLanePosition("added"), Is.GreaterThan(0));
        client.RemoveVehicle("added");
        client.SimulationStep();
        Assert.Multiple(() =>
        {
            Assert.That(client.GetVehicleIds(), Is.Empty);
            Assert.That(client.GetMinExpectedNumber(), Is.Zero);
        });
    }

    [Test]
    public void AddVehicle_UnknownRoute_ThrowsCommandExceptionAndClientStaysUsable()
    {
        using var sumo = SumoFiles.StartSmall(routes: false);
        var client = sumo.Client;
        var ex = Assert.Throws<TraciCommandException>(() => client.AddVehicle("x", "no-such-route"));
        Assert.Multiple(() =>
        {
            Assert.That(ex!.Description, Does.Contain("no-such-route"));
            Assert.That(ex.CommandId, Is.EqualTo(0xC4));
            Assert.Throws<TraciCommandException>(() => client.GetVehicleSpeed("nobody"));
        });
        client.SimulationStep();
        Assert.That(client.GetSimulationTime(), Is.EqualTo(0.1).Within(1e-9));
    }

    [Test]
    public void TrafficLight_StateAndNextSwitch_ConsistentWithProgram()
    {
        using var sumo = SumoFiles.StartSmall();
        var client = sumo.Client;
        var ids = client.GetTrafficLightIds();
        Assert.That(ids, Has.Count.EqualTo(9));
        const string tl = "B1";
        var programs = client.GetTrafficLightPrograms(tl);
        string programId = client.GetTrafficLightProgram(tl);
        var program = programs.Single(p => p.ProgramId == programId);
        int switches = 0;
        int lastPhase = client.GetTrafficLightPhase(tl);
        for (int i = 0; i < 1200; i++)
        {
            double now = client.GetSimulationTime();
            int phase = client.GetTrafficLightPhase(tl);
            string state = client.GetTrafficLightState(tl);
            double remaining = client.GetTrafficLightNextSwitch(tl) - now;
            Assert.Multiple(() =>
            {
                Assert.That(state, Is.EqualTo(program.Phases[phase].State), $"t={now}");
                Assert.That(remaining, Is.GreaterThanOrEqualTo(0).And.LessThanOrEqualTo(program.Phases[phase].Duration + 1e-9), $"t={now}");
            });
            if (phase != lastPhase)
            {
                Assert.That(phase, Is.EqualTo((lastPhase + 1) % program.Phases.Count), $"t={now}");
                switches++;
                lastPhase = phase;
            }

            client.SimulationStep();
        }

        var lanes = client.GetTrafficLightControlledLanes(tl);
        var links = client.GetTrafficLightControlledLinks(tl);
        Assert.Multiple(() =>
        {
            Assert.That(switches, Is.GreaterThanOrEqualTo(2));
            Assert.That(lanes, Has.Count.EqualTo(program.Phases[0].State.Length));
            Assert.That(links, Has.Count.EqualTo(program.Phases[0].State.Length));
            Assert.That(links.Select(l => l[0].IncomingLane), Is.EqualTo(lanes));
        });
    }

    [Test]
    public void SubscribeTrafficLight_AfterSteps_MatchesGetters()
    {
        using var sumo = SumoFiles.StartSmall();
        var client = sumo.Client;
        foreach (var id in client.GetTrafficLightIds())
        {
            client.SubscribeTrafficLight(id, [TrafficLightVariable.State, TrafficLightVariable.Phase, TrafficLightVariable.NextSwitch, TrafficLightVariable.Program]);
        }

        Steps(client, 55);
        var current = client.TrafficLightSubscriptions.Current;
        Assert.That(current, Has.Count.EqualTo(9));
        foreach (var tl in current)
        {
            Assert.Multiple(() =>
            {
                Assert.That(tl.GetString(TrafficLightVariable.State), Is.EqualTo(client.GetTrafficLightState(tl.Id)));
                Assert.That(tl.GetInt(TrafficLightVariable.Phase), Is.EqualTo(client.GetTrafficLightPhase(tl.Id)));
                Assert.That(tl.GetDouble(TrafficLightVariable.NextSwitch), Is.EqualTo(client.GetTrafficLightNextSwitch(tl.Id)));
                Assert.That(tl.GetString(TrafficLightVariable.Program), Is.EqualTo(client.GetTrafficLightProgram(tl.Id)));
            });
        }
    }

    private static List<string> Trajectory(int seed)
    {
        using var sumo = SumoFiles.StartSmall(seed);
        var client = sumo.Client;
        var log = new List<string>();
        for (int step = 0; step < 300; step++)
        {
            client.SimulationStep();
            SubscribeDeparted(client, [VehicleVariable.Position, VehicleVariable.Speed]);
            foreach (var v in client.VehicleSubscriptions.Current)
            {
                var p = v.GetPosition(VehicleVariable.Position);
                log.Add(FormattableString.Invariant($"{step} {v.Id} {p.X:R} {p.Y:R} {v.GetDouble(VehicleVariable.Speed):R}"));
            }
        }

        return log;
    }

    [Test]
    public void Trajectories_SameSeedTwice_AreIdentical()
    {
        var first = Trajectory(7);
        var second = Trajectory(7);
        var other = Trajectory(8);
        Assert.Multiple(() =>
        {
            Assert.That(first, Has.Count.GreaterThan(1000));
            Assert.That(second, Is.EqualTo(first));
            Assert.That(other, Is.Not.EqualTo(first), "the seed matters (vehicle type sigma 0.5)");
        });
    }

    [Test]
    public void Dispose_RunningSumo_ProcessIsGone()
    {
        var sumo = SumoFiles.StartSmall();
        int pid = sumo.ProcessId;
        sumo.Client.SimulationStep();
        sumo.Dispose();
        Assert.That(() => Process.GetProcessById(pid).HasExited, Throws.ArgumentException.Or.True);
        Assert.Throws<ObjectDisposedException>(() => _ = sumo.Client);
    }

    [Test]
    public void Start_MissingNetFile_ThrowsWithSumoOutput()
    {
        SumoFiles.RequireSumo();
        var ex = Assert.Throws<TraciConnectionException>(() => SumoProcess.Start(new SumoOptions
        {
            NetFile = Path.Combine(Path.GetTempPath(), "does-not-exist-" + Guid.NewGuid().ToString("N") + ".net.xml"),
        }));
        Assert.That(ex!.Message, Does.Contain("exited with code 1").And.Contain("does-not-exist"));
    }

    [Test]
    public void Start_MissingBinary_ThrowsConnectionException()
    {
        var ex = Assert.Throws<TraciConnectionException>(() => SumoProcess.Start(new SumoOptions
        {
            NetFile = "x.net.xml",
            Binary = "/nonexistent/sumo",
        }));
        Assert.That(ex!.Message, Does.Contain("not found"));
    }

    [Test]
    public void Execute_Batch300Vehicles_ReadsAllAndMatchesSubscriptions()
    {
        using var sumo = SumoFiles.StartLarge();
        var client = sumo.Client;
        var ids = client.GetVehicleIds();
        for (int i = 0; i < 100 && ids.Count < 300; i++)
        {
            client.SimulationStep();
            ids = client.GetVehicleIds();
        }

        Assert.That(ids, Has.Count.EqualTo(300), "random_free departures put all 300 vehicles in within a few steps");
        client.SubscribeVehicles(ids, [VehicleVariable.Speed, VehicleVariable.Position]);
        Assert.That(client.VehicleSubscriptions.Current, Has.Count.EqualTo(300), "first results come with the subscribe reply");
        using var batch = new TraciBatch();
        foreach (var id in ids)
        {
            batch.AddVehicleGet(VehicleVariable.Speed, id);
            batch.AddVehicleGet(VehicleVariable.Position, id);
        }

        var watch = Stopwatch.StartNew();
        for (int step = 0; step < 50; step++)
        {
            client.SimulationStep();
            client.Execute(batch);
        }

        watch.Stop();
        TestContext.Out.WriteLine($"50 steps with 300 vehicles, step + one batch of 600 gets: {watch.Elapsed.TotalMilliseconds / 50:F2} ms/step");
        var subs = client.VehicleSubscriptions;
        Assert.That(subs.Current, Has.Count.EqualTo(300));
        for (int i = 0; i < ids.Count; i++)
        {
            Assert.That(subs.TryGet(ids[i], out var v), Is.True, ids[i]);
            Assert.Multiple(() =>
            {
                Assert.That(batch[2 * i].AsDouble(), Is.EqualTo(v.GetDouble(VehicleVariable.Speed)), ids[i]);
                Assert.That(batch[(2 * i) + 1].AsPosition(), Is.EqualTo(v.GetPosition(VehicleVariable.Position)), ids[i]);
            });
        }
    }

    [Test]
    public void SimulationStep_300SubscribedVehicles_AllocatesLittlePerStep()
    {
        using var sumo = SumoFiles.StartLarge();
        var client = sumo.Client;
        var ids = client.GetVehicleIds();
        for (int i = 0; i < 100 && ids.Count < 300; i++)
        {
            client.SimulationStep();
            ids = client.GetVehicleIds();
        }

        foreach (var id in ids)
        {
            client.SubscribeVehicle(id, [VehicleVariable.Speed, VehicleVariable.Position, VehicleVariable.Angle, VehicleVariable.LaneId]);
        }

        Steps(client, 5);
        const int steps = 50;
        long before = GC.GetAllocatedBytesForCurrentThread();
        Steps(client, steps);
        long perStep = (GC.GetAllocatedBytesForCurrentThread() - before) / steps;
        TestContext.Out.WriteLine($"allocated per step with 300 subscribed vehicles (4 variables): {perStep} B");
        Assert.Multiple(() =>
        {
            Assert.That(client.VehicleSubscriptions.Current, Has.Count.EqualTo(300));
            // Lane-id strings are allocated only when a vehicle changes lane; everything else is reused.
            Assert.That(perStep, Is.LessThan(4096));
        });
    }

    [Test]
    public void SubscribeVehicles_OneUnknownVehicle_ThrowsCommandExceptionNamingIt()
    {
        using var sumo = SumoFiles.StartSmall();
        var client = sumo.Client;
        client.SimulationStep(2);
        var ex = Assert.Throws<TraciCommandException>(() => client.SubscribeVehicles(["v0", "ghost"], [VehicleVariable.Speed]));
        Assert.That(ex!.Description, Does.Contain("ghost"));
    }

    [Test]
    public void SetOrder_SingleClient_IsAccepted()
    {
        using var sumo = SumoFiles.StartSmall();
        sumo.Client.SetOrder(1);
        sumo.Client.SimulationStep();
        Assert.That(sumo.Client.GetSimulationTime(), Is.EqualTo(0.1).Within(1e-9));
    }

    [Test]
    public void GetArrivedVehicleIds_RunToTheEnd_EveryVehicleArrivesOnce()
    {
        using var sumo = SumoFiles.StartSmall();
        var client = sumo.Client;
        var departed = new HashSet<string>();
        var arrived = new List<string>();
        for (int i = 0; i < 3000 && (i < 10 || client.GetMinExpectedNumber() > 0); i++)
        {
            client.SimulationStep();
            departed.UnionWith(client.GetDepartedVehicleIds());
            arrived.AddRange(client.GetArrivedVehicleIds());
        }

        Assert.Multiple(() =>
        {
            Assert.That(client.GetMinExpectedNumber(), Is.Zero);
            Assert.That(departed, Has.Count.EqualTo(40));
            Assert.That(arrived, Is.EquivalentTo(departed));
        });
    }
}
