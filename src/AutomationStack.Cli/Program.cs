using System.Globalization;
using System.Net;
using AutomationStack.Cli;

// automationstack — command-line entry point. `automationstack run <scenario> [options]`,
// `automationstack view <run.mcap> [options]`.
const string Usage = """
usage: automationstack run <scenario.yaml> [--out <dir>] [--seed <n>] [--duration <s>] [--drive-lane local|grpc]
                          [--in-process] [--quiet] [--bind <ip>] [--port <n>] [--external <id>[,<id>...]]
                          [--perception radar|lidar] [--models <dir>]

  run        run a scenario closed-loop: bridge + one vehicle process per stack truck;
             writes <out>/run.mcap and <out>/kpi.json
  --out      output folder (default: out/<scenario name>)
  --seed     override the scenario's seed (unsigned 64-bit integer)
  --duration override the scenario's duration, s (> 0)
  --drive-lane  how frames and commands travel between the bridge and the vehicle processes: local (default:
             length-delimited Drive messages on a Unix socket) or grpc (the Drive stream over HTTP/2); the control
             plane (connect with its version check, world info) is gRPC either way
  --in-process  host the vehicle pipelines in this process (debugging; same lanes)
  --quiet    no progress output
  --bind     IP address the bridge listens on (default 127.0.0.1: loopback only); another address exposes the
             unauthenticated bridge to that network, so use it only on a closed test network
  --port     TCP port the bridge listens on (default 0: a free port)
  --external stack trucks whose vehicle process runs elsewhere (another machine or network namespace): no process
             is started for them; the bridge prints its address and waits for them to attach (the scenario's
             attach_timeout) like any other
  --perception  lidar: every stack truck gets a roof lidar and takes its lead from the ONNX object detector and
             tracker (parameter perception.lidar = 1), radar as fallback; radar (default): as the scenario says
  --models   folder with the ONNX models (default: models/ next to the executable, a copy of the repository's)

exit codes: 0 pass, 1 pass criteria failed, 2 bad input (nothing written), 3 run could not complete

       automationstack view <run.mcap> [--headless --out <dir>] [--from <s> --to <s> --fps <n> --size WxH]
                          [--follow <vehicle>] [--view top|chase]      (view --help for all options and keys)
""";

if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
{
    Console.WriteLine(Usage);
    return args.Length == 0 ? ExitCodes.BadInput : ExitCodes.Passed;
}

if (args[0] == "view")
{
    return ViewCommand.Execute(args[1..], Console.Out, Console.Error);
}

if (args[0] != "run")
{
    Console.Error.WriteLine($"error: unknown command '{args[0]}' (expected: run or view)\n{Usage}");
    return ExitCodes.BadInput;
}

string? scenario = null;
string? outDir = null;
ulong? seed = null;
double? duration = null;
var inProcess = false;
var lane = AutomationStack.Vehicle.BridgeClient.DriveLane.Local;
var quiet = false;
IPAddress? bind = null;
var port = 0;
var external = new List<string>();
string? models = null;
var lidarPerception = false;
for (var i = 1; i < args.Length; i++)
{
    var arg = args[i];
    string Value()
    {
        if (i + 1 >= args.Length)
        {
            throw new ArgumentException($"{arg}: a value is required");
        }

        return args[++i];
    }

    try
    {
        switch (arg)
        {
            case "--out":
                outDir = Value();
                break;
            case "--seed":
                var s = Value();
                seed = ulong.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var parsedSeed)
                    ? parsedSeed
                    : throw new ArgumentException($"--seed: expected an unsigned integer, got '{s}'");
                break;
            case "--duration":
                var d = Value();
                duration = double.TryParse(d, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsedDuration) && parsedDuration > 0 && double.IsFinite(parsedDuration)
                    ? parsedDuration
                    : throw new ArgumentException($"--duration: expected a positive number of seconds, got '{d}'");
                break;
            case "--drive-lane":
                var l = Value();
                lane = l switch
                {
                    "local" => AutomationStack.Vehicle.BridgeClient.DriveLane.Local,
                    "grpc" => AutomationStack.Vehicle.BridgeClient.DriveLane.Grpc,
                    _ => throw new ArgumentException($"--drive-lane: expected local or grpc, got '{l}'"),
                };
                break;
            case "--models":
                models = Value();
                break;
            case "--perception":
                var pm = Value();
                lidarPerception = pm switch
                {
                    "lidar" => true,
                    "radar" => false,
                    _ => throw new ArgumentException($"--perception: expected radar or lidar, got '{pm}'"),
                };
                break;
            case "--in-process":
                inProcess = true;
                break;
            case "--quiet":
                quiet = true;
                break;
            case "--bind":
                var b = Value();
                bind = IPAddress.TryParse(b, out var parsedBind) && (b.Contains(':', StringComparison.Ordinal) || b.Count(c => c == '.') == 3)
                    ? parsedBind
                    : throw new ArgumentException($"--bind: expected an IP address, got '{b}'");
                break;
            case "--port":
                var p = Value();
                port = int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out var parsedPort) && parsedPort <= IPEndPoint.MaxPort
                    ? parsedPort
                    : throw new ArgumentException($"--port: expected a TCP port 0–65535 (0: a free port), got '{p}'");
                break;
            case "--external":
                var e = Value();
                foreach (var id in e.Split(','))
                {
                    var trimmed = id.Trim();
                    if (trimmed.Length == 0)
                    {
                        throw new ArgumentException($"--external: expected vehicle ids separated by commas, got '{e}'");
                    }

                    if (!external.Contains(trimmed))
                    {
                        external.Add(trimmed);
                    }
                }

                break;
            default:
                if (arg.StartsWith('-') || scenario is not null)
                {
                    throw new ArgumentException($"unexpected argument '{arg}'");
                }

                scenario = arg;
                break;
        }
    }
    catch (ArgumentException ex)
    {
        Console.Error.WriteLine($"error: {ex.Message}\n{Usage}");
        return ExitCodes.BadInput;
    }
}

if (scenario is null)
{
    Console.Error.WriteLine($"error: run needs a scenario file\n{Usage}");
    return ExitCodes.BadInput;
}

outDir ??= Path.Combine("out", Path.GetFileNameWithoutExtension(scenario));
using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};

try
{
    return await RunCommand.ExecuteAsync(new RunRequest(scenario, outDir, seed, duration, inProcess, quiet, Lane: lane, BindAddress: bind, Port: port, ExternalVehicles: external, ModelsDirectory: models, LidarPerception: lidarPerception), Console.Out, Console.Error, cancel.Token);
}
catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
{
    Console.Error.WriteLine($"error: {ex.Message}");
    return ExitCodes.RunError;
}
