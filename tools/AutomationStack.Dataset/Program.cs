using System.Globalization;
using System.Text.Json;
using AutomationStack.Perception;

namespace AutomationStack.Dataset;

/// <summary>
/// Labelled data from random simulated scenes, one scene per seed, split by seed (train 1…N, validation 1,000,001…,
/// test 2,000,001…):
/// <list type="bullet">
/// <item><c>dataset lights --out DIR [--train N] [--val N] [--test N]</c>: signal-head crops; per split
/// <c>lights/&lt;split&gt;/crops.u8</c> (count × 3 × 64 × 32), <c>labels.u8</c> (count) and <c>manifest.json</c>.</item>
/// <item><c>dataset lidar --out DIR [--train N] [--val N] [--test N]</c>: BEV tensors and detector targets; per split
/// <c>lidar/&lt;split&gt;/bev.u8</c> (count × 4 × 240 × 160, value × 255), <c>targets.f16</c> (count × 10 × 120 × 80:
/// 3 heat maps, 6 regression channels, 1 mask) and <c>manifest.json</c>.</item>
/// </list>
/// Exit codes: 0 ok, 2 bad arguments, 3 I/O error.
/// </summary>
internal static class Program
{
    private const ulong TrainSeedBase = DatasetSplits.TrainSeedBase;
    private const ulong ValidationSeedBase = DatasetSplits.ValidationSeedBase;
    private const ulong TestSeedBase = DatasetSplits.TestSeedBase;

    private const string Usage = "usage: dataset lights|lidar --out DIR [--train N] [--val N] [--test N]   (N = scenes; lights 8000/1000/2000, lidar 1500/200/300)";

    public static int Main(string[] args)
    {
        if (args.Length == 0 || args[0] is not ("lights" or "lidar"))
        {
            Console.Error.WriteLine(Usage);
            return 2;
        }

        var lidar = args[0] == "lidar";
        string? output = null;
        var counts = lidar
            ? new Dictionary<string, int>(StringComparer.Ordinal) { ["train"] = 1500, ["val"] = 200, ["test"] = 300 }
            : new Dictionary<string, int>(StringComparer.Ordinal) { ["train"] = 8000, ["val"] = 1000, ["test"] = 2000 };
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
                var summary = lidar
                    ? WriteLidarSplit(Path.Combine(output, "lidar", split), seedBase, counts[split])
                    : WriteLightSplit(Path.Combine(output, "lights", split), seedBase, counts[split]);
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

    private static string WriteLidarSplit(string folder, ulong seedBase, int scenes)
    {
        Directory.CreateDirectory(folder);
        var spec = BevGridSpec.Default;
        var generator = new LidarScenes(spec);
        var rasterizer = new BevRasterizer(spec);
        var decoder = new CenterDecoder(spec, CenterDecoderOptions.Default);
        var bev = new float[spec.TensorLength];
        var bevBytes = new byte[spec.TensorLength];
        var plane = decoder.OutputRows * decoder.OutputColumns;
        var heat = new float[CenterHead.HeatmapChannels * plane];
        var reg = new float[CenterHead.RegressionChannels * plane];
        var mask = new float[plane];
        var targetBytes = new byte[(heat.Length + reg.Length + mask.Length) * 2];
        var (boxes, sparse) = (0, 0);
        var byClass = new int[Detection.ClassCount];
        using (var bevFile = File.Create(Path.Combine(folder, "bev.u8")))
        using (var targetFile = File.Create(Path.Combine(folder, "targets.f16")))
        {
            for (var s = 1; s <= scenes; s++)
            {
                var frame = generator.Generate(seedBase + (ulong)s);
                rasterizer.Rasterize(frame.Points.AsSpan(0, frame.PointCount * 4), frame.Pose, bev);
                for (var i = 0; i < bev.Length; i++)
                {
                    bevBytes[i] = (byte)Math.Clamp(MathF.Round(bev[i] * 255f), 0, 255);
                }

                CenterTargets.Encode(frame.Boxes, spec, CenterHead.DefaultStride, heat, reg, mask);
                var o = 0;
                foreach (var buffer in new[] { heat, reg, mask })
                {
                    foreach (var v in buffer)
                    {
                        System.Buffers.Binary.BinaryPrimitives.WriteHalfLittleEndian(targetBytes.AsSpan(o), (Half)v);
                        o += 2;
                    }
                }

                bevFile.Write(bevBytes);
                targetFile.Write(targetBytes);
                boxes += frame.Boxes.Length;
                sparse += frame.Sparse.Length;
                foreach (var b in frame.Boxes)
                {
                    byClass[(int)b.Class]++;
                }
            }
        }

        var manifest = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["kind"] = "lidar_bev_detection",
            ["count"] = scenes,
            ["seeds"] = $"{seedBase + 1}..{seedBase + (ulong)scenes}",
            ["bev_shape"] = new[] { BevGridSpec.ChannelCount, spec.Rows, spec.Columns },
            ["target_shape"] = new[] { CenterHead.HeatmapChannels + CenterHead.RegressionChannels + 1, decoder.OutputRows, decoder.OutputColumns },
            ["classes"] = Enum.GetNames<DetectionClass>(),
            ["boxes"] = boxes,
            ["boxes_by_class"] = Enum.GetNames<DetectionClass>().Select((n, i) => (n, i)).ToDictionary(x => x.n, x => byClass[x.i], StringComparer.Ordinal),
            ["sparse_boxes_not_labelled"] = sparse,
            ["min_points"] = LidarScenes.MinPoints,
        };
        File.WriteAllText(Path.Combine(folder, "manifest.json"), JsonSerializer.Serialize(manifest, new JsonSerializerOptions { WriteIndented = true }));
        return $"{scenes} scenes, {boxes} boxes ({string.Join(", ", Enum.GetNames<DetectionClass>().Select((n, i) => $"{n} {byClass[i]}"))}), {sparse} with < {LidarScenes.MinPoints} points left unlabelled";
    }

    private static string WriteLightSplit(string folder, ulong seedBase, int scenes)
    {
        Directory.CreateDirectory(folder);
        var (crops, labels, samples) = DatasetSplits.GenerateLights(seedBase, scenes);
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
            ["labels"] = "0 red, 1 amber, 2 green, 3 unknown (dark, occluded or washed out by glare), 4 partly hidden (not for training)",
            ["by_label"] = byLabel,
            ["occluded_unknown"] = samples.Count(s => s.Label == LightLabel.Unknown && s.Lamp != Simulation.Camera.SignalLamp.Off),
            ["partly_hidden_excluded_from_training"] = samples.Count(s => s.Label == LightLabel.PartlyHidden),
            ["backlit"] = samples.Count(s => s.Backlit),
            ["washed_out_unknown"] = samples.Count(s => s.WashedOut && s.Lamp != Simulation.Camera.SignalLamp.Off),
        };
        File.WriteAllText(Path.Combine(folder, "manifest.json"), JsonSerializer.Serialize(manifest, new JsonSerializerOptions { WriteIndented = true }));
        return string.Join(", ", byLabel.Select(kv => $"{kv.Key} {kv.Value}")) + $" ({labels.Length} crops from {scenes} scenes)";
    }
}

/// <summary>The seed ranges of the splits, and in-memory generation for tests and benchmarks.</summary>
internal static class DatasetSplits
{
    public const ulong TrainSeedBase = 0;
    public const ulong ValidationSeedBase = 1_000_000;
    public const ulong TestSeedBase = 2_000_000;

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
}
