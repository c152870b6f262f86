using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;

/// <summary>
/// `bench string-stability`: runs the three sinusoid scenarios (CACC at 0.6 s, ACC at 0.6 s, ACC at 1.4 s) and prints
/// the per-follower string-stability ratios from their kpi.json as a markdown table.
/// </summary>
internal static class StringStabilityTable
{
    private static readonly (string Label, string Scenario)[] Cases =
    [
        ("CACC, h = 0.6 s (signed PCMs at 20 Hz)", "sim-bridge/scenarios/platoon-sinusoid.yaml"),
        ("ACC (radar only), h = 0.6 s", "sim-bridge/scenarios/string-stability/sinusoid-acc-0.6.yaml"),
        ("ACC (radar only), h = 1.4 s", "sim-bridge/scenarios/string-stability/sinusoid-acc-1.4.yaml"),
    ];

    public static async Task<int> RunAsync(string repoRoot, string cli, string outRoot)
    {
        var inv = CultureInfo.InvariantCulture;
        var table = new StringBuilder();
        table.AppendLine("| case | follower | predecessor | peak spacing error m | spacing-error ratio | peak accel m/s² | accel ratio | min gap m |");
        table.AppendLine("| --- | --- | --- | --- | --- | --- | --- | --- |");
        foreach (var (label, scenario) in Cases)
        {
            var outDir = Path.GetFullPath(Path.Combine(outRoot, Path.GetFileNameWithoutExtension(scenario)));
            var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in new[] { "exec", cli, "run", Path.Combine(repoRoot, scenario), "--out", outDir, "--quiet" })
            {
                start.ArgumentList.Add(a);
            }

            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            if (process.ExitCode is not (0 or 1))
            {
                Console.Error.WriteLine($"bench: {scenario} exited {process.ExitCode}\n{await stdout}\n{await stderr}");
                return 3;
            }

            Console.Error.WriteLine($"{label}: exit {process.ExitCode}");
            using var kpi = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(outDir, "kpi.json")));
            foreach (var truck in kpi.RootElement.GetProperty("trucks").EnumerateArray())
            {
                var s = truck.GetProperty("string_stability");
                if (s.GetProperty("predecessor").ValueKind == JsonValueKind.Null)
                {
                    continue;
                }

                table.AppendLine(inv, $"| {label} | {truck.GetProperty("id").GetString()} | {s.GetProperty("predecessor").GetString()} | {Cell(s, "peak_spacing_error")} | {Ratio(s, "spacing_error_ratio")} | {Cell(s, "peak_acceleration")} | {Ratio(s, "acceleration_ratio")} | {Cell(truck, "min_distance")} |");
            }
        }

        Console.WriteLine(table.ToString());
        return 0;
    }

    private static string Cell(JsonElement e, string name) =>
        e.GetProperty(name) is { ValueKind: JsonValueKind.Number } v ? v.GetDouble().ToString("F3", CultureInfo.InvariantCulture) : "—";

    private static string Ratio(JsonElement e, string name)
    {
        if (e.GetProperty(name) is not { ValueKind: JsonValueKind.Number } v)
        {
            return "— (first follower)";
        }

        var r = v.GetDouble();
        return r.ToString("F3", CultureInfo.InvariantCulture) + (r > 1 ? " **amplifies**" : string.Empty);
    }
}
