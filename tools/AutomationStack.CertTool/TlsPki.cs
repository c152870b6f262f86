using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace AutomationStack.CertTool;

/// <summary>
/// <c>certtool tls</c>: a test PKI for the bridge's TLS, in PEM (X.509 v3, ECDSA P-256, SHA-256, made with .NET's
/// <see cref="CertificateRequest"/>): a CA (CA:true, pathlen 0, keyCertSign/cRLSign), a bridge server certificate
/// (serverAuth, subject alternative names for the given host names and IP addresses) and one client certificate per
/// vehicle (clientAuth, subject CN = the vehicle id: the only vehicle the bridge lets it attach as). Private keys are
/// PKCS#8 PEM files created with mode 0600.
/// </summary>
internal static class TlsPki
{
    public const string CaCertificateFile = "ca.pem";
    public const string CaKeyFile = "ca.key";
    public const string BridgeCertificateFile = "bridge.pem";
    public const string BridgeKeyFile = "bridge.key";

    public sealed record Request(string OutDirectory, IReadOnlyList<string> Hosts, IReadOnlyList<string> Vehicles, DateTimeOffset ValidFrom, int ValidDays, string? CaDirectory);

    /// <summary>Writes the files and returns their names (in the order written).</summary>
    public static List<string> Issue(Request request, TextWriter stdout)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(stdout);
        var notBefore = request.ValidFrom;
        var notAfter = request.ValidFrom.AddDays(request.ValidDays);
        Directory.CreateDirectory(request.OutDirectory);
        var written = new List<string>();

        X509Certificate2 ca;
        ECDsa caKey;
        if (request.CaDirectory is { } caDir)
        {
            (ca, caKey) = LoadCa(caDir);
        }
        else
        {
            caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var name = new X500DistinguishedName($"CN=AutomationStack TLS CA {Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}");
            var caRequest = new CertificateRequest(name, caKey, HashAlgorithmName.SHA256);
            caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: true, pathLengthConstraint: 0, critical: true));
            caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
            caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, critical: false));
            ca = caRequest.CreateSelfSigned(notBefore, notAfter);
            WriteCertificate(Path.Combine(request.OutDirectory, CaCertificateFile), ca);
            WritePrivateKey(Path.Combine(request.OutDirectory, CaKeyFile), caKey);
            written.Add(CaCertificateFile);
            written.Add(CaKeyFile);
            stdout.WriteLine($"{CaCertificateFile,-14} {ca.Subject} (CA), valid {Describe(ca)}");
        }

        using (ca)
        using (caKey)
        {
            if (request.Hosts.Count > 0)
            {
                var san = new SubjectAlternativeNameBuilder();
                foreach (var host in request.Hosts)
                {
                    if (IPAddress.TryParse(host, out var ip))
                    {
                        san.AddIpAddress(ip);
                    }
                    else
                    {
                        san.AddDnsName(host);
                    }
                }

                using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
                using var certificate = IssueLeaf(ca, caKey, key, "CN=" + request.Hosts[0], TlsServerAuth, san.Build(critical: false), notBefore, notAfter);
                WriteCertificate(Path.Combine(request.OutDirectory, BridgeCertificateFile), certificate);
                WritePrivateKey(Path.Combine(request.OutDirectory, BridgeKeyFile), key);
                written.Add(BridgeCertificateFile);
                written.Add(BridgeKeyFile);
                stdout.WriteLine($"{BridgeCertificateFile,-14} {certificate.Subject} (serverAuth; SAN {string.Join(", ", request.Hosts)}), valid {Describe(certificate)}");
            }

            foreach (var vehicle in request.Vehicles)
            {
                using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
                using var certificate = IssueLeaf(ca, caKey, key, "CN=" + vehicle, TlsClientAuth, null, notBefore, notAfter);
                WriteCertificate(Path.Combine(request.OutDirectory, vehicle + ".pem"), certificate);
                WritePrivateKey(Path.Combine(request.OutDirectory, vehicle + ".key"), key);
                written.Add(vehicle + ".pem");
                written.Add(vehicle + ".key");
                stdout.WriteLine($"{vehicle + ".pem",-14} {certificate.Subject} (clientAuth), valid {Describe(certificate)}");
            }

            File.WriteAllText(Path.Combine(request.OutDirectory, "README-tls.txt"), Readme(request, ca), new UTF8Encoding(false));
            written.Add("README-tls.txt");
        }

        stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"wrote {written.Count} files to {request.OutDirectory}"));
        return written;
    }

    private const string TlsServerAuth = "1.3.6.1.5.5.7.3.1";
    private const string TlsClientAuth = "1.3.6.1.5.5.7.3.2";

    private static X509Certificate2 IssueLeaf(X509Certificate2 ca, ECDsa caKey, ECDsa key, string subject, string purpose, X509Extension? san, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        var request = new CertificateRequest(new X500DistinguishedName(subject), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: false, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(purpose)], critical: false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
        if (san is not null)
        {
            request.CertificateExtensions.Add(san);
        }

        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        serial[0] |= 0x01;
        // The generator overload: a leaf may be issued for any window (a test PKI issues expired ones on purpose).
        return request.Create(ca.SubjectName, X509SignatureGenerator.CreateForECDsa(caKey), notBefore, notAfter, serial);
    }

    private static (X509Certificate2 Ca, ECDsa Key) LoadCa(string directory)
    {
        var certificatePath = Path.Combine(directory, CaCertificateFile);
        var keyPath = Path.Combine(directory, CaKeyFile);
        if (!File.Exists(certificatePath) || !File.Exists(keyPath))
        {
            throw new IOException($"--ca {directory}: expected {CaCertificateFile} and {CaKeyFile} there (written by an earlier `certtool tls`)");
        }

        var ca = X509Certificate2.CreateFromPem(File.ReadAllText(certificatePath));
        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(File.ReadAllText(keyPath));
            if (!ca.GetECDsaPublicKey()!.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(key.ExportSubjectPublicKeyInfo()))
            {
                throw new IOException($"--ca {directory}: {CaKeyFile} is not the key of {CaCertificateFile}");
            }
        }
        catch (CryptographicException ex)
        {
            key.Dispose();
            ca.Dispose();
            throw new IOException($"--ca {directory}: {CaCertificateFile}/{CaKeyFile} not usable: {ex.Message}", ex);
        }

        return (ca, key);
    }

    private static void WriteCertificate(string path, X509Certificate2 certificate) =>
        File.WriteAllText(path, certificate.ExportCertificatePem() + "\n", new UTF8Encoding(false));

    /// <summary>PKCS#8 PEM, created with mode 0600 (and forced to 0600 if the file already existed) before the key is written.</summary>
    internal static void WritePrivateKey(string path, ECDsa key)
    {
        var pem = key.ExportPkcs8PrivateKeyPem();
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using var stream = new FileStream(path, options);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(stream.SafeFileHandle, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        using var writer = new StreamWriter(stream, new UTF8Encoding(false));
        writer.Write(pem);
        writer.Write('\n');
    }

    private static string Describe(X509Certificate2 c) =>
        string.Create(CultureInfo.InvariantCulture, $"{c.NotBefore.ToUniversalTime():yyyy-MM-dd HH:mm:ss} to {c.NotAfter.ToUniversalTime():yyyy-MM-dd HH:mm:ss} UTC");

    private static string Readme(Request request, X509Certificate2 ca) => string.Create(CultureInfo.InvariantCulture, $"""
        AutomationStack TLS test PKI, written by `certtool tls` (ECDSA P-256, X.509 v3, PEM).

        ca.pem           the CA ({ca.Subject}): give it to the bridge as --tls-client-ca and to every vehicle as --tls-ca
        ca.key           the CA's private key, mode 0600 (only with a new CA): issue more with `certtool tls --ca <this dir>`
        bridge.pem/.key  the bridge's server certificate (serverAuth; SAN: {(request.Hosts.Count == 0 ? "none issued" : string.Join(", ", request.Hosts))}): run --tls-cert/--tls-key
        <id>.pem/.key    a vehicle's client certificate (clientAuth, subject CN = the vehicle id): vehicle --tls-cert/--tls-key

        vehicles: {(request.Vehicles.Count == 0 ? "none" : string.Join(", ", request.Vehicles))}
        valid from {request.ValidFrom.UtcDateTime:O} for {request.ValidDays} day(s)

        Keep every .key file secret. See docs/security.md.
        """);
}
