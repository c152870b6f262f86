namespace AutomationStack.Platooning.Protocol;

/// <summary>
/// The type-specific body of a V2X message: platooning (<see cref="Pam"/>, <see cref="Pcm"/>, <see cref="Pmm"/>) or
/// intersection (<see cref="Spat"/>, <see cref="MapData"/>, <see cref="SignalRequest"/>, <see cref="SignalResponse"/>).
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
