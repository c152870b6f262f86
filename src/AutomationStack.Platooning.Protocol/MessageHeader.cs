namespace AutomationStack.Platooning.Protocol;

/// <summary>V2V/V2I message types of the platooning protocol (values are on the wire).</summary>
public enum V2xMessageType : byte
{
    /// <summary>Platooning awareness message, 1–2 Hz while platoon-capable.</summary>
    Pam = 1,

    /// <summary>Platoon control message, 20 Hz while in or joining a platoon.</summary>
    Pcm = 2,

    /// <summary>Platoon management message: addressed, acknowledged, retried.</summary>
    Pmm = 3,

    /// <summary>Signal phase and timing of one intersection, 10 Hz from its roadside unit (<see cref="Spat"/>).</summary>
    Spat = 4,

    /// <summary>Intersection topology (signal groups, ingress lanes, stop lines, egress lanes), 1 Hz from its roadside unit (<see cref="MapData"/>).</summary>
    Map = 5,

    /// <summary>A platoon leader asks an intersection to hold a green (SREM-like, <see cref="SignalRequest"/>).</summary>
    SignalRequest = 6,

    /// <summary>The roadside unit's answer to a signal request (SSEM-like, <see cref="SignalResponse"/>).</summary>
    SignalResponse = 7,
}

/// <summary>
/// The header every message starts with (18 bytes, big-endian): protocol version (u8), message type (u8), sender
/// station id (u32), generation time in ms (u64, simulated/absolute ITS time), sequence number (u32, per sender and
/// message type).
/// </summary>
public readonly record struct MessageHeader(V2xMessageType Type, uint SenderStationId, ulong GenerationTimeMs, uint SequenceNumber)
{
    /// <summary>Protocol version this code speaks; a message with another version is rejected.</summary>
    public const byte ProtocolVersion = 1;

    public const int Size = 18;

    public void Write(ref WireWriter writer)
    {
        if (!Enum.IsDefined(Type))
        {
            throw new ArgumentOutOfRangeException(nameof(Type), Type, "header.type: unknown message type");
        }

        writer.U8(ProtocolVersion);
        writer.U8((byte)Type);
        writer.U32(SenderStationId);
        writer.U64(GenerationTimeMs);
        writer.U32(SequenceNumber);
    }

    public static MessageHeader Read(ref WireReader reader)
    {
        var version = reader.U8("header.version");
        if (version != ProtocolVersion)
        {
            throw new V2xDecodeException("header.version", $"unsupported protocol version {version} (this stack speaks {ProtocolVersion})");
        }

        var type = (V2xMessageType)reader.U8("header.type");
        if (!Enum.IsDefined(type))
        {
            throw new V2xDecodeException("header.type", $"unknown message type {(byte)type}");
        }

        return new MessageHeader(type, reader.U32("header.sender_station_id"), reader.U64("header.generation_time_ms"), reader.U32("header.sequence_number"));
    }

    /// <summary>Reads only the header of an encoded message (the envelope's checks need no more).</summary>
    public static MessageHeader Peek(ReadOnlySpan<byte> message)
    {
        var reader = new WireReader(message);
        return Read(ref reader);
    }
}
