using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace AutomationStack.Bridge.Tests;

/// <summary>The bridge's TCP listener: loopback unless told otherwise.</summary>
[TestFixture]
[CancelAfter(60_000)]
public sealed class BridgeListenerTests
{
    [Test]
    public async Task StartAsync_DefaultBind_ListensOnLoopbackOnly()
    {
        await using var f = await BridgeFixture.StartAsync(duration: 1);
        var port = f.Server.Address.Port;
        Assert.That(f.Server.Address.Host, Is.EqualTo("127.0.0.1"));

        // Reachable on loopback...
        using (var loopback = new TcpClient())
        {
            await loopback.ConnectAsync(IPAddress.Loopback, port);
            Assert.That(loopback.Connected, Is.True);
        }

        // ...and on none of this host's other addresses.
        var others = NetworkInterface.GetAllNetworkInterfaces()
            .Where(n => n.OperationalStatus == OperationalStatus.Up)
            .SelectMany(n => n.GetIPProperties().UnicastAddresses)
            .Select(a => a.Address)
            .Where(a => !IPAddress.IsLoopback(a) && a.AddressFamily == AddressFamily.InterNetwork)
            .ToList();
        TestContext.Out.WriteLine($"non-loopback IPv4 addresses tried: {string.Join(", ", others)}");
        foreach (var address in others)
        {
            using var client = new TcpClient();
            Assert.ThrowsAsync<SocketException>(async () => await client.ConnectAsync(address, port).WaitAsync(TimeSpan.FromSeconds(5)), $"the bridge answered on {address}:{port}");
        }
    }
}
