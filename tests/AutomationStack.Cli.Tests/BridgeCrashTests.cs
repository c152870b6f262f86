using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace AutomationStack.Cli.Tests;

/// <summary>
/// The bridge dies (kill -9 of the process hosting it) in the middle of a run: every vehicle process notices the lost
/// connection and exits by itself within seconds (no orphan keeps running on stale data). Its log cannot say so: the
/// bridge's process was the one writing the vehicle logs.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed partial class BridgeCrashTests
{
    [Test]
    public async Task Run_BridgeKilled_EveryVehicleProcessExitsOnItsOwn()
    {
        var outDir = Path.Combine(Path.GetTempPath(), "as-bridge-crash-" + Guid.NewGuid().ToString("N"));
        var pids = new List<(string Truck, int Pid)>();
        try
        {
            using (var cli = CliProcess.StartCli("run", CliProcess.DefaultScenario, "--out", outDir, "--duration", "300"))
            {
                foreach (var truck in new[] { "truck1", "truck2", "truck3" })
                {
                    await cli.WaitForErrorTextAsync(truck + " attached", TimeSpan.FromSeconds(60));
                }

                await cli.WaitForErrorTextAsync("real-time factor", TimeSpan.FromSeconds(60));
                foreach (Match m in Started().Matches(cli.StandardError))
                {
                    pids.Add((m.Groups[1].Value, int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture)));
                }

                Assert.That(pids, Has.Count.EqualTo(3), cli.StandardError);
                using var bridge = Process.GetProcessById(cli.ProcessId);
                bridge.Kill(entireProcessTree: false); // SIGKILL to the bridge only; the vehicle processes live on
                await bridge.WaitForExitAsync();
            }

            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
            foreach (var (truck, pid) in pids)
            {
                while (IsRunning(pid) && DateTime.UtcNow < deadline)
                {
                    await Task.Delay(100);
                }

                Assert.That(IsRunning(pid), Is.False, $"{truck}'s vehicle process (pid {pid}) still runs 20 s after the bridge died");
            }
        }
        finally
        {
            foreach (var (_, pid) in pids)
            {
                if (IsRunning(pid))
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

            if (Directory.Exists(outDir))
            {
                Directory.Delete(outDir, recursive: true);
            }
        }
    }

    /// <summary>Running unless gone or a zombie (an exited orphan its new parent has not reaped yet).</summary>
    private static bool IsRunning(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var state = stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[0];
            return state is not ("Z" or "X");
        }
        catch (IOException)
        {
            return false;
        }
    }

    [GeneratedRegex(@"started vehicle process (truck\d+) \(pid (\d+)\)")]
    private static partial Regex Started();
}
