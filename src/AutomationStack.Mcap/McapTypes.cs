namespace AutomationStack.Mcap;

/// <summary>Options for <see cref="McapWriter"/>.</summary>
public sealed record McapWriterOptions
{
    /// <summary>Header profile, e.g. "" or "ros2".</summary>
    public string Profile { get; init; } = "";

    /// <summary>Header library string identifying the writer.</summary>
    public string Library { get; init; } = "automationstack";

    /// <summary>Uncompressed chunk records size (bytes) at which the open chunk is closed and written.</summary>
    public int ChunkSize { get; init; } = 1 << 20;
}

/// <summary>A channel as stored in an MCAP file.</summary>
public sealed record McapChannelInfo(ushort Id, ushort SchemaId, string Topic, string MessageEncoding, IReadOnlyDictionary<string, string> Metadata);

/// <summary>A schema as stored in an MCAP file.</summary>
public sealed record McapSchemaInfo(ushort Id, string Name, string Encoding, ReadOnlyMemory<byte> Data);

/// <summary>A message as stored in an MCAP file.</summary>
public readonly record struct McapMessage(ushort ChannelId, uint Sequence, ulong LogTime, ulong PublishTime, ReadOnlyMemory<byte> Data);
