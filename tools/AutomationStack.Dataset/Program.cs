using System.Globalization;
using System.Text.Json;
using AutomationStack.Perception;

namespace AutomationStack.Dataset;

/// <summary>
/// <c>dataset lights --out DIR [--train N] [--val N] [--test N]</c>: labelled signal-head crops from random simulated
/// camera scenes, one scene per seed, split by seed (train 1…N, validation 1,000,001…, test 2,000,001…). Writes per
/// split <c>crops.u8</c> (count × 3 × 64 × 32), <c>labels.u8</c> (count) and <c>manifest.json</c>. Exit codes: 0 ok,
/// 2 bad arguments, 3 I/O error.
/// </summary>
internal static class Program
{
    public const ulong TrainSeedBase = 0;
    public const ulong ValidationSeedBase = 1_000_000;
    public const ulong TestSeedBase = 2_000_000;

    private const string Usage = "usage: dataset lights --out DIR [--train N (default 8000)] [--val N (default 1000)] [--test N (default 2000)]   (N = scenes)";

    public static int Main(string[] args)
    {
        if (args.Length == 0 || args[0] != "lights")
        {
            Console.Error.WriteLine(Usage);
            return 2;
        }

        string? output = null;
        var counts = new Dictionary<string, int>(StringComparer.Ordinal) { ["train"] = 8000, ["val"] = 1000, ["test"] = 2000 };
        for (var i = 1; i < args.Length; i++)
        {
            var name = args[i];
            if (i + 1 >= args.Length)
            {
                Console.Error.WriteLine($"dataset: {name} needs a value\n{Usage}");
                return 2;
            }

            var value = args[++i];
            switch (name)
            {
                case "--out":
                    output = value;
                    break;
                case "--train" or "--val" or "--test" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is > 0 and <= 1_000_000:
                    counts[name[2..]] = n;
                    break;
                default:
                    Console.Error.WriteLine($"dataset: bad option or value: {name} {value}\n{Usage}");
                    return 2;
            }
        }

        if (output is null)
        {
            Console.Error.WriteLine($"dataset: --out is required\n{Usage}");
            return 2;
        }

        try
        {
            foreach (var (split, seedBase) in new[] { ("train", TrainSeedBase), ("val", ValidationSeedBase), ("test", TestSeedBase) })
            {
                var summary = WriteLightSplit(Path.Combine(output, "lights", split), seedBase, counts[split]);
                Console.WriteLine($"{split}: {summary}");
            }
        }
        catch (IOException ex)
        {
            Console.Error.WriteLine($"dataset: {ex.Message}");
            return 3;
        }
        catch (UnauthorizedAccessException ex)
        {
            Console.Error.WriteLine($"dataset: {ex.Message}");
            return 3;
        }

        return 0;
    }

    /// <summary>The crops and labels of seeds <paramref name="seedBase"/> + 1 … + <paramref name="scenes"/>, in memory.</summary>
    internal static (byte[] Crops, byte[] Labels, List<LightSample> Samples) GenerateLights(ulong seedBase, int scenes)
    {
        var generator = new LightScenes();
        using var crops = new MemoryStream();
        var labels = new List<byte>();
        var samples = new List<LightSample>();
        for (var s = 1; s <= scenes; s++)
        {
            generator.Generate(seedBase + (ulong)s, (sample, crop) =>
            {
                crops.Write(crop);
                labels.Add((byte)sample.Label);
                samples.Add(sample);
            });
        }

        return (crops.ToArray(), labels.ToArray(), samples);
    }

    private static string WriteLightSplit(string folder, ulong seedBase, int scenes)
    {
        Directory.CreateDirectory(folder);
        var (crops, labels, samples) = GenerateLights(seedBase, scenes);
        File.WriteAllBytes(Path.Combine(folder, "crops.u8"), crops);
        File.WriteAllBytes(Path.Combine(folder, "labels.u8"), labels);
        var byLabel = Enum.GetValues<LightLabel>().ToDictionary(l => l.ToString(), l => labels.Count(x => x == (byte)l), StringComparer.Ordinal);
        var manifest = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["kind"] = "traffic_light_crops",
            ["count"] = labels.Length,
            ["scenes"] = scenes,
            ["seeds"] = $"{seedBase + 1}..{seedBase + (ulong)scenes}",
            ["crop_shape"] = new[] { TrafficLightCrop.Channels, TrafficLightCrop.Height, TrafficLightCrop.Width },
            ["classes"] = new[] { "Red", "Amber", "Green", "Unknown" },
            ["labels"] = "0 red, 1 amber, 2 green, 3 unknown (dark or occluded), 4 partly hidden (not for training)",
            ["by_label"] = byLabel,
            ["occluded_unknown"] = samples.Count(s => s.Label == LightLabel.Unknown && s.Lamp != Simulation.Camera.SignalLamp.Off),
            ["partly_hidden_excluded_from_training"] = samples.Count(s => s.Label == LightLabel.PartlyHidden),
            ["backlit"] = samples.Count(s => s.Backlit),
        };
        File.WriteAllText(Path.Combine(folder, "manifest.json"), JsonSerializer.Serialize(manifest, new JsonSerializerOptions { WriteIndented = true }));
        return string.Join(", ", byLabel.Select(kv => $"{kv.Key} {kv.Value}")) + $" ({labels.Length} crops from {scenes} scenes)";
    }
}
