using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace AutomationStack.Mcap;

/// <summary>
/// Append-only little-endian byte buffer backed by <see cref="ArrayPool{T}"/>. Used for chunk records,
/// message index entries and out-of-chunk records so that steady-state writes allocate nothing.
/// </summary>
internal sealed class GrowableBuffer : IDisposable
{
    private byte[] _array;
    private int _length;

    public GrowableBuffer(int initialCapacity = 256)
    {
        _array = ArrayPool<byte>.Shared.Rent(Math.Max(16, initialCapacity));
    }

    public int Length => _length;

    public ReadOnlySpan<byte> WrittenSpan => _array.AsSpan(0, _length);

    public void Clear() => _length = 0;

    public Span<byte> Reserve(int size)
    {
        EnsureCapacity(size);
        var span = _array.AsSpan(_length, size);
        _length += size;
        return span;
    }

    public void WriteU8(byte value) => Reserve(1)[0] = value;

    public void WriteU16(ushort value) => BinaryPrimitives.WriteUInt16LittleEndian(Reserve(2), value);

    public void WriteU32(uint value) => BinaryPrimitives.WriteUInt32LittleEndian(Reserve(4), value);

    public void WriteU64(ulong value) => BinaryPrimitives.WriteUInt64LittleEndian(Reserve(8), value);

    public void WriteBytes(ReadOnlySpan<byte> bytes) => bytes.CopyTo(Reserve(bytes.Length));

    /// <summary>uint32 byte length followed by UTF-8 bytes.</summary>
    public void WriteString(string value)
    {
        int count = Encoding.UTF8.GetByteCount(value);
        WriteU32((uint)count);
        Encoding.UTF8.GetBytes(value, Reserve(count));
    }

    /// <summary>uint32 byte length followed by the bytes.</summary>
    public void WritePrefixedBytes(ReadOnlySpan<byte> bytes)
    {
        WriteU32((uint)bytes.Length);
        WriteBytes(bytes);
    }

    /// <summary>map&lt;string,string&gt;: uint32 byte length of the entries, then key/value strings.</summary>
    public void WriteStringMap(KeyValuePair<string, string>[] sortedEntries)
    {
        int lengthPosition = _length;
        WriteU32(0);
        foreach (var entry in sortedEntries)
        {
            WriteString(entry.Key);
            WriteString(entry.Value);
        }
        BinaryPrimitives.WriteUInt32LittleEndian(_array.AsSpan(lengthPosition, 4), (uint)(_length - lengthPosition - 4));
    }

    /// <summary>Writes the opcode and a placeholder length; returns the record start for <see cref="EndRecord"/>.</summary>
    public int BeginRecord(byte opcode)
    {
        int start = _length;
        WriteU8(opcode);
        WriteU64(0);
        return start;
    }

    public void EndRecord(int recordStart)
    {
        ulong contentLength = (ulong)(_length - recordStart - McapOpcode.RecordHeaderSize);
        BinaryPrimitives.WriteUInt64LittleEndian(_array.AsSpan(recordStart + 1, 8), contentLength);
    }

    public void Dispose()
    {
        var array = _array;
        _array = [];
        _length = 0;
        if (array.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(array);
        }
    }

    private void EnsureCapacity(int extra)
    {
        ObjectDisposedException.ThrowIf(_array.Length == 0, this);
        long required = (long)_length + extra;
        if (required <= _array.Length)
        {
            return;
        }
        if (required > Array.MaxLength)
        {
            throw new InvalidOperationException($"Buffer would exceed {Array.MaxLength} bytes.");
        }
        int newSize = (int)Math.Min(Array.MaxLength, Math.Max(required, (long)_array.Length * 2));
        var bigger = ArrayPool<byte>.Shared.Rent(newSize);
        _array.AsSpan(0, _length).CopyTo(bigger);
        ArrayPool<byte>.Shared.Return(_array);
        _array = bigger;
    }
}
