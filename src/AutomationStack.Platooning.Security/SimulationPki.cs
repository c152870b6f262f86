using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using AutomationStack.Crypto;

namespace AutomationStack.Platooning.Security;

/// <summary>One simulated station's credentials: its authorisation ticket and PKCS#8 (DER) private key.</summary>
public sealed record StationCredentials(uint StationId, V2xCertificate Certificate, byte[] PrivateKeyPkcs8)
{
    public override string ToString() => $"StationCredentials(station {StationId}, certificate {Certificate.Digest}, private key withheld)";
}

/// <summary>
/// The PKI of one simulation run: a root, one authorisation authority and an authorisation ticket per station, all with
/// keys derived from the run's seed (HKDF-SHA256), valid from one day before to 30 days after the run's epoch, with the
/// platooning permissions. With <c>intersections</c> the authorities carry every permission, trucks may also send
/// signal requests and <see cref="ForRoadsideUnit"/> issues roadside units' tickets (SPaT, MAP, signal responses);
/// without, the certificates are those of a PKI that predates intersection messages. The same seed gives byte-identical certificates and keys, so runs stay reproducible. Only for
/// simulation: real trucks use certificates issued by `certtool` or a real PKI.
/// </summary>
public sealed class SimulationPki : IDisposable
{
    private const ulong Day = 86_400_000;
    private static readonly byte[] Salt = Encoding.ASCII.GetBytes("automationstack-simulation-pki-v1");

    private readonly byte[] _seed;
    private readonly ECDsa _aaKey;
    private readonly Dictionary<uint, StationCredentials> _stations = [];
    private readonly Dictionary<uint, StationCredentials> _roadsideUnits = [];
    private readonly Lock _lock = new();
    private readonly V2xPermissions _vehiclePermissions;

    /// <param name="seed">The run's seed.</param>
    /// <param name="epochMs">Absolute time of simulated time zero, ms.</param>
    /// <param name="intersections">Whether the run has roadside units (intersection messages): see the class summary.</param>
    public SimulationPki(ulong seed, ulong epochMs, bool intersections = false)
    {
        Intersections = intersections;
        var authority = intersections ? V2xPermissions.All : V2xPermissions.PlatooningAuthority;
        _vehiclePermissions = intersections ? V2xPermissions.Platooning | V2xPermissions.SendSignalRequest : V2xPermissions.Platooning;
        _seed = new byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(_seed, seed);
        EpochMs = epochMs;
        ValidFromMs = epochMs - Day;
        ValidToMs = epochMs + (30 * Day);
        using var rootKey = DeriveKey("root");
        _aaKey = DeriveKey("authorisation-authority");
        Root = V2xCertificate.CreateRoot("simulation root", rootKey, ValidFromMs, ValidToMs, authority);
        Authority = V2xCertificate.Issue(Root, rootKey, CertificateKind.Aa, "simulation aa", ValidFromMs, ValidToMs, authority, 0, _aaKey);
    }

    /// <summary>Whether this PKI issues intersection permissions (see the class summary).</summary>
    public bool Intersections { get; }

    public ulong EpochMs { get; }

    public ulong ValidFromMs { get; }

    public ulong ValidToMs { get; }

    public V2xCertificate Root { get; }

    public V2xCertificate Authority { get; }

    /// <summary>The credentials of <paramref name="stationId"/> (created on first use; thread-safe).</summary>
    public StationCredentials For(uint stationId)
    {
        ArgumentOutOfRangeException.ThrowIfZero(stationId);
        lock (_lock)
        {
            if (!_stations.TryGetValue(stationId, out var credentials))
            {
                using var key = DeriveKey("station-" + stationId.ToString(System.Globalization.CultureInfo.InvariantCulture));
                var at = V2xCertificate.Issue(Authority, _aaKey, CertificateKind.At, "station " + stationId.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    ValidFromMs, ValidToMs, _vehiclePermissions, stationId, key);
                credentials = new StationCredentials(stationId, at, key.ExportPkcs8PrivateKey());
                _stations.Add(stationId, credentials);
            }

            return credentials;
        }
    }

    /// <summary>
    /// The credentials of the roadside unit with station id <paramref name="stationId"/>: a ticket with
    /// <see cref="V2xPermissions.RoadsideUnit"/>, key derived from the seed under its own label (created on first use;
    /// thread-safe). Needs a PKI made with <c>intersections</c>.
    /// </summary>
    /// <exception cref="InvalidOperationException">This PKI was made without intersections.</exception>
    public StationCredentials ForRoadsideUnit(uint stationId)
    {
        ArgumentOutOfRangeException.ThrowIfZero(stationId);
        if (!Intersections)
        {
            throw new InvalidOperationException("This simulation PKI was made without intersections: it issues no roadside unit tickets.");
        }

        lock (_lock)
        {
            if (!_roadsideUnits.TryGetValue(stationId, out var credentials))
            {
                var label = stationId.ToString(System.Globalization.CultureInfo.InvariantCulture);
                using var key = DeriveKey("roadside-unit-" + label);
                var at = V2xCertificate.Issue(Authority, _aaKey, CertificateKind.At, "roadside unit " + label,
                    ValidFromMs, ValidToMs, V2xPermissions.RoadsideUnit, stationId, key);
                credentials = new StationCredentials(stationId, at, key.ExportPkcs8PrivateKey());
                _roadsideUnits.Add(stationId, credentials);
            }

            return credentials;
        }
    }

    public void Dispose() => _aaKey.Dispose();

    /// <summary>An AT for <paramref name="subjectKey"/> issued by this run's authority with any validity and permissions (attack simulation).</summary>
    internal V2xCertificate IssueWithAuthority(uint stationId, string label, ulong validFromMs, ulong validToMs, V2xPermissions permissions, ECDsa subjectKey) =>
        V2xCertificate.Issue(Authority, _aaKey, CertificateKind.At, $"station {stationId} {label}", validFromMs, validToMs, permissions, stationId, subjectKey);

    /// <summary>A P-256 key whose scalar is HKDF(seed, label), re-derived with a counter in the rare case it is out of range.</summary>
    internal ECDsa DeriveKey(string label)
    {
        for (var attempt = 0; ; attempt++)
        {
            var d = HKDF.DeriveKey(HashAlgorithmName.SHA256, _seed, DeterministicEcdsaP256.PrivateKeySize, Salt, Encoding.ASCII.GetBytes($"{label}/{attempt}"));
            try
            {
                using var signer = new DeterministicEcdsaP256(d);
                var parameters = signer.ExportPublicParameters();
                parameters.D = d;
                var key = ECDsa.Create();
                key.ImportParameters(parameters);
                return key;
            }
            catch (ArgumentException)
            {
                // Scalar 0 or ≥ n (probability about 2^-32): next attempt.
            }
            finally
            {
                CryptographicOperations.ZeroMemory(d);
            }
        }
    }
}
