using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace AutomationStack.Traci;

/// <summary>
/// Big-endian TraCI message builder over a pooled, growable buffer. A message is an int32 total length followed by
/// commands; each command starts with a one-byte length, or with byte 0 and an int32 length when it is longer than
/// 255 bytes. Not thread-safe.
/// </summary>
internal sealed class TraciWriter : IDisposable
{
    private byte[] _buffer;
    private int _length;
    private int _messageStart = -1;
    private int _commandStart = -1;

    public TraciWriter(int initialCapacity = 256) => _buffer = ArrayPool<byte>.Shared.Rent(initialCapacity);

    /// <summary>Bytes written so far.</summary>
    public ReadOnlySpan<byte> Written => _buffer.AsSpan(0, _length);

    public int Length => _length;

    public void Reset()
    {
        _length = 0;
        _messageStart = -1;
        _commandStart = -1;
    }

    /// <summary>Starts a message: reserves the int32 total length.</summary>
    public void BeginMessage()
    {
        if (_messageStart >= 0) throw new InvalidOperationException("A message is already open.");
        _messageStart = _length;
        WriteInt32(0);
    }

    /// <summary>Ends the message: writes its total length (counting the length field).</summary>
    public void EndMessage()
    {
        if (_messageStart < 0) throw new InvalidOperationException("No message is open.");
        if (_commandStart >= 0) throw new InvalidOperationException("A command is still open.");
        BinaryPrimitives.WriteInt32BigEndian(_buffer.AsSpan(_messageStart), _length - _messageStart);
        _messageStart = -1;
    }

    /// <summary>Starts a command: reserves the short length form and writes the id.</summary>
    public void BeginCommand(byte commandId)
    {
        if (_commandStart >= 0) throw new InvalidOperationException("A command is already open.");
        _commandStart = _length;
        WriteUByte(0);
        WriteUByte(commandId);
    }

    /// <summary>
    /// Ends the command: short form (ubyte length) when it fits in 255 bytes, otherwise moves the content by four
    /// bytes and writes the long form (ubyte 0, int32 length counting the 0, the four length bytes, id and content).
    /// </summary>
    public void EndCommand()
    {
        if (_commandStart < 0) throw new InvalidOperationException("No command is open.");
        int shortLength = _length - _commandStart;
        if (shortLength <= 255)
        {
            _buffer[_commandStart] = (byte)shortLength;
        }
        else
        {
            EnsureCapacity(4);
            int tail = _commandStart + 1;
            Buffer.BlockCopy(_buffer, tail, _buffer, tail + 4, _length - tail);
            _length += 4;
            _buffer[_commandStart] = 0;
            BinaryPrimitives.WriteInt32BigEndian(_buffer.AsSpan(tail), shortLength + 4);
        }

        _commandStart = -1;
    }

    public void WriteUByte(byte value)
    {
        EnsureCapacity(1);
        _buffer[_length++] = value;
    }

    public void WriteInt32(int value)
    {
        EnsureCapacity(4);
        BinaryPrimitives.WriteInt32BigEndian(_buffer.AsSpan(_length), value);
        _length += 4;
    }

    public void WriteBytes(ReadOnlySpan<byte> bytes)
    {
        EnsureCapacity(bytes.Length);
        bytes.CopyTo(_buffer.AsSpan(_length));
        _length += bytes.Length;
    }

    public void WriteDouble(double value)
    {
        EnsureCapacity(8);
        BinaryPrimitives.WriteDoubleBigEndian(_buffer.AsSpan(_length), value);
        _length += 8;
    }

    /// <summary>Untagged string: int32 byte count + UTF-8 bytes.</summary>
    public void WriteString(string value)
    {
        int count = Encoding.UTF8.GetByteCount(value);
        EnsureCapacity(4 + count);
        BinaryPrimitives.WriteInt32BigEndian(_buffer.AsSpan(_length), count);
        _length += 4;
        _length += Encoding.UTF8.GetBytes(value, _buffer.AsSpan(_length));
    }

    public void WriteTypedUByte(byte value)
    {
        WriteUByte(TraciType.UByte);
        WriteUByte(value);
    }

    public void WriteTypedByte(sbyte value)
    {
        WriteUByte(TraciType.Byte);
        WriteUByte(unchecked((byte)value));
    }

    public void WriteTypedInt32(int value)
    {
        WriteUByte(TraciType.Int);
        WriteInt32(value);
    }

    public void WriteTypedDouble(double value)
    {
        WriteUByte(TraciType.Double);
        WriteDouble(value);
    }

    public void WriteTypedString(string value)
    {
        WriteUByte(TraciType.String);
        WriteString(value);
    }

    public void WriteTypedStringList(IReadOnlyList<string> values)
    {
        WriteUByte(TraciType.StringList);
        WriteInt32(values.Count);
        for (int i = 0; i < values.Count; i++) WriteString(values[i]);
    }

    public void WriteCompoundHeader(int count)
    {
        WriteUByte(TraciType.Compound);
        WriteInt32(count);
    }

    private void EnsureCapacity(int extra)
    {
        int needed = _length + extra;
        if (needed <= _buffer.Length) return;
        var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(needed, _buffer.Length * 2));
        Buffer.BlockCopy(_buffer, 0, bigger, 0, _length);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = bigger;
    }

    public void Dispose()
    {
        var buffer = _buffer;
        _buffer = [];
        _length = 0;
        if (buffer.Length > 0) ArrayPool<byte>.Shared.Return(buffer);
    }
}
