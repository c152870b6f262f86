using AutomationStack.RoadMap;

namespace AutomationStack.Contracts;

/// <summary>
/// What a vehicle learns when it attaches to its world (simulator bridge or a real truck). Parameters are the
/// pipeline's tuning values by name (e.g. "acc.time_gap"), bound and validated by the pipeline's options.
/// </summary>
public sealed record VehicleSession(
    string VehicleId,
    uint StationId,
    TruckParameters Truck,
    RoadNetwork Map,
    double StepLength,
    int ControlPeriodSteps,
    ulong Seed,
    IReadOnlyDictionary<string, double> Parameters,
    V2xCredentials? Credentials = null);

/// <summary>
/// What a vehicle needs to sign and verify V2X messages: the trusted root and authority certificates, its own
/// authorisation ticket and private key (PKCS#8 DER), and the absolute time (ms since the Unix epoch) of simulated
/// time zero. In simulation the bridge derives them from the seed; on a truck they come from its provisioning.
/// The private key never appears in <see cref="ToString"/>.
/// </summary>
public sealed record V2xCredentials(
    ReadOnlyMemory<byte> RootCertificate,
    IReadOnlyList<ReadOnlyMemory<byte>> AuthorityCertificates,
    ReadOnlyMemory<byte> Certificate,
    ReadOnlyMemory<byte> PrivateKey,
    ulong EpochMs)
{
    public override string ToString() =>
        $"V2xCredentials(root {RootCertificate.Length} B, {AuthorityCertificates.Count} authorities, certificate {Certificate.Length} B, private key withheld, epoch {EpochMs} ms)";
}

/// <summary>
/// The vehicle's only door to the world: sensors in, actuation and V2X out, time from the frames.
/// The bridge client is one implementation; a real truck's interface is another. The pipeline never
/// knows which one it talks to.
/// </summary>
public interface IVehicleInterface : IAsyncDisposable
{
    /// <summary>Session data; valid once <see cref="ConnectAsync"/> has returned.</summary>
    VehicleSession Session { get; }

    /// <summary>Attaches to the world and fills <see cref="Session"/>.</summary>
    Task ConnectAsync(CancellationToken cancellationToken);

    /// <summary>Waits for the next frame; null when the world ends the run.</summary>
    ValueTask<SensorFrame?> NextFrameAsync(CancellationToken cancellationToken);

    /// <summary>Answers the frame named in <paramref name="output"/>.</summary>
    ValueTask SendAsync(VehicleOutput output, CancellationToken cancellationToken);
}
