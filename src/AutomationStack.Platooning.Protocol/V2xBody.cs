namespace AutomationStack.Platooning.Protocol;

/// <summary>
/// The type-specific body of a V2V platooning message: <see cref="Pam"/>, <see cref="Pcm"/> or <see cref="Pmm"/>.
/// Bodies are plain data; <see cref="V2xCodec"/> checks every field's range when encoding.
/// </summary>
public abstract record V2xBody
{
    private protected V2xBody()
    {
    }

    /// <summary>The header message type this body travels under.</summary>
    public abstract V2xMessageType MessageType { get; }

    /// <summary>Writes the body (presence bitmap first), checking every field.</summary>
    internal abstract void Write(ref WireWriter writer);
}
