using AutomationStack.Vehicle;
using AutomationStack.Vehicle.BridgeClient;

// One vehicle process per truck: `AutomationStack.Vehicle --bridge http://127.0.0.1:PORT --vehicle truck1`.
const string Usage = "usage: AutomationStack.Vehicle --bridge <http://host:port | unix:///path> --vehicle <id> [--drive-lane auto|grpc|local]";

string? bridge = null;
string? vehicle = null;
var lane = DriveLane.Auto;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--bridge" when i + 1 < args.Length:
            bridge = args[++i];
            break;
        case "--vehicle" when i + 1 < args.Length:
            vehicle = args[++i];
            break;
        case "--drive-lane" when i + 1 < args.Length:
            if (!Enum.TryParse(args[++i], ignoreCase: true, out lane) || !Enum.IsDefined(lane))
            {
                Console.Error.WriteLine($"vehicle: --drive-lane must be auto, grpc or local, not '{args[i]}'\n{Usage}");
                return VehicleExitCodes.BadArguments;
            }

            break;
        case "-h" or "--help":
            Console.WriteLine(Usage);
            return VehicleExitCodes.Ok;
        default:
            Console.Error.WriteLine($"vehicle: unknown or incomplete argument '{args[i]}'\n{Usage}");
            return VehicleExitCodes.BadArguments;
    }
}

if (bridge is null || vehicle is null || !Uri.TryCreate(bridge, UriKind.Absolute, out var address))
{
    Console.Error.WriteLine($"vehicle: --bridge (absolute URL) and --vehicle are required\n{Usage}");
    return VehicleExitCodes.BadArguments;
}

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};

await using var world = new BridgeVehicleInterface(address, vehicle, new BridgeClientOptions { Lane = lane });
try
{
    var frames = await VehicleHost.RunAsync(world, stop.Token);
    Console.Error.WriteLine($"vehicle {vehicle}: {frames} frames, run ended: {world.EndReason}");
    return VehicleExitCodes.Ok;
}
catch (BridgeConnectionException ex)
{
    Console.Error.WriteLine($"vehicle {vehicle}: {ex.Message}");
    return VehicleExitCodes.ConnectionFailed;
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine($"vehicle {vehicle}: bad pipeline parameter: {ex.Message}");
    return VehicleExitCodes.BadArguments;
}
catch (OperationCanceledException)
{
    Console.Error.WriteLine($"vehicle {vehicle}: stopped");
    return VehicleExitCodes.Ok;
}
