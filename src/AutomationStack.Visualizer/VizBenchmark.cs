using System.Diagnostics;
using System.Globalization;
using AutomationStack.Visualizer.Model;

namespace AutomationStack.Visualizer;

/// <summary>
/// <c>bench viz</c>: headless frames of a synthetic scene on a map (by default corridor A): <c>vehicles</c> moving
/// boxes (three stack trucks with platoon links, the rest cars, trucks and AGVs), <c>points</c> lidar points, lights,
/// stop lines, events, the overlay with four live plots. Each frame is a full update (scene → vertices) and render,
/// timed to glFinish; a second pass also reads the pixels back (what --headless pays before PNG encoding). Prints
/// median and 95th-percentile frame times and frames per second. Measures; asserts nothing.
/// </summary>
internal static class VizBenchmark
{
    private const int WarmUpFrames = 20;
    private const double FrameDt = 1.0 / 60;

    public static int Run(RoadLayout layout, int frames, int vehicles, int points, int width, int height, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(output);
        var random = new Random(42);
        var poses = new (double X, double Y, double Speed, VehicleClass Class, double Length, double Width)[vehicles];
        for (var i = 0; i < vehicles; i++)
        {
            var kind = i < 3 ? VehicleClass.StackTruck : (i % 3) switch { 0 => VehicleClass.Background, 1 => VehicleClass.Agv, _ => VehicleClass.Background };
            var lane = i < 3 ? 0 : i % 2;
            var x = i < 3 ? 300 - (i * 35) : 100 + (random.NextDouble() * 400);
            poses[i] = (x, lane == 0 ? -5.25 : -1.75, 20 + random.NextDouble() * 5, kind, kind == VehicleClass.Agv ? 15 : i % 4 == 0 ? 4.5 : 16.5, 2.5);
        }

        var cloud = new float[points * 3];
        for (var i = 0; i < points; i++)
        {
            var r = 3 + (random.NextDouble() * 100);
            var a = random.NextDouble() * 2 * Math.PI;
            cloud[i * 3] = (float)(r * Math.Cos(a));
            cloud[(i * 3) + 1] = (float)(r * Math.Sin(a));
            cloud[(i * 3) + 2] = (float)(random.NextDouble() * 3);
        }

        var series = new PlotSeries.Builder();
        for (var k = 0; k < 600; k++)
        {
            series.Add(k * 0.1, 20 + Math.Sin(k * 0.05), 0.3 * Math.Cos(k * 0.05), 25 + Math.Sin(k * 0.03));
        }

        var plots = series.Build();
        using var renderer = new HeadlessFrameRenderer(layout, width, height);
        var mesh = new SceneMesh();
        var worldPoints = new float[cloud.Length];
        var boxes = new List<VehicleBox>(vehicles);
        var links = new List<PlatoonLink> { new("truck2", "truck1", LinkMode.Cacc), new("truck3", "truck2", LinkMode.AccFallback) };
        var stopLines = new List<StopLine> { new(400, -7, 400, -3.5, LightState.Red, 12), new(400, -3.5, 400, 0, LightState.Green, 20) };
        var events = new List<EventMarker>();
        var eventTimes = new List<double> { 5, 12, 20 };

        var updateTimes = new double[frames];
        double[] Measure(bool readBack)
        {
            var times = new double[frames];
            for (var f = -WarmUpFrames; f < frames; f++)
            {
                var t = 30 + ((f + WarmUpFrames) * FrameDt);
                var start = Stopwatch.GetTimestamp();
                boxes.Clear();
                for (var i = 0; i < vehicles; i++)
                {
                    var p = poses[i];
                    boxes.Add(new VehicleBox(i < 3 ? $"truck{i + 1}" : $"v{i}", p.Class, p.X + (p.Speed * (t - 30)), p.Y, 0, p.Length, p.Width, 4, p.Speed, 0, false));
                }

                var ego = boxes[0];
                for (var i = 0; i < points; i++)
                {
                    worldPoints[i * 3] = (float)(ego.X + cloud[i * 3]);
                    worldPoints[(i * 3) + 1] = (float)(ego.Y + cloud[(i * 3) + 1]);
                    worldPoints[(i * 3) + 2] = cloud[(i * 3) + 2];
                }

                events.Clear();
                events.Add(new EventMarker("v2x_loss", "truck2", boxes[1].X, boxes[1].Y, (t % 3), true));
                var lights = new List<SignalLight> { new("H1", 402, -8, LightState.Red), new("H2", 402, 1, LightState.Red) };
                var tracks = new List<LeadTrack> { new("truck2", boxes[0].X - 8.25, -5.25, boxes[0].X - 8.25, -5.25, 0, "radar") };
                var scene = new Scene(t, boxes, links, worldPoints, points, tracks, lights, stopLines, events, "truck1");
                var camera = new ViewCamera(ViewMode.Top, ego.X, ego.Y, 0, width, height);
                mesh.Clear();
                MeshBuilder.BuildScene(scene, mesh);
                MeshBuilder.BuildOverlay(new OverlayState(0, 60, t, true, 1, eventTimes, plots) { Scene = scene, Camera = camera }, width, height, mesh);
                var updated = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                renderer.Render(mesh, camera.Matrix, readBack);
                if (f >= 0)
                {
                    times[f] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                    updateTimes[f] = updated;
                }
            }

            Array.Sort(times);
            return times;
        }

        var render = Measure(readBack: false);
        var update = (double[])updateTimes.Clone();
        Array.Sort(update);
        var withReadback = Measure(readBack: true);
        var inv = CultureInfo.InvariantCulture;
        output.WriteLine(string.Create(inv, $"bench viz: {width}x{height}, {vehicles} vehicles, {points} lidar points, {frames} frames, renderer {renderer.RendererName}"));
        Report("update (scene → vertices)", update);
        Report("update + render", render);
        Report("update + render + readback", withReadback);
        return 0;

        void Report(string what, double[] sorted)
        {
            var median = sorted[sorted.Length / 2];
            var p95 = sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(sorted.Length * 0.95) - 1)];
            output.WriteLine(string.Create(inv, $"  {what,-28} median {median:0.00} ms ({1000 / median:0} fps), p95 {p95:0.00} ms ({1000 / p95:0} fps)"));
        }
    }
}
