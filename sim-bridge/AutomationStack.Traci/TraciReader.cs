using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace AutomationStack.Traci;

/// <summary>
/// Strict big-endian reader over one TraCI reply message (without its int32 length). Every read is bounds-checked
/// against the innermost open command (or the message end); every malformed or truncated field throws
/// <see cref="TraciProtocolException"/> naming the command id, the field and what was expected. Counts of lists and
/// compounds are checked against the bytes left before anything is allocated.
/// </summary>
internal ref struct TraciReader
{
    private readonly ReadOnlySpan<byte> _data;
    private int _pos;
    private int _limit;

    public TraciReader(ReadOnlySpan<byte> data, int commandId)
    {
        _data = data;
        _limit = data.Length;
        CommandId = commandId;
    }

    /// <summary>Command id named in exceptions (the request being answered).</summary>
    public int CommandId { get; set; }

    public readonly int Position => _pos;

    /// <summary>Bytes left before the innermost open command (or the message) ends.</summary>
    public readonly int Remaining => _limit - _pos;

    /// <summary>True when the whole message has been consumed.</summary>
    public readonly bool AtMessageEnd => _pos == _data.Length;

    public readonly TraciProtocolException Error(string field, string expected) => new(CommandId, field, expected);

    private readonly void Need(int count, string field)
    {
        if (count > _limit - _pos)
        {
            throw Error(field, string.Create(CultureInfo.InvariantCulture,
                $"{count} more byte(s), but only {_limit - _pos} left"));
        }
    }

    public byte ReadUByte(string field)
    {
        Need(1, field);
        return _data[_pos++];
    }

    public int ReadInt32(string field)
    {
        Need(4, field);
        int value = BinaryPrimitives.ReadInt32BigEndian(_data.Slice(_pos, 4));
        _pos += 4;
        return value;
    }

    public double ReadDouble(string field)
    {
        Need(8, field);
        double value = BinaryPrimitives.ReadDoubleBigEndian(_data.Slice(_pos, 8));
        _pos += 8;
        return value;
    }

    /// <summary>Reads an int32 count whose items take at least <paramref name="minItemBytes"/> bytes each.</summary>
    public int ReadCount(string field, int minItemBytes)
    {
        int count = ReadInt32(field);
        if (count < 0) throw Error(field, string.Create(CultureInfo.InvariantCulture, $"a non-negative count, got {count}"));
        if (minItemBytes > 0 && count > Remaining / minItemBytes)
        {
            throw Error(field, string.Create(CultureInfo.InvariantCulture,
                $"a count that fits the {Remaining} byte(s) left ({minItemBytes} byte(s) per item), got {count}"));
        }

        return count;
    }

    /// <summary>Untagged string bytes (int32 length + bytes), without decoding.</summary>
    public ReadOnlySpan<byte> ReadStringBytes(string field)
    {
        int length = ReadInt32(field);
        if (length < 0) throw Error(field, string.Create(CultureInfo.InvariantCulture, $"a non-negative string length, got {length}"));
        Need(length, field);
        var bytes = _data.Slice(_pos, length);
        _pos += length;
        return bytes;
    }

    public string ReadString(string field)
    {
        var bytes = ReadStringBytes(field);
        return bytes.Length == 0 ? string.Empty : Encoding.UTF8.GetString(bytes);
    }

    public string[] ReadStringList(string field)
    {
        int count = ReadCount(field, 4);
        if (count == 0) return [];
        var list = new string[count];
        for (int i = 0; i < count; i++) list[i] = ReadString(field);
        return list;
    }

    public double[] ReadDoubleList(string field)
    {
        int count = ReadCount(field, 8);
        if (count == 0) return [];
        var list = new double[count];
        for (int i = 0; i < count; i++) list[i] = ReadDouble(field);
        return list;
    }

    public void ExpectType(byte expected, string field)
    {
        byte tag = ReadUByte(field);
        if (tag != expected)
        {
            throw Error(field, string.Create(CultureInfo.InvariantCulture, $"type tag 0x{expected:X2}, got 0x{tag:X2}"));
        }
    }

    public int ReadTypedInt32(string field)
    {
        ExpectType(TraciType.Int, field);
        return ReadInt32(field);
    }

    public double ReadTypedDouble(string field)
    {
        ExpectType(TraciType.Double, field);
        return ReadDouble(field);
    }

    public string ReadTypedString(string field)
    {
        ExpectType(TraciType.String, field);
        return ReadString(field);
    }

    public string[] ReadTypedStringList(string field)
    {
        ExpectType(TraciType.StringList, field);
        return ReadStringList(field);
    }

    /// <summary>Compound tag and item count (each item is at least a one-byte tag plus one byte).</summary>
    public int ReadCompound(string field, int expectedCount = -1)
    {
        ExpectType(TraciType.Compound, field);
        int count = ReadCount(field, 2);
        if (expectedCount >= 0 && count != expectedCount)
        {
            throw Error(field, string.Create(CultureInfo.InvariantCulture, $"a compound of {expectedCount} item(s), got {count}"));
        }

        return count;
    }

    /// <summary>
    /// Reads a command header (short or long length form) and restricts reads to that command. Returns the limit
    /// to hand back to <see cref="EndCommand"/>.
    /// </summary>
    public int BeginCommand(out byte commandId, string field)
    {
        int start = _pos;
        int length = ReadUByte(field);
        int headerBytes = 1;
        if (length == 0)
        {
            length = ReadInt32(field);
            headerBytes = 5;
        }

        if (length < headerBytes + 1)
        {
            throw Error(field, string.Create(CultureInfo.InvariantCulture,
                $"a command length of at least {headerBytes + 1}, got {length}"));
        }

        if (length > _limit - start)
        {
            throw Error(field, string.Create(CultureInfo.InvariantCulture,
                $"a command length within the {_limit - start} byte(s) left, got {length}"));
        }

        commandId = ReadUByte(field);
        int previous = _limit;
        _limit = start + length;
        return previous;
    }

    /// <summary>Reads a command header and checks its id.</summary>
    public int BeginCommand(byte expectedId, string field)
    {
        int previous = BeginCommand(out byte id, field);
        if (id != expectedId)
        {
            throw Error(field, string.Create(CultureInfo.InvariantCulture, $"command id 0x{expectedId:X2}, got 0x{id:X2}"));
        }

        return previous;
    }

    /// <summary>Closes the innermost command; its content must have been consumed exactly.</summary>
    public void EndCommand(int previousLimit, string field)
    {
        if (_pos != _limit)
        {
            throw Error(field, string.Create(CultureInfo.InvariantCulture,
                $"the end of the command, but {_limit - _pos} byte(s) are left"));
        }

        _limit = previousLimit;
    }

    /// <summary>
    /// Reads the status command answering <paramref name="commandId"/> and throws
    /// <see cref="TraciCommandException"/> when SUMO reports 0x01 or 0xFF.
    /// </summary>
    public void ReadStatus(byte commandId)
    {
        int saved = CommandId;
        CommandId = commandId;
        int previous = BeginCommand(commandId, "status");
        byte result = ReadUByte("status result");
        string description = ReadString("status description");
        EndCommand(previous, "status");
        if (result is 0x01 or 0xFF) throw new TraciCommandException(commandId, result, description);
        if (result != 0x00)
        {
            throw Error("status result", string.Create(CultureInfo.InvariantCulture, $"0x00, 0x01 or 0xFF, got 0x{result:X2}"));
        }

        CommandId = saved;
    }

    /// <summary>The message must be fully consumed.</summary>
    public readonly void ExpectMessageEnd()
    {
        if (_pos != _data.Length)
        {
            throw Error("message", string.Create(CultureInfo.InvariantCulture,
                $"the end of the message, but {_data.Length - _pos} byte(s) are left"));
        }
    }

    /// <summary>Reads one typed scalar/list value into a <see cref="TraciValue"/>; compounds are rejected.</summary>
    public TraciValue ReadValue(string field, string? reuse = null)
    {
        byte tag = ReadUByte(field);
        switch (tag)
        {
            case TraciType.UByte: return TraciValue.FromInt(TraciValueKind.Int, ReadUByte(field));
            case TraciType.Byte: return TraciValue.FromInt(TraciValueKind.Int, unchecked((sbyte)ReadUByte(field)));
            case TraciType.Int: return TraciValue.FromInt(TraciValueKind.Int, ReadInt32(field));
            case TraciType.Double: return TraciValue.FromDouble(ReadDouble(field));
            case TraciType.Position2D:
            {
                double x = ReadDouble(field);
                double y = ReadDouble(field);
                return TraciValue.FromPosition(new TraciPosition(x, y, 0), false);
            }
            case TraciType.Position3D:
            {
                double x = ReadDouble(field);
                double y = ReadDouble(field);
                double z = ReadDouble(field);
                return TraciValue.FromPosition(new TraciPosition(x, y, z), true);
            }
            case TraciType.String:
            {
                var bytes = ReadStringBytes(field);
                return TraciValue.FromString(SameText(reuse, bytes) ? reuse! : Encoding.UTF8.GetString(bytes));
            }
            case TraciType.StringList: return TraciValue.FromStringList(ReadStringList(field));
            case TraciType.DoubleList: return TraciValue.FromDoubleList(ReadDoubleList(field));
            default:
                throw Error(field, string.Create(CultureInfo.InvariantCulture,
                    $"a scalar, position, string or list type tag, got 0x{tag:X2}"));
        }
    }

    /// <summary>True when <paramref name="text"/> encodes to exactly <paramref name="bytes"/> (ASCII fast path).</summary>
    internal static bool SameText(string? text, ReadOnlySpan<byte> bytes)
    {
        if (text is null) return false;
        if (Ascii.IsValid(bytes)) return text.Length == bytes.Length && Ascii.Equals(bytes, text);
        return Encoding.UTF8.GetString(bytes) == text;
    }
}
