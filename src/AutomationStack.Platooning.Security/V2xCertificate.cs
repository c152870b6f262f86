using System.Globalization;
using System.Security.Cryptography;
using AutomationStack.Crypto;
using AutomationStack.Platooning.Protocol;

namespace AutomationStack.Platooning.Security;

/// <summary>
/// A compact V2X certificate (big-endian): version u8, kind u8, subject name (u8 length + UTF-8, at most 32 bytes),
/// issuer digest (<see cref="HashedId8"/>, zero for a root: it names itself), valid-from ms u64, valid-to ms u64,
/// permissions u16, station id u32 (0 for CAs), public key (65-byte uncompressed P-256 point), then the issuer's
/// ECDSA P-256/SHA-256 signature (64 bytes r||s) over every preceding byte. Immutable; decoding is strict.
/// </summary>
public sealed class V2xCertificate
{
    public const byte FormatVersion = 1;
    public const int MaxSubjectBytes = 32;
    public const int PublicKeySize = P256.PointSize;
    public const int SignatureSize = P256.SignatureSize;

    /// <summary>Largest possible encoding (subject of 32 bytes).</summary>
    public const int MaxEncodedSize = 1 + 1 + 1 + MaxSubjectBytes + HashedId8.Size + 8 + 8 + 2 + 4 + PublicKeySize + SignatureSize;

    private readonly byte[] _encoded;
    private readonly int _publicKeyOffset;

    private V2xCertificate(byte[] encoded, CertificateKind kind, string subjectName, HashedId8 issuerDigest, ulong validFromMs,
        ulong validToMs, V2xPermissions permissions, uint stationId, int publicKeyOffset)
    {
        _encoded = encoded;
        Kind = kind;
        SubjectName = subjectName;
        IssuerDigest = issuerDigest;
        ValidFromMs = validFromMs;
        ValidToMs = validToMs;
        Permissions = permissions;
        StationId = stationId;
        _publicKeyOffset = publicKeyOffset;
        Digest = HashedId8.Of(encoded);
    }

    public CertificateKind Kind { get; }

    public string SubjectName { get; }

    /// <summary>Digest of the issuing certificate; <see cref="HashedId8.Self"/> for a root.</summary>
    public HashedId8 IssuerDigest { get; }

    /// <summary>First instant of validity, absolute ms (inclusive).</summary>
    public ulong ValidFromMs { get; }

    /// <summary>Last instant of validity, absolute ms (inclusive).</summary>
    public ulong ValidToMs { get; }

    public V2xPermissions Permissions { get; }

    /// <summary>The station id an authorisation ticket may send as; 0 for CAs.</summary>
    public uint StationId { get; }

    /// <summary>This certificate's own name on the wire.</summary>
    public HashedId8 Digest { get; }

    /// <summary>The subject's public key, 65-byte uncompressed P-256 point.</summary>
    public ReadOnlySpan<byte> PublicKey => _encoded.AsSpan(_publicKeyOffset, PublicKeySize);

    public ReadOnlySpan<byte> Signature => _encoded.AsSpan(_encoded.Length - SignatureSize);

    /// <summary>The full encoding (what <see cref="Digest"/> hashes).</summary>
    public ReadOnlySpan<byte> Encoded => _encoded;

    internal ReadOnlySpan<byte> ToBeSigned => _encoded.AsSpan(0, _encoded.Length - SignatureSize);

    public byte[] Encode() => (byte[])_encoded.Clone();

    public bool IsValidAt(ulong nowMs) => nowMs >= ValidFromMs && nowMs <= ValidToMs;

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Kind} '{SubjectName}' digest {Digest} issuer {IssuerDigest} station {StationId} permissions [{Permissions}] valid {ValidFromMs}..{ValidToMs} ms");

    /// <summary>Strict decode: every field checked, no trailing bytes; errors are <see cref="V2xDecodeException"/> naming the field.</summary>
    public static V2xCertificate Decode(ReadOnlySpan<byte> encoding)
    {
        var reader = new WireReader(encoding);
        var version = reader.U8("certificate.version");
        if (version != FormatVersion)
        {
            throw new V2xDecodeException("certificate.version", $"unsupported certificate version {version}");
        }

        var kind = (CertificateKind)reader.U8("certificate.kind");
        if (!Enum.IsDefined(kind))
        {
            throw new V2xDecodeException("certificate.kind", $"unknown kind {(byte)kind}");
        }

        var subject = reader.ShortString(MaxSubjectBytes, "certificate.subject");
        var issuer = HashedId8.Read(reader.Bytes(HashedId8.Size, "certificate.issuer"));
        if ((kind == CertificateKind.Root) != (issuer == HashedId8.Self))
        {
            throw new V2xDecodeException("certificate.issuer", kind == CertificateKind.Root ? "a root must name itself (zero digest)" : "zero issuer digest on a non-root certificate");
        }

        var validFrom = reader.U64("certificate.valid_from");
        var validTo = reader.U64("certificate.valid_to");
        if (validTo < validFrom)
        {
            throw new V2xDecodeException("certificate.valid_to", "ends before valid_from");
        }

        var permissions = (V2xPermissions)reader.U16("certificate.permissions");
        if ((permissions & ~V2xPermissions.All) != 0)
        {
            throw new V2xDecodeException("certificate.permissions", "unknown permission bits");
        }

        var stationId = reader.U32("certificate.station_id");
        if ((kind == CertificateKind.At) != (stationId != 0))
        {
            throw new V2xDecodeException("certificate.station_id", kind == CertificateKind.At ? "an authorisation ticket needs a non-zero station id" : "a CA certificate must have station id 0");
        }

        var publicKeyOffset = reader.Position;
        var publicKey = reader.Bytes(PublicKeySize, "certificate.public_key");
        if (publicKey[0] != 0x04)
        {
            throw new V2xDecodeException("certificate.public_key", "not an uncompressed point");
        }

        reader.Bytes(SignatureSize, "certificate.signature");
        reader.End("certificate");
        return new V2xCertificate(encoding.ToArray(), kind, subject, issuer, validFrom, validTo, permissions, stationId, publicKeyOffset);
    }

    /// <summary>A self-signed trust anchor.</summary>
    public static V2xCertificate CreateRoot(string subjectName, ECDsa rootKey, ulong validFromMs, ulong validToMs, V2xPermissions permissions)
    {
        ArgumentNullException.ThrowIfNull(rootKey);
        if ((permissions & V2xPermissions.IssueCertificates) == 0)
        {
            throw new ArgumentException("a root must be allowed to issue certificates", nameof(permissions));
        }

        return Build(CertificateKind.Root, subjectName, HashedId8.Self, validFromMs, validToMs, permissions, 0, P256.ExportPoint(rootKey), rootKey);
    }

    /// <summary>
    /// Issues an authorisation authority or ticket signed by <paramref name="issuer"/>; <paramref name="subjectKey"/>
    /// only contributes its public key.
    /// </summary>
    public static V2xCertificate Issue(V2xCertificate issuer, ECDsa issuerKey, CertificateKind kind, string subjectName, ulong validFromMs,
        ulong validToMs, V2xPermissions permissions, uint stationId, ECDsa subjectKey)
    {
        ArgumentNullException.ThrowIfNull(issuer);
        ArgumentNullException.ThrowIfNull(issuerKey);
        ArgumentNullException.ThrowIfNull(subjectKey);
        if (kind is not (CertificateKind.Aa or CertificateKind.At))
        {
            throw new ArgumentOutOfRangeException(nameof(kind), kind, "only Aa and At certificates are issued; use CreateRoot for a root");
        }

        if ((issuer.Permissions & V2xPermissions.IssueCertificates) == 0 || issuer.Kind == CertificateKind.At)
        {
            throw new ArgumentException("the issuer may not issue certificates", nameof(issuer));
        }

        if (!P256.Matches(issuerKey, issuer.PublicKey))
        {
            throw new ArgumentException("the issuer key does not belong to the issuer certificate", nameof(issuerKey));
        }

        return Build(kind, subjectName, issuer.Digest, validFromMs, validToMs, permissions, stationId, P256.ExportPoint(subjectKey), issuerKey);
    }

    private static V2xCertificate Build(CertificateKind kind, string subjectName, HashedId8 issuerDigest, ulong validFromMs, ulong validToMs,
        V2xPermissions permissions, uint stationId, byte[] publicKey, ECDsa signingKey)
    {
        ArgumentNullException.ThrowIfNull(subjectName);
        if (validToMs < validFromMs)
        {
            throw new ArgumentOutOfRangeException(nameof(validToMs), validToMs, "valid-to is before valid-from");
        }

        if ((permissions & ~V2xPermissions.All) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(permissions), permissions, "unknown permission bits");
        }

        if ((kind == CertificateKind.At) != (stationId != 0))
        {
            throw new ArgumentOutOfRangeException(nameof(stationId), stationId, "an AT needs a non-zero station id, a CA must have 0");
        }

        Span<byte> buffer = stackalloc byte[MaxEncodedSize];
        var writer = new WireWriter(buffer);
        writer.U8(FormatVersion);
        writer.U8((byte)kind);
        writer.ShortString(subjectName, MaxSubjectBytes, "certificate.subject");
        Span<byte> digest = stackalloc byte[HashedId8.Size];
        issuerDigest.WriteTo(digest);
        writer.Bytes(digest);
        writer.U64(validFromMs);
        writer.U64(validToMs);
        writer.U16((ushort)permissions);
        writer.U32(stationId);
        writer.Bytes(publicKey);
        var tbsLength = writer.Position;
        var encoded = new byte[tbsLength + SignatureSize];
        writer.Written.CopyTo(encoded);
        // Deterministic (RFC 6979): the same key and fields give the same certificate bytes.
        var parameters = signingKey.ExportParameters(includePrivateParameters: true);
        int written;
        try
        {
            using var deterministic = new DeterministicEcdsaP256(parameters.D);
            written = deterministic.SignData(encoded.AsSpan(0, tbsLength), encoded.AsSpan(tbsLength));
        }
        finally
        {
            if (parameters.D is not null)
            {
                CryptographicOperations.ZeroMemory(parameters.D);
            }
        }

        if (written != SignatureSize)
        {
            throw new CryptographicException("unexpected signature size; expected a P-256 key");
        }

        return Decode(encoded);
    }
}
