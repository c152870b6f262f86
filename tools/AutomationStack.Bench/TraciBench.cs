using System.Diagnostics;
using System.Globalization;
using AutomationStack.Traci;

/// <summary>
/// `bench traci`: SUMO 1.15 over TraCI with N vehicles on a generated 6×6 grid (2 lanes, traffic lights, all
/// vehicles inserted at random free positions). Times the same run four ways: bare SimulationStep; step with
/// speed+position subscriptions for every vehicle; step plus one batched message of 2N gets; step plus 2N single
/// get round trips. Each mode gets its own SUMO process with the same seed.
/// </summary>
internal static class TraciBench
{
    private const int WarmUpSteps = 20;

    public static int Run(int vehicles, int steps, int seed)
    {
        var inv = CultureInfo.InvariantCulture;
        if (SumoProcess.FindBinary() is null || SumoNetworks.FindNetgenerate() is null)
        {
            Console.Error.WriteLine("bench traci: sumo/netgenerate not found (apt-get install -y sumo sumo-tools)");
            return 3;
        }

        var folder = Path.Combine(Path.GetTempPath(), "bench-traci-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            var net = Path.Combine(folder, "grid.net.xml");
            var routes = Path.Combine(folder, "grid.rou.xml");
            SumoNetworks.GenerateGrid(net, new SumoGridOptions { JunctionsX = 6, JunctionsY = 6, EdgeLength = 200, Lanes = 2 });
            SumoNetworks.WriteRoutes(routes, SumoNetworks.GridStraightRoutes(6, 6), vehicles, departInterval: 0, departPos: "random_free");
            var options = new SumoOptions { NetFile = net, RouteFiles = routes, StepLength = 0.1, Seed = seed, NoWarnings = true };

            Console.WriteLine(string.Create(inv, $"traci: {Version(options)}, 6×6 grid (200 m, 2 lanes, signals), {vehicles} vehicles, step 0.1 s, seed {seed}; {steps} timed steps after {WarmUpSteps} warm-up"));
            Console.WriteLine(string.Create(inv, $"machine: {Environment.ProcessorCount} cores, .NET {Environment.Version}"));
            Console.WriteLine();
            Console.WriteLine("| mode | steps/s | ms/step | vehicles read per step |");
            Console.WriteLine("| --- | --- | --- | --- |");
            Row("step only", Measure(options, vehicles, steps, Mode.StepOnly));
            Row("step + subscriptions (speed, position)", Measure(options, vehicles, steps, Mode.Subscriptions));
            Row("step + one batch of 2N gets", Measure(options, vehicles, steps, Mode.Batch));
            Row("step + 2N single gets", Measure(options, vehicles, Math.Max(10, steps / 10), Mode.SingleGets));
            return 0;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }

        void Row(string name, (double StepsPerSecond, int Read) r) =>
            Console.WriteLine(string.Create(inv, $"| {name} | {r.StepsPerSecond:F0} | {1000 / r.StepsPerSecond:F3} | {r.Read} |"));
    }

    private enum Mode
    {
        StepOnly,
        Subscriptions,
        Batch,
        SingleGets,
    }

    private static string Version(SumoOptions options)
    {
        using var sumo = SumoProcess.Start(options with { RouteFiles = null });
        return sumo.Version.Software;
    }

    private static (double StepsPerSecond, int Read) Measure(SumoOptions options, int vehicles, int steps, Mode mode)
    {
        using var sumo = SumoProcess.Start(options);
        var client = sumo.Client;
        var ids = client.GetVehicleIds();
        for (int i = 0; i < 200 && ids.Count < vehicles; i++)
        {
            client.SimulationStep();
            ids = client.GetVehicleIds();
        }

        if (ids.Count < vehicles) throw new InvalidOperationException($"only {ids.Count} of {vehicles} vehicles got into the network");
        if (mode == Mode.Subscriptions)
        {
            client.SubscribeVehicles(ids, [VehicleVariable.Speed, VehicleVariable.Position]);
        }

        using var batch = new TraciBatch();
        foreach (var id in ids)
        {
            batch.AddVehicleGet(VehicleVariable.Speed, id);
            batch.AddVehicleGet(VehicleVariable.Position, id);
        }

        int read = 0;
        double sink = 0;
        var watch = new Stopwatch();
        for (int step = 0; step < WarmUpSteps + steps; step++)
        {
            if (step == WarmUpSteps) watch.Start();
            client.SimulationStep();
            switch (mode)
            {
                case Mode.Subscriptions:
                    read = client.VehicleSubscriptions.Current.Count;
                    foreach (var v in client.VehicleSubscriptions.Current) sink += v.GetDouble(VehicleVariable.Speed) + v.GetPosition(VehicleVariable.Position).X;
                    break;
                case Mode.Batch:
                    client.Execute(batch);
                    read = batch.Count / 2;
                    for (int i = 0; i < batch.Count; i += 2) sink += batch[i].AsDouble() + batch[i + 1].AsPosition().X;
                    break;
                case Mode.SingleGets:
                    foreach (var id in ids) sink += client.GetVehicleSpeed(id) + client.GetVehiclePosition(id).X;
                    read = ids.Count;
                    break;
                default:
                    break;
            }
        }

        watch.Stop();
        if (client.GetVehicleIds().Count != vehicles) throw new InvalidOperationException("vehicles left the network during the measurement; use fewer steps");
        GC.KeepAlive(sink);
        return (steps / watch.Elapsed.TotalSeconds, read);
    }
}
