using AutomationStack.Vehicle;
using AutomationStack.Contracts;
using AutomationStack.Perception;
using AutomationStack.Vehicle.BridgeClient;
using AutomationStack.Vehicle.V2xUdp;
using AutomationStack.Tls;

// One vehicle process per truck: `AutomationStack.Vehicle --bridge http://127.0.0.1:PORT --vehicle truck1`.
const string Usage = """
usage: AutomationStack.Vehicle --bridge <http://host:port | https://host:port | unix:///path> --vehicle <id>
                               [--drive-lane auto|grpc|local] [--v2x-udp <address:port> [--v2x-udp-interface <ipv4>]]
                               [--models <dir>] [--tls-ca <ca.pem> --tls-cert <vehicle.pem> --tls-key <vehicle.key>]

  --tls-ca             with an https:// bridge (required there): PEM CA certificate(s); the bridge's certificate must
                       chain to it (nothing else is trusted), carry serverAuth and name the --bridge host in its SANs
  --tls-cert/--tls-key this vehicle's client certificate and private key (PEM); its subject CN must be the --vehicle id

  --v2x-udp            send and receive V2X as UDP datagrams to/from an IPv4 broadcast address (e.g.
                       10.200.0.255:47000) or multicast group (e.g. 239.20.0.1:47000) instead of the simulator's
                       V2X channel
  --v2x-udp-interface  local IPv4 address of the interface to send (and join the group) on
  --models             folder with the ONNX models (object_detector.onnx), used when the scenario turns
                       perception.lidar on; default: the models/ folder next to this executable
""";

string? bridge = null;
string? vehicle = null;
var lane = DriveLane.Auto;
string? v2xUdp = null;
string? v2xUdpInterface = null;
string? tlsCa = null;
string? tlsCert = null;
string? tlsKey = null;
var host = VehicleHostOptions.Default;
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
        case "--v2x-udp" when i + 1 < args.Length:
            v2xUdp = args[++i];
            break;
        case "--v2x-udp-interface" when i + 1 < args.Length:
            v2xUdpInterface = args[++i];
            break;
        case "--tls-ca" when i + 1 < args.Length:
            tlsCa = args[++i];
            break;
        case "--tls-cert" when i + 1 < args.Length:
            tlsCert = args[++i];
            break;
        case "--tls-key" when i + 1 < args.Length:
            tlsKey = args[++i];
            break;
        case "--models" when i + 1 < args.Length:
            host = host with { ModelsDirectory = args[++i] };
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

var https = address.Scheme == Uri.UriSchemeHttps;
if (!https && (tlsCa ?? tlsCert ?? tlsKey) is not null)
{
    Console.Error.WriteLine($"vehicle: --tls-ca, --tls-cert and --tls-key go with an https:// bridge address, not {address}\n{Usage}");
    return VehicleExitCodes.BadArguments;
}

if (https && tlsCa is null)
{
    Console.Error.WriteLine($"vehicle: an https:// bridge needs --tls-ca <ca.pem> (the CA the bridge's certificate must chain to; the system store is not used)\n{Usage}");
    return VehicleExitCodes.BadArguments;
}

if ((tlsCert is null) != (tlsKey is null))
{
    Console.Error.WriteLine($"vehicle: --tls-cert and --tls-key go together\n{Usage}");
    return VehicleExitCodes.BadArguments;
}

BridgeClientTls? tls = null;
if (https)
{
    try
    {
        var now = DateTimeOffset.UtcNow;
        var authorities = TlsFiles.LoadCertificateAuthorities("--tls-ca", tlsCa!, now);
        var clientCertificate = tlsCert is null ? null : TlsFiles.LoadCertificateWithKey("--tls-cert", tlsCert, "--tls-key", tlsKey!, TlsFiles.ClientAuthOid, now);
        if (clientCertificate is not null && TlsFiles.CommonName(clientCertificate) is var cn && !string.Equals(cn, vehicle, StringComparison.Ordinal))
        {
            Console.Error.WriteLine($"vehicle {vehicle}: warning: --tls-cert {tlsCert} names vehicle '{cn}' (subject CN), not '{vehicle}': the bridge will refuse the attach");
        }

        tls = new BridgeClientTls(authorities, tlsCa!, clientCertificate);
    }
    catch (TlsFileException ex)
    {
        Console.Error.WriteLine($"vehicle {vehicle}: {ex.Message}");
        return VehicleExitCodes.TlsFileError;
    }
}

UdpV2xOptions? udpOptions = null;
if (v2xUdp is null && v2xUdpInterface is not null)
{
    Console.Error.WriteLine($"vehicle: --v2x-udp-interface needs --v2x-udp\n{Usage}");
    return VehicleExitCodes.BadArguments;
}

if (v2xUdp is not null)
{
    try
    {
        udpOptions = UdpV2xOptions.Parse(v2xUdp, v2xUdpInterface);
    }
    catch (UdpV2xConfigurationException ex)
    {
        Console.Error.WriteLine($"vehicle: {ex.Message}\n{Usage}");
        return VehicleExitCodes.BadArguments;
    }
}

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};

await using var world = new BridgeVehicleInterface(address, vehicle, new BridgeClientOptions { Lane = lane, Tls = tls });
UdpV2xVehicleInterface? udp;
try
{
    // Sockets open before the bridge is contacted: a bad address fails fast, naming the option.
    udp = udpOptions is null ? null : new UdpV2xVehicleInterface(world, udpOptions, leaveInnerOpen: true);
}
catch (UdpV2xConfigurationException ex)
{
    Console.Error.WriteLine($"vehicle {vehicle}: {ex.Message}");
    return VehicleExitCodes.BadArguments;
}

await using var udpScope = udp;
try
{
    if (udp is not null)
    {
        Console.Error.WriteLine($"vehicle {vehicle}: V2X over UDP to {udp.Destination}{(v2xUdpInterface is null ? string.Empty : $" via {v2xUdpInterface}")}");
    }

    var frames = await VehicleHost.RunAsync(udp ?? (IVehicleInterface)world, host, stop.Token);
    Console.Error.WriteLine($"vehicle {vehicle}: {frames} frames, run ended: {world.EndReason}");
    return VehicleExitCodes.Ok;
}
catch (BridgeAuthenticationException ex)
{
    Console.Error.WriteLine($"vehicle {vehicle}: {ex.Message}");
    return VehicleExitCodes.TlsRejected;
}
catch (BridgeConnectionException ex)
{
    Console.Error.WriteLine($"vehicle {vehicle}: {ex.Message}");
    return VehicleExitCodes.ConnectionFailed;
}
catch (InvalidDataException ex)
{
    Console.Error.WriteLine($"vehicle {vehicle}: {ex.Message}");
    return VehicleExitCodes.ConnectionFailed;
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine($"vehicle {vehicle}: bad pipeline parameter: {ex.Message}");
    return VehicleExitCodes.BadArguments;
}
catch (PerceptionModelException ex)
{
    Console.Error.WriteLine($"vehicle {vehicle}: perception model not usable: {ex.Message}");
    return VehicleExitCodes.ModelError;
}
catch (OperationCanceledException)
{
    Console.Error.WriteLine($"vehicle {vehicle}: stopped");
    return VehicleExitCodes.Ok;
}
finally
{
    if (udp?.Counters is { } c)
    {
        Console.Error.WriteLine($"vehicle {vehicle}: v2x-udp sent {c.Sent}, send errors {c.SendErrors}, received {c.Received}, own echoes {c.OwnIgnored}, malformed {c.Malformed}, queue overflow {c.QueueOverflow}, receive errors {c.ReceiveErrors}");
    }
}
