using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;

namespace AutomationStack.Platooning.Security;

/// <summary>
/// Names a certificate on the wire: the last 8 bytes of SHA-256 over the certificate's full encoding (big-endian).
/// The all-zero value is reserved: in a root certificate's issuer field it means "self".
/// </summary>
public readonly record struct HashedId8(ulong Value)
{
    public const int Size = 8;

    /// <summary>The reserved value a root certificate carries as its issuer digest (it names itself).</summary>
    public static HashedId8 Self => default;

    /// <summary>Digest of a certificate encoding.</summary>
    public static HashedId8 Of(ReadOnlySpan<byte> certificateEncoding)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(certificateEncoding, hash);
        return new HashedId8(BinaryPrimitives.ReadUInt64BigEndian(hash[(SHA256.HashSizeInBytes - Size)..]));
    }

    public static HashedId8 Read(ReadOnlySpan<byte> bytes) => new(BinaryPrimitives.ReadUInt64BigEndian(bytes));

    public void WriteTo(Span<byte> destination) => BinaryPrimitives.WriteUInt64BigEndian(destination, Value);

    public override string ToString() => Value.ToString("x16", CultureInfo.InvariantCulture);
}
