using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace AutomationStack.Traci;

/// <summary>How to start SUMO for <see cref="SumoProcess.Start"/>.</summary>
public sealed record SumoOptions
{
    /// <summary>Network file (<c>.net.xml</c>), passed as <c>--net-file</c>.</summary>
    public required string NetFile { get; init; }

    /// <summary>Route file(s) (<c>.rou.xml</c>), passed as <c>--route-files</c>; null for none.</summary>
    public string? RouteFiles { get; init; }

    /// <summary>Simulation step length, s (<c>--step-length</c>).</summary>
    public double StepLength { get; init; } = 0.1;

    /// <summary>Random seed (<c>--seed</c>); the same seed and inputs give the same run.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>Pass <c>--no-warnings</c>.</summary>
    public bool NoWarnings { get; init; }

    /// <summary>Further SUMO arguments, appended as given.</summary>
    public IReadOnlyList<string> ExtraArguments { get; init; } = [];

    /// <summary>SUMO binary; null = the <c>SUMO_BINARY</c> environment variable, else <c>sumo</c> from PATH.</summary>
    public string? Binary { get; init; }

    /// <summary>Working directory of the process; null = the current one.</summary>
    public string? WorkingDirectory { get; init; }

    /// <summary>How long to keep trying to connect after the start.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>Send/receive timeout of every TraCI call.</summary>
    public TimeSpan CommandTimeout { get; init; } = TimeSpan.FromSeconds(30);
}

/// <summary>
/// A SUMO process driven over TraCI on a free 127.0.0.1 port: <see cref="Start"/> launches it, connects with
/// retries and exposes <see cref="Client"/>; <see cref="Dispose"/> closes the connection and kills the process (also
/// done when the start fails). Standard output and error are drained; the last few kilobytes are kept for error
/// messages.
/// </summary>
public sealed class SumoProcess : IDisposable
{
    private const int TailChars = 4000;
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly Lock _outputLock = new();
    private TraciClient? _client;
    private bool _disposed;

    private SumoProcess(Process process, int port, IReadOnlyList<string> arguments)
    {
        _process = process;
        Port = port;
        Arguments = arguments;
    }

    /// <summary>The connected client.</summary>
    public TraciClient Client => _client ?? throw new ObjectDisposedException(nameof(SumoProcess));

    /// <summary>TraCI port on 127.0.0.1.</summary>
    public int Port { get; }

    /// <summary>Operating-system process id.</summary>
    public int ProcessId => _process.Id;

    /// <summary>The arguments SUMO was started with.</summary>
    public IReadOnlyList<string> Arguments { get; }

    /// <summary>True once the process has ended.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>The last few kilobytes of SUMO's standard output and error.</summary>
    public string OutputTail
    {
        get
        {
            lock (_outputLock) return _output.ToString();
        }
    }

    /// <summary>
    /// The SUMO binary that <see cref="Start"/> would use: <c>SUMO_BINARY</c> if set, else the first <c>sumo</c> on
    /// PATH; null when there is none.
    /// </summary>
    public static string? FindBinary(string? binary = null)
    {
        binary ??= Environment.GetEnvironmentVariable("SUMO_BINARY");
        return ResolveOnPath(string.IsNullOrEmpty(binary) ? "sumo" : binary);
    }

    private static string? ResolveOnPath(string name)
    {
        if (name.Contains('/', StringComparison.Ordinal)) return File.Exists(name) ? Path.GetFullPath(name) : null;
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, name);
            if (File.Exists(candidate)) return candidate;
        }

        return null;
    }

    /// <summary>A free TCP port on 127.0.0.1 (bound and released; another process could take it in between).</summary>
    public static int FreeLoopbackPort()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)listener.LocalEndPoint!).Port;
    }

    /// <summary>Starts SUMO and connects to it.</summary>
    /// <exception cref="TraciConnectionException">SUMO is missing, exited at start (message carries its output's
    /// tail) or did not accept a connection within <see cref="SumoOptions.ConnectTimeout"/>.</exception>
    public static SumoProcess Start(SumoOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        // The free port is released before SUMO binds it; should another process take it in between, try another.
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                return StartOnce(options);
            }
            catch (TraciConnectionException ex) when (attempt < 3 && ex.Message.Contains("in use", StringComparison.OrdinalIgnoreCase))
            {
                // next port
            }
        }
    }

    private static SumoProcess StartOnce(SumoOptions options)
    {
        var binary = FindBinary(options.Binary)
            ?? throw new TraciConnectionException(
                "SUMO binary not found (set SUMO_BINARY or put 'sumo' on PATH; Debian: apt-get install sumo sumo-tools).");
        int port = FreeLoopbackPort();
        var args = new List<string>
        {
            "--net-file", options.NetFile,
            "--remote-port", port.ToString(CultureInfo.InvariantCulture),
            "--step-length", options.StepLength.ToString("R", CultureInfo.InvariantCulture),
            "--seed", options.Seed.ToString(CultureInfo.InvariantCulture),
            "--no-step-log", "true",
        };
        if (options.RouteFiles is not null) args.AddRange(["--route-files", options.RouteFiles]);
        if (options.NoWarnings) args.AddRange(["--no-warnings", "true"]);
        args.AddRange(options.ExtraArguments);

        var psi = new ProcessStartInfo(binary)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            WorkingDirectory = options.WorkingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);

        var process = new Process { StartInfo = psi };
        SumoProcess? sumo = null;
        try
        {
            try
            {
                process.Start();
            }
            catch (Win32Exception ex)
            {
                throw new TraciConnectionException($"Could not start SUMO '{binary}': {ex.Message}", ex);
            }

            sumo = new SumoProcess(process, port, args);
            process.OutputDataReceived += (_, e) => sumo.Append(e.Data);
            process.ErrorDataReceived += (_, e) => sumo.Append(e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            sumo._client = sumo.ConnectWithRetries(options);
            sumo.Handshake();
            return sumo;
        }
        catch
        {
            if (sumo is not null) sumo.Dispose();
            else KillQuietly(process);
            process.Dispose();
            throw;
        }
    }

    private TraciClient ConnectWithRetries(SumoOptions options)
    {
        var deadline = Stopwatch.StartNew();
        var endPoint = new IPEndPoint(IPAddress.Loopback, Port);
        TraciException? last = null;
        while (deadline.Elapsed < options.ConnectTimeout)
        {
            if (_process.HasExited)
            {
                _process.WaitForExit(); // flush the output readers
                throw new TraciConnectionException(string.Create(CultureInfo.InvariantCulture,
                    $"SUMO exited with code {_process.ExitCode} before accepting a TraCI connection. Output tail:\n{OutputTail}"));
            }

            try
            {
                var client = TraciClient.Connect(endPoint, TimeSpan.FromSeconds(1));
                client.Timeout = options.CommandTimeout;
                return client;
            }
            catch (TraciConnectionException ex)
            {
                last = ex;
                Thread.Sleep(50);
            }
        }

        throw new TraciConnectionException(string.Create(CultureInfo.InvariantCulture,
            $"SUMO did not accept a TraCI connection on 127.0.0.1:{Port} within {options.ConnectTimeout.TotalSeconds} s. Output tail:\n{OutputTail}"), last);
    }

    /// <summary>
    /// SUMO accepts the TraCI connection before it loads its inputs, so a bad net or route file only shows as a
    /// closed connection: ask for the version and turn such a failure into an error carrying SUMO's output.
    /// </summary>
    private void Handshake()
    {
        try
        {
            Version = _client!.GetVersion();
        }
        catch (TraciConnectionException ex)
        {
            string exit = _process.WaitForExit(5000)
                ? string.Create(CultureInfo.InvariantCulture, $"exited with code {_process.ExitCode}")
                : "is still running";
            if (_process.HasExited) _process.WaitForExit(); // flush the output readers
            throw new TraciConnectionException($"SUMO {exit} without answering GetVersion. Output tail:\n{OutputTail}", ex);
        }
    }

    /// <summary>What SUMO answered to GetVersion at the start (API version 20 for SUMO 1.15, and its version text).</summary>
    public (int ApiVersion, string Software) Version { get; private set; }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_outputLock)
        {
            _output.AppendLine(line);
            if (_output.Length > TailChars) _output.Remove(0, _output.Length - TailChars);
        }
    }

    private static void KillQuietly(Process process)
    {
        try
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            process.WaitForExit(5000);
        }
        catch (InvalidOperationException)
        {
            // never started or already gone
        }
        catch (Win32Exception)
        {
            // already gone
        }
    }

    /// <summary>Sends Close (best effort, short timeout), then kills SUMO if it has not ended within 2 s.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        var client = _client;
        _client = null;
        if (client is not null)
        {
            try
            {
                client.Timeout = TimeSpan.FromSeconds(2);
                client.Close();
            }
            catch (TraciException)
            {
                // SUMO may already be gone; the kill below cleans up
            }
            catch (ObjectDisposedException)
            {
                // already closed
            }

            client.Dispose();
        }

        try
        {
            if (!_process.HasExited && !_process.WaitForExit(2000)) KillQuietly(_process);
            else _process.WaitForExit();
        }
        catch (InvalidOperationException)
        {
            // not started
        }

        _process.Dispose();
    }
}
