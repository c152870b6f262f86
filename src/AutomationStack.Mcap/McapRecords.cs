using System.Buffers.Binary;
using System.IO.Hashing;

namespace AutomationStack.Mcap;

/// <summary>Parsers for record contents shared by the indexed reader, the linear scan and the validator.</summary>
internal static class McapRecords
{
    public const int MessagePrefixSize = 2 + 4 + 8 + 8;

    public static McapSchemaInfo ParseSchema(ReadOnlySpan<byte> content, long contentOffset)
    {
        var r = new SpanReader(content, contentOffset, "Schema");
        ushort id = r.U16("id");
        string name = r.String("name");
        string encoding = r.String("encoding");
        byte[] data = r.PrefixedBytes("data").ToArray();
        if (id == 0)
        {
            throw new McapFormatException("Schema id 0 is reserved", contentOffset);
        }
        return new McapSchemaInfo(id, name, encoding, data);
    }

    public static McapChannelInfo ParseChannel(ReadOnlySpan<byte> content, long contentOffset)
    {
        var r = new SpanReader(content, contentOffset, "Channel");
        ushort id = r.U16("id");
        ushort schemaId = r.U16("schema_id");
        string topic = r.String("topic");
        string encoding = r.String("message_encoding");
        var metadata = r.StringMap("metadata");
        return new McapChannelInfo(id, schemaId, topic, encoding, metadata);
    }

    /// <summary>Parses a Message record whose content is <c>buffer[start..start+length]</c>; data aliases the buffer.</summary>
    public static McapMessage ParseMessage(byte[] buffer, int start, int length, long contentOffset)
    {
        if (length < MessagePrefixSize)
        {
            throw new McapFormatException($"Message record content is {length} bytes, shorter than the {MessagePrefixSize}-byte prefix", contentOffset);
        }
        var span = buffer.AsSpan(start, length);
        ushort channelId = BinaryPrimitives.ReadUInt16LittleEndian(span);
        uint sequence = BinaryPrimitives.ReadUInt32LittleEndian(span[2..]);
        ulong logTime = BinaryPrimitives.ReadUInt64LittleEndian(span[6..]);
        ulong publishTime = BinaryPrimitives.ReadUInt64LittleEndian(span[14..]);
        var data = new ReadOnlyMemory<byte>(buffer, start + MessagePrefixSize, length - MessagePrefixSize);
        return new McapMessage(channelId, sequence, logTime, publishTime, data);
    }

    /// <summary>
    /// Parses a Chunk record's content, checks compression, size and CRC, and returns where the records
    /// lie inside <paramref name="content"/>.
    /// </summary>
    public static ChunkHeader ParseAndVerifyChunk(ReadOnlySpan<byte> content, long contentOffset)
    {
        var r = new SpanReader(content, contentOffset, "Chunk");
        ulong startTime = r.U64("message_start_time");
        ulong endTime = r.U64("message_end_time");
        ulong uncompressedSize = r.U64("uncompressed_size");
        uint crc = r.U32("uncompressed_crc");
        string compression = r.String("compression");
        long recordsLengthOffset = r.AbsoluteOffset;
        ulong recordsLength = r.U64("records length");
        if (recordsLength > (ulong)r.Remaining)
        {
            throw new McapFormatException($"Chunk records length {recordsLength} exceeds the {r.Remaining} bytes left in the record", recordsLengthOffset);
        }
        int recordsStart = r.Position;
        if (compression.Length != 0)
        {
            throw new McapFormatException($"Unsupported chunk compression '{compression}' (only uncompressed chunks are supported)", contentOffset);
        }
        if (uncompressedSize != recordsLength)
        {
            throw new McapFormatException($"Chunk uncompressed_size {uncompressedSize} differs from its records length {recordsLength}", contentOffset + 16);
        }
        var records = content.Slice(recordsStart, (int)recordsLength);
        if (crc != 0)
        {
            uint actual = Crc32.HashToUInt32(records);
            if (actual != crc)
            {
                throw new McapFormatException($"Chunk CRC mismatch: stored 0x{crc:X8}, computed 0x{actual:X8}", contentOffset);
            }
        }
        return new ChunkHeader(startTime, endTime, recordsStart, (int)recordsLength, contentOffset + recordsStart);
    }

    /// <summary>
    /// Appends the messages of a verified chunk to <paramref name="messages"/>, checking record framing.
    /// Message data aliases <paramref name="buffer"/>.
    /// </summary>
    public static void ParseChunkMessages(byte[] buffer, int contentStart, ChunkHeader chunk, List<McapMessage> messages)
    {
        int position = contentStart + chunk.RecordsStart;
        int end = position + chunk.RecordsLength;
        while (position < end)
        {
            long recordOffset = chunk.RecordsOffset + (position - contentStart - chunk.RecordsStart);
            var (opcode, length) = ReadRecordHeader(buffer.AsSpan(position, end - position), recordOffset, "chunk");
            int contentPos = position + McapOpcode.RecordHeaderSize;
            switch (opcode)
            {
                case McapOpcode.Message:
                    messages.Add(ParseMessage(buffer, contentPos, length, recordOffset + McapOpcode.RecordHeaderSize));
                    break;
                case McapOpcode.Schema:
                case McapOpcode.Channel:
                    break;
                default:
                    if (opcode < 0x80)
                    {
                        throw new McapFormatException($"{McapOpcode.Name(opcode)} record not allowed inside a chunk", recordOffset);
                    }
                    break;
            }
            position = contentPos + length;
        }
    }

    /// <summary>Reads opcode and content length of a record that must fit entirely in <paramref name="span"/>.</summary>
    public static (byte Opcode, int Length) ReadRecordHeader(ReadOnlySpan<byte> span, long offset, string where)
    {
        if (span.Length < McapOpcode.RecordHeaderSize)
        {
            throw new McapFormatException($"Truncated record header in {where}: {span.Length} bytes left, 9 needed", offset);
        }
        byte opcode = span[0];
        ulong length = BinaryPrimitives.ReadUInt64LittleEndian(span[1..]);
        if (length > (ulong)(span.Length - McapOpcode.RecordHeaderSize))
        {
            throw new McapFormatException($"{McapOpcode.Name(opcode)} record length {length} exceeds the {span.Length - McapOpcode.RecordHeaderSize} bytes left in {where}", offset);
        }
        return (opcode, (int)length);
    }
}

/// <summary>Location of a chunk's records inside its record content and in the file.</summary>
internal readonly record struct ChunkHeader(ulong MessageStartTime, ulong MessageEndTime, int RecordsStart, int RecordsLength, long RecordsOffset);
