using System.Buffers.Binary;
using AutomationStack.Platooning.Protocol;
using AutomationStack.Platooning.Security;

namespace AutomationStack.Vehicle.V2xUdp;

/// <summary>
/// Reads the sender station id of a signed envelope (see <see cref="V2xEnvelope"/>) without verifying it: version,
/// flags, signer digest, the optional certificate, then the message header (in clear in both plain and encrypted
/// envelopes), whose sender station id sits after its version and type bytes. Verification stays with the receiving
/// pipeline; this only names the datagram's sender so that own echoes can be dropped.
/// </summary>
internal static class EnvelopeStation
{
    private const int PrefixSize = 1 + 1 + HashedId8.Size;
    private const int StationIdOffsetInHeader = 2;

    public static bool TryRead(ReadOnlySpan<byte> envelope, out uint stationId)
    {
        stationId = 0;
        if (envelope.Length < PrefixSize || envelope[0] != V2xEnvelope.Version)
        {
            return false;
        }

        var flags = (EnvelopeFlags)envelope[1];
        if ((flags & ~(EnvelopeFlags.CertificateIncluded | EnvelopeFlags.Encrypted)) != 0)
        {
            return false;
        }

        var offset = PrefixSize;
        if (flags.HasFlag(EnvelopeFlags.CertificateIncluded))
        {
            if (envelope.Length < offset + 2)
            {
                return false;
            }

            offset += 2 + BinaryPrimitives.ReadUInt16BigEndian(envelope[offset..]);
        }

        if (!flags.HasFlag(EnvelopeFlags.Encrypted))
        {
            // Plain: message length u16, then the message, which starts with the header.
            offset += 2;
        }

        if (envelope.Length < offset + MessageHeader.Size + V2xEnvelope.SignatureSize)
        {
            return false;
        }

        stationId = BinaryPrimitives.ReadUInt32BigEndian(envelope[(offset + StationIdOffsetInHeader)..]);
        return true;
    }
}
