using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using AutomationStack.Platooning.Protocol;
using AutomationStack.Platooning.Security;

namespace AutomationStack.CertTool;

/// <summary>certtool's commands, testable in-process: the clock and the output writers are passed in.</summary>
internal static class CertToolCommand
{
    public const int Ok = 0;
    public const int BadArguments = 2;
    public const int IoError = 3;
    public const int InvalidCertificate = 4;

    private const string Usage = """
        usage:
          certtool init --out <dir> --stations 1,2,3 [--valid-from <ISO8601>] [--valid-days N]
          certtool tls --out <dir> [--hosts <name|ip>,...] [--vehicles <id>,...] [--ca <dir>]
                       [--valid-from <ISO8601>] [--valid-days N]
          certtool show <file.cert>
          certtool bench [--seconds N]
        exit codes: 0 ok, 2 bad arguments, 3 I/O error, 4 invalid certificate file
        """;

    public static int Run(string[] args, TextWriter stdout, TextWriter stderr, Func<DateTimeOffset> clock)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        ArgumentNullException.ThrowIfNull(clock);
        try
        {
            if (args.Length == 0)
            {
                throw new UsageException("no command");
            }

            return args[0] switch
            {
                "init" => Init(args[1..], stdout, clock),
                "tls" => Tls(args[1..], stdout, clock),
                "show" => Show(args[1..], stdout),
                "bench" => Bench(args[1..], stdout),
                "help" or "--help" or "-h" => Help(stdout),
                _ => throw new UsageException($"unknown command '{args[0]}'"),
            };
        }
        catch (UsageException ex)
        {
            stderr.WriteLine($"certtool: {ex.Message}");
            stderr.WriteLine(Usage);
            return BadArguments;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine($"certtool: I/O error: {ex.Message}");
            return IoError;
        }
        catch (V2xDecodeException ex)
        {
            stderr.WriteLine($"certtool: invalid certificate: {ex.Message}");
            return InvalidCertificate;
        }
    }

    private static int Help(TextWriter stdout)
    {
        stdout.WriteLine(Usage);
        return Ok;
    }

    private static Dictionary<string, string> Options(string[] args, params string[] allowed)
    {
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            if (!allowed.Contains(name, StringComparer.Ordinal))
            {
                throw new UsageException($"unknown option '{name}'");
            }

            if (i + 1 >= args.Length)
            {
                throw new UsageException($"{name} needs a value");
            }

            if (!options.TryAdd(name, args[++i]))
            {
                throw new UsageException($"{name} given twice");
            }
        }

        return options;
    }

    private static int Init(string[] args, TextWriter stdout, Func<DateTimeOffset> clock)
    {
        var options = Options(args, "--out", "--stations", "--valid-from", "--valid-days");
        if (!options.TryGetValue("--out", out var outDir) || string.IsNullOrWhiteSpace(outDir))
        {
            throw new UsageException("--out <dir> is required");
        }

        if (!options.TryGetValue("--stations", out var stationList))
        {
            throw new UsageException("--stations 1,2,3 is required");
        }

        var stations = new List<uint>();
        foreach (var part in stationList.Split(',', StringSplitOptions.TrimEntries))
        {
            if (!uint.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var id) || id == 0)
            {
                throw new UsageException($"--stations: '{part}' is not a station id in 1..{uint.MaxValue}");
            }

            if (stations.Contains(id))
            {
                throw new UsageException($"--stations: {id} listed twice");
            }

            stations.Add(id);
        }

        var (validFrom, days) = Validity(options, clock);
        var fromMs = (ulong)validFrom.ToUnixTimeMilliseconds();
        var toMs = fromMs + ((ulong)days * 86_400_000UL) - 1;

        Directory.CreateDirectory(outDir);
        using var rootKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var aaKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var root = V2xCertificate.CreateRoot("AutomationStack root", rootKey, fromMs, toMs, V2xPermissions.All);
        var aa = V2xCertificate.Issue(root, rootKey, CertificateKind.Aa, "AutomationStack AA", fromMs, toMs, V2xPermissions.All, 0, aaKey);
        File.WriteAllBytes(Path.Combine(outDir, "root.cert"), root.Encode());
        File.WriteAllBytes(Path.Combine(outDir, "aa.cert"), aa.Encode());
        stdout.WriteLine($"root.cert  {root}");
        stdout.WriteLine($"aa.cert    {aa}");
        foreach (var station in stations)
        {
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var subject = string.Create(CultureInfo.InvariantCulture, $"station {station}");
            var at = V2xCertificate.Issue(aa, aaKey, CertificateKind.At, subject, fromMs, toMs, V2xPermissions.Platooning, station, key);
            var name = string.Create(CultureInfo.InvariantCulture, $"station-{station}");
            File.WriteAllBytes(Path.Combine(outDir, name + ".cert"), at.Encode());
            TlsPki.WritePrivateKey(Path.Combine(outDir, name + ".key"), key);
            stdout.WriteLine($"{name}.cert {at}");
        }

        File.WriteAllText(Path.Combine(outDir, "README.txt"), Readme(validFrom, days, stations), Encoding.UTF8);
        stdout.WriteLine($"wrote {2 + (2 * stations.Count) + 1} files to {outDir}");
        return Ok;
    }

    private static (DateTimeOffset ValidFrom, int Days) Validity(Dictionary<string, string> options, Func<DateTimeOffset> clock)
    {
        DateTimeOffset validFrom;
        if (options.TryGetValue("--valid-from", out var fromText))
        {
            if (!DateTimeOffset.TryParse(fromText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out validFrom)
                || validFrom < DateTimeOffset.UnixEpoch)
            {
                throw new UsageException($"--valid-from: '{fromText}' is not an ISO 8601 time after 1970");
            }
        }
        else
        {
            validFrom = clock();
        }

        var days = 365;
        if (options.TryGetValue("--valid-days", out var daysText)
            && (!int.TryParse(daysText, NumberStyles.None, CultureInfo.InvariantCulture, out days) || days is < 1 or > 36500))
        {
            throw new UsageException($"--valid-days: '{daysText}' is not a number of days in 1..36500");
        }

        return (validFrom, days);
    }

    /// <summary><c>certtool tls</c>: the bridge's TLS test PKI (see <see cref="TlsPki"/>).</summary>
    private static int Tls(string[] args, TextWriter stdout, Func<DateTimeOffset> clock)
    {
        var options = Options(args, "--out", "--hosts", "--vehicles", "--ca", "--valid-from", "--valid-days");
        if (!options.TryGetValue("--out", out var outDir) || string.IsNullOrWhiteSpace(outDir))
        {
            throw new UsageException("--out <dir> is required");
        }

        var hosts = List(options, "--hosts", host => Uri.CheckHostName(host) is UriHostNameType.Dns or UriHostNameType.IPv4 or UriHostNameType.IPv6);
        var vehicles = List(options, "--vehicles", id => id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.') && id[0] != '.');
        if (hosts.Count == 0 && vehicles.Count == 0)
        {
            throw new UsageException("tls: give --hosts (the bridge's server certificate) and/or --vehicles (client certificates)");
        }

        if (vehicles.Any(v => v is "ca" or "bridge"))
        {
            throw new UsageException("--vehicles: 'ca' and 'bridge' are the CA's and the bridge's file names");
        }

        var (validFrom, days) = Validity(options, clock);
        TlsPki.Issue(new TlsPki.Request(outDir, hosts, vehicles, validFrom, days, options.GetValueOrDefault("--ca")), stdout);
        return Ok;
    }

    private static List<string> List(Dictionary<string, string> options, string name, Func<string, bool> valid)
    {
        var list = new List<string>();
        if (!options.TryGetValue(name, out var text))
        {
            return list;
        }

        foreach (var item in text.Split(',', StringSplitOptions.TrimEntries))
        {
            if (item.Length == 0 || !valid(item))
            {
                throw new UsageException($"{name}: '{item}' is not valid");
            }

            if (list.Contains(item, StringComparer.Ordinal))
            {
                throw new UsageException($"{name}: '{item}' listed twice");
            }

            list.Add(item);
        }

        return list;
    }

    private static string Readme(DateTimeOffset validFrom, int days, List<uint> stations) => string.Create(CultureInfo.InvariantCulture, $"""
        AutomationStack V2X test PKI, written by `certtool init`.

        root.cert          trust anchor (self-signed); configure it as the verifier's root
        aa.cert            authorisation authority issued by the root; add it to the verifier's trust store
        station-<id>.cert  authorisation ticket for station <id> (SendPam, SendPcm, SendPmm), issued by the AA
        station-<id>.key   that station's P-256 private key, PKCS#8 PEM, mode 0600 -- keep it secret

        stations: {string.Join(", ", stations)}
        valid from {validFrom.UtcDateTime:O} for {days} day(s)

        The root and AA private keys are not written: they exist only during `certtool init`.
        To add stations or renew, run `certtool init` again (it issues a new root).
        Format: docs/v2x-security.md. Inspect a certificate with `certtool show <file.cert>`.
        """);

    private static int Show(string[] args, TextWriter stdout)
    {
        if (args.Length != 1)
        {
            throw new UsageException("show takes exactly one certificate file");
        }

        var certificate = V2xCertificate.Decode(File.ReadAllBytes(args[0]));
        stdout.WriteLine($"kind         {certificate.Kind}");
        stdout.WriteLine($"subject      {certificate.SubjectName}");
        stdout.WriteLine($"digest       {certificate.Digest}");
        stdout.WriteLine($"issuer       {(certificate.Kind == CertificateKind.Root ? "self" : certificate.IssuerDigest.ToString())}");
        stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"valid from   {certificate.ValidFromMs} ms ({DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Min(certificate.ValidFromMs, 253402300799999UL)):O})"));
        stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"valid to     {certificate.ValidToMs} ms ({DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Min(certificate.ValidToMs, 253402300799999UL)):O})"));
        stdout.WriteLine($"permissions  {certificate.Permissions}");
        stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"station id   {certificate.StationId}"));
        stdout.WriteLine($"public key   {Convert.ToHexStringLower(certificate.PublicKey)}");
        stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"size         {certificate.Encoded.Length} bytes"));
        return Ok;
    }

    private static int Bench(string[] args, TextWriter stdout)
    {
        var options = Options(args, "--seconds");
        var seconds = 3.0;
        if (options.TryGetValue("--seconds", out var text)
            && (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out seconds) || !double.IsFinite(seconds) || seconds is <= 0 or > 600))
        {
            throw new UsageException($"--seconds: '{text}' is not a duration in (0, 600]");
        }

        var result = RunBench(seconds);
        stdout.WriteLine($"cpu: {CpuModel()} ({RuntimeInformation.ProcessArchitecture}, {RuntimeInformation.FrameworkDescription}), one thread");
        stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"message: {PcmSize}-byte PCM, envelope {result.EnvelopeSize} bytes (digest only, certificate cached)"));
        stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"encode+sign:   {result.SignPerSecond,10:F0} /s ({result.Signed} in {result.SignSeconds:F2} s; deterministic RFC 6979 ECDSA)"));
        stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"verify+decode: {result.VerifyPerSecond,10:F0} /s ({result.Verified} in {result.VerifySeconds:F2} s; BCL ECDSA verify)"));
        return Ok;
    }

    internal const int PcmSize = 45;

    internal readonly record struct BenchResult(long Signed, double SignSeconds, long Verified, double VerifySeconds, int EnvelopeSize)
    {
        public double SignPerSecond => Signed / SignSeconds;

        public double VerifyPerSecond => Verified / VerifySeconds;
    }

    /// <summary>Signs distinct PCMs for <paramref name="seconds"/>, then verifies them (warm cache) for at most as long.</summary>
    internal static BenchResult RunBench(double seconds)
    {
        const ulong now = 1_800_000_000_000UL;
        const uint station = 7;
        using var rootKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var aaKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var atKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var root = V2xCertificate.CreateRoot("bench root", rootKey, 0, ulong.MaxValue, V2xPermissions.All);
        var aa = V2xCertificate.Issue(root, rootKey, CertificateKind.Aa, "bench aa", 0, ulong.MaxValue, V2xPermissions.All, 0, aaKey);
        var at = V2xCertificate.Issue(aa, aaKey, CertificateKind.At, "bench at", 0, ulong.MaxValue, V2xPermissions.Platooning, station, atKey);
        using var signer = new V2xSigner(at, atKey);
        using var verifier = new V2xVerifier();
        verifier.AddRoot(root);
        verifier.AddAuthority(aa);

        var message = new byte[PcmSize];
        var size = signer.GetEnvelopeSize(PcmSize, includeCertificate: false, encrypted: false);
        var envelopes = new List<byte[]>();
        uint sequence = 1;

        // Warm the certificate cache.
        WriteHeader(message, station, now, sequence++);
        if (verifier.Verify(signer.Sign(message, includeCertificate: true, null), now, out _) != DropReason.None)
        {
            throw new InvalidOperationException("bench: warm-up message was not accepted");
        }

        var budget = TimeSpan.FromSeconds(seconds);
        var watch = Stopwatch.StartNew();
        var pcm = new Pcm(7, 1, 1234.56, -78.9, 0.25, 22.22, -0.35, -0.3, 0.6, 16.5, PcmStatus.None);
        while (watch.Elapsed < budget)
        {
            // Encode + sign, as a vehicle does for every PCM.
            V2xCodec.Encode(new MessageHeader(V2xMessageType.Pcm, station, now, sequence++), pcm, message);
            var envelope = new byte[size];
            signer.Sign(message, includeCertificate: false, null, envelope);
            envelopes.Add(envelope);
        }

        var signSeconds = watch.Elapsed.TotalSeconds;
        long verified = 0;
        watch.Restart();
        foreach (var envelope in envelopes)
        {
            // Verify + decode, as a receiving vehicle does.
            if (verifier.Verify(envelope, now, out var accepted) != DropReason.None || accepted is null || V2xCodec.Decode(accepted.Message.Span).Body is not Pcm)
            {
                throw new InvalidOperationException("bench: a message was not accepted");
            }

            verified++;
            if ((verified & 63) == 0 && watch.Elapsed >= budget)
            {
                break;
            }
        }

        return new BenchResult(envelopes.Count, signSeconds, verified, watch.Elapsed.TotalSeconds, size);
    }

    private static void WriteHeader(byte[] message, uint station, ulong timeMs, uint sequence)
    {
        var writer = new WireWriter(message);
        new MessageHeader(V2xMessageType.Pcm, station, timeMs, sequence).Write(ref writer);
        BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(MessageHeader.Size), sequence);
    }

    private static string CpuModel()
    {
        try
        {
            if (File.Exists("/proc/cpuinfo"))
            {
                foreach (var line in File.ReadLines("/proc/cpuinfo"))
                {
                    if (line.StartsWith("model name", StringComparison.Ordinal))
                    {
                        return line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
                    }
                }
            }
        }
        catch (IOException)
        {
        }

        return "unknown CPU";
    }

    private sealed class UsageException(string message) : Exception(message);
}
