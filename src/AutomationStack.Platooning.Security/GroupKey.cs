using System.Globalization;
using System.Security.Cryptography;

namespace AutomationStack.Platooning.Security;

/// <summary>
/// A platoon's symmetric AES-256-GCM key for encrypting PCM payloads: a u32 id (sent in clear in the envelope) and
/// 32 secret bytes. The key bytes never leave this object except through <see cref="KeyWrap"/>; <see cref="ToString"/>
/// shows only the id. Dispose zeroes the key.
/// </summary>
public sealed class GroupKey : IDisposable
{
    public const int KeySize = 32;
    public const int NonceSize = 12;
    public const int TagSize = 16;

    private static readonly byte[] DeriveLabel = "AutomationStack V2X platoon group key v1"u8.ToArray();

    private readonly byte[] _key;
    private readonly AesGcm _aes;
    private readonly Lock _lock = new();
    private bool _disposed;

    public GroupKey(uint id, ReadOnlySpan<byte> key)
    {
        if (key.Length != KeySize)
        {
            throw new ArgumentException($"a group key is {KeySize} bytes, got {key.Length}", nameof(key));
        }

        Id = id;
        _key = key.ToArray();
        _aes = new AesGcm(_key, TagSize);
    }

    public uint Id { get; }

    /// <summary>A fresh random key.</summary>
    public static GroupKey Create(uint id)
    {
        Span<byte> key = stackalloc byte[KeySize];
        RandomNumberGenerator.Fill(key);
        try
        {
            return new GroupKey(id, key);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    /// <summary>
    /// The key a platoon leader issues for <paramref name="platoonId"/> at <paramref name="generation"/> (one per
    /// membership change): HKDF-SHA256 of the leader's private signing key, its station id, the platoon id and the
    /// generation, giving the 32 key bytes and the u32 id. Deterministic, so simulation logs are reproducible, and as
    /// secret as the leader's key; the id is not secret (it travels in clear) and reveals nothing about the key.
    /// </summary>
    public static GroupKey Derive(V2xSigner leader, uint platoonId, uint generation)
    {
        ArgumentNullException.ThrowIfNull(leader);
        var parameters = leader.PrivateKey.ExportParameters(true);
        Span<byte> info = stackalloc byte[DeriveLabel.Length + 12];
        Span<byte> derived = stackalloc byte[KeySize + 4];
        try
        {
            DeriveLabel.CopyTo(info);
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(info[DeriveLabel.Length..], leader.Certificate.StationId);
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(info[(DeriveLabel.Length + 4)..], platoonId);
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(info[(DeriveLabel.Length + 8)..], generation);
            HKDF.DeriveKey(HashAlgorithmName.SHA256, parameters.D!, derived, salt: default, info);
            return new GroupKey(System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(derived[KeySize..]), derived[..KeySize]);
        }
        finally
        {
            if (parameters.D is not null)
            {
                CryptographicOperations.ZeroMemory(parameters.D);
            }

            CryptographicOperations.ZeroMemory(derived);
        }
    }

    internal ReadOnlySpan<byte> KeyBytes
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _key;
        }
    }

    internal void Encrypt(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext, Span<byte> tag, ReadOnlySpan<byte> associatedData)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _aes.Encrypt(nonce, plaintext, ciphertext, tag, associatedData);
        }
    }

    internal bool TryDecrypt(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag, Span<byte> plaintext, ReadOnlySpan<byte> associatedData)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            try
            {
                _aes.Decrypt(nonce, ciphertext, tag, plaintext, associatedData);
                return true;
            }
            catch (AuthenticationTagMismatchException)
            {
                CryptographicOperations.ZeroMemory(plaintext);
                return false;
            }
        }
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"GroupKey(id={Id})");

    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            CryptographicOperations.ZeroMemory(_key);
            _aes.Dispose();
        }
    }
}
