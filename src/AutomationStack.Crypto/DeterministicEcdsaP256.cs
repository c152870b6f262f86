using System.Diagnostics;
using System.Security.Cryptography;
using Fn = AutomationStack.Crypto.Montgomery<AutomationStack.Crypto.P256Order>;

namespace AutomationStack.Crypto;

/// <summary>
/// ECDSA P-256 / SHA-256 signer with deterministic nonces (RFC 6979 §3.2, HMAC-SHA256), so the same key and
/// message always give the same signature. Signatures are standard IEEE P1363 r‖s and verify with any ECDSA
/// verifier (e.g. <see cref="ECDsa.VerifyHash(byte[], byte[])"/>). Not hardened against local side channels.
/// Instances are immutable and may be used from several threads at once until disposed.
/// </summary>
public sealed class DeterministicEcdsaP256 : IDisposable
{
    /// <summary>Length of a signature, r‖s, 32 bytes each, big-endian.</summary>
    public const int SignatureSize = 64;

    /// <summary>Length of the private scalar, big-endian.</summary>
    public const int PrivateKeySize = 32;

    /// <summary>Length of the uncompressed public key 0x04‖X‖Y.</summary>
    public const int PublicKeySize = 65;

    /// <summary>Length of a SHA-256 hash.</summary>
    public const int HashSize = 32;

    private readonly byte[] _privateKey;
    private readonly byte[] _publicKey;
    private U256 _dMontgomery;
    private bool _disposed;

    /// <summary>Creates a signer from the private scalar d (32 bytes, big-endian, 1 ≤ d &lt; n).</summary>
    /// <exception cref="ArgumentException">The scalar has the wrong length or is out of range.</exception>
    public DeterministicEcdsaP256(ReadOnlySpan<byte> privateKey)
    {
        if (privateKey.Length != PrivateKeySize)
        {
            throw new ArgumentException("The P-256 private key must be 32 bytes.", nameof(privateKey));
        }

        U256 d = U256.FromBigEndian(privateKey);
        U256 n = P256Order.Modulus;
        if (d.IsZero || !U256.LessThan(d, n))
        {
            throw new ArgumentException("The P-256 private key is out of range (it must satisfy 1 <= d < n).", nameof(privateKey));
        }

        _privateKey = privateKey.ToArray();
        Fn.ToMontgomery(d, out _dMontgomery);

        bool finite = P256Point.MultiplyBase(d, out U256 qx, out U256 qy);
        Debug.Assert(finite, "d·G is finite for 1 <= d < n");
        _publicKey = new byte[PublicKeySize];
        _publicKey[0] = 0x04;
        qx.WriteBigEndian(_publicKey.AsSpan(1, 32));
        qy.WriteBigEndian(_publicKey.AsSpan(33, 32));
        d = default;
    }

    /// <summary>The public key as an uncompressed SEC1 point 0x04‖X‖Y (65 bytes).</summary>
    public ReadOnlySpan<byte> PublicKey => _publicKey;

    /// <summary>Forces the one-off construction of the shared fixed-base table (otherwise built on first use).</summary>
    public static void Warmup() => P256Point.EnsureTable();

    /// <summary>The public key as BCL parameters, e.g. for <c>ECDsa.Create(parameters)</c> on the verifying side.</summary>
    public ECParameters ExportPublicParameters() => new()
    {
        Curve = ECCurve.NamedCurves.nistP256,
        Q = new ECPoint { X = _publicKey.AsSpan(1, 32).ToArray(), Y = _publicKey.AsSpan(33, 32).ToArray() },
    };

    /// <summary>Signs <paramref name="data"/> (hashed with SHA-256) into r‖s; returns the bytes written (64).</summary>
    public int SignData(ReadOnlySpan<byte> data, Span<byte> signature)
    {
        Span<byte> hash = stackalloc byte[HashSize];
        SHA256.HashData(data, hash);
        return SignHash(hash, signature);
    }

    /// <summary>Signs a SHA-256 hash into r‖s (IEEE P1363); returns the bytes written (64).</summary>
    /// <exception cref="ArgumentException">The hash is not 32 bytes or the destination is shorter than 64 bytes.</exception>
    public int SignHash(ReadOnlySpan<byte> hash, Span<byte> signature)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (hash.Length != HashSize)
        {
            throw new ArgumentException("The hash must be a 32-byte SHA-256 value.", nameof(hash));
        }

        if (signature.Length < SignatureSize)
        {
            throw new ArgumentException("The destination must hold 64 bytes.", nameof(signature));
        }

        // z = bits2int(h1) mod n (qlen = hlen = 256: no shift, one conditional subtraction).
        Fn.ReduceOnce(U256.FromBigEndian(hash), out U256 z);

        // RFC 6979 §3.2 b–f. buffer = V ‖ 0x0? ‖ int2octets(d) ‖ bits2octets(h1).
        Span<byte> v = stackalloc byte[32];
        Span<byte> k = stackalloc byte[32];
        Span<byte> buffer = stackalloc byte[32 + 1 + 32 + 32];
        try
        {
            v.Fill(0x01);
            k.Clear();
            _privateKey.CopyTo(buffer[33..]);
            z.WriteBigEndian(buffer[65..]);

            v.CopyTo(buffer);
            buffer[32] = 0x00;
            Hmac(k, buffer, k);
            Hmac(k, v, v);
            v.CopyTo(buffer);
            buffer[32] = 0x01;
            Hmac(k, buffer, k);
            Hmac(k, v, v);

            while (true)
            {
                // §3.2 h: qlen = hlen, so T = V after one HMAC.
                Hmac(k, v, v);
                U256 nonce = U256.FromBigEndian(v);
                if (!nonce.IsZero && U256.LessThan(nonce, P256Order.Modulus) && TrySign(nonce, z, signature))
                {
                    return SignatureSize;
                }

                v.CopyTo(buffer);
                buffer[32] = 0x00;
                Hmac(k, buffer[..33], k);
                Hmac(k, v, v);
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(buffer);
            CryptographicOperations.ZeroMemory(k);
            CryptographicOperations.ZeroMemory(v);
        }
    }

    /// <summary>Zeroes the private key material.</summary>
    public void Dispose()
    {
        if (!_disposed)
        {
            CryptographicOperations.ZeroMemory(_privateKey);
            _dMontgomery = default;
            _disposed = true;
        }
    }

    /// <summary>Describes the key by curve and public-key prefix only.</summary>
    public override string ToString() =>
        "DeterministicEcdsaP256 (P-256, public key " + Convert.ToHexString(_publicKey, 0, 9) + "…)";

    /// <summary>
    /// Measures signing with this class and verification with the BCL's <see cref="ECDsa"/> on this machine:
    /// alternating 20 ms slices for <paramref name="duration"/> in all, rates per second of process CPU time.
    /// For reporting only; results depend on the CPU.
    /// </summary>
    public static (double SignsPerSecond, double VerifiesPerSecond) Measure(TimeSpan duration)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(duration, TimeSpan.Zero);
        Span<byte> key = stackalloc byte[PrivateKeySize];
        key.Fill(0x5A);
        using var signer = new DeterministicEcdsaP256(key);
        using var verifier = ECDsa.Create(signer.ExportPublicParameters());
        Span<byte> hash = stackalloc byte[HashSize];
        Span<byte> signature = stackalloc byte[SignatureSize];

        // Warm up (table, JIT tiers).
        for (int i = 0; i < 200; i++)
        {
            hash[0] = (byte)i;
            signer.SignHash(hash, signature);
            _ = verifier.VerifyHash(hash, signature);
        }

        // Alternate short slices of signing and verifying so both see the same machine load, and charge each
        // slice with the process CPU time it used (not wall time): other processes on a shared machine then
        // distort the figures far less. The measuring thread is the only busy one.
        long signs = 0;
        long verifies = 0;
        TimeSpan signCpu = TimeSpan.Zero;
        TimeSpan verifyCpu = TimeSpan.Zero;
        var slice = TimeSpan.FromMilliseconds(20);
        var total = Stopwatch.StartNew();
        while (total.Elapsed < duration)
        {
            TimeSpan cpu0 = Environment.CpuUsage.TotalTime;
            var watch = Stopwatch.StartNew();
            while (watch.Elapsed < slice)
            {
                for (int i = 0; i < 16; i++)
                {
                    hash[1] = (byte)i;
                    hash[2] = (byte)(signs >> 8);
                    signer.SignHash(hash, signature);
                    signs++;
                }
            }

            TimeSpan cpu1 = Environment.CpuUsage.TotalTime;
            signCpu += cpu1 - cpu0;
            watch.Restart();
            while (watch.Elapsed < slice)
            {
                for (int i = 0; i < 16; i++)
                {
                    if (verifier.VerifyHash(hash, signature))
                    {
                        verifies++;
                    }
                }
            }

            verifyCpu += Environment.CpuUsage.TotalTime - cpu1;
        }

        double signRate = signs / signCpu.TotalSeconds;
        double verifyRate = verifies / verifyCpu.TotalSeconds;
        return (signRate, verifyRate);
    }

    private bool TrySign(in U256 nonce, in U256 z, Span<byte> signature)
    {
        if (!P256Point.MultiplyBaseX(nonce, out U256 x))
        {
            return false;
        }

        Fn.ReduceOnce(x, out U256 r);
        if (r.IsZero)
        {
            return false;
        }

        // s = k⁻¹ (z + r·d) mod n, in Montgomery form mod n.
        Fn.ToMontgomery(nonce, out U256 km);
        Fn.InvertVartime(km, out U256 kInv);
        Fn.ToMontgomery(r, out U256 rm);
        Fn.ToMontgomery(z, out U256 zm);
        Fn.Mul(rm, _dMontgomery, out U256 t);
        Fn.Add(t, zm, out t);
        Fn.Mul(kInv, t, out t);
        Fn.FromMontgomery(t, out U256 s);
        km = default;
        kInv = default;
        if (s.IsZero)
        {
            return false;
        }

        r.WriteBigEndian(signature);
        s.WriteBigEndian(signature[32..]);
        return true;
    }

    private static void Hmac(ReadOnlySpan<byte> key, ReadOnlySpan<byte> data, Span<byte> destination)
    {
        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(key, data, mac);
        mac.CopyTo(destination);
        CryptographicOperations.ZeroMemory(mac);
    }
}
