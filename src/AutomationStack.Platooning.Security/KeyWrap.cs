using System.Buffers.Binary;
using System.Security.Cryptography;
using AutomationStack.Platooning.Protocol;

namespace AutomationStack.Platooning.Security;

/// <summary>
/// ECIES wrap of a <see cref="GroupKey"/> for one recipient authorisation ticket: an ephemeral P-256 ECDH with the
/// recipient's certificate key, HKDF-SHA256 (salt = ephemeral public point, info = label || recipient certificate
/// digest || group key id) to a 32-byte key-encryption key, AES-256-GCM over the 32 key bytes with the header and the
/// recipient digest as associated data. Wrapped layout (130 bytes): version u8 (1), group key id u32, ephemeral public
/// point 65, nonce 12, encrypted key 32, tag 16.
/// </summary>
public static class KeyWrap
{
    public const byte FormatVersion = 1;
    public const int WrappedSize = 1 + 4 + P256.PointSize + GroupKey.NonceSize + GroupKey.KeySize + GroupKey.TagSize;

    private const int HeaderSize = 1 + 4 + P256.PointSize;
    private static readonly byte[] Label = "AutomationStack V2X group key wrap v1"u8.ToArray();
    private static readonly byte[] EphemeralLabel = "AutomationStack V2X group key wrap ephemeral v1"u8.ToArray();

    /// <summary>
    /// Wraps <paramref name="key"/> so that only the holder of <paramref name="recipient"/>'s private key can unwrap it,
    /// with a fresh random ephemeral key and nonce.
    /// </summary>
    public static byte[] Wrap(GroupKey key, V2xCertificate recipient)
    {
        ArgumentNullException.ThrowIfNull(key);
        CheckRecipient(recipient);
        using var ephemeral = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        Span<byte> nonce = stackalloc byte[GroupKey.NonceSize];
        RandomNumberGenerator.Fill(nonce);
        return WrapCore(key, recipient, ephemeral, nonce);
    }

    /// <summary>
    /// Wraps <paramref name="key"/> for <paramref name="recipient"/> deterministically: the ephemeral scalar and the
    /// nonce are derived (HKDF-SHA256) from <paramref name="sender"/>'s private key, the recipient's certificate digest
    /// and a digest of the key, in the manner of RFC 6979. Different keys or recipients give unrelated ephemerals; the
    /// same inputs give the same bytes, so simulation logs stay reproducible. The ephemeral is as secret as the sender's
    /// key.
    /// </summary>
    public static byte[] Wrap(GroupKey key, V2xCertificate recipient, V2xSigner sender)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(sender);
        CheckRecipient(recipient);
        var parameters = sender.PrivateKey.ExportParameters(true);
        Span<byte> info = stackalloc byte[EphemeralLabel.Length + HashedId8.Size + 32 + 4 + 4];
        Span<byte> derived = stackalloc byte[32 + GroupKey.NonceSize];
        byte[]? scalar = null;
        try
        {
            EphemeralLabel.CopyTo(info);
            recipient.Digest.WriteTo(info.Slice(EphemeralLabel.Length, HashedId8.Size));
            SHA256.HashData(key.KeyBytes, info.Slice(EphemeralLabel.Length + HashedId8.Size, 32));
            BinaryPrimitives.WriteUInt32BigEndian(info[^8..], key.Id);
            for (uint attempt = 0; ; attempt++)
            {
                // A 256-bit output is below the order n except with probability ~2^-32; try again then.
                BinaryPrimitives.WriteUInt32BigEndian(info[^4..], attempt);
                HKDF.DeriveKey(HashAlgorithmName.SHA256, parameters.D!, derived, salt: default, info);
                scalar = derived[..32].ToArray();
                try
                {
                    using var point = new AutomationStack.Crypto.DeterministicEcdsaP256(scalar);
                    using var ephemeral = ECDiffieHellman.Create(new ECParameters
                    {
                        Curve = ECCurve.NamedCurves.nistP256,
                        D = scalar,
                        Q = new ECPoint { X = point.PublicKey.Slice(1, 32).ToArray(), Y = point.PublicKey.Slice(33, 32).ToArray() },
                    });
                    return WrapCore(key, recipient, ephemeral, derived.Slice(32, GroupKey.NonceSize));
                }
                catch (ArgumentException) when (attempt < 16)
                {
                    CryptographicOperations.ZeroMemory(scalar);
                }
            }
        }
        finally
        {
            if (parameters.D is not null)
            {
                CryptographicOperations.ZeroMemory(parameters.D);
            }

            if (scalar is not null)
            {
                CryptographicOperations.ZeroMemory(scalar);
            }

            CryptographicOperations.ZeroMemory(derived);
        }
    }

    private static void CheckRecipient(V2xCertificate recipient)
    {
        ArgumentNullException.ThrowIfNull(recipient);
        if (recipient.Kind != CertificateKind.At)
        {
            throw new ArgumentException("group keys are wrapped to authorisation tickets", nameof(recipient));
        }
    }

    private static byte[] WrapCore(GroupKey key, V2xCertificate recipient, ECDiffieHellman ephemeral, ReadOnlySpan<byte> nonce)
    {
        var wrapped = new byte[WrappedSize];
        wrapped[0] = FormatVersion;
        BinaryPrimitives.WriteUInt32BigEndian(wrapped.AsSpan(1), key.Id);
        using var recipientKey = P256.ImportDhPublicKey(recipient.PublicKey);
        P256.ExportPoint(ephemeral).CopyTo(wrapped.AsSpan(5, P256.PointSize));
        var secret = ephemeral.DeriveRawSecretAgreement(recipientKey.PublicKey);
        Span<byte> kek = stackalloc byte[GroupKey.KeySize];
        try
        {
            DeriveKek(secret, wrapped.AsSpan(0, HeaderSize), recipient.Digest, key.Id, kek);
            nonce.CopyTo(wrapped.AsSpan(HeaderSize, GroupKey.NonceSize));
            using var aes = new AesGcm(kek, GroupKey.TagSize);
            aes.Encrypt(nonce, key.KeyBytes, wrapped.AsSpan(HeaderSize + GroupKey.NonceSize, GroupKey.KeySize),
                wrapped.AsSpan(HeaderSize + GroupKey.NonceSize + GroupKey.KeySize, GroupKey.TagSize), AssociatedData(wrapped, recipient.Digest));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
            CryptographicOperations.ZeroMemory(kek);
        }

        return wrapped;
    }

    /// <summary>Unwraps with the private key of the signer's authorisation ticket.</summary>
    public static GroupKey Unwrap(ReadOnlySpan<byte> wrapped, V2xSigner recipient)
    {
        ArgumentNullException.ThrowIfNull(recipient);
        return Unwrap(wrapped, recipient.Certificate, recipient.PrivateKey);
    }

    /// <summary>
    /// Unwraps a group key addressed to <paramref name="recipientCertificate"/>. Structural errors are
    /// <see cref="V2xDecodeException"/>; a wrap for another recipient or a corrupted one is a <see cref="CryptographicException"/>.
    /// </summary>
    public static GroupKey Unwrap(ReadOnlySpan<byte> wrapped, V2xCertificate recipientCertificate, ECDsa recipientPrivateKey)
    {
        ArgumentNullException.ThrowIfNull(recipientCertificate);
        ArgumentNullException.ThrowIfNull(recipientPrivateKey);
        var reader = new WireReader(wrapped);
        var version = reader.U8("key_wrap.version");
        if (version != FormatVersion)
        {
            throw new V2xDecodeException("key_wrap.version", $"unsupported version {version}");
        }

        var id = reader.U32("key_wrap.group_key_id");
        var ephemeralPoint = reader.Bytes(P256.PointSize, "key_wrap.ephemeral_key");
        var nonce = reader.Bytes(GroupKey.NonceSize, "key_wrap.nonce");
        var ciphertext = reader.Bytes(GroupKey.KeySize, "key_wrap.encrypted_key");
        var tag = reader.Bytes(GroupKey.TagSize, "key_wrap.tag");
        reader.End("key_wrap");

        var parameters = recipientPrivateKey.ExportParameters(true);
        byte[]? secret = null;
        Span<byte> kek = stackalloc byte[GroupKey.KeySize];
        Span<byte> plain = stackalloc byte[GroupKey.KeySize];
        try
        {
            using var mine = ECDiffieHellman.Create();
            mine.ImportParameters(parameters);
            ECDiffieHellman ephemeral;
            try
            {
                ephemeral = P256.ImportDhPublicKey(ephemeralPoint);
            }
            catch (CryptographicException)
            {
                throw new CryptographicException("group key unwrap failed: invalid ephemeral key");
            }

            using (ephemeral)
            {
                secret = mine.DeriveRawSecretAgreement(ephemeral.PublicKey);
            }

            DeriveKek(secret, wrapped[..HeaderSize], recipientCertificate.Digest, id, kek);
            using var aes = new AesGcm(kek, GroupKey.TagSize);
            try
            {
                aes.Decrypt(nonce, ciphertext, tag, plain, AssociatedData(wrapped, recipientCertificate.Digest));
            }
            catch (AuthenticationTagMismatchException)
            {
                throw new CryptographicException("group key unwrap failed: not addressed to this recipient, or corrupted");
            }

            return new GroupKey(id, plain);
        }
        finally
        {
            if (parameters.D is not null)
            {
                CryptographicOperations.ZeroMemory(parameters.D);
            }

            if (secret is not null)
            {
                CryptographicOperations.ZeroMemory(secret);
            }

            CryptographicOperations.ZeroMemory(kek);
            CryptographicOperations.ZeroMemory(plain);
        }
    }

    private static void DeriveKek(ReadOnlySpan<byte> secret, ReadOnlySpan<byte> header, HashedId8 recipient, uint id, Span<byte> kek)
    {
        Span<byte> info = stackalloc byte[Label.Length + HashedId8.Size + 4];
        Label.CopyTo(info);
        recipient.WriteTo(info.Slice(Label.Length, HashedId8.Size));
        BinaryPrimitives.WriteUInt32BigEndian(info[(Label.Length + HashedId8.Size)..], id);
        HKDF.DeriveKey(HashAlgorithmName.SHA256, secret, kek, salt: header.Slice(5, P256.PointSize), info);
    }

    private static byte[] AssociatedData(ReadOnlySpan<byte> wrapped, HashedId8 recipient)
    {
        var aad = new byte[HeaderSize + HashedId8.Size];
        wrapped[..HeaderSize].CopyTo(aad);
        recipient.WriteTo(aad.AsSpan(HeaderSize));
        return aad;
    }
}
