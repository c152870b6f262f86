using AutomationStack.Bridge.Protocol;
using Grpc.Core;

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

    public override Task<SpawnReply> SpawnVehicle(SpawnRequest request, ServerCallContext context) => run.SpawnAsync(request);

    public override Task<DestroyReply> DestroyVehicle(DestroyRequest request, ServerCallContext context) => run.DestroyAsync(request);

    public override Task Drive(IAsyncStreamReader<VehicleToBridge> requestStream, IServerStreamWriter<BridgeToVehicle> responseStream, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return run.DriveAsync(requestStream, responseStream, context.CancellationToken);
    }

    public override async Task StreamGroundTruth(GroundTruthRequest request, IServerStreamWriter<GroundTruth> responseStream, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(responseStream);
        ArgumentNullException.ThrowIfNull(context);
        var reader = run.SubscribeGroundTruth();
        await foreach (var gt in reader.ReadAllAsync(context.CancellationToken).ConfigureAwait(false))
        {
            await responseStream.WriteAsync(gt, context.CancellationToken).ConfigureAwait(false);
        }
    }
}
