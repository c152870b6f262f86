using AutomationStack.Contracts;
using AutomationStack.Geometry;
using AutomationStack.Platooning.Security;
using AutomationStack.RoadMap;

namespace AutomationStack.Vehicle.Pipeline.Tests;

/// <summary>
/// Two platooning pipelines (pre-formed platoon, leader and follower) exchanging signed V2X through a delay line.
/// The PCM age that decides CACC must be counted from the PCM's generation time (the header's absolute ITS time),
/// so a PCM that spent 300 ms on the channel is already too old for CACC.
/// </summary>
public class PlatoonLatencyTests
{
    private const double Dt = 0.02;
    private const double Speed = 22.0;
    private const string LaneId = "r0_l0";
    private const ulong EpochMs = 1_767_225_600_000;

    [TestCase(0.02, true)]
    [TestCase(0.2, true)]
    [TestCase(0.3, false)]
    [TestCase(0.5, false)]
    public void Step_PcmsDelayedOnTheChannel_CaccOnlyWhilePcmsYoungerThan300Ms(double latency, bool cacc)
    {
        var modes = RunFollower(latency, seconds: 4.0);

        var settled = modes.Where(m => m.Time >= 2.0).Select(m => m.Mode).Distinct().ToList();
        Assert.That(settled, Is.EqualTo(new[] { cacc ? "Cacc" : "Acc" }), $"latency {latency} s");
    }

    [Test]
    public void Step_PcmsDelayed300Ms_FollowerStaysInPlatoonOnAcc()
    {
        var modes = RunFollower(0.3, seconds: 4.0);

        // Stale PCMs keep arriving: the front link is lost for CACC (fallback) but not for the 2 s comm-loss leave.
        Assert.That(modes[^1].Role, Is.EqualTo("Follower"));
        Assert.That(modes[^1].PlatoonId, Is.EqualTo(1u));
    }

    private static List<(double Time, string Mode, string Role, uint PlatoonId)> RunFollower(double latency, double seconds)
    {
        using var pki = new SimulationPki(11, EpochMs);
        var map = StraightMap();
        using var leader = new VehiclePipeline(Session("leader", 1, pki, map, 0), PipelineOptions.FromParameters(Parameters(0)));
        using var follower = new VehiclePipeline(Session("follower", 2, pki, map, 1), PipelineOptions.FromParameters(Parameters(1)));
        var inFlight = new List<(long DeliverNs, V2xMessage Message)>();
        var delayNs = (long)Math.Round(latency * 1e9);
        var modes = new List<(double, string, string, uint)>();
        var steps = (int)Math.Round(seconds / Dt);
        var length = TruckParameters.Default.Length;
        var gap = 5.0 + (0.6 * Speed);
        for (var k = 0; k < steps; k++)
        {
            var stamp = Units.SecondsToNanoseconds(k * Dt);
            var leaderX = 300.0 + (Speed * k * Dt);
            var followerX = leaderX - length - gap;
            var toFollower = inFlight.Where(m => m.DeliverNs <= stamp).Select(m => m.Message).ToList();
            inFlight.RemoveAll(m => m.DeliverNs <= stamp);

            var leaderOut = leader.Step(Frame(k, stamp, leaderX, [], []));
            inFlight.AddRange(leaderOut.V2xToSend.Select(m => (stamp + Math.Max(delayNs, 1), m)));
            var radar = new[] { new RadarDetection(gap, 0.0, 0.0) };
            var followerOut = follower.Step(Frame(k, stamp, followerX, radar, toFollower));
            var p = followerOut.Diagnostics.Platoon;
            modes.Add((k * Dt, p.LongitudinalMode, p.Role, p.PlatoonId));
        }

        return modes;
    }

    [Test]
    public void Constructor_CorruptCertificate_InvalidDataNamingCredentials()
    {
        using var pki = new SimulationPki(3, 1_767_225_600_000);
        var good = Session("t", 1, pki, StraightMap(), 0);
        var bad = good with { Credentials = good.Credentials! with { Certificate = new byte[] { 1, 2, 3 } } };

        var ex = Assert.Throws<InvalidDataException>(() => new VehiclePipeline(bad, PipelineOptions.FromParameters(bad.Parameters)));

        Assert.That(ex!.Message, Does.Contain("unusable V2X credentials for station 1"));
    }

    [Test]
    public void Constructor_CertificateOfAnotherStation_InvalidData()
    {
        using var pki = new SimulationPki(3, 1_767_225_600_000);
        var other = Session("t", 2, pki, StraightMap(), 0);
        var wrong = other with { StationId = 1 };

        var ex = Assert.Throws<InvalidDataException>(() => new VehiclePipeline(wrong, PipelineOptions.FromParameters(wrong.Parameters)));

        Assert.That(ex!.Message, Does.Contain("certificate is for station 2"));
    }

    [Test]
    public void Constructor_PlatooningWithoutCredentials_ArgumentExceptionNamingThem()
    {
        using var pki = new SimulationPki(3, 1_767_225_600_000);
        var none = Session("t", 1, pki, StraightMap(), 0) with { Credentials = null };

        var ex = Assert.Throws<ArgumentException>(() => new VehiclePipeline(none, PipelineOptions.FromParameters(none.Parameters)));

        Assert.That(ex!.Message, Does.Contain("V2X credentials"));
    }

    private static SensorFrame Frame(long k, long stamp, double x, RadarDetection[] radar, IReadOnlyList<V2xMessage> v2x) =>
        new(k, stamp, new EgoMeasurement(stamp, x, 0.0, 0.0, Speed, 0.0, 0.0, true), radar, v2x, new DriverInput(Speed, 0.0), LaneId);

    private static Dictionary<string, double> Parameters(int index) => new()
    {
        ["platoon.enabled"] = 1,
        ["platoon.time_gap"] = 0.6,
        ["platoon.formed_id"] = 1,
        ["platoon.formed_index"] = index,
    };

    private static VehicleSession Session(string id, uint station, SimulationPki pki, RoadNetwork map, int index)
    {
        var own = pki.For(station);
        var credentials = new V2xCredentials(pki.Root.Encoded.ToArray(), [pki.Authority.Encoded.ToArray()], own.Certificate.Encoded.ToArray(), own.PrivateKeyPkcs8, pki.EpochMs);
        return new VehicleSession(id, station, TruckParameters.Default, map, Dt, 1, 7 + (ulong)index, Parameters(index), credentials);
    }

    private static RoadNetwork StraightMap()
    {
        var lane = new Lane(LaneId, "r0", 0, new Polyline([new Vec2(0, 0), new Vec2(5000, 0)]), 3.5, 25, ElevationProfile.Flat, null, null);
        return new RoadNetwork("straight", [lane]);
    }
}
