namespace AutomationStack.Mcap;

/// <summary>Thrown when an MCAP file is malformed, truncated or fails a CRC check.</summary>
public sealed class McapFormatException : Exception
{
    public McapFormatException()
        : this("Malformed MCAP data.", -1)
    {
    }

    public McapFormatException(string message)
        : this(message, -1)
    {
    }

    public McapFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
        Offset = -1;
    }

    /// <param name="message">What was wrong.</param>
    /// <param name="offset">Absolute byte offset in the file where the problem was detected.</param>
    public McapFormatException(string message, long offset)
        : base(offset >= 0 ? $"{message} (at byte offset {offset})" : message)
    {
        Offset = offset;
    }

    /// <summary>Absolute byte offset in the file where the problem was detected, or -1 if unknown.</summary>
    public long Offset { get; }
}
