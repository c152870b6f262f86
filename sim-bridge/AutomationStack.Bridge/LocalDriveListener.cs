using System.Net.Sockets;
using AutomationStack.Bridge.Protocol;
using Grpc.Core;

namespace AutomationStack.Bridge;

/// <summary>
/// The local Drive lane: a Unix domain socket on which vehicle processes of the bridge's machine exchange the Drive
/// stream's messages length-delimited, without HTTP/2. Each connection is handed to <see cref="BridgeRun.DriveAsync"/>
/// exactly like a gRPC Drive call, so attach checks, lock-step, timeouts and failure handling are the same code.
/// The control plane (Connect, world info, spawn, ground truth) stays on gRPC.
/// </summary>
internal sealed class LocalDriveListener : IAsyncDisposable
{
    private const int Backlog = 64;

    private readonly BridgeRun _run;
    private readonly Socket _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _connections = [];
    private readonly Lock _connectionsLock = new();
    private readonly Task _acceptLoop;

    private LocalDriveListener(BridgeRun run, Socket listener, string path)
    {
        _run = run;
        _listener = listener;
        Path = path;
        _acceptLoop = AcceptLoopAsync();
    }

    /// <summary>The socket's file system path.</summary>
    public string Path { get; }

    public static LocalDriveListener Start(BridgeRun run, string path)
    {
        ArgumentNullException.ThrowIfNull(run);
        File.Delete(path);
        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            listener.Bind(new UnixDomainSocketEndPoint(path));
            listener.Listen(Backlog);
        }
        catch
        {
            listener.Dispose();
            throw;
        }

        return new LocalDriveListener(run, listener, path);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Dispose();
        await _acceptLoop.ConfigureAwait(false);
        Task[] open;
        lock (_connectionsLock)
        {
            open = [.. _connections];
        }

        await Task.WhenAll(open).ConfigureAwait(false);
        _stop.Dispose();
        File.Delete(Path);
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            var connection = Serve(socket);
            lock (_connectionsLock)
            {
                _connections.RemoveAll(t => t.IsCompleted);
                _connections.Add(connection);
            }
        }
    }

    /// <summary>Serves one connection (off the accept loop).</summary>
    private Task Serve(Socket socket) => Task.Run(() => ServeAsync(socket));

    private async Task ServeAsync(Socket socket)
    {
        using var link = new DelimitedMessageSocket(socket);
        var reader = new LaneReader(link);
        var writer = new LaneWriter(link);
        try
        {
            await _run.DriveAsync(reader, writer, _stop.Token).ConfigureAwait(false);
        }
        catch (RpcException ex)
        {
            // The gRPC lane would end the call with this status; here the reason travels as the last message.
            await TryWriteAsync(link, new BridgeToVehicle { End = new EndOfRun { Reason = $"{ex.StatusCode}: {ex.Status.Detail}" } }).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or SocketException or InvalidDataException or OperationCanceledException or ObjectDisposedException)
        {
            // The peer went away or spoke garbage before attaching; an attached slot already recorded it.
        }

        link.CompleteWrites();
    }

    private static async Task TryWriteAsync(DelimitedMessageSocket link, BridgeToVehicle message)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        try
        {
            await link.WriteAsync(message, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // Nobody is listening any more.
        }
    }

    /// <summary>The vehicle → bridge half of a local lane, shaped like a gRPC request stream.</summary>
    private sealed class LaneReader(DelimitedMessageSocket link) : IAsyncStreamReader<VehicleToBridge>
    {
        private VehicleToBridge? _current;

        public VehicleToBridge Current => _current ?? throw new InvalidOperationException("MoveNext has not returned true.");

        public async Task<bool> MoveNext(CancellationToken cancellationToken)
        {
            try
            {
                _current = await link.ReadAsync(VehicleToBridge.Parser, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is SocketException or InvalidDataException)
            {
                throw new IOException($"local Drive lane: {ex.Message}", ex);
            }

            return _current is not null;
        }
    }

    /// <summary>The bridge → vehicle half of a local lane, shaped like a gRPC response stream.</summary>
    private sealed class LaneWriter(DelimitedMessageSocket link) : IServerStreamWriter<BridgeToVehicle>
    {
        public WriteOptions? WriteOptions { get; set; }

        public Task WriteAsync(BridgeToVehicle message) => WriteAsync(message, CancellationToken.None);

        public async Task WriteAsync(BridgeToVehicle message, CancellationToken cancellationToken)
        {
            try
            {
                await link.WriteAsync(message, cancellationToken).ConfigureAwait(false);
            }
            catch (SocketException ex)
            {
                throw new IOException($"local Drive lane: {ex.Message}", ex);
            }
        }
    }
}
