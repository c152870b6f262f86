using System.Buffers.Binary;
using System.IO.Hashing;

namespace AutomationStack.Mcap;

/// <summary>
/// Writes an indexed, chunked, uncompressed MCAP file to a stream.
/// </summary>
/// <remarks>
/// <para>Schema ids and channel ids are both assigned from 1 in registration order (channel schema id 0
/// means "no schema").</para>
/// <para>The output depends only on the sequence of calls: identical calls produce byte-identical files.</para>
/// <para>Each chunk, followed by its message index records, is written and flushed when it closes, so the
/// file prefix left by a crashed process can be recovered with <see cref="McapReader.ScanMessages"/>.</para>
/// <para>The writer does NOT close or dispose <c>output</c>; the caller owns the stream.</para>
/// <para>Not thread-safe.</para>
/// </remarks>
public sealed class McapWriter : IDisposable
{
    private const int ChunkFixedContentSize = 8 + 8 + 8 + 4 + 4 + 8; // times, size, crc, compression "" (len only), records length

    private readonly Stream _output;
    private readonly McapWriterOptions _options;
    private readonly Crc32 _dataCrc = new();
    private readonly Crc32 _summaryCrc = new();
    private readonly GrowableBuffer _chunk;
    private readonly GrowableBuffer _scratch = new(1024);
    private readonly List<SchemaEntry> _schemas = [];
    private readonly List<ChannelEntry> _channels = [];
    private readonly List<ChannelEntry> _chunkChannels = [];
    private readonly List<ChunkIndexEntry> _chunkIndexes = [];
    private readonly List<MetadataIndexEntry> _metadataIndexes = [];
    private long _position;
    private bool _inSummary;
    private ulong _chunkStartTime;
    private ulong _chunkEndTime;
    private int _chunkMessageCount;
    private ulong _messageStartTime;
    private ulong _messageEndTime;
    private long _messageCount;
    private bool _finished;
    private bool _disposed;

    /// <summary>Creates the writer and immediately writes the magic and Header record.</summary>
    /// <param name="output">Destination stream; written sequentially, never seeked, never closed by the writer.</param>
    /// <param name="options">Options; defaults when null.</param>
    public McapWriter(Stream output, McapWriterOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (!output.CanWrite)
        {
            throw new ArgumentException("Output stream must be writable.", nameof(output));
        }
        _output = output;
        _options = options ?? new McapWriterOptions();
        ArgumentNullException.ThrowIfNull(_options.Profile, "options.Profile");
        ArgumentNullException.ThrowIfNull(_options.Library, "options.Library");
        if (_options.ChunkSize <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), _options.ChunkSize, "ChunkSize must be positive.");
        }
        _chunk = new GrowableBuffer(Math.Min(_options.ChunkSize, 1 << 20) + 1024);

        Emit(McapOpcode.Magic);
        _scratch.Clear();
        int header = _scratch.BeginRecord(McapOpcode.Header);
        _scratch.WriteString(_options.Profile);
        _scratch.WriteString(_options.Library);
        _scratch.EndRecord(header);
        Emit(_scratch.WrittenSpan);
        _output.Flush();
    }

    /// <summary>Number of messages written so far.</summary>
    public long MessageCount => _messageCount;

    /// <summary>Registers a schema; returns its id (1, 2, ...). The data is copied.</summary>
    public ushort RegisterSchema(string name, string encoding, ReadOnlySpan<byte> data)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(encoding);
        ThrowIfFinished();
        if (_schemas.Count >= ushort.MaxValue)
        {
            throw new InvalidOperationException("Too many schemas (maximum 65535).");
        }
        var id = (ushort)(_schemas.Count + 1);
        _schemas.Add(new SchemaEntry(id, name, encoding, data.ToArray()));
        return id;
    }

    /// <summary>
    /// Registers a channel; returns its id (1, 2, ...). <paramref name="schemaId"/> is 0 for schemaless
    /// channels or an id returned by <see cref="RegisterSchema"/>.
    /// </summary>
    public ushort RegisterChannel(ushort schemaId, string topic, string messageEncoding, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(topic);
        ArgumentNullException.ThrowIfNull(messageEncoding);
        ThrowIfFinished();
        if (schemaId > _schemas.Count)
        {
            throw new ArgumentException($"Unknown schema id {schemaId} for channel '{topic}'.", nameof(schemaId));
        }
        if (_channels.Count >= ushort.MaxValue)
        {
            throw new InvalidOperationException("Too many channels (maximum 65535).");
        }
        var id = (ushort)(_channels.Count + 1);
        _channels.Add(new ChannelEntry(id, schemaId, topic, messageEncoding, SortedEntries(metadata)));
        return id;
    }

    /// <summary>
    /// Appends a message to the open chunk. Sequence numbers are assigned per channel from 1.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="logTime"/> is zero.</exception>
    public void WriteMessage(ushort channelId, ulong logTime, ulong publishTime, ReadOnlySpan<byte> data)
    {
        ThrowIfFinished();
        if (channelId == 0 || channelId > _channels.Count)
        {
            throw new ArgumentException($"Unknown channel id {channelId}.", nameof(channelId));
        }
        var channel = _channels[channelId - 1];
        if (logTime == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(logTime), logTime, $"Log time must be non-zero (channel topic '{channel.Topic}').");
        }

        if (!channel.InChunk)
        {
            if (channel.SchemaId != 0)
            {
                var schema = _schemas[channel.SchemaId - 1];
                if (!schema.InChunk)
                {
                    WriteSchemaRecord(_chunk, schema);
                    schema.InChunk = true;
                }
            }
            WriteChannelRecord(_chunk, channel);
            channel.InChunk = true;
            channel.Index ??= new GrowableBuffer(256);
            _chunkChannels.Add(channel);
        }

        if (_chunkMessageCount == 0)
        {
            _chunkStartTime = logTime;
            _chunkEndTime = logTime;
        }
        else
        {
            _chunkStartTime = Math.Min(_chunkStartTime, logTime);
            _chunkEndTime = Math.Max(_chunkEndTime, logTime);
        }

        ulong offsetInChunk = (ulong)_chunk.Length;
        channel.Sequence++;
        int record = _chunk.BeginRecord(McapOpcode.Message);
        _chunk.WriteU16(channelId);
        _chunk.WriteU32(channel.Sequence);
        _chunk.WriteU64(logTime);
        _chunk.WriteU64(publishTime);
        _chunk.WriteBytes(data);
        _chunk.EndRecord(record);

        var index = channel.Index!;
        if (logTime < channel.LastIndexedLogTime)
        {
            channel.IndexUnsorted = true;
        }
        channel.LastIndexedLogTime = logTime;
        index.WriteU64(logTime);
        index.WriteU64(offsetInChunk);

        channel.MessageCount++;
        _chunkMessageCount++;
        if (_messageCount == 0)
        {
            _messageStartTime = logTime;
            _messageEndTime = logTime;
        }
        else
        {
            _messageStartTime = Math.Min(_messageStartTime, logTime);
            _messageEndTime = Math.Max(_messageEndTime, logTime);
        }
        _messageCount++;

        if (_chunk.Length >= _options.ChunkSize)
        {
            CloseChunk();
        }
    }

    /// <summary>Writes a Metadata record to the data section (outside chunks) and indexes it in the summary.</summary>
    public void WriteMetadata(string name, IReadOnlyDictionary<string, string> values)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(values);
        ThrowIfFinished();
        _scratch.Clear();
        int record = _scratch.BeginRecord(McapOpcode.Metadata);
        _scratch.WriteString(name);
        _scratch.WriteStringMap(SortedEntries(values));
        _scratch.EndRecord(record);
        _metadataIndexes.Add(new MetadataIndexEntry((ulong)_position, (ulong)_scratch.Length, name));
        Emit(_scratch.WrittenSpan);
        _output.Flush();
    }

    /// <summary>
    /// Closes the open chunk and writes DataEnd, the summary (schemas, channels, statistics, chunk indexes,
    /// metadata indexes), summary offsets, footer and trailing magic, then flushes. Idempotent.
    /// </summary>
    public void Finish()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_finished)
        {
            return;
        }
        CloseChunk();

        // DataEnd: CRC of every byte from the start of the file up to (not including) this record.
        Span<byte> dataEnd = stackalloc byte[McapOpcode.RecordHeaderSize + 4];
        dataEnd[0] = McapOpcode.DataEnd;
        BinaryPrimitives.WriteUInt64LittleEndian(dataEnd[1..], 4);
        BinaryPrimitives.WriteUInt32LittleEndian(dataEnd[9..], _dataCrc.GetCurrentHashAsUInt32());
        Emit(dataEnd);

        _inSummary = true;
        ulong summaryStart = (ulong)_position;
        var groups = new List<(byte Opcode, ulong Start, ulong Length)>(5);

        _scratch.Clear();
        foreach (var schema in _schemas)
        {
            WriteSchemaRecord(_scratch, schema);
        }
        EmitGroup(McapOpcode.Schema, groups);

        foreach (var channel in _channels)
        {
            WriteChannelRecord(_scratch, channel);
        }
        EmitGroup(McapOpcode.Channel, groups);

        WriteStatistics();
        EmitGroup(McapOpcode.Statistics, groups);

        foreach (var chunk in _chunkIndexes)
        {
            int record = _scratch.BeginRecord(McapOpcode.ChunkIndex);
            _scratch.WriteU64(chunk.MessageStartTime);
            _scratch.WriteU64(chunk.MessageEndTime);
            _scratch.WriteU64(chunk.ChunkStartOffset);
            _scratch.WriteU64(chunk.ChunkLength);
            _scratch.WriteU32((uint)(chunk.MessageIndexOffsets.Length * 10));
            foreach (var (channelId, offset) in chunk.MessageIndexOffsets)
            {
                _scratch.WriteU16(channelId);
                _scratch.WriteU64(offset);
            }
            _scratch.WriteU64(chunk.MessageIndexLength);
            _scratch.WriteString("");
            _scratch.WriteU64(chunk.RecordsSize);
            _scratch.WriteU64(chunk.RecordsSize);
            _scratch.EndRecord(record);
        }
        EmitGroup(McapOpcode.ChunkIndex, groups);

        foreach (var metadata in _metadataIndexes)
        {
            int record = _scratch.BeginRecord(McapOpcode.MetadataIndex);
            _scratch.WriteU64(metadata.Offset);
            _scratch.WriteU64(metadata.Length);
            _scratch.WriteString(metadata.Name);
            _scratch.EndRecord(record);
        }
        EmitGroup(McapOpcode.MetadataIndex, groups);

        ulong summaryOffsetStart = (ulong)_position;
        foreach (var (opcode, start, length) in groups)
        {
            int record = _scratch.BeginRecord(McapOpcode.SummaryOffset);
            _scratch.WriteU8(opcode);
            _scratch.WriteU64(start);
            _scratch.WriteU64(length);
            _scratch.EndRecord(record);
        }
        Emit(_scratch.WrittenSpan);
        _scratch.Clear();

        Span<byte> footer = stackalloc byte[McapOpcode.RecordHeaderSize + McapOpcode.FooterContentSize];
        footer[0] = McapOpcode.Footer;
        BinaryPrimitives.WriteUInt64LittleEndian(footer[1..], McapOpcode.FooterContentSize);
        BinaryPrimitives.WriteUInt64LittleEndian(footer[9..], summaryStart);
        BinaryPrimitives.WriteUInt64LittleEndian(footer[17..], summaryOffsetStart);
        _summaryCrc.Append(footer[..25]);
        BinaryPrimitives.WriteUInt32LittleEndian(footer[25..], _summaryCrc.GetCurrentHashAsUInt32());
        _output.Write(footer);
        _output.Write(McapOpcode.Magic);
        _position += footer.Length + McapOpcode.Magic.Length;
        _output.Flush();
        _finished = true;
    }

    /// <summary>Calls <see cref="Finish"/> (unless already finished) and releases pooled buffers. Does not close the stream.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        try
        {
            Finish();
        }
        finally
        {
            _disposed = true;
            _chunk.Dispose();
            _scratch.Dispose();
            foreach (var channel in _channels)
            {
                channel.Index?.Dispose();
                channel.Index = null;
            }
        }
    }

    private void ThrowIfFinished()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_finished)
        {
            throw new InvalidOperationException("The MCAP writer has already been finished.");
        }
    }

    private void CloseChunk()
    {
        if (_chunkMessageCount == 0)
        {
            return;
        }
        var records = _chunk.WrittenSpan;
        ulong chunkStart = (ulong)_position;

        Span<byte> header = stackalloc byte[McapOpcode.RecordHeaderSize + ChunkFixedContentSize];
        header[0] = McapOpcode.Chunk;
        BinaryPrimitives.WriteUInt64LittleEndian(header[1..], (ulong)(ChunkFixedContentSize + records.Length));
        BinaryPrimitives.WriteUInt64LittleEndian(header[9..], _chunkStartTime);
        BinaryPrimitives.WriteUInt64LittleEndian(header[17..], _chunkEndTime);
        BinaryPrimitives.WriteUInt64LittleEndian(header[25..], (ulong)records.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(header[33..], Crc32.HashToUInt32(records));
        BinaryPrimitives.WriteUInt32LittleEndian(header[37..], 0); // compression "" (uncompressed)
        BinaryPrimitives.WriteUInt64LittleEndian(header[41..], (ulong)records.Length);
        Emit(header);
        Emit(records);
        ulong chunkLength = (ulong)_position - chunkStart;

        // Message index records, one per channel present in the chunk, ordered by channel id.
        _chunkChannels.Sort(static (a, b) => a.Id.CompareTo(b.Id));
        var offsets = new (ushort ChannelId, ulong Offset)[_chunkChannels.Count];
        ulong indexStart = (ulong)_position;
        _scratch.Clear();
        for (int i = 0; i < _chunkChannels.Count; i++)
        {
            var channel = _chunkChannels[i];
            var entries = channel.Index!;
            if (channel.IndexUnsorted)
            {
                SortIndexEntries(entries);
            }
            channel.IndexUnsorted = false;
            channel.LastIndexedLogTime = 0;
            offsets[i] = (channel.Id, indexStart + (ulong)_scratch.Length);
            int record = _scratch.BeginRecord(McapOpcode.MessageIndex);
            _scratch.WriteU16(channel.Id);
            _scratch.WritePrefixedBytes(entries.WrittenSpan);
            _scratch.EndRecord(record);
            entries.Clear();
            channel.InChunk = false;
        }
        Emit(_scratch.WrittenSpan);
        _chunkIndexes.Add(new ChunkIndexEntry(_chunkStartTime, _chunkEndTime, chunkStart, chunkLength, offsets, (ulong)_scratch.Length, (ulong)records.Length));
        _scratch.Clear();
        _output.Flush();

        foreach (var schema in _schemas)
        {
            schema.InChunk = false;
        }
        _chunkChannels.Clear();
        _chunk.Clear();
        _chunkMessageCount = 0;
    }

    /// <summary>Sorts 16-byte (log_time, offset) entries by log time, then offset (rare: out-of-order log times).</summary>
    private static void SortIndexEntries(GrowableBuffer entries)
    {
        var span = entries.WrittenSpan;
        var pairs = new (ulong LogTime, ulong Offset)[span.Length / 16];
        for (int i = 0; i < pairs.Length; i++)
        {
            pairs[i] = (BinaryPrimitives.ReadUInt64LittleEndian(span[(i * 16)..]), BinaryPrimitives.ReadUInt64LittleEndian(span[(i * 16 + 8)..]));
        }
        Array.Sort(pairs);
        entries.Clear();
        foreach (var (logTime, offset) in pairs)
        {
            entries.WriteU64(logTime);
            entries.WriteU64(offset);
        }
    }

    private void WriteStatistics()
    {
        int record = _scratch.BeginRecord(McapOpcode.Statistics);
        _scratch.WriteU64((ulong)_messageCount);
        _scratch.WriteU16((ushort)_schemas.Count);
        _scratch.WriteU32((uint)_channels.Count);
        _scratch.WriteU32(0); // attachments
        _scratch.WriteU32((uint)_metadataIndexes.Count);
        _scratch.WriteU32((uint)_chunkIndexes.Count);
        _scratch.WriteU64(_messageStartTime);
        _scratch.WriteU64(_messageEndTime);
        int countsLength = 0;
        foreach (var channel in _channels)
        {
            if (channel.MessageCount > 0)
            {
                countsLength += 10;
            }
        }
        _scratch.WriteU32((uint)countsLength);
        foreach (var channel in _channels)
        {
            if (channel.MessageCount > 0)
            {
                _scratch.WriteU16(channel.Id);
                _scratch.WriteU64(channel.MessageCount);
            }
        }
        _scratch.EndRecord(record);
    }

    private void EmitGroup(byte opcode, List<(byte, ulong, ulong)> groups)
    {
        if (_scratch.Length == 0)
        {
            return;
        }
        groups.Add((opcode, (ulong)_position, (ulong)_scratch.Length));
        Emit(_scratch.WrittenSpan);
        _scratch.Clear();
    }

    private static void WriteSchemaRecord(GrowableBuffer buffer, SchemaEntry schema)
    {
        int record = buffer.BeginRecord(McapOpcode.Schema);
        buffer.WriteU16(schema.Id);
        buffer.WriteString(schema.Name);
        buffer.WriteString(schema.Encoding);
        buffer.WritePrefixedBytes(schema.Data);
        buffer.EndRecord(record);
    }

    private static void WriteChannelRecord(GrowableBuffer buffer, ChannelEntry channel)
    {
        int record = buffer.BeginRecord(McapOpcode.Channel);
        buffer.WriteU16(channel.Id);
        buffer.WriteU16(channel.SchemaId);
        buffer.WriteString(channel.Topic);
        buffer.WriteString(channel.MessageEncoding);
        buffer.WriteStringMap(channel.Metadata);
        buffer.EndRecord(record);
    }

    /// <summary>Writes bytes to the output, feeding the data-section or summary CRC.</summary>
    private void Emit(ReadOnlySpan<byte> bytes)
    {
        _output.Write(bytes);
        if (_inSummary)
        {
            _summaryCrc.Append(bytes);
        }
        else
        {
            _dataCrc.Append(bytes);
        }
        _position += bytes.Length;
    }

    private static KeyValuePair<string, string>[] SortedEntries(IReadOnlyDictionary<string, string>? map)
    {
        if (map is null || map.Count == 0)
        {
            return [];
        }
        var entries = new KeyValuePair<string, string>[map.Count];
        int i = 0;
        foreach (var entry in map)
        {
            ArgumentNullException.ThrowIfNull(entry.Key, "metadata key");
            ArgumentNullException.ThrowIfNull(entry.Value, "metadata value");
            entries[i++] = entry;
        }
        Array.Sort(entries, static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        return entries;
    }

    private sealed class SchemaEntry(ushort id, string name, string encoding, byte[] data)
    {
        public ushort Id { get; } = id;
        public string Name { get; } = name;
        public string Encoding { get; } = encoding;
        public byte[] Data { get; } = data;
        public bool InChunk { get; set; }
    }

    private sealed class ChannelEntry(ushort id, ushort schemaId, string topic, string messageEncoding, KeyValuePair<string, string>[] metadata)
    {
        public ushort Id { get; } = id;
        public ushort SchemaId { get; } = schemaId;
        public string Topic { get; } = topic;
        public string MessageEncoding { get; } = messageEncoding;
        public KeyValuePair<string, string>[] Metadata { get; } = metadata;
        public bool InChunk { get; set; }
        public uint Sequence { get; set; }
        public ulong MessageCount { get; set; }
        public ulong LastIndexedLogTime { get; set; }
        public bool IndexUnsorted { get; set; }
        /// <summary>Message index entries (log_time, offset) for the open chunk, 16 bytes each.</summary>
        public GrowableBuffer? Index { get; set; }
    }

    private sealed record ChunkIndexEntry(
        ulong MessageStartTime,
        ulong MessageEndTime,
        ulong ChunkStartOffset,
        ulong ChunkLength,
        (ushort ChannelId, ulong Offset)[] MessageIndexOffsets,
        ulong MessageIndexLength,
        ulong RecordsSize);

    private sealed record MetadataIndexEntry(ulong Offset, ulong Length, string Name);
}
