using System.Diagnostics;
using System.Globalization;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.RegularExpressions;
using AutomationStack.Bridge.Protocol;
using AutomationStack.CertTool;
using AutomationStack.Mcap;
using AutomationStack.Tls;
using Grpc.Core;
using Grpc.Net.Client;

namespace AutomationStack.Cli.Tests;

/// <summary>Test PKIs written by <c>certtool tls</c> (in-process) into a temporary folder.</summary>
internal sealed class TestPki : IDisposable
{
    public TestPki()
    {
        Root = Path.Combine(Path.GetTempPath(), "as-tls-" + Guid.NewGuid().ToString("N"));
        Issue("--out", Main, "--hosts", "127.0.0.1,localhost", "--vehicles", "truck1,truck2");
        Issue("--out", Other, "--hosts", "127.0.0.1,localhost", "--vehicles", "truck1");
        // Issued by the main CA, but expired long ago.
        Issue("--out", Expired, "--ca", Main, "--vehicles", "truck1", "--valid-from", "2020-01-01T00:00:00Z", "--valid-days", "1");
    }

    public string Root { get; }

    /// <summary>ca.pem/.key, bridge.pem/.key (127.0.0.1, localhost), truck1.pem/.key, truck2.pem/.key.</summary>
    public string Main => Path.Combine(Root, "pki");

    /// <summary>Another CA with its own bridge and truck1 certificates.</summary>
    public string Other => Path.Combine(Root, "other");

    /// <summary>truck1.pem/.key from the main CA, valid 2020-01-01 for one day.</summary>
    public string Expired => Path.Combine(Root, "expired");

    public string this[string file] => Path.Combine(Main, file);

    public void Dispose()
    {
        if (Directory.Exists(Root))
        {
            Directory.Delete(Root, recursive: true);
        }
    }

    private static void Issue(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = CertToolCommand.Run(["tls", .. args], stdout, stderr, () => DateTimeOffset.UtcNow);
        if (code != 0)
        {
            throw new InvalidOperationException($"certtool tls {string.Join(' ', args)} exited {code}: {stderr}");
        }
    }

    /// <summary>A raw gRPC client of the bridge over TLS presenting <paramref name="certificate"/> (any server certificate accepted).</summary>
    public static GrpcChannel Channel(int port, X509Certificate2? certificate)
    {
        var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, _, _, _) => true,
                LocalCertificateSelectionCallback = (_, _, _, _, _) => certificate!,
            },
        };
        return GrpcChannel.ForAddress(string.Create(CultureInfo.InvariantCulture, $"https://127.0.0.1:{port}"), new GrpcChannelOptions { HttpHandler = handler });
    }
}

/// <summary>
/// The bridge over TLS with client certificates, end to end: one <c>run --external truck1</c> with
/// <c>--tls-cert/--tls-key/--tls-client-ca</c> on 127.0.0.1 (truck2's vehicle process is started by <c>run</c> and
/// attaches over the Unix socket); while it waits for truck1, every kind of wrong client tries (no client certificate,
/// another CA, expired, truck2's certificate attaching as truck1, plaintext h2c, a vehicle that does not trust the
/// bridge's CA); then truck1's real vehicle process attaches over TLS and the run must pass.
/// Each test asserts one aspect of that run.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed partial class TlsBridgeTests
{
    private static readonly TimeSpan AttachInfoTimeout = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(3);
    private static readonly TimeSpan VehicleTimeout = TimeSpan.FromSeconds(60);

    private TestPki _pki = null!;
    private string _outDir = null!;
    private int _runExit;
    private string _runStdout = string.Empty;
    private string _runStderr = string.Empty;
    private readonly Dictionary<string, (int Code, string Stderr)> _attempts = new(StringComparer.Ordinal);
    private readonly List<(string Id, int Code, string Stderr)> _realVehicles = [];
    private Exception? _expiredFailure;
    private Exception? _plaintextFailure;
    private Exception? _spawnFailure;
    private string? _validConnect;
    private List<RunEvent> _events = [];
    private KpiSummary? _kpi;

    [OneTimeSetUp]
    public async Task RunWithTlsAndAttackers()
    {
        _pki = new TestPki();
        _outDir = Path.Combine(_pki.Root, "out");
        var watch = Stopwatch.StartNew();
        var scenario = Path.Combine(CliProcess.RepoRoot, "tests", "AutomationStack.Cli.Tests", "scenarios", "netns-udp-platoon.yaml");
        using var cli = CliProcess.StartCli("run", scenario, "--out", _outDir, "--duration", "3", "--external", "truck1",
            "--tls-cert", _pki["bridge.pem"], "--tls-key", _pki["bridge.key"], "--tls-client-ca", _pki["ca.pem"]);
        await cli.WaitForErrorTextAsync("attach with --bridge https://127.0.0.1:", AttachInfoTimeout);
        var port = int.Parse(BridgePort().Match(cli.StandardError).Groups[1].Value, CultureInfo.InvariantCulture);
        var bridge = string.Create(CultureInfo.InvariantCulture, $"https://127.0.0.1:{port}/");
        TestContext.Out.WriteLine($"bridge up after {watch.Elapsed.TotalSeconds:F1} s at {bridge}");

        string[] Vehicle(string id, string ca, string? certDir, string? certId = null) => certDir is null
            ? ["--bridge", bridge, "--vehicle", id, "--tls-ca", ca]
            : ["--bridge", bridge, "--vehicle", id, "--tls-ca", ca, "--tls-cert", Path.Combine(certDir, (certId ?? id) + ".pem"), "--tls-key", Path.Combine(certDir, (certId ?? id) + ".key")];
        var attackers = new Dictionary<string, string[]>(StringComparer.Ordinal)
        {
            ["no-client-certificate"] = Vehicle("truck1", _pki["ca.pem"], null),
            ["other-ca"] = Vehicle("truck1", _pki["ca.pem"], _pki.Other),
            ["truck2-as-truck1"] = Vehicle("truck1", _pki["ca.pem"], _pki.Main, "truck2"),
            ["untrusted-bridge"] = Vehicle("truck1", Path.Combine(_pki.Other, "ca.pem"), _pki.Other),
        };
        var attempts = attackers.Select(async a =>
        {
            using var process = StartVehicle(a.Value);
            var code = await process.WaitAsync(VehicleTimeout);
            return (a.Key, code, process.StandardError);
        }).ToList();

        // In-process clients: an expired certificate of the right CA, plaintext h2c, a valid certificate (Connect works,
        // SpawnVehicle does not).
        using (var expired = X509Certificate2.CreateFromPemFile(Path.Combine(_pki.Expired, "truck1.pem"), Path.Combine(_pki.Expired, "truck1.key")))
        {
            _expiredFailure = await CallFailure(TestPki.Channel(port, expired), c => c.ConnectAsync(Hello(), deadline: Deadline()).ResponseAsync);
        }

        using (var plaintext = GrpcChannel.ForAddress(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}")))
        {
            _plaintextFailure = await CallFailure(plaintext, c => c.ConnectAsync(Hello(), deadline: Deadline()).ResponseAsync);
        }

        using (var valid = X509Certificate2.CreateFromPemFile(_pki["truck2.pem"], _pki["truck2.key"]))
        using (var channel = TestPki.Channel(port, valid))
        {
            var client = new SimBridge.SimBridgeClient(channel);
            _validConnect = (await client.ConnectAsync(Hello(), deadline: Deadline())).ServerName;
            _spawnFailure = await CallFailure(channel, c => c.SpawnVehicleAsync(new SpawnRequest { VehicleId = "intruder", Kind = VehicleKind.Background, LaneId = "A1/0" }, deadline: Deadline()).ResponseAsync, dispose: false);
        }

        foreach (var (name, code, stderr) in await Task.WhenAll(attempts))
        {
            _attempts[name] = (code, stderr);
        }

        TestContext.Out.WriteLine($"attackers done after {watch.Elapsed.TotalSeconds:F1} s");

        // The real vehicle, over TLS with its own certificate (truck2 runs locally, over the Unix socket).
        var attach = Stopwatch.StartNew();
        var real = new[] { "truck1" }.Select(async id =>
        {
            using var process = StartVehicle(Vehicle(id, _pki["ca.pem"], _pki.Main));
            var code = await process.WaitAsync(VehicleTimeout);
            return (id, code, process.StandardError);
        }).ToList();
        _runExit = await cli.WaitAsync(RunTimeout);
        _realVehicles.AddRange(await Task.WhenAll(real));
        _runStdout = cli.StandardOutput;
        _runStderr = cli.StandardError;
        TestContext.Out.WriteLine($"run exited {_runExit} after {watch.Elapsed.TotalSeconds:F1} s ({attach.Elapsed.TotalSeconds:F1} s after the real vehicles started)\n{_runStdout}\n{_runStderr}");

        var recording = Path.Combine(_outDir, "run.mcap");
        if (File.Exists(recording))
        {
            using var reader = McapReader.Open(recording);
            _events = [.. reader.ReadMessages("/events").Select(m => RunEvent.Parser.ParseFrom(m.Data.Span))];
            _kpi = KpiSummary.Parser.ParseFrom(reader.ReadMessages("/kpi").Single().Data.Span);
        }
    }

    [OneTimeTearDown]
    public void Cleanup() => _pki?.Dispose();

    [Test]
    public void Run_ExternalVehicleOverTlsWithValidCertificate_CompletesAndPasses()
    {
        var diagnostics = $"{_runStdout}\n{_runStderr}\n" + string.Join("\n", _realVehicles.Select(v => $"{v.Id} ({v.Code}): {v.Stderr}"));
        Assert.Multiple(() =>
        {
            Assert.That(_runExit, Is.Zero, diagnostics);
            Assert.That(_realVehicles.Select(v => v.Code), Is.All.Zero, diagnostics);
            Assert.That(_realVehicles.Select(v => v.Stderr), Is.All.Contain("run ended: end of scenario"), diagnostics);
            Assert.That(_kpi?.Passed, Is.True, diagnostics);
            Assert.That(_kpi?.Collisions, Is.Zero, diagnostics);
            Assert.That(_runStderr, Does.Contain("(TLS, client certificates from"), "the bridge says it serves TLS");
            Assert.That(_runStderr, Does.Contain("truck2 attached"), "the local vehicle process (Unix socket) attached");
            Assert.That(_realVehicles.Select(v => v.Id), Is.EqualTo(new[] { "truck1" }));
            Assert.That(_validConnect, Is.EqualTo("automationstack-sim-bridge"), "Connect with a valid client certificate");
        });
    }

    [Test]
    public void Vehicle_NoClientCertificate_HandshakeRejectedAndNeverAttaches()
    {
        var (code, stderr) = _attempts["no-client-certificate"];
        Assert.Multiple(() =>
        {
            Assert.That(code, Is.EqualTo(7), stderr);
            Assert.That(stderr, Does.Contain("without a client certificate"));
            // truck1 attached exactly once: its real vehicle, after every refused attempt.
            Assert.That(Regex.Matches(_runStderr, "truck1 attached").Count, Is.EqualTo(1), _runStderr);
        });
    }

    [Test]
    public void Vehicle_ClientCertificateFromOtherCa_Rejected()
    {
        var (code, stderr) = _attempts["other-ca"];
        Assert.Multiple(() =>
        {
            Assert.That(code, Is.EqualTo(7), stderr);
            Assert.That(stderr, Does.Contain("refused the client certificate 'CN=truck1'"));
            Assert.That(_events.Any(e => e.Kind == "tls_client_rejected" && e.Detail.Contains("not issued by a trusted CA", StringComparison.Ordinal)), Is.True, Events());
        });
    }

    [Test]
    public void Connect_ExpiredClientCertificate_Rejected()
    {
        Assert.Multiple(() =>
        {
            Assert.That(_expiredFailure, Is.Not.Null, "an expired client certificate of the right CA was accepted");
            Assert.That(_events.Any(e => e.Kind == "tls_client_rejected" && e.Detail.Contains("not valid now", StringComparison.Ordinal)), Is.True, Events());
        });
    }

    [Test]
    public void Vehicle_CertificateForTruck2AttachingAsTruck1_PermissionDenied()
    {
        var (code, stderr) = _attempts["truck2-as-truck1"];
        Assert.Multiple(() =>
        {
            Assert.That(code, Is.EqualTo(7), stderr);
            Assert.That(stderr, Does.Contain("PermissionDenied").And.Contain("'truck2'").And.Contain("'truck1'"));
            Assert.That(_events.Any(e => e.Kind == "attach_refused" && e.VehicleId == "truck1" && e.Detail.Contains("'truck2'", StringComparison.Ordinal)), Is.True, Events());
        });
    }

    [Test]
    public void Connect_PlaintextClientAgainstTlsBridge_Fails()
    {
        Assert.That(_plaintextFailure, Is.Not.Null, "an h2c (http://) client reached the TLS bridge");
    }

    [Test]
    public void SpawnVehicle_WithVehicleCertificate_PermissionDenied()
    {
        Assert.That((_spawnFailure as RpcException)?.StatusCode, Is.EqualTo(StatusCode.PermissionDenied), _spawnFailure?.ToString());
    }

    [Test]
    public void Vehicle_BridgeCertificateFromOtherCa_RefusesBridge()
    {
        var (code, stderr) = _attempts["untrusted-bridge"];
        Assert.Multiple(() =>
        {
            Assert.That(code, Is.EqualTo(7), stderr);
            Assert.That(stderr, Does.Contain("refused the bridge").And.Contain("not issued by a trusted CA").And.Contain(Path.Combine(_pki.Other, "ca.pem")));
        });
    }

    /// <summary>
    /// No TLS private key (the CA's, the bridge's, the vehicles') reaches run.mcap, kpi.json, the run's other files or
    /// any process output: neither as PEM, its base64 body, PKCS#8 DER, nor the raw private scalar (bytes, hex, base64).
    /// </summary>
    [Test]
    public void Run_Tls_NoPrivateKeyInAnyOutput()
    {
        var files = Directory.GetFiles(_outDir, "*", SearchOption.AllDirectories);
        Assert.That(files.Select(Path.GetFileName), Does.Contain("run.mcap").And.Contain("kpi.json"));
        var contents = files.Select(f => (Name: f, Bytes: File.ReadAllBytes(f))).ToList();
        contents.Add(("run stdout+stderr", Encoding.UTF8.GetBytes(_runStdout + _runStderr)));
        contents.AddRange(_realVehicles.Select(v => ($"{v.Id} stderr", Encoding.UTF8.GetBytes(v.Stderr))));
        contents.AddRange(_attempts.Select(a => ($"{a.Key} stderr", Encoding.UTF8.GetBytes(a.Value.Stderr))));
        var checkedKeys = 0;
        foreach (var keyFile in new[] { "ca.key", "bridge.key", "truck1.key", "truck2.key" })
        {
            var pem = File.ReadAllText(_pki[keyFile]);
            using var key = ECDsa.Create();
            key.ImportFromPem(pem);
            var pkcs8 = key.ExportPkcs8PrivateKey();
            var scalar = key.ExportParameters(includePrivateParameters: true).D!;
            var body = Convert.ToBase64String(pkcs8);
            byte[][] needles =
            [
                pkcs8, scalar, Encoding.ASCII.GetBytes(pem.Trim()), Encoding.ASCII.GetBytes(body), Encoding.ASCII.GetBytes(body[..64]),
                Encoding.ASCII.GetBytes(Convert.ToHexString(scalar)), Encoding.ASCII.GetBytes(Convert.ToHexStringLower(scalar)), Encoding.ASCII.GetBytes(Convert.ToBase64String(scalar)),
            ];
            foreach (var (name, bytes) in contents)
            {
                foreach (var needle in needles)
                {
                    Assert.That(bytes.AsSpan().IndexOf(needle), Is.EqualTo(-1), $"{keyFile} in {name}");
                }
            }

            checkedKeys++;
        }

        Assert.That(checkedKeys, Is.EqualTo(4));
    }

    private static CliProcess StartVehicle(string[] arguments) =>
        CliProcess.Start("dotnet", ["exec", Path.Combine(TestContext.CurrentContext.TestDirectory, "AutomationStack.Vehicle.dll"), .. arguments]);

    private static ConnectRequest Hello() => new() { ProtocolVersion = ProtocolInfo.Version, ClientName = "tls-test" };

    private static DateTime Deadline() => DateTime.UtcNow.AddSeconds(10);

    private static async Task<Exception?> CallFailure<T>(GrpcChannel channel, Func<SimBridge.SimBridgeClient, Task<T>> call, bool dispose = true)
    {
        try
        {
            await call(new SimBridge.SimBridgeClient(channel));
            return null;
        }
        catch (Exception ex) when (ex is RpcException or HttpRequestException or IOException)
        {
            return ex;
        }
        finally
        {
            if (dispose)
            {
                channel.Dispose();
            }
        }
    }

    private string Events() => "events: " + string.Join("; ", _events.Select(e => $"{e.Kind} {e.VehicleId}: {e.Detail}"));

    [GeneratedRegex(@"attach with --bridge https://127\.0\.0\.1:(\d+)/")]
    private static partial Regex BridgePort();
}

/// <summary>The TLS options' checks before a run starts, and the vehicle process's: bad files exit 2 (run) or 6 (vehicle) naming the file; nothing written.</summary>
[TestFixture]
public sealed class TlsOptionTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private TestPki _pki = null!;

    [OneTimeSetUp]
    public void Issue() => _pki = new TestPki();

    [OneTimeTearDown]
    public void Cleanup() => _pki?.Dispose();

    [TestCase("missing", "--tls-cert", "file not found")]
    [TestCase("not-pem", "--tls-cert", "not a PEM certificate")]
    [TestCase("key-mismatch", "--tls-key", "does not match the certificate")]
    [TestCase("ca-not-ca", "--tls-client-ca", "is not a CA certificate")]
    [TestCase("client-cert-as-server", "--tls-cert", "does not allow serverAuth")]
    [TestCase("incomplete", "--tls-client-ca", "go together")]
    public async Task Run_BadTlsFile_ExitsTwoNamingTheFileAndWritesNothing(string kind, string option, string expected)
    {
        string? cert = _pki["bridge.pem"], key = _pki["bridge.key"], ca = _pki["ca.pem"];
        switch (kind)
        {
            case "missing":
                cert = Path.Combine(_pki.Root, "nowhere.pem");
                break;
            case "not-pem":
                cert = Path.Combine(_pki.Main, "README-tls.txt");
                break;
            case "key-mismatch":
                key = _pki["truck1.key"];
                break;
            case "ca-not-ca":
                ca = _pki["bridge.pem"];
                break;
            case "client-cert-as-server":
                cert = _pki["truck1.pem"];
                key = _pki["truck1.key"];
                break;
            case "incomplete":
                ca = null;
                break;
        }

        var outDir = Path.Combine(_pki.Root, "out-" + kind);
        string[] args = ["run", CliProcess.DefaultScenario, "--out", outDir, "--tls-cert", cert, "--tls-key", key, .. ca is null ? Array.Empty<string>() : ["--tls-client-ca", ca]];
        var (code, _, stderr) = await CliProcess.RunCliAsync(Timeout, args);
        var named = option == "--tls-cert" ? cert : option == "--tls-key" ? key : null;
        Assert.Multiple(() =>
        {
            Assert.That(code, Is.EqualTo(2), stderr);
            Assert.That(stderr, Does.Contain(option).And.Contain(expected));
            if (named is not null)
            {
                Assert.That(stderr, Does.Contain(named), "the file is named");
            }

            Assert.That(Directory.Exists(outDir), Is.False, "nothing written");
        });
    }

    [TestCase("0.0.0.0")]
    [TestCase("192.0.2.10")]
    public async Task Run_NonLoopbackBindWithoutTls_ExitsTwoSayingToUseTls(string address)
    {
        var outDir = Path.Combine(_pki.Root, "out-bind");
        var (code, _, stderr) = await CliProcess.RunCliAsync(Timeout, "run", CliProcess.DefaultScenario, "--out", outDir, "--bind", address);
        Assert.Multiple(() =>
        {
            Assert.That(code, Is.EqualTo(2), stderr);
            Assert.That(stderr, Does.Contain("--bind " + address).And.Contain("--tls-cert").And.Contain("--tls-client-ca").And.Contain("--insecure"));
            Assert.That(Directory.Exists(outDir), Is.False, "nothing written");
        });
    }

    [TestCase("expired", "--tls-cert", "is not valid now", 6)]
    [TestCase("key-mismatch", "--tls-key", "does not match the certificate", 6)]
    [TestCase("ca-not-ca", "--tls-ca", "is not a CA certificate", 6)]
    [TestCase("no-ca", "--tls-ca", "needs --tls-ca", 2)]
    public async Task Vehicle_BadTlsFile_ExitsNamingTheFile(string kind, string option, string expected, int exitCode)
    {
        string? ca = _pki["ca.pem"], cert = _pki["truck1.pem"], key = _pki["truck1.key"];
        switch (kind)
        {
            case "expired":
                cert = Path.Combine(_pki.Expired, "truck1.pem");
                key = Path.Combine(_pki.Expired, "truck1.key");
                break;
            case "key-mismatch":
                key = _pki["truck2.key"];
                break;
            case "ca-not-ca":
                ca = _pki["truck2.pem"];
                break;
            case "no-ca":
                ca = null;
                break;
        }

        var dll = Path.Combine(TestContext.CurrentContext.TestDirectory, "AutomationStack.Vehicle.dll");
        string[] args = ["exec", dll, "--bridge", "https://127.0.0.1:1/", "--vehicle", "truck1", "--tls-cert", cert, "--tls-key", key, .. ca is null ? Array.Empty<string>() : ["--tls-ca", ca]];
        using var vehicle = CliProcess.Start("dotnet", args);
        var code = await vehicle.WaitAsync(Timeout);
        Assert.Multiple(() =>
        {
            Assert.That(code, Is.EqualTo(exitCode), vehicle.StandardError);
            Assert.That(vehicle.StandardError, Does.Contain(option).And.Contain(expected));
        });
    }

    [Test]
    public void CertToolTls_Issue_KeysOwnerOnlyCertificatesChainWithPurposes()
    {
        Assert.Multiple(() =>
        {
            foreach (var key in Directory.GetFiles(_pki.Main, "*.key"))
            {
                if (!OperatingSystem.IsWindows())
                {
                    Assert.That(File.GetUnixFileMode(key), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite), key);
                }
            }

            var now = DateTimeOffset.UtcNow;
            var cas = TlsFiles.LoadCertificateAuthorities("ca", _pki["ca.pem"], now);
            using var bridge = X509Certificate2.CreateFromPem(File.ReadAllText(_pki["bridge.pem"]));
            using var truck1 = X509Certificate2.CreateFromPem(File.ReadAllText(_pki["truck1.pem"]));
            Assert.That(TlsFiles.Validate(bridge, cas, TlsFiles.ServerAuthOid, now), Is.Null);
            Assert.That(TlsFiles.Validate(truck1, cas, TlsFiles.ClientAuthOid, now), Is.Null);
            Assert.That(TlsFiles.Validate(truck1, cas, TlsFiles.ServerAuthOid, now), Does.Contain("serverAuth"), "a client certificate is no server certificate");
            Assert.That(TlsFiles.CommonName(truck1), Is.EqualTo("truck1"));
            Assert.That(bridge.MatchesHostname("127.0.0.1") && bridge.MatchesHostname("localhost"), Is.True, "bridge SANs");
            Assert.That(bridge.MatchesHostname("bridge.example"), Is.False);
        });
    }
}
