using System.Buffers.Binary;
using System.Text;

namespace AutomationStack.Platooning.Protocol;

/// <summary>
/// A V2V message (or envelope, or certificate) that cannot be decoded: truncated, out of range, unknown version or
/// type, trailing bytes. <see cref="Field"/> names the first offending field.
/// </summary>
public sealed class V2xDecodeException(string field, string message) : Exception($"{field}: {message}")
{
    public string Field { get; } = field;
}

/// <summary>
/// Big-endian reader over a byte span with strict bounds: every read names its field, and running past the end is a
/// <see cref="V2xDecodeException"/>, never an index exception.
/// </summary>
public ref struct WireReader(ReadOnlySpan<byte> data)
{
    private readonly ReadOnlySpan<byte> _data = data;
    private int _position;

    public readonly int Position => _position;

    public readonly int Remaining => _data.Length - _position;

    public byte U8(string field) => Take(1, field)[0];

    public ushort U16(string field) => BinaryPrimitives.ReadUInt16BigEndian(Take(2, field));

    public short I16(string field) => BinaryPrimitives.ReadInt16BigEndian(Take(2, field));

    public uint U32(string field) => BinaryPrimitives.ReadUInt32BigEndian(Take(4, field));

    public int I32(string field) => BinaryPrimitives.ReadInt32BigEndian(Take(4, field));

    public ulong U64(string field) => BinaryPrimitives.ReadUInt64BigEndian(Take(8, field));

    public long I64(string field) => BinaryPrimitives.ReadInt64BigEndian(Take(8, field));

    public bool Bool(string field) => U8(field) switch
    {
        0 => false,
        1 => true,
        var b => throw new V2xDecodeException(field, $"expected 0 or 1, got {b}"),
    };

    /// <summary>Reads exactly <paramref name="length"/> bytes.</summary>
    public ReadOnlySpan<byte> Bytes(int length, string field) => Take(length, field);

    /// <summary>Reads a u8 length then that many bytes, at most <paramref name="maxLength"/>.</summary>
    public ReadOnlySpan<byte> ShortBytes(int maxLength, string field)
    {
        var length = U8(field);
        if (length > maxLength)
        {
            throw new V2xDecodeException(field, $"length {length} exceeds the maximum of {maxLength}");
        }

        return Take(length, field);
    }

    /// <summary>Reads a u8-length-prefixed UTF-8 string of at most <paramref name="maxBytes"/> bytes.</summary>
    public string ShortString(int maxBytes, string field)
    {
        var bytes = ShortBytes(maxBytes, field);
        try
        {
            return Utf8Strict.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw new V2xDecodeException(field, "not valid UTF-8");
        }
    }

    /// <summary>Fails unless every byte was consumed.</summary>
    public readonly void End(string what)
    {
        if (Remaining != 0)
        {
            throw new V2xDecodeException(what, $"{Remaining} trailing byte(s) after the last field");
        }
    }

    private ReadOnlySpan<byte> Take(int count, string field)
    {
        if (count < 0 || Remaining < count)
        {
            throw new V2xDecodeException(field, $"truncated: needs {count} byte(s) at offset {_position}, {Remaining} left");
        }

        var span = _data.Slice(_position, count);
        _position += count;
        return span;
    }

    internal static readonly UTF8Encoding Utf8Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
}

/// <summary>Big-endian writer into a caller-provided span; overflowing it is an <see cref="ArgumentException"/>.</summary>
public ref struct WireWriter(Span<byte> buffer)
{
    private readonly Span<byte> _buffer = buffer;
    private int _position;

    public readonly int Position => _position;

    public readonly ReadOnlySpan<byte> Written => _buffer[.._position];

    public void U8(byte value) => Take(1)[0] = value;

    public void U16(ushort value) => BinaryPrimitives.WriteUInt16BigEndian(Take(2), value);

    public void I16(short value) => BinaryPrimitives.WriteInt16BigEndian(Take(2), value);

    public void U32(uint value) => BinaryPrimitives.WriteUInt32BigEndian(Take(4), value);

    public void I32(int value) => BinaryPrimitives.WriteInt32BigEndian(Take(4), value);

    public void U64(ulong value) => BinaryPrimitives.WriteUInt64BigEndian(Take(8), value);

    public void I64(long value) => BinaryPrimitives.WriteInt64BigEndian(Take(8), value);

    public void Bool(bool value) => U8(value ? (byte)1 : (byte)0);

    public void Bytes(ReadOnlySpan<byte> value) => value.CopyTo(Take(value.Length));

    /// <summary>Writes a u8 length then the bytes; longer than <paramref name="maxLength"/> is an error naming the field.</summary>
    public void ShortBytes(ReadOnlySpan<byte> value, int maxLength, string field)
    {
        if (value.Length > maxLength)
        {
            throw new ArgumentOutOfRangeException(field, value.Length, $"{field}: at most {maxLength} bytes");
        }

        U8((byte)value.Length);
        Bytes(value);
    }

    public void ShortString(string value, int maxBytes, string field)
    {
        ArgumentNullException.ThrowIfNull(value);
        int count;
        try
        {
            count = WireReader.Utf8Strict.GetByteCount(value);
        }
        catch (EncoderFallbackException)
        {
            throw new ArgumentException($"{field}: not encodable as UTF-8", field);
        }

        if (count > maxBytes || count > byte.MaxValue)
        {
            throw new ArgumentOutOfRangeException(field, count, $"{field}: at most {maxBytes} UTF-8 bytes");
        }

        U8((byte)count);
        WireReader.Utf8Strict.GetBytes(value, Take(count));
    }

    private Span<byte> Take(int count)
    {
        if (_buffer.Length - _position < count)
        {
            throw new ArgumentException($"buffer too small: {count} more byte(s) needed at offset {_position}, capacity {_buffer.Length}");
        }

        var span = _buffer.Slice(_position, count);
        _position += count;
        return span;
    }
}

/// <summary>
/// Fixed-point scaling of physical values to integers (SI units in, SI units out), with range checks that name the
/// field: out-of-range on encode is an <see cref="ArgumentOutOfRangeException"/>, on decode a
/// <see cref="V2xDecodeException"/>. Non-finite values are always out of range.
/// </summary>
public static class FixedPoint
{
    public static int ToInt32(double value, double resolution, double min, double max, string field)
    {
        if (!double.IsFinite(value) || value < min || value > max)
        {
            throw new ArgumentOutOfRangeException(field, value, $"{field}: expected a finite value in [{min}, {max}]");
        }

        return checked((int)Math.Round(value / resolution, MidpointRounding.AwayFromZero));
    }

    public static double FromInt(long raw, double resolution, double min, double max, string field)
    {
        var value = raw * resolution;
        // Allow half a resolution step of slack: the encoder rounds.
        if (value < min - (resolution / 2) || value > max + (resolution / 2))
        {
            throw new V2xDecodeException(field, $"{value} outside [{min}, {max}]");
        }

        // Clamp the slack away so a decoded value always re-encodes (raw π/1e-4 rounds to 31416, i.e. 3.1416 > π).
        return Math.Clamp(value, min, max);
    }
}
