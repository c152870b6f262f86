using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using AutomationStack.Bridge.Protocol;
using AutomationStack.Contracts;
using AutomationStack.Tls;
using Grpc.Core;
using Grpc.Net.Client;

namespace AutomationStack.Vehicle.BridgeClient;

/// <summary>Why talking to the bridge failed; the vehicle host maps it to an exit code.</summary>
public sealed class BridgeConnectionException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// TLS with the bridge failed or the bridge refused this vehicle's identity: the bridge's certificate is not from the
/// trusted CA or not for its host name, the bridge refused the client certificate (or there was none), or the bridge
/// answered PermissionDenied. Not retried.
/// </summary>
public sealed class BridgeAuthenticationException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// TLS settings for an <c>https://</c> bridge: the CA(s) the bridge's server certificate must chain to (nothing else is
/// trusted), where they came from (for messages), and the vehicle's client certificate with its key (null: none is
/// presented, which a bridge with TLS refuses).
/// </summary>
public sealed record BridgeClientTls(X509Certificate2Collection TrustedAuthorities, string AuthoritiesPath, X509Certificate2? ClientCertificate);

/// <summary>Options of the bridge client (wall-clock limits for the connection only; never in the decision path).</summary>
public sealed record BridgeClientOptions
{
    /// <summary>Deadline of each unary call (connect, world info).</summary>
    public TimeSpan CallTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long to keep retrying the first connection while the bridge starts.</summary>
    public TimeSpan ConnectRetryWindow { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Which lane carries frames and commands.</summary>
    public DriveLane Lane { get; init; } = DriveLane.Auto;

    /// <summary>Required for an <c>https://</c> bridge address; must be null for any other.</summary>
    public BridgeClientTls? Tls { get; init; }
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
    private readonly Uri _address;
    private string? _serverCertificateProblem;
    private AsyncDuplexStreamingCall<VehicleToBridge, BridgeToVehicle>? _drive;
    private DelimitedMessageSocket? _local;
    private VehicleSession? _session;

    public BridgeVehicleInterface(Uri bridgeAddress, string vehicleId, BridgeClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(bridgeAddress);
        _vehicleId = vehicleId;
        _options = options ?? new BridgeClientOptions();
        _address = bridgeAddress;
        var handler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true };
        var address = bridgeAddress;
        var https = bridgeAddress.Scheme == Uri.UriSchemeHttps;
        if (https != (_options.Tls is not null))
        {
            throw new ArgumentException(https
                ? $"the bridge address {bridgeAddress} is https: TLS settings (trusted CA) are required"
                : $"TLS settings go with an https:// bridge address, not {bridgeAddress}");
        }

        if (_options.Tls is { } tls)
        {
            var host = bridgeAddress.HostNameType == UriHostNameType.IPv6 ? bridgeAddress.Host.Trim('[', ']') : bridgeAddress.IdnHost;
            handler.SslOptions = new SslClientAuthenticationOptions
            {
                EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
                // Always present our certificate (or none), whatever issuers the server lists.
                LocalCertificateSelectionCallback = (_, _, _, _, _) => tls.ClientCertificate!,
                RemoteCertificateValidationCallback = (_, certificate, chain, errors) =>
                {
                    _serverCertificateProblem = ServerCertificateProblem(certificate, chain, errors, host, tls);
                    return _serverCertificateProblem is null;
                },
            };
        }

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

    /// <summary>
    /// The bridge's certificate must chain to the trusted CA only (custom root trust, serverAuth EKU, valid now) and be
    /// issued for the host name (or IP address) of the bridge address (its subject alternative names; the CN is not used).
    /// </summary>
    private static string? ServerCertificateProblem(X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors, string host, BridgeClientTls tls)
    {
        if (certificate is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
        {
            return "the bridge presented no certificate";
        }

        var leaf = certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        var presented = new X509Certificate2Collection();
        if (chain is not null)
        {
            foreach (var element in chain.ChainElements)
            {
                presented.Add(element.Certificate);
            }
        }

        if (TlsFiles.Validate(leaf, tls.TrustedAuthorities, TlsFiles.ServerAuthOid, DateTimeOffset.UtcNow, presented) is { } problem)
        {
            return $"the bridge's {problem} (trusted CA: {tls.AuthoritiesPath})";
        }

        if (!leaf.MatchesHostname(host, allowWildcards: true, allowCommonName: false))
        {
            return $"the bridge's certificate '{leaf.Subject}' is not issued for '{host}' (its subject alternative names do not list it)";
        }

        return null;
    }

    /// <summary>Why a failed call was a TLS failure, or null when it was something else (e.g. the bridge not listening yet).</summary>
    private string? TlsFailure(RpcException ex)
    {
        if (_options.Tls is null)
        {
            return null;
        }

        if (_serverCertificateProblem is { } problem)
        {
            return $"refused the bridge at {_address}: {problem}";
        }

        for (Exception? inner = ex; inner is not null; inner = inner.InnerException)
        {
            if (inner is AuthenticationException)
            {
                return $"TLS handshake with the bridge at {_address} failed: {inner.Message}"
                    + (inner.InnerException is { } cause ? $" ({cause.Message})" : string.Empty)
                    + (_options.Tls.ClientCertificate is null ? "; no client certificate was presented (--tls-cert/--tls-key)" : string.Empty);
            }

            if (inner is IOException && inner.InnerException is not System.Net.Sockets.SocketException)
            {
                return $"the bridge at {_address} closed the TLS connection after the handshake ({inner.Message}): it refused "
                    + (_options.Tls.ClientCertificate is null ? "the connection without a client certificate (--tls-cert/--tls-key)" : $"the client certificate '{_options.Tls.ClientCertificate.Subject}' (not from its CA, expired, or without clientAuth)");
            }
        }

        return null;
    }

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
        catch (RpcException ex) when (ex.StatusCode is StatusCode.PermissionDenied or StatusCode.Unauthenticated)
        {
            throw new BridgeAuthenticationException($"attach of '{_vehicleId}' refused: {ex.Status.StatusCode}: {ex.Status.Detail}", ex);
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
            catch (RpcException ex) when (TlsFailure(ex) is { } why)
            {
                throw new BridgeAuthenticationException(why, ex);
            }
            catch (RpcException ex) when (ex.StatusCode is StatusCode.PermissionDenied or StatusCode.Unauthenticated)
            {
                throw new BridgeAuthenticationException($"the bridge refused this vehicle: {ex.Status.StatusCode}: {ex.Status.Detail}", ex);
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
