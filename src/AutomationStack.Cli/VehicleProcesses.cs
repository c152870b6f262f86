using System.Diagnostics;
using AutomationStack.Vehicle;
using AutomationStack.Vehicle.BridgeClient;

namespace AutomationStack.Cli;

/// <summary>A running vehicle: a child OS process (default) or an in-process task (debugging).</summary>
internal sealed class VehicleRunner : IAsyncDisposable
{
    private static readonly TimeSpan ExitWait = TimeSpan.FromSeconds(10);

    private readonly Process? _process;
    private readonly Task<int>? _task;
    private readonly StreamWriter? _log;
    private readonly CancellationTokenSource _stop;
    private double? _peakMegabytes;

    private VehicleRunner(string vehicleId, Process? process, Task<int>? task, StreamWriter? log, CancellationTokenSource? stop = null)
    {
        _stop = stop ?? new CancellationTokenSource();
        ProcessId = process?.Id;
        VehicleId = vehicleId;
        _process = process;
        _task = task;
        _log = log;
    }

    public string VehicleId { get; }

    public int? ProcessId { get; }

    public double? PeakResidentMegabytes => _peakMegabytes;

    public int? ExitCode { get; private set; }

    /// <summary>User + system CPU time of the child process at the last sample, s.</summary>
    public double? CpuSeconds { get; private set; }

    /// <summary>Starts <c>AutomationStack.Vehicle</c> as a child process, its output going to <paramref name="logPath"/>.</summary>
    public static VehicleRunner StartProcess(string vehicleId, Uri bridge, string logPath, DriveLane lane, string modelsDirectory)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "AutomationStack.Vehicle.dll");
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException($"vehicle executable not found next to the CLI: {dll}", dll);
        }

        var start = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(dll);
        start.ArgumentList.Add("--bridge");
        start.ArgumentList.Add(bridge.ToString());
        start.ArgumentList.Add("--vehicle");
        start.ArgumentList.Add(vehicleId);
        start.ArgumentList.Add("--drive-lane");
        start.ArgumentList.Add(lane.ToString().ToLowerInvariant());
        start.ArgumentList.Add("--models");
        start.ArgumentList.Add(modelsDirectory);

        Directory.CreateDirectory(Path.GetDirectoryName(logPath)!);
        var log = new StreamWriter(logPath, append: false) { AutoFlush = true };
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => WriteLine(log, e.Data);
        process.ErrorDataReceived += (_, e) => WriteLine(log, e.Data);
        if (!process.Start())
        {
            throw new InvalidOperationException($"could not start the vehicle process for {vehicleId}");
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new VehicleRunner(vehicleId, process, null, log);
    }

    /// <summary>Runs the vehicle pipeline on a task of this process, still through the bridge's lanes.</summary>
    public static VehicleRunner StartInProcess(string vehicleId, Uri bridge, DriveLane lane, string modelsDirectory)
    {
        var host = new VehicleHostOptions { ModelsDirectory = modelsDirectory };
        var stop = new CancellationTokenSource();
        var task = Task.Run(async () =>
        {
            await using var world = new BridgeVehicleInterface(bridge, vehicleId, new BridgeClientOptions { Lane = lane });
            try
            {
                await VehicleHost.RunAsync(world, host, stop.Token).ConfigureAwait(false);
                return VehicleExitCodes.Ok;
            }
            catch (Exception ex) when (ex is BridgeConnectionException or InvalidDataException)
            {
                return VehicleExitCodes.ConnectionFailed;
            }
            catch (ArgumentException)
            {
                return VehicleExitCodes.BadArguments;
            }
            catch (AutomationStack.Perception.PerceptionModelException)
            {
                return VehicleExitCodes.ModelError;
            }
            catch (OperationCanceledException)
            {
                return VehicleExitCodes.Ok;
            }
        });
        return new VehicleRunner(vehicleId, null, task, null, stop);
    }

    /// <summary>Reads the child's peak RSS (monotonic), keeping the largest value seen.</summary>
    public void SampleMemory()
    {
        if (_process is null)
        {
            return;
        }

        try
        {
            _process.Refresh();
            CpuSeconds = _process.TotalProcessorTime.TotalSeconds;
        }
        catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // Exited (or exiting: /proc/<pid>/stat vanished between the checks): keep the last reading.
        }

        var peak = ProcessMemory.PeakResidentMegabytes(_process.Id);
        if (peak is { } p && (_peakMegabytes is null || p > _peakMegabytes))
        {
            _peakMegabytes = p;
        }
    }

    public bool HasExited => _process?.HasExited ?? _task!.IsCompleted;

    /// <summary>Waits for the vehicle to finish after the run ended; kills it if it does not.</summary>
    public async Task WaitForExitAsync()
    {
        if (_process is not null)
        {
            using var cts = new CancellationTokenSource(ExitWait);
            try
            {
                await _process.WaitForExitAsync(cts.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync().ConfigureAwait(false);
            }

            ExitCode = _process.ExitCode;
        }
        else if (_task is not null)
        {
            if (await Task.WhenAny(_task, Task.Delay(ExitWait)).ConfigureAwait(false) != _task)
            {
                await _stop.CancelAsync().ConfigureAwait(false);
            }

            ExitCode = await _task.ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is not null)
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync().ConfigureAwait(false);
            }

            _process.Dispose();
        }

        if (_log is not null)
        {
            await _log.DisposeAsync().ConfigureAwait(false);
        }

        _stop.Dispose();
    }

    private static void WriteLine(StreamWriter log, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (log)
        {
            log.WriteLine(line);
        }
    }

    /// <summary>The dotnet muxer that runs this process, so children use the same runtime.</summary>
    private static string DotnetHost()
    {
        var self = Environment.ProcessPath;
        if (self is not null && Path.GetFileNameWithoutExtension(self).Equals("dotnet", StringComparison.Ordinal))
        {
            return self;
        }

        var fromEnv = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        return !string.IsNullOrEmpty(fromEnv) && File.Exists(fromEnv) ? fromEnv : "dotnet";
    }
}
