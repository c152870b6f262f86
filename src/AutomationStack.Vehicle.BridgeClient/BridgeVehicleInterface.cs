using AutomationStack.Bridge.Protocol;
using AutomationStack.Contracts;
using Grpc.Core;
using Grpc.Net.Client;

namespace AutomationStack.Vehicle.BridgeClient;

/// <summary>Why talking to the bridge failed; the vehicle host maps it to an exit code.</summary>
public sealed class BridgeConnectionException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>Options of the bridge client (wall-clock limits for the connection only; never in the decision path).</summary>
public sealed record BridgeClientOptions
{
    /// <summary>Deadline of each unary call (connect, world info).</summary>
    public TimeSpan CallTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long to keep retrying the first connection while the bridge starts.</summary>
    public TimeSpan ConnectRetryWindow { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Which lane carries frames and commands.</summary>
    public DriveLane Lane { get; init; } = DriveLane.Auto;
}

/// <summary>Which lane carries a truck's frames and commands; the control plane is gRPC either way.</summary>
public enum DriveLane
{
    /// <summary>The local lane when the bridge is reached over a Unix socket and offers one, else gRPC.</summary>
    Auto,

    /// <summary>The gRPC <c>Drive</c> bidirectional stream (HTTP/2), usable from any machine.</summary>
    Grpc,

    /// <summary>The bridge's local Drive lane (length-delimited messages on a Unix socket); an error when not offered.</summary>
    Local,
}

/// <summary>
/// <see cref="IVehicleInterface"/> over the sim-bridge gRPC API: Connect (version check), GetWorldInfo (map),
/// then one Drive stream carrying frames in and commands out.
/// </summary>
public sealed class BridgeVehicleInterface : IVehicleInterface
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(100);

    /// <summary>Address scheme for a bridge on a Unix domain socket: <c>unix:///tmp/bridge.sock</c>.</summary>
    public const string UnixScheme = "unix";

    private readonly GrpcChannel _channel;
    private readonly SimBridge.SimBridgeClient _client;
    private readonly string _vehicleId;
    private readonly BridgeClientOptions _options;
    private readonly bool _sameMachine;
    private AsyncDuplexStreamingCall<VehicleToBridge, BridgeToVehicle>? _drive;
    private DelimitedMessageSocket? _local;
    private VehicleSession? _session;

    public BridgeVehicleInterface(Uri bridgeAddress, string vehicleId, BridgeClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(bridgeAddress);
        _vehicleId = vehicleId;
        _options = options ?? new BridgeClientOptions();
        var handler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true };
        var address = bridgeAddress;
        if (bridgeAddress.Scheme == UnixScheme)
        {
            // gRPC over a Unix domain socket: same HTTP/2 protocol, no TCP stack between processes of one machine.
            var endpoint = new System.Net.Sockets.UnixDomainSocketEndPoint(bridgeAddress.AbsolutePath);
            handler.ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(endpoint, cancellationToken).ConfigureAwait(false);
                    return new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            };
            address = new Uri("http://localhost");
            _sameMachine = true;
        }

        _channel = GrpcChannel.ForAddress(address, new GrpcChannelOptions
        {
            MaxReceiveMessageSize = 64 * 1024 * 1024,
            HttpHandler = handler,
        });
        _client = new SimBridge.SimBridgeClient(_channel);
    }

    public VehicleSession Session => _session ?? throw new InvalidOperationException("Not connected.");

    /// <summary>The reason the bridge gave when it ended the run (null while running).</summary>
    public string? EndReason { get; private set; }

    public async Task ConnectAsync(CancellationToken cancellationToken)
    {
        var reply = await ConnectWithRetryAsync(cancellationToken).ConfigureAwait(false);
        if (reply.ProtocolVersion != ProtocolInfo.Version)
        {
            throw new BridgeConnectionException(ProtocolInfo.MismatchMessage(reply.ProtocolVersion, ProtocolInfo.Version));
        }

        WorldInfo info;
        try
        {
            info = await _client.GetWorldInfoAsync(new WorldInfoRequest(), deadline: Deadline(), cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException ex)
        {
            throw new BridgeConnectionException($"GetWorldInfo failed: {ex.Status.Detail}", ex);
        }

        var map = ProtocolMapping.ToRoadNetwork(info);
        var useLocal = _options.Lane switch
        {
            DriveLane.Grpc => false,
            DriveLane.Local => true,
            _ => _sameMachine && reply.LocalDriveSocket.Length > 0,
        };
        if (useLocal && reply.LocalDriveSocket.Length == 0)
        {
            throw new BridgeConnectionException("the local Drive lane was asked for, but the bridge offers none (its Connect reply names no local_drive_socket)");
        }

        var attach = new VehicleToBridge { Attach = new Attach { VehicleId = _vehicleId, ProtocolVersion = ProtocolInfo.Version } };
        var first = useLocal
            ? await AttachLocalAsync(reply.LocalDriveSocket, attach, cancellationToken).ConfigureAwait(false)
            : await AttachGrpcAsync(attach, cancellationToken).ConfigureAwait(false);
        if (first.MessageCase == BridgeToVehicle.MessageOneofCase.End)
        {
            throw new BridgeConnectionException($"attach of '{_vehicleId}' refused: {first.End.Reason}");
        }

        if (first.MessageCase != BridgeToVehicle.MessageOneofCase.Attached)
        {
            throw new BridgeConnectionException($"bridge answered Attach with {first.MessageCase}, expected Attached");
        }

        var attached = first.Attached;
        _session = SessionFrom(attached, map);
        TargetLaneId = attached.TargetLaneId;
    }

    /// <summary>The lane that carries this truck's frames and commands (valid after <see cref="ConnectAsync"/>).</summary>
    public DriveLane ActiveLane => _local is not null ? DriveLane.Local : DriveLane.Grpc;

    private async Task<BridgeToVehicle> AttachGrpcAsync(VehicleToBridge attach, CancellationToken cancellationToken)
    {
        _drive = _client.Drive(cancellationToken: cancellationToken);
        try
        {
            await _drive.RequestStream.WriteAsync(attach, cancellationToken).ConfigureAwait(false);
            if (!await _drive.ResponseStream.MoveNext(cancellationToken).ConfigureAwait(false))
            {
                throw new BridgeConnectionException($"bridge closed the Drive stream before attaching '{_vehicleId}'");
            }
        }
        catch (RpcException ex)
        {
            throw new BridgeConnectionException($"attach of '{_vehicleId}' refused: {ex.Status.StatusCode}: {ex.Status.Detail}", ex);
        }

        return _drive.ResponseStream.Current;
    }

    private async Task<BridgeToVehicle> AttachLocalAsync(string path, VehicleToBridge attach, CancellationToken cancellationToken)
    {
        try
        {
            _local = await DelimitedMessageSocket.ConnectUnixAsync(path, cancellationToken).ConfigureAwait(false);
            await _local.WriteAsync(attach, cancellationToken).ConfigureAwait(false);
            return await _local.ReadAsync(BridgeToVehicle.Parser, cancellationToken).ConfigureAwait(false)
                ?? throw new BridgeConnectionException($"bridge closed the local Drive lane before attaching '{_vehicleId}'");
        }
        catch (Exception ex) when (ex is System.Net.Sockets.SocketException or IOException or InvalidDataException)
        {
            throw new BridgeConnectionException($"local Drive lane {path}: {ex.Message}", ex);
        }
    }

    /// <summary>The lane the bridge asked this truck to keep.</summary>
    public string TargetLaneId { get; private set; } = string.Empty;

    /// <summary>The vehicle's session from the bridge's Attached reply and the map of its world info (also used by replay).</summary>
    public static VehicleSession SessionFrom(Attached attached, AutomationStack.RoadMap.RoadNetwork map)
    {
        ArgumentNullException.ThrowIfNull(attached);
        ArgumentNullException.ThrowIfNull(map);
        var parameters = new Dictionary<string, double>(attached.Parameters, StringComparer.Ordinal);
        return new VehicleSession(
            attached.VehicleId,
            attached.StationId,
            ProtocolMapping.FromWire(attached.Blueprint ?? new Blueprint()),
            map,
            attached.StepNs / 1e9,
            (int)attached.ControlPeriodSteps,
            attached.Seed,
            parameters,
            attached.Credentials is { } c
                ? new AutomationStack.Contracts.V2xCredentials(c.RootCertificate.Memory, [.. c.AuthorityCertificates.Select(a => a.Memory)], c.Certificate.Memory, c.PrivateKeyPkcs8.Memory, c.EpochMs)
                : null);
    }

    public async ValueTask<SensorFrame?> NextFrameAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var message = await ReceiveAsync(cancellationToken).ConfigureAwait(false);
            if (message is null)
            {
                EndReason ??= "bridge closed the stream";
                return null;
            }

            switch (message.MessageCase)
            {
                case BridgeToVehicle.MessageOneofCase.Frame:
                    return ProtocolMapping.FromWire(message.Frame);
                case BridgeToVehicle.MessageOneofCase.End:
                    EndReason = message.End.Reason;
                    return null;
                default:
                    throw new BridgeConnectionException($"unexpected {message.MessageCase} on the Drive stream");
            }
        }
    }

    public async ValueTask SendAsync(VehicleOutput output, CancellationToken cancellationToken)
    {
        var message = new VehicleToBridge { Command = ProtocolMapping.ToWire(_vehicleId, output) };
        try
        {
            if (_local is not null)
            {
                await _local.WriteAsync(message, cancellationToken).ConfigureAwait(false);
                return;
            }

            var drive = _drive ?? throw new InvalidOperationException("Not connected.");
            await drive.RequestStream.WriteAsync(message, cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException ex)
        {
            throw new BridgeConnectionException($"could not send command for frame {output.FrameNumber}: {ex.Status.Detail}", ex);
        }
        catch (Exception ex) when (ex is System.Net.Sockets.SocketException or IOException)
        {
            throw new BridgeConnectionException($"could not send command for frame {output.FrameNumber} on the local Drive lane: {ex.Message}", ex);
        }
    }

    private async ValueTask<BridgeToVehicle?> ReceiveAsync(CancellationToken cancellationToken)
    {
        if (_local is not null)
        {
            try
            {
                return await _local.ReadAsync(BridgeToVehicle.Parser, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is System.Net.Sockets.SocketException or IOException or InvalidDataException)
            {
                throw new BridgeConnectionException($"local Drive lane failed: {ex.Message}", ex);
            }
        }

        var drive = _drive ?? throw new InvalidOperationException("Not connected.");
        try
        {
            return await drive.ResponseStream.MoveNext(cancellationToken).ConfigureAwait(false) ? drive.ResponseStream.Current : null;
        }
        catch (RpcException ex)
        {
            throw new BridgeConnectionException($"Drive stream failed: {ex.Status.StatusCode}: {ex.Status.Detail}", ex);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_local is not null)
        {
            _local.CompleteWrites();
            _local.Dispose();
        }

        if (_drive is not null)
        {
            try
            {
                await _drive.RequestStream.CompleteAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is RpcException or InvalidOperationException or IOException)
            {
                // The stream is already gone.
            }

            _drive.Dispose();
        }

        _channel.Dispose();
    }

    private DateTime Deadline() => DateTime.UtcNow + _options.CallTimeout;

    private async Task<ConnectReply> ConnectWithRetryAsync(CancellationToken cancellationToken)
    {
        var giveUp = DateTime.UtcNow + _options.ConnectRetryWindow;
        while (true)
        {
            try
            {
                return await _client.ConnectAsync(
                    new ConnectRequest { ProtocolVersion = ProtocolInfo.Version, ClientName = _vehicleId },
                    deadline: Deadline(),
                    cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.FailedPrecondition)
            {
                throw new BridgeConnectionException(ex.Status.Detail, ex);
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.Unavailable && DateTime.UtcNow < giveUp)
            {
                await Task.Delay(RetryDelay, cancellationToken).ConfigureAwait(false);
            }
            catch (RpcException ex)
            {
                throw new BridgeConnectionException($"cannot reach the bridge: {ex.Status.StatusCode}: {ex.Status.Detail}", ex);
            }
        }
    }
}
