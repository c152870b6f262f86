using System.Security.Cryptography;

namespace AutomationStack.Platooning.Security;

/// <summary>NIST P-256 key helpers: the 65-byte uncompressed point (0x04 || X || Y) used on the wire.</summary>
internal static class P256
{
    public const int PointSize = 65;
    public const int CoordinateSize = 32;
    public const int SignatureSize = 64;

    private static readonly string CurveOid = ECCurve.NamedCurves.nistP256.Oid.Value!;

    public static ECParameters PublicParameters(ReadOnlySpan<byte> point)
    {
        if (point.Length != PointSize || point[0] != 0x04)
        {
            throw new CryptographicException("public key: expected a 65-byte uncompressed P-256 point");
        }

        return new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint { X = point.Slice(1, CoordinateSize).ToArray(), Y = point.Slice(1 + CoordinateSize, CoordinateSize).ToArray() },
        };
    }

    /// <summary>An ECDsa holding only the public key; throws <see cref="CryptographicException"/> for a point off the curve.</summary>
    public static ECDsa ImportPublicKey(ReadOnlySpan<byte> point)
    {
        var parameters = PublicParameters(point);
        var key = ECDsa.Create();
        try
        {
            key.ImportParameters(parameters);
            return key;
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    public static ECDiffieHellman ImportDhPublicKey(ReadOnlySpan<byte> point)
    {
        var parameters = PublicParameters(point);
        var key = ECDiffieHellman.Create();
        try
        {
            key.ImportParameters(parameters);
            return key;
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    public static byte[] ExportPoint(AsymmetricAlgorithm key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var parameters = key switch
        {
            ECDsa ecdsa => ecdsa.ExportParameters(false),
            ECDiffieHellman ecdh => ecdh.ExportParameters(false),
            _ => throw new ArgumentException("expected an ECDsa or ECDiffieHellman key", nameof(key)),
        };
        EnsureP256(parameters, nameof(key));
        var point = new byte[PointSize];
        point[0] = 0x04;
        parameters.Q.X.AsSpan().CopyTo(point.AsSpan(1, CoordinateSize));
        parameters.Q.Y.AsSpan().CopyTo(point.AsSpan(1 + CoordinateSize, CoordinateSize));
        return point;
    }

    public static void EnsureP256(in ECParameters parameters, string paramName)
    {
        var oid = parameters.Curve.Oid?.Value;
        var named = parameters.Curve.Oid?.FriendlyName;
        var isP256 = string.Equals(oid, CurveOid, StringComparison.Ordinal)
            || string.Equals(named, "nistP256", StringComparison.OrdinalIgnoreCase)
            || string.Equals(named, "ECDSA_P256", StringComparison.OrdinalIgnoreCase);
        if (!isP256 || parameters.Q.X is not { Length: CoordinateSize } || parameters.Q.Y is not { Length: CoordinateSize })
        {
            throw new ArgumentException("expected a NIST P-256 key", paramName);
        }
    }

    /// <summary>Whether <paramref name="privateKey"/> is the private half of <paramref name="point"/>.</summary>
    public static bool Matches(ECDsa privateKey, ReadOnlySpan<byte> point) => ExportPoint(privateKey).AsSpan().SequenceEqual(point);
}
