namespace AutomationStack.Platooning.Security;

/// <summary>Envelope flags (u8; unknown bits are malformed).</summary>
[Flags]
public enum EnvelopeFlags : byte
{
    None = 0,

    /// <summary>The signer's full certificate follows the signer digest (u16 length + encoding).</summary>
    CertificateIncluded = 1 << 0,

    /// <summary>The message body is AES-256-GCM encrypted under a group key; the 18-byte header stays in clear.</summary>
    Encrypted = 1 << 1,
}

/// <summary>
/// Layout of the signed envelope (big-endian), the bytes on the air:
/// <code>
/// version u8 (1) | flags u8 | signer digest 8 | [cert length u16 | certificate]
///   plain:     message length u16 | message (starts with the 18-byte MessageHeader)
///   encrypted: header 18 (clear) | group key id u32 | nonce 12 | body length u16 | ciphertext | tag 16
/// | signature 64 (ECDSA P-256 / SHA-256, r||s, over every preceding byte)
/// </code>
/// AES-GCM's associated data is every envelope byte before the ciphertext (so the clear header, key id and signer are
/// bound to the ciphertext as well as signed).
/// </summary>
public static class V2xEnvelope
{
    public const byte Version = 1;
    public const int SignatureSize = P256.SignatureSize;
    internal const int FixedPrefixSize = 1 + 1 + HashedId8.Size;

    /// <summary>Envelope size for a message of <paramref name="messageLength"/> bytes.</summary>
    public static int GetSize(int messageLength, int certificateLength, bool encrypted)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(messageLength, Protocol.MessageHeader.Size);
        ArgumentOutOfRangeException.ThrowIfNegative(certificateLength);
        var size = FixedPrefixSize + (certificateLength > 0 ? 2 + certificateLength : 0) + SignatureSize;
        size += encrypted
            ? Protocol.MessageHeader.Size + 4 + GroupKey.NonceSize + 2 + (messageLength - Protocol.MessageHeader.Size) + GroupKey.TagSize
            : 2 + messageLength;
        return size;
    }
}
