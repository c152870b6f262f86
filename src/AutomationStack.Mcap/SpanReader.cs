using System.Buffers.Binary;
using System.Text;

namespace AutomationStack.Mcap;

/// <summary>
/// Bounds-checked little-endian reader over one record's content. Every failure throws
/// <see cref="McapFormatException"/> naming the record, the field and the absolute file offset.
/// </summary>
internal ref struct SpanReader
{
    private readonly ReadOnlySpan<byte> _span;
    private readonly long _baseOffset;
    private readonly string _record;
    private int _position;

    public SpanReader(ReadOnlySpan<byte> span, long baseOffset, string record)
    {
        _span = span;
        _baseOffset = baseOffset;
        _record = record;
        _position = 0;
    }

    public readonly int Position => _position;

    public readonly int Remaining => _span.Length - _position;

    public readonly long AbsoluteOffset => _baseOffset + _position;

    public byte U8(string field) => Take(1, field)[0];

    public ushort U16(string field) => BinaryPrimitives.ReadUInt16LittleEndian(Take(2, field));

    public uint U32(string field) => BinaryPrimitives.ReadUInt32LittleEndian(Take(4, field));

    public ulong U64(string field) => BinaryPrimitives.ReadUInt64LittleEndian(Take(8, field));

    public string String(string field)
    {
        long start = AbsoluteOffset;
        uint length = U32(field);
        var bytes = Take(length, field);
        try
        {
            return Encoding.UTF8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw new McapFormatException($"{_record}.{field}: invalid UTF-8 string", start);
        }
    }

    /// <summary>uint32 length-prefixed byte array.</summary>
    public ReadOnlySpan<byte> PrefixedBytes(string field) => Take(U32(field), field);

    /// <summary>Reads the uint32 byte length of a map/array and returns a reader over exactly those bytes.</summary>
    public SpanReader Nested(string field)
    {
        uint length = U32(field);
        long offset = AbsoluteOffset;
        return new SpanReader(Take(length, field), offset, $"{_record}.{field}");
    }

    public Dictionary<string, string> StringMap(string field)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        var nested = Nested(field);
        while (nested.Remaining > 0)
        {
            long entryOffset = nested.AbsoluteOffset;
            string key = nested.String("key");
            string value = nested.String("value");
            if (!map.TryAdd(key, value))
            {
                throw new McapFormatException($"{_record}.{field}: duplicate key '{key}'", entryOffset);
            }
        }
        return map;
    }

    public Dictionary<ushort, ulong> U16U64Map(string field)
    {
        var map = new Dictionary<ushort, ulong>();
        var nested = Nested(field);
        while (nested.Remaining > 0)
        {
            long entryOffset = nested.AbsoluteOffset;
            ushort key = nested.U16("key");
            ulong value = nested.U64("value");
            if (!map.TryAdd(key, value))
            {
                throw new McapFormatException($"{_record}.{field}: duplicate key {key}", entryOffset);
            }
        }
        return map;
    }

    public ReadOnlySpan<byte> Rest()
    {
        var rest = _span[_position..];
        _position = _span.Length;
        return rest;
    }

    private ReadOnlySpan<byte> Take(long count, string field)
    {
        if (count > Remaining)
        {
            throw new McapFormatException($"{_record}.{field}: needs {count} bytes but only {Remaining} remain in the record", AbsoluteOffset);
        }
        var slice = _span.Slice(_position, (int)count);
        _position += (int)count;
        return slice;
    }
}
