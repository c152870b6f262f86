using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using AutomationStack.Bridge.Protocol;
using AutomationStack.Mcap;

namespace AutomationStack.Cli.Tests;

/// <summary>
/// External vehicle processes in Linux network namespaces: two namespaces joined by a bridge device in the root
/// namespace (10.200.X.1/24 on the bridge, .2 and .3 in the namespaces, X random), <c>run --bind 10.200.X.1 --insecure
/// --external truck1,truck2</c> (h2c: the test network is closed) — or, in the TLS case, with <c>--tls-cert/--tls-key/
/// --tls-client-ca</c> from <c>certtool tls --hosts 10.200.X.1</c> and each vehicle with its own client certificate —, and one vehicle process per namespace with <c>--v2x-udp 10.200.X.255:P</c> (or a
/// 239.20.X.1 multicast group). The
/// platoon must drive in CACC with V2X carried only by UDP. Needs root and <c>ip</c>; otherwise an explicit skip.
/// Everything the test creates (processes, namespaces, links, output folder) is removed in <see cref="TearDown"/>.
/// </summary>
[TestFixture]
[Category("netns")]
[NonParallelizable]
public sealed partial class NetnsUdpPlatoonTests
{
    private static readonly TimeSpan IpTimeout = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan AttachInfoTimeout = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(4);
    private static readonly TimeSpan VehicleExitTimeout = TimeSpan.FromSeconds(30);
    private const double CaccFromSeconds = 3.0;

    private readonly List<CliProcess> _processes = [];
    private readonly List<string> _namespaces = [];
    private readonly List<string> _links = [];
    private readonly List<string> _cleanup = [];
    private string _ip = "ip";
    private string? _outDir;

    [TearDown]
    public void TearDown()
    {
        foreach (var process in _processes)
        {
            process.Dispose(); // kills what still runs
        }

        _processes.Clear();
        foreach (var ns in _namespaces)
        {
            TryIp("netns", "del", ns);
        }

        foreach (var link in _links)
        {
            TryIp("link", "del", link);
        }

        _namespaces.Clear();
        _links.Clear();
        if (_outDir is not null && Directory.Exists(_outDir))
        {
            Directory.Delete(_outDir, recursive: true);
        }

        foreach (var folder in _cleanup.Where(Directory.Exists))
        {
            Directory.Delete(folder, recursive: true);
        }

        _cleanup.Clear();
    }

    [TestCase("broadcast", false)]
    [TestCase("multicast", false)]
    [TestCase("broadcast", true)]
    public async Task Run_ExternalVehiclesInNamespacesWithUdpV2x_FollowerInCaccNoCollision(string addressing, bool tls)
    {
        RequireNetworkNamespaces();
        var suffix = Convert.ToHexStringLower(BitConverter.GetBytes(Random.Shared.Next()))[..6];
        var octet = FreeOctet();
        var subnet = $"10.200.{octet}";
        var bridgeAddress = subnet + ".1";
        var bridgeDevice = $"br-as-{suffix}";

        // Root namespace: the bridge device with the run's address. Namespaces: one veth each, .2 and .3.
        try
        {
            Ip("link", "add", bridgeDevice, "type", "bridge");
        }
        catch (InvalidOperationException ex)
        {
            Assert.Ignore($"netns test skipped: cannot create a bridge device ({ex.Message})");
        }

        _links.Add(bridgeDevice);
        Ip("addr", "add", bridgeAddress + "/24", "dev", bridgeDevice);
        Ip("link", "set", bridgeDevice, "up");
        var vehicles = new[] { ("truck1", $"as-{suffix}-1", subnet + ".2"), ("truck2", $"as-{suffix}-2", subnet + ".3") };
        for (var i = 0; i < vehicles.Length; i++)
        {
            var (_, ns, address) = vehicles[i];
            var hostSide = $"va{suffix}{i + 1}";
            var nsSide = $"vb{suffix}{i + 1}";
            Ip("netns", "add", ns);
            _namespaces.Add(ns);
            Ip("link", "add", hostSide, "type", "veth", "peer", "name", nsSide);
            _links.Add(hostSide);
            Ip("link", "set", hostSide, "master", bridgeDevice);
            Ip("link", "set", hostSide, "up");
            Ip("link", "set", nsSide, "netns", ns);
            Ip("-n", ns, "addr", "add", address + "/24", "dev", nsSide);
            Ip("-n", ns, "link", "set", nsSide, "up");
            Ip("-n", ns, "link", "set", "lo", "up");
        }

        var port = FreePort(bridgeAddress, SocketType.Stream, ProtocolType.Tcp);
        var v2xPort = FreePort(bridgeAddress, SocketType.Dgram, ProtocolType.Udp);
        // Broadcast on the bridge subnet, or a link-local-scope multicast group (TTL 1) joined on the veth.
        var v2xAddress = addressing == "multicast" ? $"239.20.{octet}.1" : $"{subnet}.255";
        _outDir = Path.Combine(Path.GetTempPath(), $"automationstack-netns-{suffix}");
        var scenario = Path.Combine(CliProcess.RepoRoot, "tests", "AutomationStack.Cli.Tests", "scenarios", "netns-udp-platoon.yaml");
        var port0 = port.ToString(CultureInfo.InvariantCulture);
        // Without TLS the bridge may leave loopback only with --insecure (a closed test network); with TLS the bridge's
        // certificate names the bridge address and each namespace's vehicle presents its own client certificate.
        var pki = _outDir + "-pki";
        _cleanup.Add(pki);
        string[] bridgeSecurity = ["--insecure"];
        if (tls)
        {
            var issued = CertTool.CertToolCommand.Run(["tls", "--out", pki, "--hosts", bridgeAddress, "--vehicles", "truck1,truck2"], TextWriter.Null, TextWriter.Null, () => DateTimeOffset.UtcNow);
            Assert.That(issued, Is.Zero, "certtool tls");
            bridgeSecurity = ["--tls-cert", Path.Combine(pki, "bridge.pem"), "--tls-key", Path.Combine(pki, "bridge.key"), "--tls-client-ca", Path.Combine(pki, "ca.pem")];
        }

        var scheme = tls ? "https" : "http";
        var cli = Track(CliProcess.StartCli(["run", scenario, "--out", _outDir, "--bind", bridgeAddress, .. bridgeSecurity, "--port", port0, "--external", "truck1,truck2"]));
        await cli.WaitForErrorTextAsync($"external vehicles truck1, truck2: attach with --bridge {scheme}://{bridgeAddress}:{port0}/", AttachInfoTimeout);

        var vehicleDll = Path.Combine(TestContext.CurrentContext.TestDirectory, "AutomationStack.Vehicle.dll");
        var processes = new List<(string Id, CliProcess Process)>();
        foreach (var (id, ns, address) in vehicles)
        {
            processes.Add((id, Track(CliProcess.Start(_ip,
            [
                "netns", "exec", ns, DotnetHost(), "exec", vehicleDll,
                "--bridge", $"{scheme}://{bridgeAddress}:{port0}", "--vehicle", id,
                "--v2x-udp", $"{v2xAddress}:{v2xPort.ToString(CultureInfo.InvariantCulture)}", "--v2x-udp-interface", address,
                .. tls ? ["--tls-ca", Path.Combine(pki, "ca.pem"), "--tls-cert", Path.Combine(pki, id + ".pem"), "--tls-key", Path.Combine(pki, id + ".key")] : Array.Empty<string>(),
            ]))));
        }

        var exitCode = await cli.WaitAsync(RunTimeout);
        var vehicleExits = new List<int>();
        foreach (var (_, process) in processes)
        {
            vehicleExits.Add(await process.WaitAsync(VehicleExitTimeout));
        }

        var diagnostics = $"run stdout:\n{cli.StandardOutput}\nrun stderr:\n{cli.StandardError}\n"
            + string.Join("\n", processes.Select(p => $"{p.Id} stderr:\n{p.Process.StandardError}"));
        TestContext.Out.WriteLine(diagnostics);
        Assert.That(exitCode, Is.Zero, diagnostics);
        Assert.That(vehicleExits, Is.All.Zero, diagnostics);

        var recording = Path.Combine(_outDir, "run.mcap");
        using var reader = McapReader.Open(recording);
        var kpi = KpiSummary.Parser.ParseFrom(reader.ReadMessages("/kpi").Single().Data.Span);
        var follower = reader.ReadMessages("/vehicle/truck2/command")
            .Select(m => (Time: m.LogTime / 1e9, Command: Command.Parser.ParseFrom(m.Data.Span)))
            .ToList();
        var settled = follower.Where(c => c.Time >= CaccFromSeconds).ToList();
        var caccShare = settled.Count(c => c.Command.Diagnostics.Platoon.LongitudinalMode == "Cacc") / (double)Math.Max(1, settled.Count);
        var accepted = follower.Count > 0 ? follower[^1].Command.Diagnostics.Platoon.V2XAccepted : 0;
        var v2xThroughBridge = 0L;
        foreach (var id in new[] { "truck1", "truck2" })
        {
            v2xThroughBridge += reader.ReadMessages($"/vehicle/{id}/command").Sum(m => (long)Command.Parser.ParseFrom(m.Data.Span).V2X.Count);
            v2xThroughBridge += reader.ReadMessages($"/vehicle/{id}/frame").Sum(m => (long)Frame.Parser.ParseFrom(m.Data.Span).V2X.Count);
        }

        var udpLogLines = reader.ReadMessages("/log")
            .Select(m => LogLine.Parser.ParseFrom(m.Data.Span))
            .Where(l => l.Text.Contains("v2x-udp: first datagram received", StringComparison.Ordinal))
            .Select(l => l.Source)
            .ToList();
        var counters = processes.Select(p => (p.Id, Counters: UdpCounters(p.Process.StandardError))).ToList();
        TestContext.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"collisions {kpi.Collisions}; follower CACC share after {CaccFromSeconds} s: {caccShare:P1} of {settled.Count} commands; follower v2x_accepted {accepted}; V2X through the bridge {v2xThroughBridge}; UDP {string.Join("; ", counters.Select(c => $"{c.Id} sent {c.Counters.Sent} received {c.Counters.Received} send errors {c.Counters.SendErrors}"))}"));

        Assert.Multiple(() =>
        {
            Assert.That(kpi.Collisions, Is.Zero, "collisions");
            Assert.That(kpi.Passed, Is.True, "pass criteria: " + string.Join(", ", kpi.FailedCriteria));
            Assert.That(settled, Is.Not.Empty, "follower commands after the first seconds");
            Assert.That(caccShare, Is.GreaterThanOrEqualTo(0.9), "follower's CACC share");
            Assert.That(accepted, Is.GreaterThan(0), "follower's accepted V2X messages");
            Assert.That(v2xThroughBridge, Is.Zero, "V2X messages in the bridge's commands and frames (the simulator's channel)");
            Assert.That(udpLogLines, Does.Contain("truck2"), "the follower's 'first datagram received' log line");
            foreach (var (id, c) in counters)
            {
                Assert.That(c.Sent, Is.GreaterThan(0), $"{id}: datagrams sent");
                Assert.That(c.Received, Is.GreaterThan(0), $"{id}: datagrams received");
                Assert.That(c.SendErrors, Is.Zero, $"{id}: send errors");
            }
        });
    }

    private CliProcess Track(CliProcess process)
    {
        _processes.Add(process);
        return process;
    }

    /// <summary>Skips (explicitly, with the reason) unless this is Linux, root, with <c>ip</c> and namespace support.</summary>
    private void RequireNetworkNamespaces()
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.Ignore("netns test skipped: needs Linux network namespaces (this is not Linux)");
        }

        if (!Environment.IsPrivilegedProcess)
        {
            Assert.Ignore("netns test skipped: needs root (creates network namespaces and a bridge device)");
        }

        var ip = new[] { "/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip" }.FirstOrDefault(File.Exists)
            ?? (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':', StringSplitOptions.RemoveEmptyEntries)
                .Select(dir => Path.Combine(dir, "ip")).FirstOrDefault(File.Exists);
        if (ip is null)
        {
            Assert.Ignore("netns test skipped: the 'ip' command (iproute2) was not found");
        }

        _ip = ip;
        var probe = $"as-probe-{Environment.ProcessId}";
        try
        {
            Ip("netns", "add", probe);
        }
        catch (InvalidOperationException ex)
        {
            Assert.Ignore($"netns test skipped: cannot create a network namespace ({ex.Message})");
        }

        Ip("netns", "del", probe);
    }

    /// <summary>A third octet for 10.200.X.0/24 that no address of this host uses yet.</summary>
    private string FreeOctet()
    {
        var used = Ip("-4", "-o", "addr", "show");
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var octet = Random.Shared.Next(1, 255).ToString(CultureInfo.InvariantCulture);
            if (!used.Contains($" 10.200.{octet}.", StringComparison.Ordinal))
            {
                return octet;
            }
        }

        throw new InvalidOperationException("no free 10.200.X.0/24 subnet");
    }

    /// <summary>A free port on an address the test created (bound briefly, then released).</summary>
    private static int FreePort(string address, SocketType type, ProtocolType protocol)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, type, protocol);
        socket.Bind(new IPEndPoint(IPAddress.Parse(address), 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    private string Ip(params string[] arguments)
    {
        var (code, output) = RunIp(arguments);
        return code == 0
            ? output
            : throw new InvalidOperationException($"'ip {string.Join(' ', arguments)}' exited {code}: {output.Trim()}");
    }

    private void TryIp(params string[] arguments) => RunIp(arguments);

    private (int Code, string Output) RunIp(string[] arguments)
    {
        var start = new ProcessStartInfo(_ip) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in arguments)
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start ip");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(IpTimeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            return (-1, $"timed out after {IpTimeout.TotalSeconds} s");
        }

        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    private static (long Sent, long SendErrors, long Received) UdpCounters(string stderr)
    {
        var match = CountersLine().Match(stderr);
        return match.Success
            ? (long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), long.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture), long.Parse(match.Groups[3].Value, CultureInfo.InvariantCulture))
            : (-1, -1, -1);
    }

    /// <summary>The dotnet muxer running the tests, so the vehicle processes use the same runtime.</summary>
    private static string DotnetHost()
    {
        var self = Environment.ProcessPath;
        if (self is not null && Path.GetFileNameWithoutExtension(self).Equals("dotnet", StringComparison.Ordinal))
        {
            return self;
        }

        var fromEnv = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        return !string.IsNullOrEmpty(fromEnv) && File.Exists(fromEnv) ? fromEnv : "dotnet";
    }

    [GeneratedRegex(@"v2x-udp sent (\d+), send errors (\d+), received (\d+)")]
    private static partial Regex CountersLine();
}

/// <summary>Argument checks of the external-vehicle options (no run starts).</summary>
[TestFixture]
public sealed class ExternalVehicleOptionTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Test]
    public async Task Run_ExternalUnknownVehicle_ExitsTwoNamingIt()
    {
        var outDir = Path.Combine(Path.GetTempPath(), $"automationstack-external-{Guid.NewGuid():N}");
        var (code, _, stderr) = await CliProcess.RunCliAsync(Timeout, "run", CliProcess.DefaultScenario, "--out", outDir, "--external", "truck1,truck9");
        Assert.Multiple(() =>
        {
            Assert.That(code, Is.EqualTo(2), stderr);
            Assert.That(stderr, Does.Contain("--external").And.Contain("'truck9'"));
            Assert.That(Directory.Exists(outDir), Is.False, "nothing written");
        });
    }

    [TestCase("--bind", "10.200", "--bind")]
    [TestCase("--bind", "localhost", "--bind")]
    [TestCase("--port", "70000", "--port")]
    [TestCase("--port", "-1", "--port")]
    [TestCase("--external", "truck1,,truck2", "--external")]
    public async Task Run_BadExternalOption_ExitsTwoNamingIt(string option, string value, string named)
    {
        var (code, _, stderr) = await CliProcess.RunCliAsync(Timeout, "run", CliProcess.DefaultScenario, option, value);
        Assert.That(code, Is.EqualTo(2), stderr);
        Assert.That(stderr, Does.Contain(named + ":"));
    }

    [TestCase("10.200.0.255", "--v2x-udp")]
    [TestCase("10.200.0.255:99999", "--v2x-udp")]
    [TestCase("127.0.0.1:47000", "--v2x-udp")]
    [TestCase("198.51.100.255:47000", "--v2x-udp")]
    public async Task Vehicle_BadV2xUdp_ExitsTwoNamingOption(string value, string named)
    {
        var dll = Path.Combine(TestContext.CurrentContext.TestDirectory, "AutomationStack.Vehicle.dll");
        using var vehicle = CliProcess.Start("dotnet", ["exec", dll, "--bridge", "http://127.0.0.1:1", "--vehicle", "truck1", "--v2x-udp", value]);
        var code = await vehicle.WaitAsync(Timeout);
        Assert.That(code, Is.EqualTo(2), vehicle.StandardError);
        Assert.That(vehicle.StandardError, Does.Contain(named + ":"));
    }

    [Test]
    public async Task Vehicle_V2xUdpInterfaceNotLocal_ExitsTwoNamingOption()
    {
        var dll = Path.Combine(TestContext.CurrentContext.TestDirectory, "AutomationStack.Vehicle.dll");
        using var vehicle = CliProcess.Start("dotnet", ["exec", dll, "--bridge", "http://127.0.0.1:1", "--vehicle", "truck1", "--v2x-udp", "239.20.0.1:47000", "--v2x-udp-interface", "198.51.100.7"]);
        var code = await vehicle.WaitAsync(Timeout);
        Assert.That(code, Is.EqualTo(2), vehicle.StandardError);
        Assert.That(vehicle.StandardError, Does.Contain("--v2x-udp-interface:"));
    }
}
