namespace AutomationStack.Mcap;

/// <summary>MCAP record opcodes (spec major version 0).</summary>
internal static class McapOpcode
{
    public const byte Header = 0x01;
    public const byte Footer = 0x02;
    public const byte Schema = 0x03;
    public const byte Channel = 0x04;
    public const byte Message = 0x05;
    public const byte Chunk = 0x06;
    public const byte MessageIndex = 0x07;
    public const byte ChunkIndex = 0x08;
    public const byte Attachment = 0x09;
    public const byte AttachmentIndex = 0x0A;
    public const byte Statistics = 0x0B;
    public const byte Metadata = 0x0C;
    public const byte MetadataIndex = 0x0D;
    public const byte SummaryOffset = 0x0E;
    public const byte DataEnd = 0x0F;

    /// <summary>Opcode (1 byte) + content length (8 bytes).</summary>
    public const int RecordHeaderSize = 9;

    /// <summary>Footer content: summary_start, summary_offset_start, summary_crc.</summary>
    public const int FooterContentSize = 8 + 8 + 4;

    /// <summary>Magic bytes that begin and end every MCAP file (major version '0').</summary>
    public static ReadOnlySpan<byte> Magic => [0x89, (byte)'M', (byte)'C', (byte)'A', (byte)'P', (byte)'0', (byte)'\r', (byte)'\n'];

    public static string Name(byte opcode) => opcode switch
    {
        Header => "Header",
        Footer => "Footer",
        Schema => "Schema",
        Channel => "Channel",
        Message => "Message",
        Chunk => "Chunk",
        MessageIndex => "MessageIndex",
        ChunkIndex => "ChunkIndex",
        Attachment => "Attachment",
        AttachmentIndex => "AttachmentIndex",
        Statistics => "Statistics",
        Metadata => "Metadata",
        MetadataIndex => "MetadataIndex",
        SummaryOffset => "SummaryOffset",
        DataEnd => "DataEnd",
        _ => $"Unknown(0x{opcode:X2})",
    };
}
