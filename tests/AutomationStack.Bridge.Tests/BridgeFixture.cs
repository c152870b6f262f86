using System.Globalization;
using AutomationStack.Bridge.Protocol;
using AutomationStack.Scenarios;
using Grpc.Net.Client;

namespace AutomationStack.Bridge.Tests;

/// <summary>A small scenario on disk (straight 2 km, one lane, one stack truck), a bridge hosting it, and a raw gRPC client.</summary>
internal sealed class BridgeFixture : IAsyncDisposable
{
    private readonly string _dir;
    private readonly CancellationTokenSource _cts = new(TimeSpan.FromMinutes(2));

    private BridgeFixture(string dir, BridgeRun run, BridgeServer server, MemoryStream recording)
    {
        _dir = dir;
        Run = run;
        Server = server;
        Recording = recording;
        Channel = GrpcChannel.ForAddress(server.Address);
        Client = new SimBridge.SimBridgeClient(Channel);
    }

    public BridgeRun Run { get; }

    public BridgeServer Server { get; }

    public MemoryStream Recording { get; }

    public GrpcChannel Channel { get; }

    public SimBridge.SimBridgeClient Client { get; }

    public CancellationToken Token => _cts.Token;

    /// <param name="unixSocket">Also listen on a Unix socket in the fixture's folder, which brings the local Drive lane.</param>
    public static async Task<BridgeFixture> StartAsync(double duration, double vehicleTimeout = 5, double attachTimeout = 20, double speedKph = 36, string mode = "lockstep", bool unixSocket = false, bool localDriveLane = true, string events = "", string mapExtra = "")
    {
        var dir = Path.Combine(Path.GetTempPath(), "as-bridge-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        await File.WriteAllTextAsync(Path.Combine(dir, "straight.yaml"), """
            format: automationstack-map/1
            name: straight
            roads:
              - id: R
                lane_count: 1
                lane_width: 3.5
                speed_limit_kph: 100
                start: {x: 0, y: 0, heading_deg: 0}
                segments:
                  - straight: {length: 2000}
            """ + mapExtra);
        var inv = CultureInfo.InvariantCulture;
        await File.WriteAllTextAsync(Path.Combine(dir, "one-truck.yaml"), string.Create(inv, $"""
            format: automationstack-scenario/1
            name: one-truck
            map: straight.yaml
            duration: {duration}
            seed: 3
            mode: {mode}
            vehicle_timeout: {vehicleTimeout}
            attach_timeout: {attachTimeout}
            vehicles:
              - id: truck1
                role: stack
                lane: R/0
                s: 100
                speed_kph: {speedKph}
                parameters:
                  acc.time_gap: 1.5
            {events}
            """));
        var scenario = ScenarioLoader.Load(Path.Combine(dir, "one-truck.yaml"));
        var run = new BridgeRun(scenario);
        var server = await BridgeServer.StartAsync(run, unixSocketPath: unixSocket ? Path.Combine(dir, "bridge.sock") : null, localDriveLane: localDriveLane);
        return new BridgeFixture(dir, run, server, new MemoryStream());
    }

    public Task<RunResult> StartRunAsync(Stream? recording = null) =>
        Task.Run(() => Run.RunAsync(new BridgeRunOptions { Recording = recording ?? Recording }, Token));

    public async ValueTask DisposeAsync()
    {
        Channel.Dispose();
        await Server.DisposeAsync();
        _cts.Dispose();
        Directory.Delete(_dir, recursive: true);
    }
}
