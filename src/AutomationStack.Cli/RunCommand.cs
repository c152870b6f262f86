using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using AutomationStack.Bridge;
using AutomationStack.Configuration;
using AutomationStack.Perception;
using AutomationStack.Scenarios;
using AutomationStack.Tls;
using AutomationStack.Vehicle;
using AutomationStack.Vehicle.Pipeline;
using AutomationStack.Vehicle.BridgeClient;

namespace AutomationStack.Cli;

/// <summary>What <c>run</c> was asked to do.</summary>
public sealed record RunRequest(
    string ScenarioPath,
    string OutDirectory,
    ulong? Seed = null,
    double? Duration = null,
    bool InProcessVehicles = false,
    bool Quiet = false,
    bool UnixSocket = true,
    DriveLane Lane = DriveLane.Local,
    System.Net.IPAddress? BindAddress = null,
    int Port = 0,
    IReadOnlyList<string>? ExternalVehicles = null,
    string? ModelsDirectory = null,
    bool LidarPerception = false,
    bool Report = false,
    string? TlsCertificate = null,
    string? TlsKey = null,
    string? TlsClientCa = null,
    bool Insecure = false,
    string? MemoryLogPath = null);

/// <summary>
/// <c>run &lt;scenario&gt;</c>: loads and validates the scenario, hosts the bridge, starts one vehicle process per
/// stack truck (except the external ones, which attach on their own), shows progress, writes <c>run.mcap</c> and <c>kpi.json</c>
/// (and with <see cref="RunRequest.Report"/> <c>report.html</c>), prints a summary and returns the exit code.
/// </summary>
public static class RunCommand
{
    public const string RecordingFileName = "run.mcap";
    public const string KpiFileName = "kpi.json";
    private const string PartialSuffix = ".partial";
    private static readonly TimeSpan MemorySampleInterval = TimeSpan.FromMilliseconds(200);

    public static async Task<int> ExecuteAsync(RunRequest request, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);

        Scenario scenario;
        try
        {
            scenario = ScenarioLoader.Load(request.ScenarioPath);
        }
        catch (ConfigurationException ex)
        {
            await stderr.WriteLineAsync($"error: invalid scenario\n{ex.Message}").ConfigureAwait(false);
            return ExitCodes.BadInput;
        }

        if (request.Duration is { } duration)
        {
            if (!(duration > 0) || !double.IsFinite(duration))
            {
                await stderr.WriteLineAsync($"error: --duration: expected a positive number of seconds, got {duration.ToString(CultureInfo.InvariantCulture)}").ConfigureAwait(false);
                return ExitCodes.BadInput;
            }

            scenario = scenario with { Duration = duration };
        }

        if (request.Seed is { } seed)
        {
            scenario = scenario with { Seed = seed };
        }

        var external = request.ExternalVehicles ?? [];
        foreach (var id in external)
        {
            var vehicle = scenario.Vehicles.FirstOrDefault(v => string.Equals(v.Id, id, StringComparison.Ordinal));
            if (vehicle is null || vehicle.Role != VehicleRole.Stack)
            {
                var stack = string.Join(", ", scenario.Vehicles.Where(v => v.Role == VehicleRole.Stack).Select(v => v.Id));
                var what = vehicle is null ? "unknown vehicle" : "not a stack truck:";
                await stderr.WriteLineAsync($"error: --external: {what} '{id}' (stack trucks of '{scenario.Name}': {stack})").ConfigureAwait(false);
                return ExitCodes.BadInput;
            }
        }

        if (request.LidarPerception)
        {
            scenario = WithLidarPerception(scenario);
        }

        var modelsDirectory = request.ModelsDirectory is null ? VehicleHostOptions.DefaultModelsDirectory : Path.GetFullPath(request.ModelsDirectory);
        if (Preflight(scenario, external, modelsDirectory) is { } problem)
        {
            await stderr.WriteLineAsync($"error: {problem}").ConfigureAwait(false);
            return ExitCodes.BadInput;
        }

        if (request.Port is < 0 or > System.Net.IPEndPoint.MaxPort)
        {
            await stderr.WriteLineAsync($"error: --port: expected 0–65535, got {request.Port.ToString(CultureInfo.InvariantCulture)}").ConfigureAwait(false);
            return ExitCodes.BadInput;
        }

        BridgeTlsOptions? tls;
        try
        {
            tls = LoadTls(request);
        }
        catch (TlsFileException ex)
        {
            await stderr.WriteLineAsync($"error: {ex.Message}").ConfigureAwait(false);
            return ExitCodes.BadInput;
        }

        try
        {
            return await ExecuteAsync(request, scenario, external, modelsDirectory, tls, stdout, stderr, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (tls is not null)
            {
                tls.ServerCertificate.Dispose();
                foreach (var ca in tls.ClientCertificateAuthorities)
                {
                    ca.Dispose();
                }
            }
        }
    }

    /// <summary>
    /// The bridge's TLS from <c>--tls-cert/--tls-key/--tls-client-ca</c> (all three or none), checked before anything is
    /// written; and the rule that only loopback may be served without TLS, unless <c>--insecure</c> says otherwise.
    /// </summary>
    /// <exception cref="TlsFileException">A file is unusable, the options do not fit together, or a non-loopback bind lacks TLS.</exception>
    internal static BridgeTlsOptions? LoadTls(RunRequest request)
    {
        var given = new[] { request.TlsCertificate, request.TlsKey, request.TlsClientCa };
        var bind = request.BindAddress ?? System.Net.IPAddress.Loopback;
        if (given.All(g => g is null))
        {
            if (!System.Net.IPAddress.IsLoopback(bind) && !request.Insecure)
            {
                throw new TlsFileException($"--bind {bind}: serving the bridge beyond this machine needs TLS with client certificates: give --tls-cert <bridge.pem> --tls-key <bridge.key> --tls-client-ca <ca.pem> (`certtool tls` issues them; see docs/security.md), or --insecure to expose the unauthenticated bridge on a closed test network");
            }

            return null;
        }

        if (given.Any(g => g is null))
        {
            var missing = new[] { ("--tls-cert", request.TlsCertificate), ("--tls-key", request.TlsKey), ("--tls-client-ca", request.TlsClientCa) }
                .Where(g => g.Item2 is null).Select(g => g.Item1);
            throw new TlsFileException($"--tls-cert, --tls-key and --tls-client-ca go together: missing {string.Join(", ", missing)}");
        }

        if (request.Insecure)
        {
            throw new TlsFileException("--insecure: contradicts --tls-cert/--tls-key/--tls-client-ca (TLS with client certificates): give one or the other");
        }

        if (!request.UnixSocket)
        {
            throw new TlsFileException("--tls-cert: the bridge's local vehicle processes need the Unix socket when the TCP endpoint is TLS-only");
        }

        var now = DateTimeOffset.UtcNow;
        var authorities = TlsFiles.LoadCertificateAuthorities("--tls-client-ca", request.TlsClientCa!, now);
        try
        {
            var server = TlsFiles.LoadCertificateWithKey("--tls-cert", request.TlsCertificate!, "--tls-key", request.TlsKey!, TlsFiles.ServerAuthOid, now);
            return new BridgeTlsOptions(server, authorities);
        }
        catch
        {
            foreach (var ca in authorities)
            {
                ca.Dispose();
            }

            throw;
        }
    }

    private static async Task<int> ExecuteAsync(RunRequest request, Scenario scenario, IReadOnlyList<string> external, string modelsDirectory, BridgeTlsOptions? tls, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        var outDir = Path.GetFullPath(request.OutDirectory);
        Directory.CreateDirectory(outDir);
        var recordingPath = Path.Combine(outDir, RecordingFileName);
        var partialPath = recordingPath + PartialSuffix;
        var kpiPath = Path.Combine(outDir, KpiFileName);
        // Outputs of an earlier run in this folder must not be mistaken for this run's.
        File.Delete(recordingPath);
        File.Delete(kpiPath);

        var run = new BridgeRun(scenario);
        var runners = new List<VehicleRunner>();
        RunResult result;
        var wall = Stopwatch.StartNew();
        var exitMessage = string.Empty;
        // The local lane needs the Unix socket; without one, frames and commands go over gRPC.
        var lane = request.UnixSocket ? request.Lane : DriveLane.Grpc;
        await using (var recording = new FileStream(partialPath, FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 16))
        {
            BridgeServer server;
            try
            {
                server = await BridgeServer.StartAsync(run, request.BindAddress, request.Port, cancellationToken: cancellationToken, unixSocketPath: request.UnixSocket ? UnixSocketPath() : null, localDriveLane: lane != DriveLane.Grpc, tls: tls).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException)
            {
                await stderr.WriteLineAsync($"error: the bridge could not start: {ex.Message}").ConfigureAwait(false);
                return ExitCodes.RunError;
            }

            await using (server.ConfigureAwait(false))
            {
                if (!request.Quiet)
                {
                    await stderr.WriteLineAsync($"bridge listening on {server.Address}{(tls is null ? string.Empty : $" (TLS, client certificates from {request.TlsClientCa} required)")} — scenario '{scenario.Name}', seed {scenario.Seed}, {scenario.Duration.ToString("F1", CultureInfo.InvariantCulture)} s, {run.StackVehicleIds.Count} stack truck(s), drive lane {lane.ToString().ToLowerInvariant()}").ConfigureAwait(false);
                }

                if (external.Count > 0)
                {
                    // Always printed (also with --quiet): whoever starts the external vehicles needs it.
                    var anyAddress = request.BindAddress is { } bound && (bound.Equals(System.Net.IPAddress.Any) || bound.Equals(System.Net.IPAddress.IPv6Any));
                    await stderr.WriteLineAsync(
                        $"external vehicles {string.Join(", ", external)}: attach with --bridge {server.Address} --vehicle <id>"
                        + (tls is null
                            ? " (gRPC Drive stream over TCP)"
                            : " --tls-ca <the CA that issued the bridge's certificate> --tls-cert <id>.pem --tls-key <id>.key (gRPC Drive stream over TLS; the client certificate's CN must be the vehicle id)")
                        + (anyAddress ? " (listening on all interfaces: use one of this host's addresses)" : string.Empty)
                        + $"; waiting up to {scenario.AttachTimeout.ToString("F0", CultureInfo.InvariantCulture)} s").ConfigureAwait(false);
                }

                try
                {
                    foreach (var id in run.StackVehicleIds)
                    {
                        if (external.Contains(id))
                        {
                            continue;
                        }

                        var runner = request.InProcessVehicles
                            ? VehicleRunner.StartInProcess(id, server.LocalAddress, lane, modelsDirectory)
                            : VehicleRunner.StartProcess(id, server.LocalAddress, Path.Combine(outDir, "vehicles", id + ".log"), lane, modelsDirectory);
                        runners.Add(runner);
                        if (!request.Quiet)
                        {
                            await stderr.WriteLineAsync(runner.ProcessId is { } pid
                                ? $"  started vehicle process {id} (pid {pid})"
                                : $"  started in-process vehicle {id}").ConfigureAwait(false);
                        }
                    }

                    using var sampling = new CancellationTokenSource();
                    using var memoryLog = request.MemoryLogPath is { } memoryLogPath ? new MemoryLog(Path.GetFullPath(memoryLogPath), runners) : null;
                    var sampler = SampleMemoryAsync(runners, memoryLog, sampling.Token);
                    var progress = new ProgressPrinter(stderr, request.Quiet);
                    result = await run.RunAsync(
                        new BridgeRunOptions
                        {
                            Recording = recording,
                            Progress = memoryLog is null ? progress.Report : p =>
                            {
                                memoryLog.Reached(p.SimulatedTime);
                                progress.Report(p);
                            },
                            Notice = request.Quiet ? null : message => progress.Notice(message),
                            SumoWorkFolder = Path.Combine(outDir, "sumo"),
                            Metadata = new Dictionary<string, string>
                            {
                                ["scenario_sha256"] = Sha256OfFile(scenario.SourcePath),
                                ["map_sha256"] = Sha256OfFile(scenario.MapPath),
                            },
                        },
                        cancellationToken).ConfigureAwait(false);
                    progress.Done();
                    await sampling.CancelAsync().ConfigureAwait(false);
                    await sampler.ConfigureAwait(false);
                    foreach (var runner in runners)
                    {
                        await runner.WaitForExitAsync().ConfigureAwait(false);
                    }
                }
                catch (SimulatorBackendException ex)
                {
                    await stderr.WriteLineAsync($"error: {ex.Message}").ConfigureAwait(false);
                    return ExitCodes.RunError;
                }
                finally
                {
                    foreach (var runner in runners)
                    {
                        await runner.DisposeAsync().ConfigureAwait(false);
                    }
                }
            }
        }

        if (result.BackendFailure is { } backendFailure)
        {
            exitMessage = backendFailure;
            await stderr.WriteLineAsync($"error: {backendFailure}").ConfigureAwait(false);
        }
        else if (result.Cancelled)
        {
            exitMessage = "interrupted";
        }

        if (result.RecordingFailure is { } recordingFailure)
        {
            // The log could not take more: it stays run.mcap.partial (readable up to its last complete chunk).
            exitMessage = recordingFailure;
            recordingPath = partialPath;
            await stderr.WriteLineAsync($"error: {recordingFailure}; {partialPath} keeps everything written before (readable up to its last complete chunk): `automationstack recover {partialPath}` rebuilds its index").ConfigureAwait(false);
        }
        else
        {
            File.Move(partialPath, recordingPath, overwrite: true);
        }

        int exitCode = result.Cancelled || result.RecordingFailure is not null ? ExitCodes.RunError : result.Kpi.Passed ? ExitCodes.Passed : ExitCodes.CriteriaFailed;
        var bridgePeak = ProcessMemory.PeakResidentMegabytes(Environment.ProcessId);
        try
        {
            KpiReport.Write(kpiPath, scenario, result, runners, bridgePeak, recordingPath, exitCode, wall.Elapsed.TotalSeconds, lane.ToString().ToLowerInvariant());
        }
        catch (IOException ex)
        {
            // A full disk may refuse kpi.json as well: say so; the summary below still reaches stdout.
            await stderr.WriteLineAsync($"error: {kpiPath} could not be written: {ex.Message}").ConfigureAwait(false);
            exitCode = ExitCodes.RunError;
        }

        await stdout.WriteAsync(KpiReport.Summary(scenario, result, runners, bridgePeak, outDir, exitCode, exitMessage)).ConfigureAwait(false);
        if (request.Report)
        {
            // The run's verdict stands whatever happens to its report: a report problem is only a warning.
            var reportPath = Path.Combine(outDir, Reporting.ReportBuilder.ReportFileName);
            if (ReportCommand.TryWrite(outDir, reportPath, ReportCommand.ForScenario(scenario), out var reportProblem) is null)
            {
                await stderr.WriteLineAsync("warning: no report: " + reportProblem).ConfigureAwait(false);
            }
            else
            {
                await stdout.WriteLineAsync("report " + reportPath).ConfigureAwait(false);
            }
        }

        return exitCode;
    }

    private static async Task SampleMemoryAsync(List<VehicleRunner> runners, MemoryLog? memoryLog, CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                foreach (var runner in runners)
                {
                    runner.SampleMemory();
                }

                memoryLog?.SampleIfDue();

                await Task.Delay(MemorySampleInterval, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // Sampling stops with the run.
        }

        foreach (var runner in runners)
        {
            runner.SampleMemory();
        }

        memoryLog?.SampleIfDue(force: true);
    }

    /// <summary>
    /// <c>--perception lidar</c>: every stack truck's lead comes from the ONNX lidar detector (parameter
    /// <c>perception.lidar</c> = 1) and the world gives every truck a roof lidar (the scenario's <c>sensors.lidar</c>
    /// settings, enabled).
    /// </summary>
    public static Scenario WithLidarPerception(Scenario scenario)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        var vehicles = scenario.Vehicles
            .Select(v => v.Role != VehicleRole.Stack ? v : v with
            {
                Parameters = new Dictionary<string, double>(v.Parameters, StringComparer.Ordinal) { ["perception.lidar"] = 1 },
            })
            .ToArray();
        return scenario with
        {
            Vehicles = vehicles,
            World = scenario.World with { Lidar = scenario.World.Lidar with { Enabled = true } },
        };
    }

    /// <summary>
    /// Checks what would otherwise only fail inside a vehicle process once the run is going: every started stack
    /// truck's parameters, and for lidar perception (camera lights) the scenario's lidar (camera) and the detector
    /// (classifier) model, loaded once here so a missing or corrupt file is named before anything is written. Returns
    /// the problem, or null.
    /// </summary>
    private static string? Preflight(Scenario scenario, IReadOnlyList<string> external, string modelsDirectory)
    {
        var needsDetector = false;
        var needsClassifier = false;
        foreach (var vehicle in scenario.Vehicles)
        {
            if (vehicle.Role != VehicleRole.Stack || external.Contains(vehicle.Id))
            {
                continue;
            }

            PipelineOptions options;
            try
            {
                options = PipelineOptions.FromParameters(vehicle.Parameters);
            }
            catch (ArgumentException ex)
            {
                return $"{scenario.SourcePath}: vehicles: {vehicle.Id}: parameters: {ex.Message}";
            }

            if (options.Perception.Lidar && !scenario.World.Lidar.Enabled)
            {
                return $"{scenario.SourcePath}: vehicles: {vehicle.Id}: parameter 'perception.lidar' = 1 needs a lidar: set sensors.lidar.enabled: true (or run with --perception lidar)";
            }

            if (options.Perception.CameraLights && !scenario.World.Camera.Enabled)
            {
                return $"{scenario.SourcePath}: vehicles: {vehicle.Id}: parameter 'perception.camera_lights' = 1 needs a camera: set sensors.camera.enabled: true";
            }

            needsDetector |= options.Perception.Lidar;
            needsClassifier |= options.Perception.CameraLights;
        }

        try
        {
            var host = new VehicleHostOptions { ModelsDirectory = modelsDirectory };
            var perception = PerceptionOptions.Default with { Lidar = needsDetector, CameraLights = needsClassifier };
            using var detector = VehicleHost.CreateDetector(PipelineOptions.Default with { Perception = perception }, host);
            using var lights = VehicleHost.CreateLightClassifier(PipelineOptions.Default with { Perception = perception }, host);
            return null;
        }
        catch (PerceptionModelException ex)
        {
            return $"perception model not usable: {ex.Message}";
        }
    }

    /// <summary>A short, unique socket path (Unix socket paths are limited to about 100 bytes).</summary>
    private static string UnixSocketPath() =>
        Path.Combine(Path.GetTempPath(), $"automationstack-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..8]}.sock");

    internal static string Sha256OfFile(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    /// <summary>Progress on stderr: one updating line on a terminal, a line every few seconds otherwise.</summary>
    private sealed class ProgressPrinter(TextWriter writer, bool quiet)
    {
        private readonly bool _interactive = !Console.IsErrorRedirected;
        private int _ticks;

        public void Report(RunProgress p)
        {
            if (quiet)
            {
                return;
            }

            var line = string.Create(CultureInfo.InvariantCulture, $"  t = {p.SimulatedTime,7:F1} / {p.Duration:F1} s   real-time factor {p.RealTimeFactor,6:F1}×");
            if (_interactive)
            {
                writer.Write("\r" + line);
            }
            else if (_ticks++ % 5 == 0)
            {
                writer.WriteLine(line);
            }
        }

        public void Notice(string message)
        {
            if (_interactive)
            {
                writer.Write("\r");
            }

            writer.WriteLine("  " + message);
        }

        public void Done()
        {
            if (!quiet && _interactive)
            {
                writer.WriteLine();
            }
        }
    }
}
