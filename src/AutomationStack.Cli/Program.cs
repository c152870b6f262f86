using System.Globalization;
using AutomationStack.Cli;

// automationstack — command-line entry point. `automationstack run <scenario> [options]`.
const string Usage = """
usage: automationstack run <scenario.yaml> [--out <dir>] [--seed <n>] [--duration <s>] [--drive-lane local|grpc]
                          [--in-process] [--quiet]

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

exit codes: 0 pass, 1 pass criteria failed, 2 bad input (nothing written), 3 run could not complete
""";

if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
{
    Console.WriteLine(Usage);
    return args.Length == 0 ? ExitCodes.BadInput : ExitCodes.Passed;
}

if (args[0] != "run")
{
    Console.Error.WriteLine($"error: unknown command '{args[0]}' (expected: run)\n{Usage}");
    return ExitCodes.BadInput;
}

string? scenario = null;
string? outDir = null;
ulong? seed = null;
double? duration = null;
var inProcess = false;
var lane = AutomationStack.Vehicle.BridgeClient.DriveLane.Local;
var quiet = false;
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
            case "--in-process":
                inProcess = true;
                break;
            case "--quiet":
                quiet = true;
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
    return await RunCommand.ExecuteAsync(new RunRequest(scenario, outDir, seed, duration, inProcess, quiet, Lane: lane), Console.Out, Console.Error, cancel.Token);
}
catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
{
    Console.Error.WriteLine($"error: {ex.Message}");
    return ExitCodes.RunError;
}
