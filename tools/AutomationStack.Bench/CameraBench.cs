using System.Diagnostics;
using System.Globalization;
using AutomationStack.RoadMap;
using AutomationStack.Simulation;

/// <summary>
/// `bench camera`: time per front-camera image (default options unless a size or field of view is given) on
/// corridor-a-signals with a given number of vehicles placed as in `bench lidar` (3 stack trucks in the right lane,
/// the rest around them), all moving, every signal head on a fixed-time program; one image from the middle truck
/// every 10 physics steps, as in a run. The trucks start at s = 1000 − 50 k m, so the middle truck approaches the
/// signal heads at x = 1100 and passes the road posts. Prints median, 95th percentile and mean milliseconds per image
/// (rendering only, no wire copy). Measures; asserts nothing.
/// </summary>
internal static class CameraBench
{
    private const int WarmUpFrames = 10;

    public static int Run(string repoRoot, int frames, int vehicles, int? width, int? height, double? fovDeg)
    {
        var inv = CultureInfo.InvariantCulture;
        var map = MapFile.Load(Path.Combine(repoRoot, "sim-bridge", "maps", "corridor-a-signals.yaml"));
        var camera = new CameraOptions { Enabled = true };
        camera = camera with
        {
            Width = width ?? camera.Width,
            Height = height ?? camera.Height,
            HorizontalFov = fovDeg is { } f ? f * Math.PI / 180 : camera.HorizontalFov,
        };
        var options = new WorldOptions { Camera = camera };
        var world = new World(map, options, 42);
        for (var i = 0; i < map.SignalHeads.Count; i++)
        {
            world.SetSignalProgram(map.SignalHeads[i].Id, new FixedTimeSignalProgram(4, 1, 3, i));
        }

        LidarBench.Populate(world, vehicles);

        var times = new double[frames];
        for (var i = -WarmUpFrames; i < frames; i++)
        {
            for (var k = 0; k < camera.PeriodSteps; k++)
            {
                world.Step();
            }

            var start = Stopwatch.GetTimestamp();
            world.MeasureCamera("truck2");
            var elapsed = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            if (i >= 0)
            {
                times[i] = elapsed;
            }
        }

        Array.Sort(times);
        var focal = camera.Width / 2.0 / Math.Tan(camera.HorizontalFov / 2);
        Console.WriteLine(string.Create(inv, $"camera: {camera.Width} × {camera.Height} px, {camera.HorizontalFov * 180 / Math.PI:0.#}° horizontal (focal length {focal:0} px), noise σ {camera.NoiseSigma}; corridor-a-signals, {vehicles} vehicles, {map.SignalHeads.Count} signal heads, {world.RoadPosts.Count} road posts; {frames} images after {WarmUpFrames} warm-up"));
        Console.WriteLine(string.Create(inv, $"machine: {Environment.ProcessorCount} cores, .NET {Environment.Version}"));
        Console.WriteLine();
        Console.WriteLine("| metric | value |");
        Console.WriteLine("| --- | --- |");
        Console.WriteLine(string.Create(inv, $"| ms per image, median | {times[frames / 2]:F2} |"));
        Console.WriteLine(string.Create(inv, $"| ms per image, 95th percentile | {times[(int)(0.95 * (frames - 1))]:F2} |"));
        Console.WriteLine(string.Create(inv, $"| ms per image, mean | {times.Average():F2} |"));
        Console.WriteLine(string.Create(inv, $"| signal-head housing at 20 / 50 / 80 m, px tall | {focal / 20:F1} / {focal / 50:F1} / {focal / 80:F1} |"));
        return 0;
    }
}
