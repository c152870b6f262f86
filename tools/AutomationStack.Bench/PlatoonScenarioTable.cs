using System.Globalization;
using System.Text;
using System.Text.Json;

/// <summary>
/// `bench platoon-scenarios`: runs every shipped `sim-bridge/scenarios/platoon-*.yaml` and prints one row per scenario
/// from its kpi.json: pass/fail, collisions, minimum bumper gap and time gap over the followers, join/merge durations,
/// fallback delays, V2X drops and real-time factor.
/// </summary>
internal static class PlatoonScenarioTable
{
    public static async Task<int> RunAsync(string repoRoot, string cli, string outRoot)
    {
        var inv = CultureInfo.InvariantCulture;
        var scenarios = Directory.GetFiles(Path.Combine(repoRoot, "sim-bridge", "scenarios"), "platoon-*.yaml").Order(StringComparer.Ordinal).ToArray();
        var table = new StringBuilder();
        table.AppendLine("| scenario | result | collisions | min gap m | min time gap s | joins/merges s | fallback delays s | V2X dropped | real-time factor |");
        table.AppendLine("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        var worst = 0;
        foreach (var scenario in scenarios)
        {
            var name = Path.GetFileNameWithoutExtension(scenario);
            var outDir = Path.GetFullPath(Path.Combine(outRoot, name));
            var (exitCode, stdout, stderr) = await ScenarioRun.RunAsync(cli, scenario, outDir);
            if (exitCode is not (0 or 1))
            {
                Console.Error.WriteLine($"{stdout}\n{stderr}");
                table.AppendLine(inv, $"| {name} | exit {exitCode} | | | | | | | |");
                worst = 3;
                continue;
            }

            worst = Math.Max(worst, exitCode);
            using var kpi = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(outDir, "kpi.json")));
            var root = kpi.RootElement;
            double minGap = double.PositiveInfinity, minTimeGap = double.PositiveInfinity;
            var joins = new List<string>();
            var fallbacks = new List<string>();
            long dropped = 0;
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

                if (truck.TryGetProperty("platoon", out var p))
                {
                    var id = truck.GetProperty("id").GetString();
                    joins.AddRange(p.GetProperty("join_durations").EnumerateArray().Select(d => $"{id} {d.GetDouble().ToString("F1", inv)}"));
                    fallbacks.AddRange(p.GetProperty("fallback_delays").EnumerateArray().Where(d => d.ValueKind == JsonValueKind.Number).Select(d => $"{id} {d.GetDouble().ToString("F2", inv)}"));
                }

                if (truck.TryGetProperty("v2x", out var v))
                {
                    dropped += v.GetProperty("dropped").GetInt64();
                }
            }

            table.AppendLine(inv, $"| {name} | {(root.GetProperty("passed").GetBoolean() ? "pass" : "FAIL: " + string.Join("; ", root.GetProperty("failed_criteria").EnumerateArray().Select(f => f.GetString())))} | {root.GetProperty("collisions").GetInt32()} | {Format(minGap, "F2")} | {Format(minTimeGap, "F2")} | {(joins.Count == 0 ? "—" : string.Join(", ", joins))} | {(fallbacks.Count == 0 ? "—" : string.Join(", ", fallbacks))} | {dropped} | {root.GetProperty("real_time_factor").GetDouble().ToString("F1", inv)}× |");
        }

        Console.WriteLine(table.ToString());
        return worst;
    }

    private static string Format(double value, string format) =>
        double.IsFinite(value) ? value.ToString(format, CultureInfo.InvariantCulture) : "—";
}
