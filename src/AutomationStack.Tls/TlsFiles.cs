using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace AutomationStack.Tls;

/// <summary>A TLS file that cannot be used: names the file (and the option it came from) and what was expected.</summary>
public sealed class TlsFileException(string message) : Exception(message);

/// <summary>
/// Loads the PEM files of the bridge's and the vehicle processes' TLS set-up and checks them before anything starts:
/// a certificate with its matching private key, and a CA certificate that is a CA. Every problem is a
/// <see cref="TlsFileException"/> naming the option, the file and what was expected.
/// </summary>
public static class TlsFiles
{
    /// <summary>id-kp-serverAuth.</summary>
    public const string ServerAuthOid = "1.3.6.1.5.5.7.3.1";

    /// <summary>id-kp-clientAuth.</summary>
    public const string ClientAuthOid = "1.3.6.1.5.5.7.3.2";

    private const string CommonNameOid = "2.5.4.3";

    /// <summary>
    /// The certificate of <paramref name="certificatePath"/> (PEM, the first CERTIFICATE block) with the private key of
    /// <paramref name="keyPath"/> (PEM, PKCS#8, SEC1 EC or PKCS#1 RSA); the key must belong to the certificate, the
    /// certificate must be valid now and, when it lists extended key usages, allow <paramref name="purposeOid"/>.
    /// </summary>
    public static X509Certificate2 LoadCertificateWithKey(string certificateOption, string certificatePath, string keyOption, string keyPath, string purposeOid, DateTimeOffset now)
    {
        var certificate = LoadCertificates(certificateOption, certificatePath)[0];
        var keyText = ReadText(keyOption, keyPath);
        if (!PemEncoding.TryFind(keyText, out var fields))
        {
            throw new TlsFileException($"{keyOption} {keyPath}: not a PEM file: expected a private key (-----BEGIN PRIVATE KEY----- or -----BEGIN EC PRIVATE KEY-----)");
        }

        var label = keyText[fields.Label];
        if (!label.EndsWith("PRIVATE KEY", StringComparison.Ordinal) || label.StartsWith("ENCRYPTED", StringComparison.Ordinal))
        {
            throw new TlsFileException($"{keyOption} {keyPath}: found a PEM '{label}' block, expected an unencrypted private key (PRIVATE KEY, EC PRIVATE KEY or RSA PRIVATE KEY)");
        }

        X509Certificate2 withKey;
        try
        {
            switch (certificate.GetKeyAlgorithm())
            {
                case "1.2.840.10045.2.1":
                {
                    using var ec = ECDsa.Create();
                    ec.ImportFromPem(keyText);
                    withKey = certificate.CopyWithPrivateKey(ec);
                    break;
                }

                case "1.2.840.113549.1.1.1":
                {
                    using var rsa = RSA.Create();
                    rsa.ImportFromPem(keyText);
                    withKey = certificate.CopyWithPrivateKey(rsa);
                    break;
                }

                default:
                    throw new TlsFileException($"{certificateOption} {certificatePath}: unsupported public key algorithm {certificate.GetKeyAlgorithm()} (expected ECDSA or RSA)");
            }
        }
        catch (Exception ex) when (ex is ArgumentException or CryptographicException)
        {
            throw new TlsFileException($"{keyOption} {keyPath}: the private key does not match the certificate {certificatePath} (or is not a key of its algorithm): {ex.Message}");
        }
        finally
        {
            certificate.Dispose();
        }

        try
        {
            CheckValidity(certificateOption, certificatePath, withKey, now);
            if (HasEku(withKey, out var ekus) && !ekus.Contains(purposeOid))
            {
                throw new TlsFileException($"{certificateOption} {certificatePath}: its extended key usage does not allow {PurposeName(purposeOid)} ({purposeOid})");
            }

            if (IsCa(withKey))
            {
                throw new TlsFileException($"{certificateOption} {certificatePath}: is a CA certificate (basicConstraints CA:true); expected an end-entity certificate for {PurposeName(purposeOid)}");
            }
        }
        catch
        {
            withKey.Dispose();
            throw;
        }

        return withKey;
    }

    /// <summary>The CA certificate(s) of <paramref name="path"/> (PEM): each must be a CA (basicConstraints CA:true) and valid now.</summary>
    public static X509Certificate2Collection LoadCertificateAuthorities(string option, string path, DateTimeOffset now)
    {
        var all = LoadCertificates(option, path);
        foreach (var ca in all)
        {
            if (!IsCa(ca))
            {
                throw new TlsFileException($"{option} {path}: '{ca.Subject}' is not a CA certificate: expected basicConstraints CA:true");
            }

            CheckValidity(option, path, ca, now);
        }

        return all;
    }

    /// <summary>
    /// Validates <paramref name="peer"/> against <paramref name="trustedRoots"/> ONLY (custom root trust, never the
    /// system store): chain to one of them, every certificate valid at <paramref name="now"/>, and the leaf must carry
    /// an extended key usage extension that lists <paramref name="purposeOid"/>. No revocation check (no CRL/OCSP).
    /// Returns null when valid, else the reason.
    /// </summary>
    public static string? Validate(X509Certificate2 peer, X509Certificate2Collection trustedRoots, string purposeOid, DateTimeOffset now, X509Certificate2Collection? presentedChain = null)
    {
        ArgumentNullException.ThrowIfNull(peer);
        ArgumentNullException.ThrowIfNull(trustedRoots);
        if (!HasEku(peer, out var ekus) || !ekus.Contains(purposeOid))
        {
            return $"certificate '{peer.Subject}' does not carry the {PurposeName(purposeOid)} extended key usage";
        }

        using var chain = new X509Chain();
        var policy = chain.ChainPolicy;
        policy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        policy.CustomTrustStore.AddRange(trustedRoots);
        policy.RevocationMode = X509RevocationMode.NoCheck;
        policy.DisableCertificateDownloads = true;
        policy.VerificationTime = now.UtcDateTime;
        policy.VerificationTimeIgnored = false;
        policy.ApplicationPolicy.Add(new Oid(purposeOid));
        if (presentedChain is not null)
        {
            policy.ExtraStore.AddRange(presentedChain);
        }

        if (chain.Build(peer))
        {
            return null;
        }

        var statuses = chain.ChainStatus
            .Where(s => s.Status != X509ChainStatusFlags.NoError)
            .Select(s => s.Status == X509ChainStatusFlags.UntrustedRoot || s.Status == X509ChainStatusFlags.PartialChain
                ? "not issued by a trusted CA"
                : s.Status == X509ChainStatusFlags.NotTimeValid
                    ? $"not valid now (valid {peer.NotBefore.ToUniversalTime():yyyy-MM-dd HH:mm:ss} to {peer.NotAfter.ToUniversalTime():yyyy-MM-dd HH:mm:ss} UTC)"
                    : s.Status + (string.IsNullOrWhiteSpace(s.StatusInformation) ? string.Empty : ": " + s.StatusInformation.Trim()))
            .Distinct(StringComparer.Ordinal);
        return $"certificate '{peer.Subject}' rejected: {string.Join("; ", statuses)}";
    }

    /// <summary>The certificate's subject common name (the vehicle id of a vehicle's client certificate), or null when it has none or several.</summary>
    public static string? CommonName(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        string? found = null;
        foreach (var rdn in certificate.SubjectName.EnumerateRelativeDistinguishedNames())
        {
            if (!rdn.HasMultipleElements && rdn.GetSingleElementType().Value == CommonNameOid)
            {
                if (found is not null)
                {
                    return null;
                }

                found = rdn.GetSingleElementValue();
            }
        }

        return found;
    }

    private static X509Certificate2Collection LoadCertificates(string option, string path)
    {
        var text = ReadText(option, path);
        if (!text.Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal))
        {
            throw new TlsFileException($"{option} {path}: not a PEM certificate: expected -----BEGIN CERTIFICATE-----");
        }

        var collection = new X509Certificate2Collection();
        try
        {
            collection.ImportFromPem(text);
        }
        catch (CryptographicException ex)
        {
            throw new TlsFileException($"{option} {path}: not a valid PEM X.509 certificate: {ex.Message}");
        }

        if (collection.Count == 0)
        {
            throw new TlsFileException($"{option} {path}: no certificate found: expected -----BEGIN CERTIFICATE-----");
        }

        return collection;
    }

    private static string ReadText(string option, string path)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            throw new TlsFileException($"{option}: a file name is required");
        }

        if (!File.Exists(path))
        {
            throw new TlsFileException($"{option} {path}: file not found");
        }

        try
        {
            var bytes = File.ReadAllBytes(path);
            if (bytes.Length > 1 << 20)
            {
                throw new TlsFileException($"{option} {path}: larger than 1 MiB: expected a PEM file");
            }

            return System.Text.Encoding.ASCII.GetString(bytes);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new TlsFileException($"{option} {path}: cannot read: {ex.Message}");
        }
    }

    private static void CheckValidity(string option, string path, X509Certificate2 certificate, DateTimeOffset now)
    {
        if (now < certificate.NotBefore.ToUniversalTime() || now > certificate.NotAfter.ToUniversalTime())
        {
            throw new TlsFileException($"{option} {path}: certificate '{certificate.Subject}' is not valid now: valid {certificate.NotBefore.ToUniversalTime():yyyy-MM-dd HH:mm:ss} to {certificate.NotAfter.ToUniversalTime():yyyy-MM-dd HH:mm:ss} UTC");
        }
    }

    private static bool IsCa(X509Certificate2 certificate) =>
        certificate.Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault() is { CertificateAuthority: true };

    private static bool HasEku(X509Certificate2 certificate, out HashSet<string> oids)
    {
        oids = new HashSet<string>(StringComparer.Ordinal);
        var eku = certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().FirstOrDefault();
        if (eku is null)
        {
            return false;
        }

        foreach (var oid in eku.EnhancedKeyUsages)
        {
            if (oid.Value is { } value)
            {
                oids.Add(value);
            }
        }

        return true;
    }

    private static string PurposeName(string oid) => oid switch
    {
        ServerAuthOid => "serverAuth",
        ClientAuthOid => "clientAuth",
        _ => oid,
    };
}
