using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AutomationStack.Bridge;

/// <summary>
/// Hosts the SimBridge gRPC service for one run on Kestrel, HTTP/2 without TLS (h2c). Binds to loopback by default;
/// port 0 picks a free port, read back from <see cref="Address"/>.
/// </summary>
public sealed class BridgeServer : IAsyncDisposable
{
    private const int MaxMessageBytes = 64 * 1024 * 1024;

    private readonly WebApplication _app;

    private BridgeServer(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    public Uri Address { get; }

    public static async Task<BridgeServer> StartAsync(BridgeRun run, IPAddress? bindAddress = null, int port = 0, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        // Lock-step exchanges are latency-bound: run request handling inline on the socket threads (no blocking
        // code runs in the handlers) instead of hopping to the thread pool for every message.
        builder.WebHost.UseSockets(sockets => sockets.UnsafePreferInlineScheduling = true);
        builder.WebHost.ConfigureKestrel(options =>
        {
            options.Listen(bindAddress ?? IPAddress.Loopback, port, listen => listen.Protocols = HttpProtocols.Http2);
            options.Limits.Http2.MaxStreamsPerConnection = 1024;
        });
        builder.Services.AddGrpc(options =>
        {
            options.MaxReceiveMessageSize = MaxMessageBytes;
            options.MaxSendMessageSize = MaxMessageBytes;
            options.EnableDetailedErrors = true;
        });
        builder.Services.AddSingleton(run);
        var app = builder.Build();
        app.MapGrpcService<SimBridgeService>();
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses;
        var first = addresses?.FirstOrDefault() ?? throw new InvalidOperationException("Kestrel reported no listening address.");
        return new BridgeServer(app, new Uri(first.Replace("[::]", "127.0.0.1", StringComparison.Ordinal)));
    }

    public async ValueTask DisposeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await _app.StopAsync(cts.Token).ConfigureAwait(false);
        }
        finally
        {
            await _app.DisposeAsync().ConfigureAwait(false);
        }
    }
}
