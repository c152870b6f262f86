using System.Diagnostics;
using System.Globalization;
using AutomationStack.Contracts;
using AutomationStack.RoadMap;
using AutomationStack.Simulation;

/// <summary>
/// `bench lidar`: time per lidar scan (default options: 32 beams × 900 columns, 120 m) on corridor A with a given
/// number of vehicles (3 stack trucks in the right lane, the rest cars, trucks and AGVs spread over both lanes around
/// them), all moving; one scan from the middle truck every 10 physics steps, as in a run. Prints median, 95th
/// percentile and mean milliseconds per scan and the mean point count. Measures; asserts nothing.
/// </summary>
internal static class LidarBench
{
    private const int WarmUpScans = 20;

    public static int Run(string repoRoot, int scans, int vehicles)
    {
        var inv = CultureInfo.InvariantCulture;
        var map = MapFile.Load(Path.Combine(repoRoot, "sim-bridge", "maps", "corridor-a.yaml"));
        var options = new WorldOptions { Lidar = new LidarOptions { Enabled = true } };
        var world = new World(map, options, 42);
        Populate(world, vehicles);

        var times = new double[scans];
        long points = 0;
        for (var i = -WarmUpScans; i < scans; i++)
        {
            for (var k = 0; k < options.Lidar.PeriodSteps; k++)
            {
                world.Step();
            }

            var start = Stopwatch.GetTimestamp();
            var scan = world.MeasureLidar("truck2");
            var elapsed = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            if (i >= 0)
            {
                times[i] = elapsed;
                points += scan.PointCount;
            }
        }

        Array.Sort(times);
        var lidar = options.Lidar;
        Console.WriteLine(string.Create(inv, $"lidar: {lidar.Beams} beams × {Math.Round(2 * Math.PI / lidar.AzimuthResolution)} columns, {lidar.MaxRange} m; corridor-a, {vehicles} vehicles ({world.RoadPosts.Count} road posts); {scans} scans after {WarmUpScans} warm-up"));
        Console.WriteLine(string.Create(inv, $"machine: {Environment.ProcessorCount} cores, .NET {Environment.Version}"));
        Console.WriteLine();
        Console.WriteLine("| metric | value | target |");
        Console.WriteLine("| --- | --- | --- |");
        Console.WriteLine(string.Create(inv, $"| ms per scan, median | {times[scans / 2]:F3} | ≤ 2 |"));
        Console.WriteLine(string.Create(inv, $"| ms per scan, 95th percentile | {times[(int)(0.95 * (scans - 1))]:F3} | — |"));
        Console.WriteLine(string.Create(inv, $"| ms per scan, mean | {times.Average():F3} | — |"));
        Console.WriteLine(string.Create(inv, $"| points per scan, mean | {points / (double)scans:F0} | — |"));
        return 0;
    }

    /// <summary>Three stack trucks 50 m apart in the right lane; the others alternate lanes, 25 m apart, mixed bodies.</summary>
    internal static void Populate(World world, int vehicles)
    {
        const double s0 = 1000;
        for (var i = 0; i < Math.Min(3, vehicles); i++)
        {
            world.AddTruck($"truck{i + 1}", TruckParameters.Default, "A1/0", s0 - (50 * i), 22);
        }

        var bodies = new[] { BackgroundBodies.Car, BackgroundBodies.Car, TruckParameters.Default, BackgroundBodies.Agv };
        for (var i = 0; i < vehicles - 3; i++)
        {
            var left = i % 2 == 0;
            var offset = ((i / 2) + 1) * 25.0 * (i % 4 < 2 ? 1 : -1);
            var s = left ? s0 - 50 + offset : s0 - 50 + (offset > 0 ? 100 + offset : -100 + offset);
            var body = bodies[i % bodies.Length];
            world.AddBackground($"bg{i + 1}", body, new IdmParameters { DesiredSpeed = left ? 30 : 22 }, left ? "A1/1" : "A1/0", s, left ? 28 : 22);
        }
    }
}
