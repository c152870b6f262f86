using System.Globalization;
using System.Net;
using AutomationStack.Cli;

// automationstack — command-line entry point. `automationstack run <scenario> [options]`, `automationstack report …`,
// `automationstack replay …`, `automationstack view <run.mcap> [options]`.
const string Usage = """
usage: automationstack run <scenario.yaml> [--out <dir>] [--seed <n>] [--duration <s>] [--drive-lane local|grpc]
                          [--in-process] [--quiet] [--bind <ip>] [--port <n>] [--external <id>[,<id>...]]
                          [--perception radar|lidar] [--models <dir>] [--report] [--memory-log <file.csv>]
                          [--tls-cert <bridge.pem> --tls-key <bridge.key> --tls-client-ca <ca.pem>] [--insecure]
       automationstack report <run-dir> [--out <file.html>] [--scenario <scenario.yaml>] [--string-stability-from <s>]
       automationstack report --all-scenarios --out <dir> [--scenarios <dir>] [--duration <s>] [--quiet]
       automationstack replay <run.mcap> --scenario <scenario.yaml> [--out <dir>] [--set [<truck>:]<parameter>=<value>]...
                          [--tolerance <x>] [--models <dir>]

  run        run a scenario closed-loop: bridge + one vehicle process per stack truck;
             writes <out>/run.mcap and <out>/kpi.json
  --report   also write <out>/report.html after the run (the exit code stays the run's)
  --memory-log  write a CSV row every second of wall time: simulated time, the bridge process's resident set and
             managed heap, each vehicle process's resident set, MB (for soak runs; see docs/soak.md)
  report     write a self-contained HTML report of a run folder (default <run-dir>/report.html): verdict, KPI
             table, speed/gap/time-gap/acceleration plots per truck, string stability, events timeline;
             --scenario: the scenario the run was made from (its string-stability window, and its map's stop
             lines for the crossing events); --string-stability-from: window start of the string-stability
             figure, s (default: the scenario's, else 5)
  report --all-scenarios  run every scenario of --scenarios (default sim-bridge/scenarios) into <out>/<name>,
             write each one's report.html and <out>/index.html linking them with pass/fail; --duration overrides
             every scenario's duration
  replay     re-simulation: every stack truck's recorded frames (sensors, V2X, driver input) go open-loop through
             the current vehicle pipeline, built as at attach from --scenario (the file the run was made from);
             the new commands go to <out>/replay.mcap and are compared field by field with the recorded ones
             (floating point within --tolerance, default 1e-9), summary on stdout and in <out>/replay-diff.json
             (default <out>: replay/ next to the log); --set changes a parameter (of one truck, or of all);
             exit 0 no differences, 1 differences, 2 bad input
  --out      output folder (default: out/<scenario name>)
  --seed     override the scenario's seed (unsigned 64-bit integer)
  --duration override the scenario's duration, s (> 0)
  --drive-lane  how frames and commands travel between the bridge and the vehicle processes: local (default:
             length-delimited Drive messages on a Unix socket) or grpc (the Drive stream over HTTP/2); the control
             plane (connect with its version check, world info) is gRPC either way
  --in-process  host the vehicle pipelines in this process (debugging; same lanes)
  --quiet    no progress output
  --bind     IP address the bridge listens on (default 127.0.0.1: loopback only); any other address needs the TLS
             options below, or --insecure
  --tls-cert, --tls-key, --tls-client-ca  the bridge's TCP endpoint speaks TLS (HTTP/2 over TLS 1.2/1.3) with this
             server certificate and key (PEM) and requires a client certificate issued by --tls-client-ca (PEM; no
             other CA, not the system store) with clientAuth; a vehicle attaches only as its certificate's subject CN.
             `certtool tls` issues a test PKI; details in docs/security.md
  --insecure expose the unauthenticated bridge (h2c) on a non-loopback --bind address: closed test networks only
  --port     TCP port the bridge listens on (default 0: a free port)
  --external stack trucks whose vehicle process runs elsewhere (another machine or network namespace): no process
             is started for them; the bridge prints its address and waits for them to attach (the scenario's
             attach_timeout) like any other
  --perception  lidar: every stack truck gets a roof lidar and takes its lead from the ONNX object detector and
             tracker (parameter perception.lidar = 1), radar as fallback; radar (default): as the scenario says
  --models   folder with the ONNX models (default: models/ next to the executable, a copy of the repository's)

exit codes: 0 pass, 1 pass criteria failed, 2 bad input (nothing written), 3 run could not complete;
report: 0 written, 2 missing run folder, missing or corrupt run.mcap or kpi.json (the file is named);
report --all-scenarios: the worst of the runs' codes (3 also when a report could not be written);
replay: 0 no differences, 1 differences, 2 bad input

       automationstack recover <log.mcap[.partial]> [--out <file.mcap>]
                          rebuild a readable, indexed log from a truncated one (a killed run's run.mcap.partial):
                          everything up to the last complete record; exit 0 written, 2 not an MCAP file, 3 cannot write
       automationstack view <run.mcap> [--headless --out <dir>] [--from <s> --to <s> --fps <n> --size WxH]
                          [--follow <vehicle>] [--view top|chase]      (view --help for all options and keys)
""";

if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
{
    Console.WriteLine(Usage);
    return args.Length == 0 ? ExitCodes.BadInput : ExitCodes.Passed;
}

if (args[0] == "report")
{
    return await ReportMain(args);
}

if (args[0] == "replay")
{
    return await ReplayMain(args);
}

if (args[0] == "recover")
{
    if (args.Length is not (2 or 4) || (args.Length == 4 && args[2] != "--out"))
    {
        Console.Error.WriteLine($"error: recover needs a log and optionally --out <file>\n{Usage}");
        return ExitCodes.BadInput;
    }

    return await RecoverCommand.ExecuteAsync(args[1], args.Length == 4 ? args[3] : null, Console.Out, Console.Error);
}

if (args[0] == "view")
{
    return ViewCommand.Execute(args[1..], Console.Out, Console.Error);
}

if (args[0] != "run")
{
    Console.Error.WriteLine($"error: unknown command '{args[0]}' (expected: run, report, replay, recover, view)\n{Usage}");
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
var report = false;
string? tlsCert = null;
string? tlsKey = null;
string? tlsClientCa = null;
var insecure = false;
string? memoryLog = null;
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
            case "--report":
                report = true;
                break;
            case "--memory-log":
                memoryLog = Value();
                break;
            case "--quiet":
                quiet = true;
                break;
            case "--tls-cert":
                tlsCert = Value();
                break;
            case "--tls-key":
                tlsKey = Value();
                break;
            case "--tls-client-ca":
                tlsClientCa = Value();
                break;
            case "--insecure":
                insecure = true;
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
    return await RunCommand.ExecuteAsync(new RunRequest(scenario, outDir, seed, duration, inProcess, quiet, Lane: lane, BindAddress: bind, Port: port, ExternalVehicles: external, ModelsDirectory: models, LidarPerception: lidarPerception, Report: report, TlsCertificate: tlsCert, TlsKey: tlsKey, TlsClientCa: tlsClientCa, Insecure: insecure, MemoryLogPath: memoryLog), Console.Out, Console.Error, cancel.Token);
}
catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
{
    Console.Error.WriteLine($"error: {ex.Message}");
    return ExitCodes.RunError;
}

async Task<int> ReplayMain(string[] arguments)
{
    string? recording = null;
    string? scenarioFile = null;
    string? replayOut = null;
    string? replayModels = null;
    var tolerance = ReplayCommand.DefaultTolerance;
    var overrides = new List<(string?, string, double)>();
    try
    {
        for (var i = 1; i < arguments.Length; i++)
        {
            var arg = arguments[i];
            string Value() => i + 1 < arguments.Length ? arguments[++i] : throw new ArgumentException($"{arg}: a value is required");
            switch (arg)
            {
                case "--scenario":
                    scenarioFile = Value();
                    break;
                case "--out":
                    replayOut = Value();
                    break;
                case "--models":
                    replayModels = Value();
                    break;
                case "--tolerance":
                {
                    var text = Value();
                    tolerance = double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var t) && t >= 0 && double.IsFinite(t)
                        ? t
                        : throw new ArgumentException($"--tolerance: expected a non-negative number, got '{text}'");
                    break;
                }

                case "--set":
                {
                    var text = Value();
                    var eq = text.IndexOf('=', StringComparison.Ordinal);
                    var colon = text.IndexOf(':', StringComparison.Ordinal);
                    if (eq <= 0 || !double.TryParse(text[(eq + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
                    {
                        throw new ArgumentException($"--set: expected [<truck>:]<parameter>=<number>, got '{text}'");
                    }

                    var vehicle = colon > 0 && colon < eq ? text[..colon] : null;
                    var name = text[(vehicle is null ? 0 : colon + 1)..eq];
                    overrides.Add((vehicle, name, value));
                    break;
                }

                default:
                    if (arg.StartsWith('-') || recording is not null)
                    {
                        throw new ArgumentException($"unknown replay argument '{arg}'");
                    }

                    recording = arg;
                    break;
            }
        }
    }
    catch (ArgumentException ex)
    {
        Console.Error.WriteLine($"error: {ex.Message}\n{Usage}");
        return ExitCodes.BadInput;
    }

    if (recording is null || scenarioFile is null)
    {
        Console.Error.WriteLine($"error: replay needs a log and --scenario <the scenario file it was run from>\n{Usage}");
        return ExitCodes.BadInput;
    }

    return await ReplayCommand.ExecuteAsync(new ReplayRequest(recording, scenarioFile, replayOut, overrides, tolerance, replayModels), Console.Out, Console.Error);
}

async Task<int> ReportMain(string[] arguments)
{
    string? runDir = null;
    string? reportOut = null;
    double? window = null;
    string? scenarioFile = null;
    double? reportDuration = null;
    var all = false;
    var scenarios = ReportCommand.DefaultScenariosDirectory;
    var reportQuiet = false;
    try
    {
        for (var i = 1; i < arguments.Length; i++)
        {
            var arg = arguments[i];
            string Value() => i + 1 < arguments.Length ? arguments[++i] : throw new ArgumentException($"{arg}: a value is required");
            double Seconds(bool positive)
            {
                var text = Value();
                return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v) && (positive ? v > 0 : v >= 0)
                    ? v
                    : throw new ArgumentException($"{arg}: expected a {(positive ? "positive" : "non-negative")} number of seconds, got '{text}'");
            }

            switch (arg)
            {
                case "--out":
                    reportOut = Value();
                    break;
                case "--string-stability-from":
                    window = Seconds(positive: false);
                    break;
                case "--scenario":
                    scenarioFile = Value();
                    break;
                case "--all-scenarios":
                    all = true;
                    break;
                case "--scenarios":
                    scenarios = Value();
                    break;
                case "--duration":
                    reportDuration = Seconds(positive: true);
                    break;
                case "--quiet":
                    reportQuiet = true;
                    break;
                default:
                    if (arg.StartsWith('-') || runDir is not null)
                    {
                        throw new ArgumentException($"unexpected argument '{arg}'");
                    }

                    runDir = arg;
                    break;
            }
        }

        if (all && runDir is not null)
        {
            throw new ArgumentException("report: give either a run folder or --all-scenarios, not both");
        }

        if (all && (scenarioFile is not null || window is not null))
        {
            throw new ArgumentException("report --all-scenarios: --scenario and --string-stability-from go with a run folder (each scenario brings its own)");
        }

        if (!all && (reportDuration is not null || !string.Equals(scenarios, ReportCommand.DefaultScenariosDirectory, StringComparison.Ordinal)))
        {
            throw new ArgumentException("report: --duration and --scenarios go with --all-scenarios");
        }
    }
    catch (ArgumentException ex)
    {
        Console.Error.WriteLine($"error: {ex.Message}\n{Usage}");
        return ExitCodes.BadInput;
    }

    using var reportCancel = new CancellationTokenSource();
    Console.CancelKeyPress += (_, e) =>
    {
        e.Cancel = true;
        reportCancel.Cancel();
    };
    try
    {
        return await ReportCommand.ExecuteAsync(new ReportRequest(runDir, reportOut, window, scenarioFile, all, scenarios, reportDuration, reportQuiet), Console.Out, Console.Error, reportCancel.Token);
    }
    catch (OperationCanceledException)
    {
        Console.Error.WriteLine("error: interrupted");
        return ExitCodes.RunError;
    }
    catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
    {
        Console.Error.WriteLine($"error: {ex.Message}");
        return ExitCodes.RunError;
    }
}
