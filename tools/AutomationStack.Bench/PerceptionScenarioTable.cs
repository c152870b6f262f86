using System.Globalization;
using System.Text;
using System.Text.Json;
using AutomationStack.Bridge.Protocol;
using AutomationStack.Mcap;

/// <summary>
/// `bench perception-scenarios`: runs every shipped scenario (`sim-bridge/scenarios/*.yaml`) with `--perception lidar`
/// (every stack truck gets a roof lidar and takes its lead from the ONNX detector and tracker, radar as fallback) and
/// prints one row per scenario: pass/fail, collisions, minimum bumper gap and time gap, then from the trucks'
/// recorded diagnostics (`/vehicle/&lt;id&gt;/command`) the share of frames with a lead whose gap came from the lidar,
/// frames in the degraded state, detector faults, scan time-outs and predicted cut-ins, and the real-time factor.
/// </summary>
internal static class PerceptionScenarioTable
{
    public static async Task<int> RunAsync(string repoRoot, string cli, string outRoot)
    {
        var inv = CultureInfo.InvariantCulture;
        var scenarios = Directory.GetFiles(Path.Combine(repoRoot, "sim-bridge", "scenarios"), "*.yaml").Order(StringComparer.Ordinal).ToArray();
        var table = new StringBuilder();
        table.AppendLine("| scenario | result | collisions | min gap m | min time gap s | lead from lidar | degraded frames | detector faults | scan time-outs | cut-ins predicted | real-time factor |");
        table.AppendLine("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        var worst = 0;
        foreach (var scenario in scenarios)
        {
            var name = Path.GetFileNameWithoutExtension(scenario);
            var outDir = Path.GetFullPath(Path.Combine(outRoot, name));
            var (exitCode, stdout, stderr) = await ScenarioRun.RunAsync(cli, scenario, outDir, "--perception", "lidar");
            if (exitCode is not (0 or 1))
            {
                Console.Error.WriteLine($"{stdout}\n{stderr}");
                table.AppendLine(inv, $"| {name} | exit {exitCode} | | | | | | | | | |");
                worst = 3;
                continue;
            }

            worst = Math.Max(worst, exitCode);
            using var kpi = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(outDir, "kpi.json")));
            var root = kpi.RootElement;
            double minGap = double.PositiveInfinity, minTimeGap = double.PositiveInfinity;
            foreach (var truck in root.GetProperty("trucks").EnumerateArray())
            {
                if (truck.GetProperty("min_distance") is { ValueKind: JsonValueKind.Number } g)
                {
                    minGap = Math.Min(minGap, g.GetDouble());
                }

                if (truck.GetProperty("min_time_gap") is { ValueKind: JsonValueKind.Number } tg)
                {
                    minTimeGap = Math.Min(minTimeGap, tg.GetDouble());
                }
            }

            var p = ReadPerception(Path.Combine(outDir, "run.mcap"));
            var result = root.GetProperty("passed").GetBoolean() ? "pass" : "FAIL: " + string.Join("; ", root.GetProperty("failed_criteria").EnumerateArray().Select(f => f.GetString()));
            var share = p.WithLead > 0 ? (100.0 * p.LidarLead / p.WithLead).ToString("F1", inv) + " %" : "—";
            table.AppendLine(inv, $"| {name} | {result} | {root.GetProperty("collisions").GetInt32()} | {Format(minGap)} | {Format(minTimeGap)} | {share} | {p.Degraded} | {p.DetectorFaults} | {p.ScanTimeouts} | {p.CutIns} | {root.GetProperty("real_time_factor").GetDouble().ToString("F1", inv)}× |");
        }

        Console.WriteLine(table.ToString());
        return worst;
    }

    private sealed record PerceptionCounts(long WithLead, long LidarLead, long Degraded, long DetectorFaults, long ScanTimeouts, long CutIns);

    /// <summary>Counts over every truck's commands; the fault and cut-in counters are each truck's last (cumulative) value, summed.</summary>
    private static PerceptionCounts ReadPerception(string recording)
    {
        using var reader = McapReader.Open(recording);
        var commandChannels = reader.Channels.Where(c => c.Value.Topic.StartsWith("/vehicle/", StringComparison.Ordinal) && c.Value.Topic.EndsWith("/command", StringComparison.Ordinal)).Select(c => c.Key).ToHashSet();
        long withLead = 0, lidarLead = 0, degraded = 0;
        var last = new Dictionary<ushort, PerceptionDiagnostics>();
        foreach (var message in reader.ReadMessages())
        {
            if (!commandChannels.Contains(message.ChannelId))
            {
                continue;
            }

            var d = Command.Parser.ParseFrom(message.Data.Span).Diagnostics;
            if (d?.Perception is not { } p)
            {
                continue;
            }

            last[message.ChannelId] = p;
            withLead += d.HasLead ? 1 : 0;
            lidarLead += d.HasLead && p.LeadSource.StartsWith("lidar", StringComparison.Ordinal) ? 1 : 0;
            degraded += p.State == "degraded" ? 1 : 0;
        }

        return new PerceptionCounts(withLead, lidarLead, degraded, last.Values.Sum(p => p.DetectorFaults), last.Values.Sum(p => p.ScanTimeouts), last.Values.Sum(p => p.CutIns));
    }

    private static string Format(double value) =>
        double.IsFinite(value) ? value.ToString("F2", CultureInfo.InvariantCulture) : "—";
}
