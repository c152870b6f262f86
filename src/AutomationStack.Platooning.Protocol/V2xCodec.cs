namespace AutomationStack.Platooning.Protocol;

/// <summary>
/// Encodes and decodes whole platooning messages: the 18-byte <see cref="MessageHeader"/> followed by the body its
/// type names. Encoding checks every field (<see cref="ArgumentOutOfRangeException"/> naming it); decoding arbitrary
/// bytes either returns a message or throws a <see cref="V2xDecodeException"/> naming the offending field, reads at
/// most <see cref="MaxMessageSize"/> bytes and allocates only the decoded records (plus a lane id string or wrapped key).
/// </summary>
public static class V2xCodec
{
    /// <summary>The largest encoded platooning message: a join response carrying a wrapped group key of maximum length.</summary>
    public const int MaxPlatooningMessageSize = MessageHeader.Size + 10 + 9 + 4 + 1 + V2xLimits.MaxWrappedKeyBytes;

    /// <summary>
    /// The largest encoded message: a MAP at its limits (<see cref="MapData.MaxBodySize"/>; 8 groups × 4 ingress lanes
    /// × 2 egress lanes with 16-byte lane ids). Raised from the platooning messages' 202 bytes so that one MAP
    /// describes a whole intersection without fragmentation; a two-group crossing's MAP is about a tenth of it.
    /// </summary>
    public const int MaxMessageSize = MessageHeader.Size + MapData.MaxBodySize;

    /// <summary>
    /// Encodes <paramref name="header"/> and <paramref name="body"/> into <paramref name="destination"/> and returns the
    /// byte count. Nothing is written unless the whole message is valid and fits.
    /// </summary>
    /// <exception cref="ArgumentException">The header type does not match the body, or the destination is too small.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A field is out of range, non-finite or undefined; the parameter name is the field.</exception>
    public static int Encode(in MessageHeader header, V2xBody body, Span<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (header.Type != body.MessageType)
        {
            throw new ArgumentException($"header type {header.Type} does not match the body's type {body.MessageType}", nameof(header));
        }

        Span<byte> scratch = stackalloc byte[MaxMessageSize];
        var writer = new WireWriter(scratch);
        header.Write(ref writer);
        body.Write(ref writer);
        var written = writer.Written;
        if (written.Length > destination.Length)
        {
            throw new ArgumentException($"destination too small: the message needs {written.Length} bytes, capacity {destination.Length}", nameof(destination));
        }

        written.CopyTo(destination);
        return written.Length;
    }

    /// <summary>Encodes a message into a new array of exactly its length.</summary>
    public static byte[] Encode(in MessageHeader header, V2xBody body)
    {
        Span<byte> buffer = stackalloc byte[MaxMessageSize];
        var length = Encode(header, body, buffer);
        return buffer[..length].ToArray();
    }

    /// <summary>Decodes one whole message; every byte must belong to it.</summary>
    /// <exception cref="V2xDecodeException">Anything wrong with the bytes; <see cref="V2xDecodeException.Field"/> names where.</exception>
    public static (MessageHeader Header, V2xBody Body) Decode(ReadOnlySpan<byte> message)
    {
        var reader = new WireReader(message);
        var header = MessageHeader.Read(ref reader);
        V2xBody body;
        switch (header.Type)
        {
            case V2xMessageType.Pam:
                body = Pam.Read(ref reader);
                reader.End("pam");
                break;
            case V2xMessageType.Pcm:
                body = Pcm.Read(ref reader);
                reader.End("pcm");
                break;
            case V2xMessageType.Pmm:
                body = Pmm.Read(ref reader);
                reader.End("pmm");
                break;
            case V2xMessageType.Spat:
                body = Spat.Read(ref reader);
                reader.End("spat");
                break;
            case V2xMessageType.Map:
                body = MapData.Read(ref reader);
                reader.End("map");
                break;
            case V2xMessageType.SignalRequest:
                body = SignalRequest.Read(ref reader);
                reader.End("signal_request");
                break;
            case V2xMessageType.SignalResponse:
                body = SignalResponse.Read(ref reader);
                reader.End("signal_response");
                break;
            default:
                throw new V2xDecodeException("header.type", $"unknown message type {(byte)header.Type}");
        }

        return (header, body);
    }
}
