using System.Diagnostics;
using System.Globalization;
using AutomationStack.Dataset;
using AutomationStack.Perception;

/// <summary>
/// `bench perception`: on one core (the ONNX sessions use one intra-op thread), the lidar detector's time per frame
/// including rasterisation, inference, decoding and NMS, over held-out lidar test scenes; and the traffic-light
/// classifier's time per crop over held-out camera crops. Prints median, 95th percentile and mean. Measures; asserts
/// nothing. Run it on an otherwise idle machine.
/// </summary>
internal static class PerceptionBench
{
    private const int WarmUp = 20;

    public static int Run(string repoRoot, int frames, int crops)
    {
        var inv = CultureInfo.InvariantCulture;
        var spec = BevGridSpec.Default;
        var scenes = new LidarScenes(spec);
        var input = new List<LidarFrame>();
        for (var s = 1; s <= Math.Min(frames, 300); s++)
        {
            input.Add(scenes.Generate(DatasetSplits.TestSeedBase + (ulong)s));
        }

        using (var detector = new LidarDetector(Path.Combine(repoRoot, "models", "object_detector.onnx"), spec))
        {
            var times = new double[frames];
            var detections = 0L;
            for (var i = -WarmUp; i < frames; i++)
            {
                var frame = input[((i % input.Count) + input.Count) % input.Count];
                var start = Stopwatch.GetTimestamp();
                var found = detector.Detect(frame.Points.AsSpan(0, frame.PointCount * 4), frame.Pose).Length;
                var elapsed = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                if (i >= 0)
                {
                    times[i] = elapsed;
                    detections += found;
                }
            }

            Report("detector (rasterise + ONNX + decode + NMS)", "frame", times, inv);
            Console.WriteLine(string.Create(inv, $"  {frames} frames, {input.Average(f => f.PointCount):0} points and {(double)detections / frames:0.0} detections per frame"));
        }

        var (cropBytes, labels, _) = DatasetSplits.GenerateLights(DatasetSplits.TestSeedBase, 300);
        using (var classifier = new TrafficLightClassifier(Path.Combine(repoRoot, "models", "traffic_light_classifier.onnx")))
        {
            var times = new double[crops];
            for (var i = -WarmUp; i < crops; i++)
            {
                var k = ((i % labels.Length) + labels.Length) % labels.Length;
                var start = Stopwatch.GetTimestamp();
                classifier.Classify(cropBytes.AsSpan(k * TrafficLightCrop.Size, TrafficLightCrop.Size));
                var elapsed = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                if (i >= 0)
                {
                    times[i] = elapsed;
                }
            }

            Report("traffic-light classifier (normalise + ONNX + softmax)", "crop", times, inv);
        }

        return 0;
    }

    private static void Report(string what, string unit, double[] times, CultureInfo inv)
    {
        Array.Sort(times);
        var median = times[times.Length / 2];
        var p95 = times[(int)(times.Length * 0.95)];
        Console.WriteLine(string.Create(inv, $"{what}: median {median:0.000} ms, p95 {p95:0.000} ms, mean {times.Average():0.000} ms per {unit}"));
    }
}
