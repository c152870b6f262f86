using System.Globalization;
using System.Security.Cryptography;
using AutomationStack.Crypto;
using AutomationStack.Platooning.Protocol;

namespace AutomationStack.Platooning.Security;

/// <summary>
/// Signs outgoing messages with a station's authorisation ticket (AT) and its private key, producing envelopes (see
/// <see cref="V2xEnvelope"/>). Signatures are deterministic ECDSA (RFC 6979, <see cref="DeterministicEcdsaP256"/>) and
/// GCM nonces are this station's id followed by a per-signer counter, so the same messages give byte-identical
/// envelopes — simulation logs stay reproducible. Not thread-safe: one signer per sending thread. Dispose releases the key.
/// </summary>
public sealed class V2xSigner : IDisposable
{
    private readonly ECDsa _key;
    private readonly DeterministicEcdsaP256 _deterministic;
    private ulong _nonceCounter;

    /// <summary>Copies <paramref name="privateKey"/>: the caller keeps ownership of its object.</summary>
    public V2xSigner(V2xCertificate certificate, ECDsa privateKey)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        ArgumentNullException.ThrowIfNull(privateKey);
        if (certificate.Kind != CertificateKind.At)
        {
            throw new ArgumentException("a signer needs an authorisation ticket", nameof(certificate));
        }

        var parameters = privateKey.ExportParameters(true);
        try
        {
            P256.EnsureP256(parameters, nameof(privateKey));
            _key = ECDsa.Create();
            _key.ImportParameters(parameters);
            _deterministic = new DeterministicEcdsaP256(parameters.D);
        }
        finally
        {
            if (parameters.D is not null)
            {
                CryptographicOperations.ZeroMemory(parameters.D);
            }
        }

        if (!P256.Matches(_key, certificate.PublicKey))
        {
            _key.Dispose();
            _deterministic.Dispose();
            throw new ArgumentException("the private key does not belong to the certificate", nameof(privateKey));
        }

        Certificate = certificate;
    }

    public V2xCertificate Certificate { get; }

    internal ECDsa PrivateKey => _key;

    /// <summary>A signer from a certificate encoding and a PKCS#8 PEM private key (as written by certtool).</summary>
    public static V2xSigner FromPem(V2xCertificate certificate, ReadOnlySpan<char> pkcs8Pem)
    {
        using var key = ECDsa.Create();
        key.ImportFromPem(pkcs8Pem);
        return new V2xSigner(certificate, key);
    }

    /// <summary>Envelope size for a message of <paramref name="messageLength"/> bytes.</summary>
    public int GetEnvelopeSize(int messageLength, bool includeCertificate, bool encrypted) =>
        V2xEnvelope.GetSize(messageLength, includeCertificate ? Certificate.Encoded.Length : 0, encrypted);

    public byte[] Sign(ReadOnlySpan<byte> message, bool includeCertificate, GroupKey? encryptWith)
    {
        var envelope = new byte[GetEnvelopeSize(message.Length, includeCertificate, encryptWith is not null)];
        var written = SignCore(message, includeCertificate, encryptWith, envelope, checkStationId: true);
        return written == envelope.Length ? envelope : envelope[..written];
    }

    /// <summary>Writes the envelope into <paramref name="destination"/> and returns its length.</summary>
    public int Sign(ReadOnlySpan<byte> message, bool includeCertificate, GroupKey? encryptWith, Span<byte> destination) =>
        SignCore(message, includeCertificate, encryptWith, destination, checkStationId: true);

    /// <summary>Tests use <paramref name="checkStationId"/> = false to forge impersonation attempts.</summary>
    internal int SignCore(ReadOnlySpan<byte> message, bool includeCertificate, GroupKey? encryptWith, Span<byte> destination, bool checkStationId)
    {
        if (message.Length < MessageHeader.Size || message.Length - (encryptWith is null ? 0 : MessageHeader.Size) > ushort.MaxValue)
        {
            throw new ArgumentException($"a message is {MessageHeader.Size}..{ushort.MaxValue} bytes, got {message.Length}", nameof(message));
        }

        MessageHeader header;
        try
        {
            header = MessageHeader.Peek(message);
        }
        catch (V2xDecodeException ex)
        {
            throw new ArgumentException($"message header invalid: {ex.Message}", nameof(message), ex);
        }

        if (checkStationId && header.SenderStationId != Certificate.StationId)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"header sender {header.SenderStationId} is not this certificate's station {Certificate.StationId}"), nameof(message));
        }

        var size = GetEnvelopeSize(message.Length, includeCertificate, encryptWith is not null);
        if (destination.Length < size)
        {
            throw new ArgumentException($"destination too small: {size} bytes needed", nameof(destination));
        }

        var writer = new WireWriter(destination);
        writer.U8(V2xEnvelope.Version);
        writer.U8((byte)((includeCertificate ? EnvelopeFlags.CertificateIncluded : 0) | (encryptWith is not null ? EnvelopeFlags.Encrypted : 0)));
        writer.U64(Certificate.Digest.Value);
        if (includeCertificate)
        {
            writer.U16((ushort)Certificate.Encoded.Length);
            writer.Bytes(Certificate.Encoded);
        }

        int signedLength;
        if (encryptWith is null)
        {
            writer.U16((ushort)message.Length);
            writer.Bytes(message);
            signedLength = writer.Position;
        }
        else
        {
            var body = message[MessageHeader.Size..];
            writer.Bytes(message[..MessageHeader.Size]);
            writer.U32(encryptWith.Id);
            var nonceOffset = writer.Position;
            writer.U32(0);
            writer.U64(0);
            // Unique per (group key, station) while the counter does not wrap: station id || counter.
            var nonce = destination.Slice(nonceOffset, GroupKey.NonceSize);
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(nonce, Certificate.StationId);
            System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(nonce[4..], ++_nonceCounter);
            writer.U16((ushort)body.Length);
            var ciphertextOffset = writer.Position;
            var ciphertext = destination.Slice(ciphertextOffset, body.Length);
            var tag = destination.Slice(ciphertextOffset + body.Length, GroupKey.TagSize);
            encryptWith.Encrypt(nonce, body, ciphertext, tag, destination[..ciphertextOffset]);
            signedLength = ciphertextOffset + body.Length + GroupKey.TagSize;
        }

        var written = _deterministic.SignData(destination[..signedLength], destination.Slice(signedLength, V2xEnvelope.SignatureSize));
        if (written != V2xEnvelope.SignatureSize)
        {
            throw new CryptographicException("unexpected signature size");
        }

        return signedLength + V2xEnvelope.SignatureSize;
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"V2xSigner(station {Certificate.StationId}, certificate {Certificate.Digest})");

    public void Dispose()
    {
        _key.Dispose();
        _deterministic.Dispose();
    }
}
