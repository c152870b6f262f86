using System.Security.Cryptography;
using AutomationStack.Platooning.Protocol;

namespace AutomationStack.Platooning.Security.Tests;

/// <summary>A throw-away root → AA → AT hierarchy generated in memory.</summary>
internal sealed class Pki : IDisposable
{
    public const ulong Now = 1_800_000_000_000UL;
    public const ulong From = Now - 86_400_000UL;
    public const ulong To = Now + 86_400_000UL;

    public Pki()
    {
        RootKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        AaKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        Root = V2xCertificate.CreateRoot("test root", RootKey, From, To, V2xPermissions.All);
        Aa = V2xCertificate.Issue(Root, RootKey, CertificateKind.Aa, "test aa", From, To, V2xPermissions.All, 0, AaKey);
    }

    public ECDsa RootKey { get; }

    public ECDsa AaKey { get; }

    public V2xCertificate Root { get; }

    public V2xCertificate Aa { get; }

    public V2xSigner NewSigner(uint station, V2xPermissions permissions = V2xPermissions.Platooning, ulong from = From, ulong to = To,
        V2xCertificate? issuer = null, ECDsa? issuerKey = null)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var at = V2xCertificate.Issue(issuer ?? Aa, issuerKey ?? AaKey, CertificateKind.At, $"station {station}", from, to, permissions, station, key);
        return new V2xSigner(at, key);
    }

    public V2xVerifier NewVerifier(Action<V2xDrop>? onDrop = null)
    {
        var verifier = new V2xVerifier(new V2xVerifierOptions { OnDrop = onDrop });
        verifier.AddRoot(Root);
        verifier.AddAuthority(Aa);
        return verifier;
    }

    public static byte[] Message(V2xMessageType type, uint station, ulong timeMs, uint sequence, int length = 45)
    {
        var message = new byte[length];
        var writer = new WireWriter(message);
        new MessageHeader(type, station, timeMs, sequence).Write(ref writer);
        for (var i = MessageHeader.Size; i < length; i++)
        {
            message[i] = (byte)(i * 7);
        }

        return message;
    }

    public static byte[] Pcm(uint station, uint sequence, ulong timeMs = Now) => Message(V2xMessageType.Pcm, station, timeMs, sequence);

    public void Dispose()
    {
        RootKey.Dispose();
        AaKey.Dispose();
    }
}
