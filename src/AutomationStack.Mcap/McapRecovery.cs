using System.Buffers.Binary;
using System.IO.Hashing;

namespace AutomationStack.Mcap;

/// <summary>What <see cref="McapRecovery.Recover"/> kept and why it stopped.</summary>
/// <param name="Messages">messages copied (every message of every complete, intact chunk, and loose messages).</param>
/// <param name="Chunks">complete chunks read.</param>
/// <param name="Schemas">schemas copied.</param>
/// <param name="Channels">channels copied.</param>
/// <param name="Metadata">metadata records copied.</param>
/// <param name="GoodBytes">bytes of the input up to the end of the last complete record kept.</param>
/// <param name="InputBytes">bytes of the input.</param>
/// <param name="HadSummary">the input was complete (it reached its footer): nothing was lost.</param>
/// <param name="StopReason">why reading stopped (end of data, a truncated record, a chunk whose CRC fails …).</param>
/// <param name="LastMessageTime">log time of the last message kept, ns (0 when none).</param>
public sealed record McapRecoveryResult(
    long Messages,
    int Chunks,
    int Schemas,
    int Channels,
    int Metadata,
    long GoodBytes,
    long InputBytes,
    bool HadSummary,
    string StopReason,
    ulong LastMessageTime);

/// <summary>
/// Rebuilds a readable, indexed MCAP file from a truncated or damaged one (a run killed while logging, a full disk):
/// reads the data section record by record from the start, keeps every schema, channel, metadata record and every
/// message of each complete chunk whose CRC holds (and loose messages), and stops at the first record that is cut
/// short or broken; the kept records are written anew with <see cref="McapWriter"/> (chunks, indexes, statistics,
/// summary), so the output validates. Nothing before the first damaged record is lost.
/// </summary>
public static class McapRecovery
{
    private const int MaxRecordBytes = int.MaxValue - 64;

    /// <exception cref="McapFormatException">the input does not start with the MCAP magic and a header.</exception>
    public static McapRecoveryResult Recover(string inputPath, Stream output)
    {
        ArgumentNullException.ThrowIfNull(inputPath);
        ArgumentNullException.ThrowIfNull(output);
        using var input = new FileStream(inputPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16);
        var length = input.Length;
        Span<byte> magic = stackalloc byte[8];
        if (length < 8 || input.ReadAtLeast(magic, 8, throwOnEndOfStream: false) < 8 || !magic.SequenceEqual(McapOpcode.Magic))
        {
            throw new McapFormatException($"{inputPath}: not an MCAP file (no magic at the start)", 0);
        }

        using var writer = new McapWriter(output, new McapWriterOptions { Profile = string.Empty, Library = "automationstack-recover" });
        var schemaIds = new Dictionary<ushort, ushort>();
        var channelIds = new Dictionary<ushort, ushort>();
        var pendingChannels = new Dictionary<ushort, (ushort SchemaId, string Topic, string Encoding, Dictionary<string, string> Metadata)>();
        long messages = 0;
        var chunks = 0;
        var metadata = 0;
        var good = 8L;
        var hadSummary = false;
        var stop = "end of data";
        ulong lastTime = 0;
        var position = 8L;
        var header = new byte[McapOpcode.RecordHeaderSize];
        var sawHeader = false;
        while (true)
        {
            if (position + McapOpcode.RecordHeaderSize > length)
            {
                stop = position == length ? "end of file without a footer" : $"record header cut short at byte {position}";
                break;
            }

            input.Position = position;
            input.ReadExactly(header);
            var opcode = header[0];
            var contentLength = BinaryPrimitives.ReadUInt64LittleEndian(header.AsSpan(1));
            if (contentLength > MaxRecordBytes || position + McapOpcode.RecordHeaderSize + (long)contentLength > length)
            {
                stop = $"record (opcode 0x{opcode:X2}) at byte {position} cut short: {contentLength} bytes announced, {length - position - McapOpcode.RecordHeaderSize} left";
                break;
            }

            var content = new byte[(int)contentLength];
            input.ReadExactly(content);
            var next = position + McapOpcode.RecordHeaderSize + (long)contentLength;
            if (!sawHeader)
            {
                if (opcode != McapOpcode.Header)
                {
                    throw new McapFormatException($"{inputPath}: the first record is not a header (opcode 0x{opcode:X2})", position);
                }

                sawHeader = true;
                good = next;
                position = next;
                continue;
            }

            try
            {
                switch (opcode)
                {
                    case McapOpcode.Schema:
                        CopySchema(content, position, writer, schemaIds);
                        break;
                    case McapOpcode.Channel:
                        ReadChannel(content, position, pendingChannels);
                        break;
                    case McapOpcode.Message:
                        lastTime = CopyMessage(content, position, writer, schemaIds, channelIds, pendingChannels, ref messages);
                        break;
                    case McapOpcode.Chunk:
                        lastTime = Math.Max(lastTime, CopyChunk(content, position, writer, schemaIds, channelIds, pendingChannels, ref messages));
                        chunks++;
                        break;
                    case McapOpcode.Metadata:
                    {
                        var r = new SpanReader(content, position + McapOpcode.RecordHeaderSize, "Metadata");
                        var name = r.String("name");
                        writer.WriteMetadata(name, r.StringMap("metadata"));
                        metadata++;
                        break;
                    }

                    case McapOpcode.DataEnd:
                        hadSummary = true;
                        break;
                    default:
                        break; // message indexes, attachments and the old summary are rebuilt or not needed
                }
            }
            catch (McapFormatException ex)
            {
                stop = $"damaged record (opcode 0x{opcode:X2}) at byte {position}: {ex.Message}";
                break;
            }

            good = next;
            position = next;
            if (hadSummary)
            {
                stop = "complete file (data end reached)";
                break;
            }
        }

        writer.Finish();
        return new McapRecoveryResult(messages, chunks, schemaIds.Count, channelIds.Count, metadata, good, length, hadSummary, stop, lastTime);
    }

    private static void CopySchema(ReadOnlySpan<byte> content, long offset, McapWriter writer, Dictionary<ushort, ushort> schemaIds)
    {
        var r = new SpanReader(content, offset + McapOpcode.RecordHeaderSize, "Schema");
        var id = r.U16("id");
        var name = r.String("name");
        var encoding = r.String("encoding");
        var data = r.PrefixedBytes("data");
        if (!schemaIds.ContainsKey(id))
        {
            if (schemaIds.Count >= ushort.MaxValue)
            {
                throw new McapFormatException("more than 65535 distinct schemas", offset);
            }

            schemaIds[id] = writer.RegisterSchema(name, encoding, data);
        }
    }

    private static void ReadChannel(ReadOnlySpan<byte> content, long offset, Dictionary<ushort, (ushort, string, string, Dictionary<string, string>)> pending)
    {
        var r = new SpanReader(content, offset + McapOpcode.RecordHeaderSize, "Channel");
        var id = r.U16("id");
        var schemaId = r.U16("schema_id");
        var topic = r.String("topic");
        var encoding = r.String("message_encoding");
        var metadata = r.StringMap("metadata");
        pending.TryAdd(id, (schemaId, topic, encoding, metadata));
    }

    /// <summary>The new id of a channel, registered the first time one of its messages is kept.</summary>
    private static ushort ChannelOf(ushort id, long offset, McapWriter writer, Dictionary<ushort, ushort> schemaIds, Dictionary<ushort, ushort> channelIds,
        Dictionary<ushort, (ushort SchemaId, string Topic, string Encoding, Dictionary<string, string> Metadata)> pending)
    {
        if (channelIds.TryGetValue(id, out var known))
        {
            return known;
        }

        if (!pending.TryGetValue(id, out var c))
        {
            throw new McapFormatException($"message on channel {id}, which was never declared", offset);
        }

        ushort schema = 0;
        if (c.SchemaId != 0 && !schemaIds.TryGetValue(c.SchemaId, out schema))
        {
            throw new McapFormatException($"channel {id} ({c.Topic}) uses schema {c.SchemaId}, which was never declared", offset);
        }

        if (channelIds.Count >= ushort.MaxValue)
        {
            throw new McapFormatException("more than 65535 distinct channels", offset);
        }

        var created = writer.RegisterChannel(schema, c.Topic, c.Encoding, c.Metadata);
        channelIds[id] = created;
        return created;
    }

    private static ulong CopyMessage(ReadOnlySpan<byte> content, long offset, McapWriter writer, Dictionary<ushort, ushort> schemaIds, Dictionary<ushort, ushort> channelIds,
        Dictionary<ushort, (ushort, string, string, Dictionary<string, string>)> pending, ref long messages)
    {
        var r = new SpanReader(content, offset + McapOpcode.RecordHeaderSize, "Message");
        var channel = r.U16("channel_id");
        r.U32("sequence");
        var logTime = r.U64("log_time");
        var publishTime = r.U64("publish_time");
        if (logTime == 0)
        {
            // McapWriter (and so the rebuilt file) has no place for it; found by fuzzing (it escaped as ArgumentOutOfRangeException).
            throw new McapFormatException($"message on channel {channel} has log time 0", offset);
        }

        var data = content[r.Position..];
        writer.WriteMessage(ChannelOf(channel, offset, writer, schemaIds, channelIds, pending), logTime, publishTime, data);
        messages++;
        return logTime;
    }

    /// <summary>A chunk is kept whole or not at all: its records are checked (CRC, framing) before any is copied.</summary>
    private static ulong CopyChunk(byte[] content, long offset, McapWriter writer, Dictionary<ushort, ushort> schemaIds, Dictionary<ushort, ushort> channelIds,
        Dictionary<ushort, (ushort, string, string, Dictionary<string, string>)> pending, ref long messages)
    {
        var r = new SpanReader(content, offset + McapOpcode.RecordHeaderSize, "Chunk");
        r.U64("message_start_time");
        r.U64("message_end_time");
        var size = r.U64("uncompressed_size");
        var crc = r.U32("uncompressed_crc");
        var compression = r.String("compression");
        var recordsLength = r.U64("records_length");
        if (compression.Length != 0)
        {
            throw new McapFormatException($"chunk compressed with '{compression}' (only uncompressed chunks are read)", offset);
        }

        var start = r.Position;
        if (recordsLength != size || (ulong)(content.Length - start) < recordsLength)
        {
            throw new McapFormatException("chunk records length does not match", offset);
        }

        var records = content.AsSpan(start, (int)recordsLength);
        if (crc != 0 && Crc32.HashToUInt32(records) != crc)
        {
            throw new McapFormatException("chunk CRC mismatch", offset);
        }

        // Framing check first, then copy.
        var p = 0;
        while (p < records.Length)
        {
            if (p + McapOpcode.RecordHeaderSize > records.Length)
            {
                throw new McapFormatException("record inside the chunk cut short", offset);
            }

            var len = BinaryPrimitives.ReadUInt64LittleEndian(records[(p + 1)..]);
            if (len > (ulong)(records.Length - p - McapOpcode.RecordHeaderSize))
            {
                throw new McapFormatException("record inside the chunk overruns it", offset);
            }

            // Messages the copy below would reject (too short, log time 0) reject the whole chunk before anything is copied.
            if (records[p] == McapOpcode.Message
                && (len < McapRecords.MessagePrefixSize || BinaryPrimitives.ReadUInt64LittleEndian(records[(p + McapOpcode.RecordHeaderSize + 6)..]) == 0))
            {
                throw new McapFormatException("message inside the chunk is too short or has log time 0", offset);
            }

            p += McapOpcode.RecordHeaderSize + (int)len;
        }

        ulong last = 0;
        p = 0;
        while (p < records.Length)
        {
            var op = records[p];
            var len = (int)BinaryPrimitives.ReadUInt64LittleEndian(records[(p + 1)..]);
            var inner = records.Slice(p + McapOpcode.RecordHeaderSize, len);
            var innerOffset = offset + McapOpcode.RecordHeaderSize + start + p;
            switch (op)
            {
                case McapOpcode.Schema:
                    CopySchema(inner, innerOffset, writer, schemaIds);
                    break;
                case McapOpcode.Channel:
                    ReadChannel(inner, innerOffset, pending);
                    break;
                case McapOpcode.Message:
                    last = Math.Max(last, CopyMessage(inner, innerOffset, writer, schemaIds, channelIds, pending, ref messages));
                    break;
                default:
                    break;
            }

            p += McapOpcode.RecordHeaderSize + len;
        }

        return last;
    }
}
