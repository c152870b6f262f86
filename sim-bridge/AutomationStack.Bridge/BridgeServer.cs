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
    private readonly LocalDriveListener? _localDrive;

    private BridgeServer(WebApplication app, Uri address, string? unixSocketPath, LocalDriveListener? localDrive)
    {
        _app = app;
        Address = address;
        UnixSocketPath = unixSocketPath;
        _localDrive = localDrive;
    }

    /// <summary>The local Drive lane's socket (next to <see cref="UnixSocketPath"/>), or null when none is offered.</summary>
    public string? LocalDriveSocketPath => _localDrive?.Path;

    /// <summary>The TCP address (h2c), for vehicle processes on this or another machine.</summary>
    public Uri Address { get; }

    /// <summary>The Unix domain socket the bridge also listens on, when asked to (same-machine vehicle processes).</summary>
    public string? UnixSocketPath { get; }

    /// <summary>The address a vehicle process on this machine should use: the Unix socket when there is one.</summary>
    public Uri LocalAddress => UnixSocketPath is null ? Address : new Uri("unix://" + UnixSocketPath);

    /// <param name="unixSocketPath">Also listen on this Unix domain socket (HTTP/2 over UDS: no TCP stack on the
    /// lock-step path between processes of one machine); null for TCP only.</param>
    /// <param name="localDriveLane">With a Unix socket, also offer the local Drive lane (length-delimited Drive
    /// messages without HTTP/2) on <c>&lt;unixSocketPath&gt;.drive</c>; Connect tells clients where.</param>
    public static async Task<BridgeServer> StartAsync(BridgeRun run, IPAddress? bindAddress = null, int port = 0, CancellationToken cancellationToken = default, string? unixSocketPath = null, bool localDriveLane = true)
    {
        ArgumentNullException.ThrowIfNull(run);
        var localDrive = unixSocketPath is not null && localDriveLane ? LocalDriveListener.Start(run, unixSocketPath + ".drive") : null;
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        // Lock-step exchanges are latency-bound: run request handling inline on the socket threads (no blocking
        // code runs in the handlers) instead of hopping to the thread pool for every message.
        builder.WebHost.UseSockets(sockets => sockets.UnsafePreferInlineScheduling = true);
        builder.WebHost.ConfigureKestrel(options =>
        {
            options.Listen(bindAddress ?? IPAddress.Loopback, port, listen => listen.Protocols = HttpProtocols.Http2);
            if (unixSocketPath is not null)
            {
                File.Delete(unixSocketPath);
                options.ListenUnixSocket(unixSocketPath, listen => listen.Protocols = HttpProtocols.Http2);
            }
            options.Limits.Http2.MaxStreamsPerConnection = 1024;
        });
        builder.Services.AddGrpc(options =>
        {
            options.MaxReceiveMessageSize = MaxMessageBytes;
            options.MaxSendMessageSize = MaxMessageBytes;
            options.EnableDetailedErrors = true;
        });
        builder.Services.AddSingleton(run);
        builder.Services.AddSingleton(new BridgeEndpoints(localDrive?.Path));
        var app = builder.Build();
        app.MapGrpcService<SimBridgeService>();
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            if (localDrive is not null)
            {
                await localDrive.DisposeAsync().ConfigureAwait(false);
            }

            throw;
        }

        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses;
        var first = addresses?.FirstOrDefault(a => a.StartsWith("http://", StringComparison.Ordinal) && !a.Contains("unix:", StringComparison.Ordinal))
            ?? throw new InvalidOperationException("Kestrel reported no TCP listening address.");
        return new BridgeServer(app, new Uri(first.Replace("[::]", "127.0.0.1", StringComparison.Ordinal)), unixSocketPath, localDrive);
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
            if (_localDrive is not null)
            {
                await _localDrive.DisposeAsync().ConfigureAwait(false);
            }

            await _app.DisposeAsync().ConfigureAwait(false);
            if (UnixSocketPath is not null)
            {
                File.Delete(UnixSocketPath);
            }
        }
    }
}

/// <summary>What Connect tells clients about the bridge's other endpoints.</summary>
internal sealed record BridgeEndpoints(string? LocalDriveSocket);
