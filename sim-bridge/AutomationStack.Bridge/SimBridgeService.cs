using AutomationStack.Bridge.Protocol;
using AutomationStack.Tls;
using Grpc.Core;
using Microsoft.AspNetCore.Http.Features;

namespace AutomationStack.Bridge;

/// <summary>The gRPC face of a <see cref="BridgeRun"/>: thin, every decision lives in the run.</summary>
internal sealed class SimBridgeService(BridgeRun run, BridgeEndpoints endpoints) : SimBridge.SimBridgeBase
{
    public const string ServerName = "automationstack-sim-bridge";

    public override Task<ConnectReply> Connect(ConnectRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.ProtocolVersion != ProtocolInfo.Version)
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition, ProtocolInfo.MismatchMessage(ProtocolInfo.Version, request.ProtocolVersion)));
        }

        return Task.FromResult(new ConnectReply
        {
            ProtocolVersion = ProtocolInfo.Version,
            ServerName = ServerName,
            LocalDriveSocket = endpoints.LocalDriveSocket ?? string.Empty,
        });
    }

    public override Task<WorldInfo> GetWorldInfo(WorldInfoRequest request, ServerCallContext context) =>
        Task.FromResult(run.WorldInfo);

    public override Task<SpawnReply> SpawnVehicle(SpawnRequest request, ServerCallContext context)
    {
        DenyVehicleCertificate(context, "SpawnVehicle");
        return run.SpawnAsync(request);
    }

    public override Task<DestroyReply> DestroyVehicle(DestroyRequest request, ServerCallContext context)
    {
        DenyVehicleCertificate(context, "DestroyVehicle");
        return run.DestroyAsync(request);
    }

    public override Task Drive(IAsyncStreamReader<VehicleToBridge> requestStream, IServerStreamWriter<BridgeToVehicle> responseStream, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return run.DriveAsync(requestStream, responseStream, context.CancellationToken, CertifiedVehicle(context));
    }

    public override async Task StreamGroundTruth(GroundTruthRequest request, IServerStreamWriter<GroundTruth> responseStream, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(responseStream);
        ArgumentNullException.ThrowIfNull(context);
        DenyVehicleCertificate(context, "StreamGroundTruth");
        var reader = run.SubscribeGroundTruth();
        await foreach (var gt in reader.ReadAllAsync(context.CancellationToken).ConfigureAwait(false))
        {
            await responseStream.WriteAsync(gt, context.CancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The vehicle id a call is authorised for: with TLS, every call on the TCP endpoint carries a client certificate
    /// that Kestrel has validated against the CA, and its subject CN is the only vehicle it may attach as. Null when the
    /// call needs no identity: no TLS configured, or the same-machine Unix socket (owner-only with TLS).
    /// </summary>
    private string? CertifiedVehicle(ServerCallContext context)
    {
        if (!endpoints.Tls)
        {
            return null;
        }

        var http = context.GetHttpContext();
        if (http.Features.Get<ITlsConnectionFeature>() is null)
        {
            return null; // not the TLS endpoint: the Unix socket (the TCP endpoint accepts TLS only)
        }

        var certificate = http.Connection.ClientCertificate
            ?? throw new RpcException(new Status(StatusCode.Unauthenticated, "no client certificate on the TLS connection"));
        return TlsFiles.CommonName(certificate)
            ?? throw new RpcException(new Status(StatusCode.PermissionDenied, $"client certificate '{certificate.Subject}' names no single vehicle (subject CN)"));
    }

    /// <summary>Vehicle certificates authorise Connect, GetWorldInfo and Drive as their own vehicle; nothing else.</summary>
    private void DenyVehicleCertificate(ServerCallContext context, string call)
    {
        if (CertifiedVehicle(context) is { } id)
        {
            run.NoteSecurityEvent("call_refused", id, $"{call} refused for the client certificate of '{id}'");
            throw new RpcException(new Status(StatusCode.PermissionDenied, $"{call}: not allowed for a vehicle certificate ('{id}') on the TLS endpoint"));
        }
    }
}
