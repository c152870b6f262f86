using System.Buffers.Binary;
using System.IO.Hashing;
using Microsoft.Win32.SafeHandles;

namespace AutomationStack.Mcap;

/// <summary>
/// Reads MCAP files through their summary section (schemas, channels, statistics, chunk indexes).
/// Only uncompressed chunks are supported. Every chunk read has its CRC checked.
/// </summary>
public sealed class McapReader : IDisposable
{
    private const int FooterRecordSize = McapOpcode.RecordHeaderSize + McapOpcode.FooterContentSize;

    private readonly SafeFileHandle _handle;
    private readonly long _length;
    private readonly List<ChunkIndexInfo> _chunkIndexes;
    private readonly List<(ulong Offset, ulong Length, string Name)> _metadataIndexes;

    private McapReader(SafeFileHandle handle, long length, Summary summary)
    {
        _handle = handle;
        _length = length;
        Schemas = summary.Schemas;
        Channels = summary.Channels;
        MessageCount = summary.MessageCount;
        ChannelMessageCounts = summary.ChannelMessageCounts;
        _chunkIndexes = summary.ChunkIndexes;
        _metadataIndexes = summary.MetadataIndexes;
        _chunkIndexes.Sort(static (a, b) => a.ChunkStartOffset.CompareTo(b.ChunkStartOffset));
    }

    /// <summary>Schemas from the summary section, by id.</summary>
    public IReadOnlyDictionary<ushort, McapSchemaInfo> Schemas { get; }

    /// <summary>Channels from the summary section, by id.</summary>
    public IReadOnlyDictionary<ushort, McapChannelInfo> Channels { get; }

    /// <summary>Total message count from the Statistics record (0 if the file has none).</summary>
    public ulong MessageCount { get; }

    /// <summary>Per-channel message counts from the Statistics record.</summary>
    public IReadOnlyDictionary<ushort, ulong> ChannelMessageCounts { get; }

    /// <summary>Number of chunk indexes in the summary.</summary>
    public int ChunkCount => _chunkIndexes.Count;

    /// <summary>Earliest message log time over all chunks (ns; 0 when the file has no chunk).</summary>
    public ulong MessageStartTime
    {
        get
        {
            ulong start = ulong.MaxValue;
            foreach (var index in _chunkIndexes)
            {
                start = Math.Min(start, index.MessageStartTime);
            }
            return _chunkIndexes.Count == 0 ? 0 : start;
        }
    }

    /// <summary>Latest message log time over all chunks (ns; 0 when the file has no chunk).</summary>
    public ulong MessageEndTime
    {
        get
        {
            ulong end = 0;
            foreach (var index in _chunkIndexes)
            {
                end = Math.Max(end, index.MessageEndTime);
            }
            return end;
        }
    }

    /// <summary>Opens a finished MCAP file and reads its footer and summary.</summary>
    /// <exception cref="McapFormatException">Bad magic, truncated file, missing summary or bad summary CRC.</exception>
    public static McapReader Open(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        try
        {
            long length = RandomAccess.GetLength(handle);
            var summary = ReadSummary(handle, length);
            return new McapReader(handle, length, summary);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>All messages, chunk by chunk in file order (messages in their order within each chunk).</summary>
    public IEnumerable<McapMessage> ReadMessages() => ReadMessagesCore(null);

    /// <summary>
    /// Indexed time-window read: messages of the topic with <paramref name="startTime"/> ≤ log time ≤
    /// <paramref name="endTime"/> (ns), in file order. Only chunks whose index says they overlap the window and hold the
    /// topic are read.
    /// </summary>
    public IEnumerable<McapMessage> ReadMessages(string topic, ulong startTime, ulong endTime)
    {
        ArgumentNullException.ThrowIfNull(topic);
        var ids = new HashSet<ushort>();
        foreach (var channel in Channels.Values)
        {
            if (channel.Topic == topic)
            {
                ids.Add(channel.Id);
            }
        }
        return ReadWindowCore(ids, startTime, endTime);
    }

    /// <summary>The key/value pairs of the first metadata record named <paramref name="name"/>, or null when none.</summary>
    public IReadOnlyDictionary<string, string>? ReadMetadata(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        foreach (var (offset, length, recordName) in _metadataIndexes)
        {
            if (recordName != name)
            {
                continue;
            }
            if (offset > long.MaxValue || length < McapOpcode.RecordHeaderSize)
            {
                throw new McapFormatException($"Metadata index for '{name}' points outside the file", -1);
            }
            byte[] buffer = FileSource.ReadRecord(_handle, _length, (long)offset, McapOpcode.Metadata, length, "Metadata");
            var r = new SpanReader(buffer.AsSpan(McapOpcode.RecordHeaderSize), (long)offset + McapOpcode.RecordHeaderSize, "Metadata");
            r.String("name");
            return r.StringMap("metadata");
        }
        return null;
    }

    private IEnumerable<McapMessage> ReadWindowCore(HashSet<ushort> channelIds, ulong startTime, ulong endTime)
    {
        var messages = new List<McapMessage>();
        foreach (var index in _chunkIndexes)
        {
            ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
            if (index.MessageEndTime < startTime || index.MessageStartTime > endTime)
            {
                continue;
            }
            if (index.MessageIndexOffsets.Count > 0 && !ContainsAny(index.MessageIndexOffsets, channelIds))
            {
                continue;
            }
            if (index.ChunkStartOffset > long.MaxValue)
            {
                throw new McapFormatException($"Chunk index points at offset {index.ChunkStartOffset} beyond the file", -1);
            }
            long chunkOffset = (long)index.ChunkStartOffset;
            byte[] buffer = FileSource.ReadRecord(_handle, _length, chunkOffset, McapOpcode.Chunk, index.ChunkLength, "Chunk");
            var chunk = McapRecords.ParseAndVerifyChunk(buffer.AsSpan(McapOpcode.RecordHeaderSize), chunkOffset + McapOpcode.RecordHeaderSize);
            messages.Clear();
            McapRecords.ParseChunkMessages(buffer, McapOpcode.RecordHeaderSize, chunk, messages);
            foreach (var message in messages)
            {
                if (channelIds.Contains(message.ChannelId) && message.LogTime >= startTime && message.LogTime <= endTime)
                {
                    yield return message;
                }
            }
        }
    }

    /// <summary>Messages of every channel with the given topic, in file order.</summary>
    public IEnumerable<McapMessage> ReadMessages(string topic)
    {
        ArgumentNullException.ThrowIfNull(topic);
        var ids = new HashSet<ushort>();
        foreach (var channel in Channels.Values)
        {
            if (channel.Topic == topic)
            {
                ids.Add(channel.Id);
            }
        }
        return ReadMessagesCore(ids);
    }

    /// <summary>
    /// Full linear scan of the file: record framing, chunk CRCs, data-section CRC, summary CRC, index
    /// consistency and statistics against the counted messages.
    /// </summary>
    /// <exception cref="McapFormatException">The first problem found, with its byte offset.</exception>
    public void Validate()
    {
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        new McapValidator(_handle, _length).Run();
    }

    /// <summary>
    /// Linearly scans a possibly unfinished file (e.g. left by a crashed writer) and returns the messages of
    /// every complete chunk, stopping silently at the first incomplete record or at DataEnd/Footer.
    /// A complete chunk with a bad CRC still throws <see cref="McapFormatException"/>.
    /// </summary>
    public static IEnumerable<McapMessage> ScanMessages(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return ScanMessagesCore(path);
    }

    public void Dispose() => _handle.Dispose();

    private IEnumerable<McapMessage> ReadMessagesCore(HashSet<ushort>? channelIds)
    {
        var messages = new List<McapMessage>();
        foreach (var index in _chunkIndexes)
        {
            ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
            if (channelIds is not null && index.MessageIndexOffsets.Count > 0 && !ContainsAny(index.MessageIndexOffsets, channelIds))
            {
                continue;
            }
            if (index.ChunkStartOffset > long.MaxValue)
            {
                throw new McapFormatException($"Chunk index points at offset {index.ChunkStartOffset} beyond the file", -1);
            }
            long chunkOffset = (long)index.ChunkStartOffset;
            byte[] buffer = FileSource.ReadRecord(_handle, _length, chunkOffset, McapOpcode.Chunk, index.ChunkLength, "Chunk");
            var chunk = McapRecords.ParseAndVerifyChunk(buffer.AsSpan(McapOpcode.RecordHeaderSize), chunkOffset + McapOpcode.RecordHeaderSize);
            messages.Clear();
            McapRecords.ParseChunkMessages(buffer, McapOpcode.RecordHeaderSize, chunk, messages);
            foreach (var message in messages)
            {
                if (channelIds is null || channelIds.Contains(message.ChannelId))
                {
                    yield return message;
                }
            }
        }
    }

    private static bool ContainsAny(Dictionary<ushort, ulong> offsets, HashSet<ushort> ids)
    {
        foreach (var id in ids)
        {
            if (offsets.ContainsKey(id))
            {
                return true;
            }
        }
        return false;
    }

    private static IEnumerable<McapMessage> ScanMessagesCore(string path)
    {
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        long length = RandomAccess.GetLength(handle);
        if (length < McapOpcode.Magic.Length)
        {
            yield break;
        }
        var magic = new byte[McapOpcode.Magic.Length];
        FileSource.ReadExact(handle, 0, magic, "leading magic");
        if (!magic.AsSpan().SequenceEqual(McapOpcode.Magic))
        {
            throw new McapFormatException("Not an MCAP file: bad leading magic", 0);
        }
        var header = new byte[McapOpcode.RecordHeaderSize];
        var messages = new List<McapMessage>();
        long position = McapOpcode.Magic.Length;
        while (position + McapOpcode.RecordHeaderSize <= length)
        {
            FileSource.ReadExact(handle, position, header, "record header");
            byte opcode = header[0];
            ulong contentLength = BinaryPrimitives.ReadUInt64LittleEndian(header.AsSpan(1));
            if (opcode == 0 || contentLength > (ulong)(length - position - McapOpcode.RecordHeaderSize) || contentLength > (ulong)Array.MaxLength)
            {
                yield break; // incomplete (or zero-filled) tail left by a crash
            }
            if (opcode is McapOpcode.DataEnd or McapOpcode.Footer)
            {
                yield break;
            }
            long contentOffset = position + McapOpcode.RecordHeaderSize;
            if (opcode is McapOpcode.Chunk or McapOpcode.Message)
            {
                var content = new byte[contentLength];
                FileSource.ReadExact(handle, contentOffset, content, McapOpcode.Name(opcode));
                messages.Clear();
                if (opcode == McapOpcode.Chunk)
                {
                    var chunk = McapRecords.ParseAndVerifyChunk(content, contentOffset);
                    McapRecords.ParseChunkMessages(content, 0, chunk, messages);
                }
                else
                {
                    messages.Add(McapRecords.ParseMessage(content, 0, content.Length, contentOffset));
                }
                foreach (var message in messages)
                {
                    yield return message;
                }
            }
            position = contentOffset + (long)contentLength;
        }
    }

    private static Summary ReadSummary(SafeFileHandle handle, long length)
    {
        const int minimumSize = 8 + McapOpcode.RecordHeaderSize + 8 + FooterRecordSize + 8;
        if (length < minimumSize)
        {
            throw new McapFormatException($"File is {length} bytes, too small to be a finished MCAP file (minimum {minimumSize})", length);
        }
        Span<byte> magic = stackalloc byte[8];
        FileSource.ReadExact(handle, 0, magic, "leading magic");
        if (!magic.SequenceEqual(McapOpcode.Magic))
        {
            throw new McapFormatException("Not an MCAP file: bad leading magic", 0);
        }

        long footerOffset = length - 8 - FooterRecordSize;
        var tail = new byte[FooterRecordSize + 8];
        FileSource.ReadExact(handle, footerOffset, tail, "footer");
        if (!tail.AsSpan(FooterRecordSize).SequenceEqual(McapOpcode.Magic))
        {
            throw new McapFormatException("Bad trailing magic: the file is truncated or was never finished", length - 8);
        }
        if (tail[0] != McapOpcode.Footer || BinaryPrimitives.ReadUInt64LittleEndian(tail.AsSpan(1)) != McapOpcode.FooterContentSize)
        {
            throw new McapFormatException("Expected a 20-byte Footer record before the trailing magic", footerOffset);
        }
        ulong summaryStart = BinaryPrimitives.ReadUInt64LittleEndian(tail.AsSpan(9));
        ulong summaryOffsetStart = BinaryPrimitives.ReadUInt64LittleEndian(tail.AsSpan(17));
        uint summaryCrc = BinaryPrimitives.ReadUInt32LittleEndian(tail.AsSpan(25));
        if (summaryStart == 0)
        {
            throw new McapFormatException("File has no summary section (not indexed); use ScanMessages", footerOffset + 9);
        }
        if (summaryStart < 8 + McapOpcode.RecordHeaderSize + 8 || summaryStart > (ulong)footerOffset)
        {
            throw new McapFormatException($"Footer summary_start {summaryStart} is outside the file", footerOffset + 9);
        }
        if (summaryOffsetStart != 0 && (summaryOffsetStart < summaryStart || summaryOffsetStart > (ulong)footerOffset))
        {
            throw new McapFormatException($"Footer summary_offset_start {summaryOffsetStart} is outside the summary", footerOffset + 17);
        }

        long start = (long)summaryStart;
        var section = new byte[footerOffset - start];
        FileSource.ReadExact(handle, start, section, "summary section");
        if (summaryCrc != 0)
        {
            var crc = new Crc32();
            crc.Append(section);
            crc.Append(tail.AsSpan(0, 25));
            uint actual = crc.GetCurrentHashAsUInt32();
            if (actual != summaryCrc)
            {
                throw new McapFormatException($"Summary CRC mismatch: stored 0x{summaryCrc:X8}, computed 0x{actual:X8}", footerOffset + 25);
            }
        }

        var summary = new Summary();
        int end = summaryOffsetStart == 0 ? section.Length : (int)((long)summaryOffsetStart - start);
        int position = 0;
        while (position < end)
        {
            long recordOffset = start + position;
            var (opcode, contentLength) = McapRecords.ReadRecordHeader(section.AsSpan(position, end - position), recordOffset, "summary section");
            var content = section.AsSpan(position + McapOpcode.RecordHeaderSize, contentLength);
            long contentOffset = recordOffset + McapOpcode.RecordHeaderSize;
            switch (opcode)
            {
                case McapOpcode.Schema:
                    var schema = McapRecords.ParseSchema(content, contentOffset);
                    summary.Schemas[schema.Id] = schema;
                    break;
                case McapOpcode.Channel:
                    var channel = McapRecords.ParseChannel(content, contentOffset);
                    summary.Channels[channel.Id] = channel;
                    break;
                case McapOpcode.Statistics:
                    var statistics = McapStatistics.Parse(content, contentOffset);
                    summary.MessageCount = statistics.MessageCount;
                    summary.ChannelMessageCounts = statistics.ChannelMessageCounts;
                    break;
                case McapOpcode.ChunkIndex:
                    summary.ChunkIndexes.Add(ChunkIndexInfo.Parse(content, contentOffset));
                    break;
                case McapOpcode.MetadataIndex:
                    var mr = new SpanReader(content, contentOffset, "MetadataIndex");
                    var metadataOffset = mr.U64("offset");
                    var metadataLength = mr.U64("length");
                    summary.MetadataIndexes.Add((metadataOffset, metadataLength, mr.String("name")));
                    break;
                case McapOpcode.AttachmentIndex:
                case McapOpcode.SummaryOffset:
                    break;
                default:
                    if (opcode < 0x80)
                    {
                        throw new McapFormatException($"{McapOpcode.Name(opcode)} record not allowed in the summary section", recordOffset);
                    }
                    break;
            }
            position += McapOpcode.RecordHeaderSize + contentLength;
        }
        foreach (var channel in summary.Channels.Values)
        {
            if (channel.SchemaId != 0 && !summary.Schemas.ContainsKey(channel.SchemaId))
            {
                throw new McapFormatException($"Channel {channel.Id} ('{channel.Topic}') references unknown schema {channel.SchemaId}", start);
            }
        }
        return summary;
    }

    private sealed class Summary
    {
        public Dictionary<ushort, McapSchemaInfo> Schemas { get; } = [];
        public Dictionary<ushort, McapChannelInfo> Channels { get; } = [];
        public List<ChunkIndexInfo> ChunkIndexes { get; } = [];
        public List<(ulong Offset, ulong Length, string Name)> MetadataIndexes { get; } = [];
        public ulong MessageCount { get; set; }
        public IReadOnlyDictionary<ushort, ulong> ChannelMessageCounts { get; set; } = new Dictionary<ushort, ulong>();
    }
}

/// <summary>Parsed Statistics record.</summary>
internal sealed record McapStatistics(
    ulong MessageCount,
    ushort SchemaCount,
    uint ChannelCount,
    uint AttachmentCount,
    uint MetadataCount,
    uint ChunkCount,
    ulong MessageStartTime,
    ulong MessageEndTime,
    Dictionary<ushort, ulong> ChannelMessageCounts)
{
    public static McapStatistics Parse(ReadOnlySpan<byte> content, long contentOffset)
    {
        var r = new SpanReader(content, contentOffset, "Statistics");
        return new McapStatistics(
            r.U64("message_count"),
            r.U16("schema_count"),
            r.U32("channel_count"),
            r.U32("attachment_count"),
            r.U32("metadata_count"),
            r.U32("chunk_count"),
            r.U64("message_start_time"),
            r.U64("message_end_time"),
            r.U16U64Map("channel_message_counts"));
    }
}

/// <summary>Parsed ChunkIndex record.</summary>
internal sealed record ChunkIndexInfo(
    ulong MessageStartTime,
    ulong MessageEndTime,
    ulong ChunkStartOffset,
    ulong ChunkLength,
    Dictionary<ushort, ulong> MessageIndexOffsets,
    ulong MessageIndexLength,
    string Compression,
    ulong CompressedSize,
    ulong UncompressedSize,
    long RecordOffset)
{
    public static ChunkIndexInfo Parse(ReadOnlySpan<byte> content, long contentOffset)
    {
        var r = new SpanReader(content, contentOffset, "ChunkIndex");
        return new ChunkIndexInfo(
            r.U64("message_start_time"),
            r.U64("message_end_time"),
            r.U64("chunk_start_offset"),
            r.U64("chunk_length"),
            r.U16U64Map("message_index_offsets"),
            r.U64("message_index_length"),
            r.String("compression"),
            r.U64("compressed_size"),
            r.U64("uncompressed_size"),
            contentOffset - McapOpcode.RecordHeaderSize);
    }
}
