using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using AutomationStack.Bridge.Protocol;
using AutomationStack.Mcap;

namespace AutomationStack.Cli.Tests;

/// <summary>
/// The fault-injection suite (docs/fault-injection.md): faults injected into real runs — separate vehicle processes,
/// the real bridge — and the safe behaviour asserted from kpi.json and the log. Sensor dropouts and V2V loss bursts are
/// scenario events; late answers, crashes and a bridge crash are injected from outside with signals (SIGSTOP/SIGCONT,
/// SIGKILL). Other faults of the suite live next to what they test: non-finite commands (Bridge.Tests
/// NonFiniteCommandTests), the disk filling while logging (Bridge.Tests RecordingFailureTests), kill -9 of an ACC
/// truck (RunCommandEndToEndTests), vehicle processes exiting after a bridge crash (BridgeCrashTests).
/// </summary>
[TestFixture]
[Category("fault-injection")]
[NonParallelizable]
public sealed partial class FaultInjectionTests
{
    private const ulong NanosecondsPerSecond = 1_000_000_000UL;
    private const int SensorUnavailableFault = 1 << 9;
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(3);
    private string _root = string.Empty;
    private Dictionary<string, ScenarioOutcome> _runs = [];

    [OneTimeSetUp]
    public async Task RunScenarioFaults()
    {
        _root = Path.Combine(Path.GetTempPath(), "as-fault-" + Guid.NewGuid().ToString("N"));
        _runs = await ScenarioRuns.RunAllAsync(
            [
                ("radar-acc", ["run", Scenario("fault-radar-dropout-acc")]),
                ("radar-cacc", ["run", Scenario("fault-radar-dropout-cacc")]),
                ("v2v-bursts", ["run", Scenario("fault-v2v-bursts")]),
            ],
            _root,
            parallel: 1,
            RunTimeout);
    }

    [OneTimeTearDown]
    public void Cleanup()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    /// <summary>
    /// truck2 (ACC, set speed 90 km/h behind a truck at 80 that brakes to 60) loses its radar for 5 s. Before the fix the
    /// pipeline took the empty detection list for a free road and closed to 0.42 s; now it decelerates at 1 m/s², never
    /// asks for throttle while blind, says so in the log and takes the radar's lead back within the recovery time.
    /// </summary>
    [Test]
    public void SensorDropout_RadarLostInAcc_DeceleratesInsteadOfAssumingFreeRoad()
    {
        var run = Passed("radar-acc");
        using var kpi = Kpi(run);
        Assert.That(kpi.RootElement.GetProperty("collisions").GetInt32(), Is.Zero);
        var truck2 = Truck(kpi, "truck2");
        Assert.That(truck2.GetProperty("min_time_gap").GetDouble(), Is.GreaterThan(1.2), "ACC gap 1.5 s; without the fix 0.42 s");
        Assert.That(truck2.GetProperty("failed").GetBoolean(), Is.False);

        using var reader = McapReader.Open(run.Recording);
        var events = Events(reader);
        Assert.That(events, Does.Contain((8.0, "sensor_dropout", "truck2", "radar down")));
        Assert.That(events, Does.Contain((13.0, "sensor_dropout", "truck2", "radar restored")));
        var logs = Logs(reader, "truck2");
        Assert.That(logs, Has.Some.Matches<(double T, string Text)>(l => Near(l.T, 8.0) && l.Text == "sensor unavailable: radar"));
        Assert.That(logs, Has.Some.Matches<(double T, string Text)>(l => Near(l.T, 8.0) && l.Text.StartsWith("radar fallback: blind ahead", StringComparison.Ordinal)));
        var ended = logs.Single(l => l.Text == "radar fallback ended").T;
        Assert.That(ended, Is.InRange(13.0, 14.5), "the radar's lead re-confirmed and 1 s of radar again");

        var commands = Commands(reader, "truck2");
        var blind = commands.Where(c => c.T > 8.0 && c.T < 13.0).ToList();
        Assert.That(blind, Is.Not.Empty);
        Assert.That(blind.Max(c => c.Command.Acceleration), Is.LessThanOrEqualTo(-1.0 + 1e-9), "no throttle while blind ahead");
        Assert.That(blind.All(c => (c.Command.Diagnostics.Faults & SensorUnavailableFault) != 0), "SensorUnavailable reported");
        var after = commands.Where(c => c.T > 14.5).ToList();
        Assert.That(after.All(c => c.Command.Diagnostics.HasLead && c.Command.Diagnostics.Faults == 0), "recovered: radar lead, no fault");
        TestContext.Out.WriteLine($"truck2 min time gap {truck2.GetProperty("min_time_gap").GetDouble():F2} s, min gap {truck2.GetProperty("min_distance").GetDouble():F1} m, fallback ended at {ended:F2} s");
    }

    /// <summary>
    /// truck3 loses GNSS (6 … 11 s) and then wheel odometry (12 … 16 s): it stays engaged, dead-reckons its position
    /// (lateral offset from the lane centre stays small) and estimates its speed from the IMU.
    /// </summary>
    [Test]
    public void SensorDropout_GnssThenOdometryLost_LocalizationDeadReckonsAndStaysEngaged()
    {
        var run = Passed("radar-acc");
        using var kpi = Kpi(run);
        var truck3 = Truck(kpi, "truck3");
        Assert.That(truck3.GetProperty("failed").GetBoolean(), Is.False);
        Assert.That(truck3.GetProperty("min_time_gap").GetDouble(), Is.GreaterThan(1.2));

        using var reader = McapReader.Open(run.Recording);
        var events = Events(reader);
        Assert.That(events, Does.Contain((6.0, "sensor_dropout", "truck3", "gnss down")));
        Assert.That(events, Does.Contain((16.0, "sensor_dropout", "truck3", "odometry restored")));
        var truth = reader.ReadMessages("/ground_truth")
            .Select(m => (T: m.LogTime / (double)NanosecondsPerSecond, Truth: GroundTruth.Parser.ParseFrom(m.Data.Span).Vehicles.Single(v => v.Id == "truck3")))
            .ToDictionary(x => Math.Round(x.T, 2), x => x.Truth);
        var commands = Commands(reader, "truck3");
        Assert.That(commands.All(c => c.Command.Diagnostics.Mode == "Active"), "engaged throughout");
        var gnss = commands.Where(c => c.T > 6.0 && c.T < 11.0).ToList();
        Assert.That(gnss.All(c => (c.Command.Diagnostics.Faults & SensorUnavailableFault) != 0));
        var maxOffset = truth.Where(t => t.Key > 6.0 && t.Key < 11.5).Max(t => Math.Abs(t.Value.Offset));
        Assert.That(maxOffset, Is.LessThan(0.5), "lane kept on dead reckoning");
        var odometry = commands.Where(c => c.T > 12.0 && c.T < 16.0).ToList();
        var speedError = odometry.Max(c => Math.Abs(c.Command.Diagnostics.EstimatedSpeed - truth[Math.Round(c.T, 2)].Speed));
        Assert.That(speedError, Is.LessThan(0.5), "speed from the IMU while odometry is down");
        TestContext.Out.WriteLine($"truck3 max |offset| during GNSS loss {maxOffset:F3} m, max speed error during odometry loss {speedError:F3} m/s");
    }

    /// <summary>
    /// The middle truck of a CACC platoon loses its radar for 5 s: the lead comes from its predecessor's PCM, ACC's time
    /// gap opens from the 0.6 s in force towards 1.5 s (0.1 s per s, no brake step for the truck behind), and after the
    /// radar has been back for 1 s the truck returns to CACC.
    /// </summary>
    [Test]
    public void SensorDropout_RadarLostInCacc_LeadFromV2vAndGapOpens()
    {
        var run = Passed("radar-cacc");
        using var kpi = Kpi(run);
        Assert.That(kpi.RootElement.GetProperty("collisions").GetInt32(), Is.Zero);
        foreach (var id in new[] { "truck2", "truck3" })
        {
            Assert.That(Truck(kpi, id).GetProperty("min_time_gap").GetDouble(), Is.GreaterThan(0.5), id + ": CACC gap 0.6 s");
        }

        using var reader = McapReader.Open(run.Recording);
        var logs = Logs(reader, "truck2");
        Assert.That(logs, Has.Some.Matches<(double T, string Text)>(l => Near(l.T, 8.0) && l.Text.StartsWith("radar fallback: lead from V2V", StringComparison.Ordinal)));
        Assert.That(logs.Single(l => l.Text == "radar fallback ended").T, Is.InRange(13.0, 14.5));
        var commands = Commands(reader, "truck2");
        var window = commands.Where(c => c.T > 8.0 && c.T < 13.0).ToList();
        Assert.That(window.All(c => c.Command.Diagnostics.HasLead), "V2V lead throughout");
        Assert.That(window.Min(c => c.Command.Acceleration), Is.GreaterThan(-1.5), "the gap opens without a brake step");
        var gapBefore = commands.Last(c => c.T < 8.0).Command.Diagnostics.LeadGap;
        var gapEnd = window[^1].Command.Diagnostics.LeadGap;
        Assert.That(gapEnd, Is.GreaterThan(gapBefore + 2.0), "the gap opened");
        var cacc = commands.Where(c => c.T > 20.0).ToList();
        Assert.That(cacc.All(c => c.Command.Diagnostics.Platoon.LongitudinalMode == "Cacc" && c.Command.Diagnostics.Faults == 0));
        TestContext.Out.WriteLine($"truck2 gap {gapBefore:F1} m → {gapEnd:F1} m, min accel {window.Min(c => c.Command.Acceleration):F2} m/s², min tgap {Truck(kpi, "truck2").GetProperty("min_time_gap").GetDouble():F2} s, truck3 {Truck(kpi, "truck3").GetProperty("min_time_gap").GetDouble():F2} s");
    }

    /// <summary>
    /// Gilbert–Elliott burst loss (5 … 20 s) and total loss (24 … 25.5 s) on a CACC platoon: every CACC → ACC fallback
    /// of a follower comes at most 0.35 s after the last message it received from its predecessor (300 ms PCM validity,
    /// 20 ms latency, a 20 ms control period), bursts included; CACC resumes after each; no collision, the time gap never
    /// below 0.5 s.
    /// </summary>
    [Test]
    public void V2vLossBursts_CaccPlatoon_FallsBackToAccWithinBoundAndResumes()
    {
        var run = Passed("v2v-bursts");
        using var kpi = Kpi(run);
        Assert.That(kpi.RootElement.GetProperty("collisions").GetInt32(), Is.Zero);
        using var reader = McapReader.Open(run.Recording);
        foreach (var id in new[] { "truck2", "truck3" })
        {
            var truck = Truck(kpi, id);
            Assert.That(truck.GetProperty("min_time_gap").GetDouble(), Is.GreaterThan(0.5), id);
            var commands = Commands(reader, id);
            var received = reader.ReadMessages($"/vehicle/{id}/frame")
                .Select(m => (T: m.LogTime / (double)NanosecondsPerSecond, Senders: Frame.Parser.ParseFrom(m.Data.Span).V2X.Select(v => v.SenderStationId).ToHashSet()))
                .ToList();
            var delays = new List<(double At, double Delay)>();
            for (var i = 1; i < commands.Count; i++)
            {
                var before = commands[i - 1].Command.Diagnostics.Platoon;
                if (before.LongitudinalMode == "Cacc" && commands[i].Command.Diagnostics.Platoon.LongitudinalMode == "Acc")
                {
                    var t = commands[i].T;
                    var lastHeard = received.Last(f => f.T <= t && f.Senders.Contains(before.PredecessorStationId)).T;
                    delays.Add((t, t - lastHeard));
                }
            }

            Assert.That(delays.Count(d => d.At < 20.5), Is.GreaterThanOrEqualTo(1), id + ": the bursts cause fallbacks");
            Assert.That(delays.Count(d => d.At is > 24.0 and < 25.5), Is.EqualTo(1), id + ": the total loss causes one");
            Assert.That(delays.Max(d => d.Delay), Is.LessThanOrEqualTo(0.35), id + ": fallback delay after the last message heard");
            Assert.That(commands.Where(c => c.T > 30.0).All(c => c.Command.Diagnostics.Platoon.LongitudinalMode == "Cacc"), id + ": CACC resumed after the loss");
            var share = truck.GetProperty("platoon").GetProperty("cacc_share").GetDouble();
            TestContext.Out.WriteLine($"{id}: {delays.Count} CACC→ACC fallbacks, delay after the last message heard {delays.Min(d => d.Delay):F2} … {delays.Max(d => d.Delay):F2} s, CACC share {share:F3}, min time gap {truck.GetProperty("min_time_gap").GetDouble():F2} s");
        }
    }

    /// <summary>
    /// Real late answers in real-time mode: truck3's vehicle process is stopped (SIGSTOP) for 0.5 s, under the 5 s
    /// vehicle_timeout: its frames are late (counted), the bridge holds its previous command and its answers arriving
    /// after the deadline are dropped as stale; it is not failed. truck2 (the middle of the platoon) is stopped until the
    /// bridge fails it (5 s without an answer; simulated seconds, which lag the wall clock on a loaded machine) and
    /// brings it to a minimal-risk stop; truck3 behind it stays collision-free.
    /// </summary>
    [Test]
    public async Task VehicleProcessStopped_Realtime_LateFramesHeldAndFailureBeyondTimeout()
    {
        var outDir = Path.Combine(_root, "realtime-stop");
        using var cli = CliProcess.StartCli("run", Scenario("fault-platoon-realtime"), "--out", outDir);
        await WaitRunningAsync(cli);
        var pids = Pids(cli);
        await Task.Delay(TimeSpan.FromSeconds(4)); // past the start-up (JIT) of the vehicle processes
        await StopForAsync(cli, pids["truck3"], TimeSpan.FromSeconds(0.5));
        await Task.Delay(TimeSpan.FromSeconds(2));
        var stopped = Stopwatch.StartNew();
        Signal(pids["truck2"], "STOP");
        try
        {
            await cli.WaitForErrorTextAsync("truck2 FAILED", TimeSpan.FromSeconds(60));
        }
        finally
        {
            Signal(pids["truck2"], "CONT");
        }

        var stoppedFor = stopped.Elapsed.TotalSeconds;
        Assert.That(stoppedFor, Is.GreaterThanOrEqualTo(4.9), "failed only after the vehicle_timeout");
        var code = await cli.WaitAsync(RunTimeout);

        using var kpi = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "kpi.json")));
        Assert.That(code, Is.EqualTo(kpi.RootElement.GetProperty("passed").GetBoolean() ? 0 : 1), cli.StandardError);
        Assert.That(kpi.RootElement.GetProperty("collisions").GetInt32(), Is.Zero);
        var truck3 = Truck(kpi, "truck3");
        var late = truck3.GetProperty("late_frames").GetInt32();
        Assert.That(truck3.GetProperty("failed").GetBoolean(), Is.False, "0.5 s is under the 5 s vehicle_timeout");
        Assert.That(late, Is.GreaterThanOrEqualTo(20), "0.5 s of 50 Hz frames (a loaded machine adds some)");
        var truck1Late = Truck(kpi, "truck1").GetProperty("late_frames").GetInt32();
        Assert.That(truck3.GetProperty("stale_commands").GetInt32(), Is.GreaterThan(0), "answers after the deadline dropped");
        var truck2 = Truck(kpi, "truck2");
        Assert.That(truck2.GetProperty("failed").GetBoolean(), Is.True, "stopped beyond the vehicle_timeout");

        using var reader = McapReader.Open(Path.Combine(outDir, "run.mcap"));
        reader.Validate();
        var failed = Events(reader).Single(e => e.Kind == "vehicle_failed");
        Assert.That(failed.Vehicle, Is.EqualTo("truck2"));
        Assert.That(failed.Detail, Does.Contain("vehicle_timeout"), "no answer, or no frame taken, within vehicle_timeout");

        // Held command: a late frame's answer is never applied (nor recorded), the previous command stays in force.
        // The stop shows as one run of ≥ 0.4 s of consecutive frames without an answer of their own.
        var (frames, answered, longest) = UnansweredRun(reader, "truck3");
        Assert.That(frames - answered, Is.GreaterThanOrEqualTo(late), "one held command per late frame");
        Assert.That(longest, Is.InRange(0.4, 5.0), "the 0.5 s stop: consecutive late frames, under the vehicle_timeout");
        var (_, _, longestTruck1) = UnansweredRun(reader, "truck1");

        var last = GroundTruth.Parser.ParseFrom(reader.ReadMessages("/ground_truth").Last().Data.Span);
        var t2 = last.Vehicles.Single(v => v.Id == "truck2");
        var t3 = last.Vehicles.Single(v => v.Id == "truck3");
        Assert.That(t2.Status, Is.EqualTo(VehicleStatus.Stopped));
        Assert.That(t2.Speed, Is.LessThan(0.1), "minimal-risk stop completed");
        Assert.That(t3.S, Is.LessThan(t2.S - t2.Length), "truck3 stayed behind");
        var failureTime = truck2.GetProperty("failure_time").GetDouble();
        TestContext.Out.WriteLine($"truck1 late frames {truck1Late} (longest run {longestTruck1:F2} s); truck3 late frames {late} (longest run {longest:F2} s), stale commands {truck3.GetProperty("stale_commands").GetInt32()}, min time gap {truck3.GetProperty("min_time_gap").GetDouble():F2} s; truck2 stopped {stoppedFor:F1} s wall, failed at {failureTime:F2} s ({failed.Detail}); real-time factor {kpi.RootElement.GetProperty("real_time_factor").GetDouble():F2}; truck3 min distance {truck3.GetProperty("min_distance").GetDouble():F1} m");
    }

    /// <summary>
    /// In lock-step mode the bridge waits for every answer: a vehicle process stopped for 1.5 s (under the 5 s
    /// vehicle_timeout) only makes the run take longer. The log is byte-identical to an undisturbed run's.
    /// </summary>
    [Test]
    public async Task VehicleProcessStopped_Lockstep_LogByteIdenticalToUndisturbedRun()
    {
        var plain = Path.Combine(_root, "lockstep-plain");
        var stopped = Path.Combine(_root, "lockstep-stopped");
        var (code, _, stderr) = await CliProcess.RunCliAsync(RunTimeout, "run", CliProcess.DefaultScenario, "--out", plain, "--duration", "40", "--quiet");
        Assert.That(code, Is.Zero, stderr);

        using (var cli = CliProcess.StartCli("run", CliProcess.DefaultScenario, "--out", stopped, "--duration", "40"))
        {
            await WaitLogBytesAsync(cli, stopped, 1 << 20);
            await WaitRunningAsync(cli);
            await StopForAsync(cli, Pids(cli)["truck2"], TimeSpan.FromSeconds(1.5));
            Assert.That(await cli.WaitAsync(RunTimeout), Is.Zero, cli.StandardError);
        }

        using var plainKpi = JsonDocument.Parse(File.ReadAllText(Path.Combine(plain, "kpi.json")));
        using var stoppedKpi = JsonDocument.Parse(File.ReadAllText(Path.Combine(stopped, "kpi.json")));
        var plainWall = plainKpi.RootElement.GetProperty("wall_time").GetDouble();
        var stoppedWall = stoppedKpi.RootElement.GetProperty("wall_time").GetDouble();
        Assert.That(Truck(stoppedKpi, "truck2").GetProperty("late_frames").GetInt32(), Is.Zero, "lock-step has no deadline");
        Assert.That(Sha256(Path.Combine(stopped, "run.mcap")), Is.EqualTo(Sha256(Path.Combine(plain, "run.mcap"))));
        TestContext.Out.WriteLine($"wall {plainWall:F2} s undisturbed vs {stoppedWall:F2} s with truck2 stopped 1.5 s; logs identical");
    }

    /// <summary>
    /// kill -9 of the middle truck of a CACC platoon: the bridge fails it and brakes it to a minimal-risk stop in its
    /// lane; truck3 loses its predecessor's PCMs, falls back to ACC on its radar and stops behind it; no collision; the
    /// log is complete and valid (our reader and @mcap/core).
    /// </summary>
    [Test]
    public async Task VehicleProcessKilled_MiddleOfCaccPlatoon_MinimalRiskStopAndFollowerSafe()
    {
        var outDir = Path.Combine(_root, "platoon-kill");
        using var cli = CliProcess.StartCli("run", Scenario("fault-platoon"), "--out", outDir, "--duration", "120");
        await WaitLogBytesAsync(cli, outDir, 1 << 20);
        var pid = Pids(cli)["truck2"];
        using (var victim = Process.GetProcessById(pid))
        {
            Assert.That(victim.HasExited, Is.False, "the run ended before the kill");
            victim.Kill(); // SIGKILL
        }

        var code = await cli.WaitAsync(RunTimeout);
        using var kpi = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "kpi.json")));
        Assert.That(code, Is.EqualTo(kpi.RootElement.GetProperty("passed").GetBoolean() ? 0 : 1), cli.StandardError);
        Assert.That(kpi.RootElement.GetProperty("collisions").GetInt32(), Is.Zero);
        var truck2 = Truck(kpi, "truck2");
        Assert.That(truck2.GetProperty("failed").GetBoolean(), Is.True);
        var failureTime = truck2.GetProperty("failure_time").GetDouble();
        Assert.That(failureTime, Is.InRange(0.5, 100), "killed mid-run, well before the end (120 s)");

        var log = Path.Combine(outDir, "run.mcap");
        using var reader = McapReader.Open(log);
        reader.Validate();
        Assert.That(Events(reader).Where(e => e.Kind == "vehicle_failed").Select(e => e.Vehicle), Is.EqualTo(new[] { "truck2" }));
        var truck3 = Commands(reader, "truck3");
        var afterKill = truck3.Where(c => c.T > failureTime + 1.0).ToList();
        Assert.That(afterKill.All(c => c.Command.Diagnostics.Platoon.LongitudinalMode != "Cacc"), "no CACC without the predecessor's PCMs");
        var fallback = truck3.First(c => c.T > failureTime && c.Command.Diagnostics.Platoon.LongitudinalMode != "Cacc").T - failureTime;
        Assert.That(fallback, Is.LessThanOrEqualTo(0.5), "ACC within the PCM validity");

        var last = GroundTruth.Parser.ParseFrom(reader.ReadMessages("/ground_truth").Last().Data.Span);
        var t2 = last.Vehicles.Single(v => v.Id == "truck2");
        var t3 = last.Vehicles.Single(v => v.Id == "truck3");
        Assert.That(t2.Status, Is.EqualTo(VehicleStatus.Stopped));
        Assert.That(t2.Speed, Is.LessThan(0.1));
        Assert.That(Math.Abs(t2.Offset), Is.LessThan(0.5), "stopped in its lane");
        var gap = t2.S - t3.S - ((t2.Length + t3.Length) / 2);
        Assert.That(gap, Is.GreaterThan(3.0), "truck3 stopped behind with room");
        Assert.That(t3.Speed, Is.LessThan(0.5), "truck3 stopped behind the stopped truck");

        var (ok, output) = await McapCoreValidateAsync(log);
        Assert.That(ok, Is.True, output);
        TestContext.Out.WriteLine($"truck2 killed, failed at {failureTime:F2} s; truck3 in ACC {fallback:F2} s later, stopped {gap:F1} m behind; truck3 min distance {Truck(kpi, "truck3").GetProperty("min_distance").GetDouble():F1} m");
    }

    /// <summary>
    /// The bridge (the CLI hosting it) is killed mid-run (SIGKILL). Vehicle processes stop on their own (they do not
    /// reconnect: a run's world died with the bridge). The killed run's log, left as run.mcap.partial, is recovered by
    /// `recover` up to the crash, and a new run on the same TCP port works with fresh vehicle processes.
    /// </summary>
    [Test]
    public async Task BridgeKilled_RestartOnSamePort_NewRunCompletesAndPartialLogRecovers()
    {
        var port = FreePort();
        var crashed = Path.Combine(_root, "bridge-crash");
        var pids = new Dictionary<string, int>();
        double crashSimTime;
        try
        {
            using (var cli = CliProcess.StartCli("run", CliProcess.DefaultScenario, "--out", crashed, "--duration", "300", "--port", port.ToString(CultureInfo.InvariantCulture)))
            {
                await WaitAttachedAsync(cli);
                pids = Pids(cli);
                await cli.WaitForErrorTextAsync("real-time factor", TimeSpan.FromSeconds(60));
                await Task.Delay(TimeSpan.FromSeconds(1));
                using var bridge = Process.GetProcessById(cli.ProcessId);
                bridge.Kill(entireProcessTree: false);
                await bridge.WaitForExitAsync();
                crashSimTime = Progress().Matches(cli.StandardError).Select(m => double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).Last();
            }

            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
            foreach (var (truck, pid) in pids)
            {
                while (IsRunning(pid) && DateTime.UtcNow < deadline)
                {
                    await Task.Delay(100);
                }

                Assert.That(IsRunning(pid), Is.False, $"{truck}'s vehicle process still runs 20 s after the bridge died");
            }

            var partial = Path.Combine(crashed, "run.mcap.partial");
            Assert.That(File.Exists(partial), Is.True, "the killed run leaves its log as run.mcap.partial");
            Assert.That(File.Exists(Path.Combine(crashed, "run.mcap")), Is.False);
            var (code, stdout, stderr) = await CliProcess.RunCliAsync(RunTimeout, "recover", partial);
            Assert.That(code, Is.Zero, stdout + stderr);
            var recovered = Directory.GetFiles(crashed, "*.recovered.mcap").Single();
            double lastTruth;
            using (var reader = McapReader.Open(recovered))
            {
                reader.Validate();
                lastTruth = reader.ReadMessages("/ground_truth").Last().LogTime / (double)NanosecondsPerSecond;
                Assert.That(reader.ReadMessages("/vehicle/truck3/command").Any(), Is.True);
            }

            // The last progress line was printed before the kill; chunks are flushed at 1 MiB (a few simulated seconds).
            Assert.That(lastTruth, Is.GreaterThan(crashSimTime - 10.0).And.LessThan(300.0), "messages up to the crash");
            var (ok, output) = await McapCoreValidateAsync(recovered);
            Assert.That(ok, Is.True, output);

            var restarted = Path.Combine(_root, "bridge-restart");
            (code, stdout, stderr) = await CliProcess.RunCliAsync(RunTimeout, "run", CliProcess.DefaultScenario, "--out", restarted, "--duration", "5", "--port", port.ToString(CultureInfo.InvariantCulture));
            Assert.That(code, Is.Zero, stdout + stderr);
            Assert.That(stderr, Does.Contain("truck1 attached").And.Contain("truck3 attached"));
            using var kpi = JsonDocument.Parse(File.ReadAllText(Path.Combine(restarted, "kpi.json")));
            Assert.That(kpi.RootElement.GetProperty("trucks").EnumerateArray().All(t => !t.GetProperty("failed").GetBoolean()), Is.True);
            TestContext.Out.WriteLine($"last progress line before the kill at {crashSimTime:F1} s simulated; recovered log ends at {lastTruth:F2} s; restart on port {port} ran 5 s without failure");
        }
        finally
        {
            foreach (var pid in pids.Values.Where(IsRunning))
            {
                try
                {
                    using var p = Process.GetProcessById(pid);
                    p.Kill();
                }
                catch (ArgumentException)
                {
                    // gone meanwhile
                }
            }
        }
    }

    /// <summary>Frames sent to a truck, frames it answered in time (commands applied), and the longest run of unanswered frames in s.</summary>
    private static (int Frames, int Answered, double LongestUnanswered) UnansweredRun(McapReader reader, string vehicle)
    {
        var answered = reader.ReadMessages($"/vehicle/{vehicle}/command").Select(m => Command.Parser.ParseFrom(m.Data.Span).Frame).ToHashSet();
        var frames = reader.ReadMessages($"/vehicle/{vehicle}/frame").Select(m => (Number: Frame.Parser.ParseFrom(m.Data.Span).Frame_, T: m.LogTime / (double)NanosecondsPerSecond)).ToList();
        double longest = 0, start = double.NaN;
        foreach (var f in frames)
        {
            if (answered.Contains(f.Number))
            {
                start = double.NaN;
                continue;
            }

            start = double.IsNaN(start) ? f.T : start;
            longest = Math.Max(longest, f.T - start + 0.02);
        }

        return (frames.Count, answered.Count, longest);
    }

    private static string Scenario(string name) => Path.Combine(CliProcess.RepoRoot, "tests", "AutomationStack.Cli.Tests", "scenarios", name + ".yaml");

    private ScenarioOutcome Passed(string name)
    {
        var run = _runs[name];
        Assert.That(run.ExitCode, Is.Zero, run.Describe());
        return run;
    }

    private static JsonDocument Kpi(ScenarioOutcome run) => JsonDocument.Parse(File.ReadAllText(run.Kpi));

    private static JsonElement Truck(JsonDocument kpi, string id) =>
        kpi.RootElement.GetProperty("trucks").EnumerateArray().Single(t => t.GetProperty("id").GetString() == id);

    private static bool Near(double a, double b) => Math.Abs(a - b) < 0.05;

    private static List<(double T, string Kind, string Vehicle, string Detail)> Events(McapReader reader) =>
        [.. reader.ReadMessages("/events").Select(m => (m.LogTime / (double)NanosecondsPerSecond, RunEvent.Parser.ParseFrom(m.Data.Span))).Select(x => (Math.Round(x.Item1, 2), x.Item2.Kind, x.Item2.VehicleId, x.Item2.Detail))];

    private static List<(double T, string Text)> Logs(McapReader reader, string vehicle) =>
        [.. reader.ReadMessages("/log").Select(m => (T: m.LogTime / (double)NanosecondsPerSecond, Line: LogLine.Parser.ParseFrom(m.Data.Span))).Where(x => x.Line.Source == vehicle).Select(x => (x.T, x.Line.Text))];

    private static List<(double T, Command Command)> Commands(McapReader reader, string vehicle) =>
        [.. reader.ReadMessages($"/vehicle/{vehicle}/command").Select(m => (m.LogTime / (double)NanosecondsPerSecond, Command.Parser.ParseFrom(m.Data.Span)))];

    private static async Task WaitAttachedAsync(CliProcess cli)
    {
        foreach (var truck in new[] { "truck1", "truck2", "truck3" })
        {
            await cli.WaitForErrorTextAsync(truck + " attached", TimeSpan.FromSeconds(60));
        }
    }

    /// <summary>All three trucks attached and the step loop running for a second of wall time (its first progress line).</summary>
    private static async Task WaitRunningAsync(CliProcess cli)
    {
        await WaitAttachedAsync(cli);
        await cli.WaitForErrorTextAsync("real-time factor", TimeSpan.FromSeconds(60));
    }

    /// <summary>
    /// Waits until the run's log holds <paramref name="bytes"/> (its first 1 MiB chunk: several simulated seconds in),
    /// a trigger that does not depend on how fast the machine is (progress lines come only every 5 s of wall time).
    /// </summary>
    private static async Task WaitLogBytesAsync(CliProcess cli, string outDir, long bytes)
    {
        await WaitAttachedAsync(cli);
        var partial = Path.Combine(outDir, "run.mcap.partial");
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(120);
        while (!(File.Exists(partial) && new FileInfo(partial).Length >= bytes))
        {
            Assert.That(DateTime.UtcNow, Is.LessThan(deadline), $"the log did not reach {bytes} bytes\n{cli.StandardError}");
            Assert.That(ProcessState(cli.ProcessId), Is.Not.EqualTo("gone").And.Not.EqualTo("Z"), "the run ended early\n" + cli.StandardError);
            await Task.Delay(5);
        }
    }

    /// <summary>SIGSTOP for <paramref name="duration"/>, checked to take effect while the run goes on, then SIGCONT.</summary>
    private static async Task StopForAsync(CliProcess cli, int pid, TimeSpan duration)
    {
        Assert.That(ProcessState(pid), Is.Not.EqualTo("gone").And.Not.EqualTo("Z"), $"vehicle process {pid} gone before the stop\n{cli.StandardError}");
        Signal(pid, "STOP");
        try
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(2);
            while (ProcessState(pid) != "T" && DateTime.UtcNow < deadline)
            {
                await Task.Delay(10);
            }

            Assert.That(ProcessState(pid), Is.EqualTo("T"), $"process {pid} stopped");
            await Task.Delay(duration);
            Assert.That(ProcessState(cli.ProcessId), Is.Not.EqualTo("gone").And.Not.EqualTo("Z"), "the run was still going while the vehicle process was stopped");
        }
        finally
        {
            Signal(pid, "CONT");
        }
    }

    private static string ProcessState(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[0];
        }
        catch (IOException)
        {
            return "gone";
        }
    }

    private static Dictionary<string, int> Pids(CliProcess cli) => Started().Matches(cli.StandardError)
        .ToDictionary(m => m.Groups[1].Value, m => int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture), StringComparer.Ordinal);

    /// <summary>Sends a signal (STOP, CONT, …) to one process by id.</summary>
    private static void Signal(int pid, string signal)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-" + signal, pid.ToString(CultureInfo.InvariantCulture)]) { UseShellExecute = false })!;
        kill.WaitForExit();
        Assert.That(kill.ExitCode, Is.Zero, $"kill -{signal} {pid}");
    }

    /// <summary>Running unless gone or a zombie.</summary>
    private static bool IsRunning(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[0] is not ("Z" or "X");
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task<(bool Ok, string Output)> McapCoreValidateAsync(string path)
    {
        var dir = Path.Combine(CliProcess.RepoRoot, "tools", "mcap-validate");
        if (!File.Exists(Path.Combine(dir, "node_modules", "@mcap", "core", "package.json")))
        {
            Assert.Fail("@mcap/core is not installed: run `npm ci --prefix tools/mcap-validate` (the README's test command does it)");
        }

        using var node = CliProcess.Start("node", [Path.Combine(dir, "validate.mjs"), path]);
        var code = await node.WaitAsync(TimeSpan.FromSeconds(120));
        var output = node.StandardOutput + node.StandardError;
        using var result = JsonDocument.Parse(node.StandardOutput.Trim().Split('\n')[^1]);
        return (code == 0 && result.RootElement.GetProperty("ok").GetBoolean(), output);
    }

    private static string Sha256(string path) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)));

    [GeneratedRegex(@"started vehicle process (truck\d+) \(pid (\d+)\)")]
    private static partial Regex Started();

    [GeneratedRegex(@"t =\s*([0-9.]+) /")]
    private static partial Regex Progress();
}
