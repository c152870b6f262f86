using System.Net;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using AutomationStack.Tls;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AutomationStack.Bridge;

/// <summary>
/// TLS of the bridge's TCP endpoint: the server certificate (with its key) and the CA(s) a vehicle's client certificate
/// must chain to. The certificates are owned by the caller.
/// </summary>
public sealed record BridgeTlsOptions(X509Certificate2 ServerCertificate, X509Certificate2Collection ClientCertificateAuthorities);

/// <summary>
/// Hosts the SimBridge gRPC service for one run on Kestrel: HTTP/2 without TLS (h2c), or with
/// <see cref="BridgeTlsOptions"/> HTTPS (HTTP/2 over TLS 1.2/1.3) with a mandatory client certificate validated against
/// the given CA only. Binds to loopback by default; port 0 picks a free port, read back from <see cref="Address"/>.
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

    /// <summary>The TCP address (h2c, or https with TLS), for vehicle processes on this or another machine.</summary>
    public Uri Address { get; }

    /// <summary>The Unix domain socket the bridge also listens on, when asked to (same-machine vehicle processes).</summary>
    public string? UnixSocketPath { get; }

    /// <summary>The address a vehicle process on this machine should use: the Unix socket when there is one.</summary>
    public Uri LocalAddress => UnixSocketPath is null ? Address : new Uri("unix://" + UnixSocketPath);

    /// <param name="unixSocketPath">Also listen on this Unix domain socket (HTTP/2 over UDS: no TCP stack on the
    /// lock-step path between processes of one machine); null for TCP only.</param>
    /// <param name="localDriveLane">With a Unix socket, also offer the local Drive lane (length-delimited Drive
    /// messages without HTTP/2) on <c>&lt;unixSocketPath&gt;.drive</c>; Connect tells clients where.</param>
    /// <param name="tls">TLS with client certificates on the TCP endpoint; null for h2c. The Unix socket (same machine,
    /// owner-only permissions with TLS) stays without TLS.</param>
    public static async Task<BridgeServer> StartAsync(BridgeRun run, IPAddress? bindAddress = null, int port = 0, CancellationToken cancellationToken = default, string? unixSocketPath = null, bool localDriveLane = true, BridgeTlsOptions? tls = null)
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
            options.Listen(bindAddress ?? IPAddress.Loopback, port, listen =>
            {
                listen.Protocols = HttpProtocols.Http2;
                if (tls is not null)
                {
                    listen.UseHttps(https =>
                    {
                        https.ServerCertificate = tls.ServerCertificate;
                        https.SslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13;
                        https.ClientCertificateMode = ClientCertificateMode.RequireCertificate;
                        https.CheckCertificateRevocation = false;
                        https.ClientCertificateValidation = (certificate, chain, _) =>
                        {
                            // Our own chain against the given CA only; the platform's verdict (system store) is ignored.
                            var presented = new X509Certificate2Collection();
                            if (chain is not null)
                            {
                                foreach (var element in chain.ChainElements)
                                {
                                    presented.Add(element.Certificate);
                                }
                            }

                            var problem = TlsFiles.Validate(certificate, tls.ClientCertificateAuthorities, TlsFiles.ClientAuthOid, DateTimeOffset.UtcNow, presented);
                            if (problem is not null)
                            {
                                run.NoteSecurityEvent("tls_client_rejected", TlsFiles.CommonName(certificate) ?? string.Empty, problem);
                            }

                            return problem is null;
                        };
                    });
                }
            });
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
        builder.Services.AddSingleton(new BridgeEndpoints(localDrive?.Path, tls is not null));
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

        if (tls is not null && unixSocketPath is not null && !OperatingSystem.IsWindows())
        {
            // With TLS the network is authenticated; the same-machine sockets are limited to this user.
            File.SetUnixFileMode(unixSocketPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            if (localDrive is not null)
            {
                File.SetUnixFileMode(localDrive.Path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
        }

        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses;
        var first = addresses?.FirstOrDefault(a => (a.StartsWith("http://", StringComparison.Ordinal) || a.StartsWith("https://", StringComparison.Ordinal)) && !a.Contains("unix:", StringComparison.Ordinal))
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

/// <summary>What Connect tells clients about the bridge's other endpoints, and whether the TCP endpoint is TLS-only.</summary>
internal sealed record BridgeEndpoints(string? LocalDriveSocket, bool Tls = false);
