using System.Numerics;
using System.Security.Cryptography;

namespace AutomationStack.Crypto.Tests;

/// <summary>Shared constants and BCL-based reference computations.</summary>
internal static class TestKeys
{
    public static readonly BigInteger P = BigInteger.Parse("0FFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF", System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture);

    public static readonly BigInteger N = BigInteger.Parse("0FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551", System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture);

    public static readonly byte[] Gx = Convert.FromHexString("6B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C296");

    public static readonly byte[] Gy = Convert.FromHexString("4FE342E2FE1A7F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F5");

    private static readonly Lazy<ECDiffieHellmanPublicKey> GeneratorPublicKey = new(() =>
    {
        using var g = ECDiffieHellman.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint { X = Gx, Y = Gy },
        });
        return g.PublicKey;
    });

    public static byte[] ToBytes32(BigInteger value)
    {
        var bytes = new byte[32];
        int count = value.GetByteCount(isUnsigned: true);
        value.TryWriteBytes(bytes.AsSpan(32 - count), out _, isUnsigned: true, isBigEndian: true);
        return bytes;
    }

    public static BigInteger FromBytes(ReadOnlySpan<byte> bytes) => new(bytes, isUnsigned: true, isBigEndian: true);

    /// <summary>A uniformly random scalar in [1, n).</summary>
    public static BigInteger RandomScalar(Random random)
    {
        var bytes = new byte[32];
        while (true)
        {
            random.NextBytes(bytes);
            BigInteger k = FromBytes(bytes);
            if (k > 0 && k < N)
            {
                return k;
            }
        }
    }

    /// <summary>x(k·G) computed by the BCL: ECDH of private key k with the peer public key G.</summary>
    public static byte[] BclBaseMultiplyX(BigInteger k)
    {
        using var ecdh = ECDiffieHellman.Create(new ECParameters { Curve = ECCurve.NamedCurves.nistP256, D = ToBytes32(k) });
        return ecdh.DeriveRawSecretAgreement(GeneratorPublicKey.Value);
    }

    /// <summary>The uncompressed public key 04‖X‖Y the BCL derives from private key d.</summary>
    public static byte[] BclPublicKey(ReadOnlySpan<byte> d)
    {
        using var ecdsa = ECDsa.Create(new ECParameters { Curve = ECCurve.NamedCurves.nistP256, D = d.ToArray() });
        ECParameters parameters = ecdsa.ExportParameters(includePrivateParameters: false);
        var result = new byte[65];
        result[0] = 0x04;
        parameters.Q.X!.CopyTo(result, 1);
        parameters.Q.Y!.CopyTo(result, 33);
        return result;
    }
}
