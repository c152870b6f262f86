using System.Buffers.Binary;
using System.IO.Hashing;
using Microsoft.Win32.SafeHandles;

namespace AutomationStack.Mcap;

/// <summary>
/// Full linear validation of an MCAP file: framing, record placement, chunk CRCs, data-section CRC,
/// summary CRC, message/chunk/metadata indexes and statistics against what the data section holds.
/// </summary>
internal sealed class McapValidator(SafeFileHandle handle, long length)
{
    private readonly Dictionary<ushort, McapSchemaInfo> _schemas = [];
    private readonly Dictionary<ushort, McapChannelInfo> _channels = [];
    private readonly Dictionary<ushort, ulong> _channelCounts = [];
    private readonly Dictionary<long, ChunkSeen> _chunks = [];
    private readonly Dictionary<long, (ulong Length, string Name)> _metadata = [];
    private byte[] _buffer = new byte[4096];
    private ulong _messageCount;
    private ulong _messageStart = ulong.MaxValue;
    private ulong _messageEnd;

    public void Run()
    {
        if (length < 8)
        {
            throw new McapFormatException($"File is {length} bytes, truncated before the leading magic", length);
        }
        var magic = new byte[8];
        FileSource.ReadExact(handle, 0, magic, "leading magic");
        if (!magic.AsSpan().SequenceEqual(McapOpcode.Magic))
        {
            throw new McapFormatException("Not an MCAP file: bad leading magic", 0);
        }
        var dataCrc = new Crc32();
        dataCrc.Append(magic);
        long position = 8;

        // Header
        byte opcode = ReadRecord(position, "Header", out var content, out long next);
        if (opcode != McapOpcode.Header)
        {
            throw new McapFormatException($"Expected Header record after the magic, found {McapOpcode.Name(opcode)}", position);
        }
        var header = new SpanReader(content, position + 9, "Header");
        header.String("profile");
        header.String("library");
        dataCrc.Append(_buffer.AsSpan(0, (int)(next - position)));
        position = next;

        // Data section
        ChunkSeen? lastChunk = null;
        uint storedDataCrc;
        while (true)
        {
            long recordOffset = position;
            opcode = ReadRecord(position, "data section", out content, out next);
            long contentOffset = position + 9;
            if (opcode == McapOpcode.DataEnd)
            {
                var dataEnd = new SpanReader(content, contentOffset, "DataEnd");
                storedDataCrc = dataEnd.U32("data_section_crc");
                uint actual = dataCrc.GetCurrentHashAsUInt32();
                if (storedDataCrc != 0 && storedDataCrc != actual)
                {
                    throw new McapFormatException($"Data section CRC mismatch: stored 0x{storedDataCrc:X8}, computed 0x{actual:X8}", contentOffset);
                }
                position = next;
                break;
            }
            switch (opcode)
            {
                case McapOpcode.Chunk:
                    lastChunk = ValidateChunk(content, recordOffset);
                    break;
                case McapOpcode.MessageIndex:
                    if (lastChunk is null)
                    {
                        throw new McapFormatException("MessageIndex record does not follow a chunk", recordOffset);
                    }
                    ValidateMessageIndex(content, contentOffset, lastChunk, recordOffset, next);
                    break;
                case McapOpcode.Schema:
                    AddSchema(McapRecords.ParseSchema(content, contentOffset), recordOffset);
                    break;
                case McapOpcode.Channel:
                    AddChannel(McapRecords.ParseChannel(content, contentOffset), recordOffset);
                    break;
                case McapOpcode.Message:
                    CountMessage(McapRecords.ParseMessage(_buffer, 9, content.Length, contentOffset), recordOffset);
                    break;
                case McapOpcode.Metadata:
                    var metadata = new SpanReader(content, contentOffset, "Metadata");
                    string name = metadata.String("name");
                    metadata.StringMap("metadata");
                    _metadata[recordOffset] = ((ulong)(next - recordOffset), name);
                    break;
                case McapOpcode.Attachment:
                    break;
                default:
                    if (opcode < 0x80)
                    {
                        throw new McapFormatException($"{McapOpcode.Name(opcode)} record not allowed in the data section", recordOffset);
                    }
                    break;
            }
            if (opcode != McapOpcode.Chunk && opcode != McapOpcode.MessageIndex)
            {
                lastChunk = null;
            }
            dataCrc.Append(_buffer.AsSpan(0, (int)(next - position)));
            position = next;
        }

        ValidateSummary(position);
    }

    private void ValidateSummary(long summaryStart)
    {
        var summaryCrc = new Crc32();
        var summarySchemas = new Dictionary<ushort, McapSchemaInfo>();
        var summaryChannels = new Dictionary<ushort, McapChannelInfo>();
        var records = new List<(long Offset, byte Opcode, long End)>();
        var groups = new List<(long Offset, byte GroupOpcode, ulong Start, ulong Length)>();
        var indexedChunks = new HashSet<long>();
        McapStatistics? statistics = null;
        long firstSummaryOffset = 0;
        long position = summaryStart;
        while (true)
        {
            long recordOffset = position;
            byte opcode = ReadRecord(position, "summary section", out var content, out long next);
            long contentOffset = position + 9;
            if (opcode == McapOpcode.Footer)
            {
                var footer = new SpanReader(content, contentOffset, "Footer");
                ulong storedSummaryStart = footer.U64("summary_start");
                ulong storedSummaryOffsetStart = footer.U64("summary_offset_start");
                uint storedCrc = footer.U32("summary_crc");
                bool emptySummary = records.Count == 0 && firstSummaryOffset == 0;
                if (storedSummaryStart != (ulong)summaryStart && !(emptySummary && storedSummaryStart == 0))
                {
                    throw new McapFormatException($"Footer summary_start is {storedSummaryStart}, expected {summaryStart}", contentOffset);
                }
                if (storedSummaryOffsetStart != (ulong)firstSummaryOffset)
                {
                    throw new McapFormatException($"Footer summary_offset_start is {storedSummaryOffsetStart}, expected {firstSummaryOffset}", contentOffset + 8);
                }
                summaryCrc.Append(_buffer.AsSpan(0, 9 + 16));
                uint actual = summaryCrc.GetCurrentHashAsUInt32();
                if (storedCrc != 0 && storedCrc != actual)
                {
                    throw new McapFormatException($"Summary CRC mismatch: stored 0x{storedCrc:X8}, computed 0x{actual:X8}", contentOffset + 16);
                }
                position = next;
                break;
            }

            if (firstSummaryOffset != 0 && opcode != McapOpcode.SummaryOffset)
            {
                throw new McapFormatException($"{McapOpcode.Name(opcode)} record after the summary offset section began", recordOffset);
            }
            switch (opcode)
            {
                case McapOpcode.Schema:
                    var schema = McapRecords.ParseSchema(content, contentOffset);
                    if (_schemas.TryGetValue(schema.Id, out var dataSchema) && !SameSchema(schema, dataSchema))
                    {
                        throw new McapFormatException($"Summary schema {schema.Id} differs from the data section", recordOffset);
                    }
                    summarySchemas[schema.Id] = schema;
                    break;
                case McapOpcode.Channel:
                    var channel = McapRecords.ParseChannel(content, contentOffset);
                    if (_channels.TryGetValue(channel.Id, out var dataChannel) && !SameChannel(channel, dataChannel))
                    {
                        throw new McapFormatException($"Summary channel {channel.Id} ('{channel.Topic}') differs from the data section", recordOffset);
                    }
                    summaryChannels[channel.Id] = channel;
                    break;
                case McapOpcode.Statistics:
                    if (statistics is not null)
                    {
                        throw new McapFormatException("Duplicate Statistics record", recordOffset);
                    }
                    statistics = McapStatistics.Parse(content, contentOffset);
                    ValidateStatistics(statistics, recordOffset);
                    break;
                case McapOpcode.ChunkIndex:
                    var index = ChunkIndexInfo.Parse(content, contentOffset);
                    ValidateChunkIndex(index);
                    indexedChunks.Add((long)index.ChunkStartOffset);
                    break;
                case McapOpcode.MetadataIndex:
                    var metadataIndex = new SpanReader(content, contentOffset, "MetadataIndex");
                    ulong offset = metadataIndex.U64("offset");
                    ulong metadataLength = metadataIndex.U64("length");
                    string name = metadataIndex.String("name");
                    if (offset > long.MaxValue || !_metadata.TryGetValue((long)offset, out var seen) || seen.Length != metadataLength || seen.Name != name)
                    {
                        throw new McapFormatException($"MetadataIndex '{name}' (offset {offset}, length {metadataLength}) does not match a Metadata record", recordOffset);
                    }
                    break;
                case McapOpcode.SummaryOffset:
                    if (firstSummaryOffset == 0)
                    {
                        firstSummaryOffset = recordOffset;
                    }
                    var summaryOffset = new SpanReader(content, contentOffset, "SummaryOffset");
                    groups.Add((recordOffset, summaryOffset.U8("group_opcode"), summaryOffset.U64("group_start"), summaryOffset.U64("group_length")));
                    break;
                case McapOpcode.AttachmentIndex:
                    break;
                default:
                    if (opcode < 0x80)
                    {
                        throw new McapFormatException($"{McapOpcode.Name(opcode)} record not allowed in the summary section", recordOffset);
                    }
                    break;
            }
            if (opcode != McapOpcode.SummaryOffset)
            {
                records.Add((recordOffset, opcode, next));
            }
            summaryCrc.Append(_buffer.AsSpan(0, (int)(next - position)));
            position = next;
        }

        if (length - position != 8)
        {
            throw new McapFormatException($"Expected exactly the 8-byte trailing magic after the Footer, found {length - position} bytes", position);
        }
        var magic = new byte[8];
        FileSource.ReadExact(handle, position, magic, "trailing magic");
        if (!magic.AsSpan().SequenceEqual(McapOpcode.Magic))
        {
            throw new McapFormatException("Bad trailing magic", position);
        }

        foreach (var channel in summaryChannels.Values)
        {
            if (channel.SchemaId != 0 && !summarySchemas.ContainsKey(channel.SchemaId))
            {
                throw new McapFormatException($"Summary channel {channel.Id} ('{channel.Topic}') references schema {channel.SchemaId} missing from the summary", summaryStart);
            }
        }
        if (indexedChunks.Count > 0 && indexedChunks.Count != _chunks.Count)
        {
            throw new McapFormatException($"Summary indexes {indexedChunks.Count} chunks but the data section holds {_chunks.Count}", summaryStart);
        }
        foreach (var (offset, groupOpcode, start, groupLength) in groups)
        {
            ulong end = start + groupLength;
            int count = 0;
            foreach (var record in records)
            {
                if ((ulong)record.Offset >= start && (ulong)record.End <= end)
                {
                    count++;
                    if (record.Opcode != groupOpcode)
                    {
                        throw new McapFormatException($"SummaryOffset group {McapOpcode.Name(groupOpcode)} contains a {McapOpcode.Name(record.Opcode)} record", offset);
                    }
                }
                else if ((ulong)record.Offset < end && (ulong)record.End > start)
                {
                    throw new McapFormatException($"SummaryOffset group {McapOpcode.Name(groupOpcode)} boundary splits a record", offset);
                }
            }
            if (count == 0)
            {
                throw new McapFormatException($"SummaryOffset group {McapOpcode.Name(groupOpcode)} covers no records", offset);
            }
        }
    }

    private ChunkSeen ValidateChunk(ReadOnlySpan<byte> content, long recordOffset)
    {
        long contentOffset = recordOffset + 9;
        var header = McapRecords.ParseAndVerifyChunk(content, contentOffset);
        var chunk = new ChunkSeen(recordOffset, (ulong)(9 + content.Length), header);
        int position = header.RecordsStart;
        int end = header.RecordsStart + header.RecordsLength;
        bool any = false;
        ulong minTime = ulong.MaxValue;
        ulong maxTime = 0;
        while (position < end)
        {
            long innerOffset = contentOffset + position;
            var (opcode, innerLength) = McapRecords.ReadRecordHeader(content[position..end], innerOffset, "chunk");
            var inner = content.Slice(position + 9, innerLength);
            switch (opcode)
            {
                case McapOpcode.Schema:
                    AddSchema(McapRecords.ParseSchema(inner, innerOffset + 9), innerOffset);
                    break;
                case McapOpcode.Channel:
                    AddChannel(McapRecords.ParseChannel(inner, innerOffset + 9), innerOffset);
                    break;
                case McapOpcode.Message:
                    var message = McapRecords.ParseMessage(_buffer, 9 + position + 9, innerLength, innerOffset + 9);
                    CountMessage(message, innerOffset);
                    chunk.Messages[position - header.RecordsStart] = (message.ChannelId, message.LogTime);
                    chunk.ChannelCounts[message.ChannelId] = chunk.ChannelCounts.GetValueOrDefault(message.ChannelId) + 1;
                    minTime = Math.Min(minTime, message.LogTime);
                    maxTime = Math.Max(maxTime, message.LogTime);
                    any = true;
                    break;
                default:
                    if (opcode < 0x80)
                    {
                        throw new McapFormatException($"{McapOpcode.Name(opcode)} record not allowed inside a chunk", innerOffset);
                    }
                    break;
            }
            position += 9 + innerLength;
        }
        if (any && (minTime != header.MessageStartTime || maxTime != header.MessageEndTime))
        {
            throw new McapFormatException($"Chunk time range [{header.MessageStartTime}, {header.MessageEndTime}] differs from its messages' [{minTime}, {maxTime}]", contentOffset);
        }
        _chunks.Add(recordOffset, chunk);
        return chunk;
    }

    private static void ValidateMessageIndex(ReadOnlySpan<byte> content, long contentOffset, ChunkSeen chunk, long recordOffset, long next)
    {
        var r = new SpanReader(content, contentOffset, "MessageIndex");
        ushort channelId = r.U16("channel_id");
        var entries = r.Nested("records");
        if (entries.Remaining % 16 != 0)
        {
            throw new McapFormatException($"MessageIndex records array length {entries.Remaining} is not a multiple of 16", contentOffset + 2);
        }
        int count = 0;
        while (entries.Remaining > 0)
        {
            long entryOffset = entries.AbsoluteOffset;
            ulong logTime = entries.U64("log_time");
            ulong offset = entries.U64("offset");
            if (offset > int.MaxValue || !chunk.Messages.TryGetValue((int)offset, out var message) || message.ChannelId != channelId || message.LogTime != logTime)
            {
                throw new McapFormatException($"MessageIndex entry (channel {channelId}, log_time {logTime}, offset {offset}) does not point at a matching message in the chunk at {chunk.Offset}", entryOffset);
            }
            count++;
        }
        if (count != chunk.ChannelCounts.GetValueOrDefault(channelId))
        {
            throw new McapFormatException($"MessageIndex for channel {channelId} lists {count} messages; the chunk at {chunk.Offset} holds {chunk.ChannelCounts.GetValueOrDefault(channelId)}", recordOffset);
        }
        if (!chunk.MessageIndexOffsets.TryAdd(channelId, recordOffset))
        {
            throw new McapFormatException($"Duplicate MessageIndex for channel {channelId} after the chunk at {chunk.Offset}", recordOffset);
        }
        chunk.MessageIndexEnd = next;
    }

    private void ValidateChunkIndex(ChunkIndexInfo index)
    {
        long at = index.RecordOffset;
        if (index.ChunkStartOffset > long.MaxValue || !_chunks.TryGetValue((long)index.ChunkStartOffset, out var chunk))
        {
            throw new McapFormatException($"ChunkIndex chunk_start_offset {index.ChunkStartOffset} does not point at a chunk", at);
        }
        var h = chunk.Header;
        if (index.ChunkLength != chunk.Length || index.MessageStartTime != h.MessageStartTime || index.MessageEndTime != h.MessageEndTime
            || index.Compression.Length != 0 || index.CompressedSize != (ulong)h.RecordsLength || index.UncompressedSize != (ulong)h.RecordsLength)
        {
            throw new McapFormatException($"ChunkIndex for the chunk at {chunk.Offset} disagrees with the chunk (length, times, compression or sizes)", at);
        }
        if (index.MessageIndexOffsets.Count != chunk.MessageIndexOffsets.Count)
        {
            throw new McapFormatException($"ChunkIndex for the chunk at {chunk.Offset} lists {index.MessageIndexOffsets.Count} message indexes; {chunk.MessageIndexOffsets.Count} follow the chunk", at);
        }
        foreach (var (channelId, offset) in index.MessageIndexOffsets)
        {
            if (!chunk.MessageIndexOffsets.TryGetValue(channelId, out long actual) || (ulong)actual != offset)
            {
                throw new McapFormatException($"ChunkIndex message_index_offsets[{channelId}] = {offset} does not point at that channel's MessageIndex", at);
            }
        }
        ulong expectedIndexLength = chunk.MessageIndexOffsets.Count == 0 ? 0 : (ulong)(chunk.MessageIndexEnd - (chunk.Offset + (long)chunk.Length));
        if (index.MessageIndexLength != expectedIndexLength)
        {
            throw new McapFormatException($"ChunkIndex message_index_length {index.MessageIndexLength} differs from the {expectedIndexLength} bytes of message indexes", at);
        }
    }

    private void ValidateStatistics(McapStatistics statistics, long at)
    {
        if (statistics.MessageCount != _messageCount)
        {
            throw new McapFormatException($"Statistics message_count is {statistics.MessageCount} but the file holds {_messageCount} messages", at);
        }
        if (statistics.ChunkCount != (uint)_chunks.Count)
        {
            throw new McapFormatException($"Statistics chunk_count is {statistics.ChunkCount} but the file holds {_chunks.Count} chunks", at);
        }
        if (statistics.MetadataCount != (uint)_metadata.Count)
        {
            throw new McapFormatException($"Statistics metadata_count is {statistics.MetadataCount} but the file holds {_metadata.Count} metadata records", at);
        }
        if (_messageCount > 0 && (statistics.MessageStartTime != _messageStart || statistics.MessageEndTime != _messageEnd))
        {
            throw new McapFormatException($"Statistics time range [{statistics.MessageStartTime}, {statistics.MessageEndTime}] differs from the messages' [{_messageStart}, {_messageEnd}]", at);
        }
        if (statistics.ChannelMessageCounts.Count > 0)
        {
            foreach (var (channelId, count) in _channelCounts)
            {
                if (statistics.ChannelMessageCounts.GetValueOrDefault(channelId) != count)
                {
                    throw new McapFormatException($"Statistics channel_message_counts[{channelId}] is {statistics.ChannelMessageCounts.GetValueOrDefault(channelId)} but the file holds {count}", at);
                }
            }
            foreach (var (channelId, count) in statistics.ChannelMessageCounts)
            {
                if (count != 0 && !_channelCounts.ContainsKey(channelId))
                {
                    throw new McapFormatException($"Statistics channel_message_counts[{channelId}] is {count} but the file holds none", at);
                }
            }
        }
    }

    private void AddSchema(McapSchemaInfo schema, long at)
    {
        if (_schemas.TryGetValue(schema.Id, out var existing) && !SameSchema(existing, schema))
        {
            throw new McapFormatException($"Schema {schema.Id} redefined with different content", at);
        }
        _schemas[schema.Id] = schema;
    }

    private void AddChannel(McapChannelInfo channel, long at)
    {
        if (channel.SchemaId != 0 && !_schemas.ContainsKey(channel.SchemaId))
        {
            throw new McapFormatException($"Channel {channel.Id} ('{channel.Topic}') appears before its schema {channel.SchemaId}", at);
        }
        if (_channels.TryGetValue(channel.Id, out var existing) && !SameChannel(existing, channel))
        {
            throw new McapFormatException($"Channel {channel.Id} redefined with different content", at);
        }
        _channels[channel.Id] = channel;
    }

    private void CountMessage(McapMessage message, long at)
    {
        if (!_channels.ContainsKey(message.ChannelId))
        {
            throw new McapFormatException($"Message on channel {message.ChannelId} appears before its Channel record", at);
        }
        _messageCount++;
        _channelCounts[message.ChannelId] = _channelCounts.GetValueOrDefault(message.ChannelId) + 1;
        _messageStart = Math.Min(_messageStart, message.LogTime);
        _messageEnd = Math.Max(_messageEnd, message.LogTime);
    }

    private static bool SameSchema(McapSchemaInfo a, McapSchemaInfo b) =>
        a.Id == b.Id && a.Name == b.Name && a.Encoding == b.Encoding && a.Data.Span.SequenceEqual(b.Data.Span);

    private static bool SameChannel(McapChannelInfo a, McapChannelInfo b)
    {
        if (a.Id != b.Id || a.SchemaId != b.SchemaId || a.Topic != b.Topic || a.MessageEncoding != b.MessageEncoding || a.Metadata.Count != b.Metadata.Count)
        {
            return false;
        }
        foreach (var (key, value) in a.Metadata)
        {
            if (!b.Metadata.TryGetValue(key, out var other) || other != value)
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>Reads the whole record at <paramref name="position"/> into <see cref="_buffer"/>; returns its content.</summary>
    private byte ReadRecord(long position, string where, out ReadOnlySpan<byte> content, out long next)
    {
        if (length - position < 9)
        {
            throw new McapFormatException($"File truncated in the {where}: no room for a record header ({length - position} bytes left)", position);
        }
        FileSource.ReadExact(handle, position, _buffer.AsSpan(0, 9), "record header");
        byte opcode = _buffer[0];
        ulong contentLength = BinaryPrimitives.ReadUInt64LittleEndian(_buffer.AsSpan(1));
        if (opcode == 0)
        {
            throw new McapFormatException($"Invalid opcode 0x00 in the {where}", position);
        }
        if (contentLength > (ulong)(length - position - 9))
        {
            throw new McapFormatException($"File truncated: {McapOpcode.Name(opcode)} record claims {contentLength} bytes but only {length - position - 9} remain", position);
        }
        if (contentLength > (ulong)(Array.MaxLength - 9))
        {
            throw new McapFormatException($"{McapOpcode.Name(opcode)} record of {contentLength} bytes is too large", position);
        }
        int total = 9 + (int)contentLength;
        if (_buffer.Length < total)
        {
            var bigger = new byte[Math.Max(total, Math.Min(Array.MaxLength, _buffer.Length * 2L))];
            _buffer.AsSpan(0, 9).CopyTo(bigger);
            _buffer = bigger;
        }
        FileSource.ReadExact(handle, position + 9, _buffer.AsSpan(9, (int)contentLength), McapOpcode.Name(opcode));
        next = position + total;
        content = _buffer.AsSpan(9, (int)contentLength);
        return opcode;
    }

    private sealed class ChunkSeen(long offset, ulong length, ChunkHeader header)
    {
        public long Offset { get; } = offset;
        public ulong Length { get; } = length;
        public ChunkHeader Header { get; } = header;
        public Dictionary<int, (ushort ChannelId, ulong LogTime)> Messages { get; } = [];
        public Dictionary<ushort, int> ChannelCounts { get; } = [];
        public Dictionary<ushort, long> MessageIndexOffsets { get; } = [];
        public long MessageIndexEnd { get; set; }
    }
}
