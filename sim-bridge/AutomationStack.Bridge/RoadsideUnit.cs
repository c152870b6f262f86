using System.Security.Cryptography;
using AutomationStack.Contracts;
using AutomationStack.Geometry;
using AutomationStack.Platooning.Protocol;
using AutomationStack.Platooning.Security;
using AutomationStack.RoadMap;
using AutomationStack.Simulation;

namespace AutomationStack.Bridge;

/// <summary>An answered signal request, for the run's events.</summary>
internal readonly record struct AnsweredRequest(uint RequesterStationId, int SignalGroupId, PriorityOutcome Outcome, long GreenEndNs);

/// <summary>
/// The roadside unit of one intersection: a fixed V2X station at the intersection's reference position that signs
/// (with its ticket from the run's PKI) and broadcasts the controller's SPaT every <see cref="SpatPeriodNs"/> and the
/// intersection's MAP every <see cref="MapPeriodNs"/>, verifies received envelopes and answers signal requests for its
/// intersection through the controller's priority logic. Stepped by the bridge at step boundaries, after the world;
/// deterministic (deterministic signatures, no clock).
/// </summary>
internal sealed class RoadsideUnit : IDisposable
{
    /// <summary>SPaT period, ns (10 Hz).</summary>
    public const long SpatPeriodNs = 100_000_000;

    /// <summary>MAP period, ns (1 Hz).</summary>
    public const long MapPeriodNs = 1_000_000_000;

    /// <summary>The full certificate rides along in a SPaT at least this often (always in MAP and responses), ns.</summary>
    public const long CertificatePeriodNs = 1_000_000_000;

    /// <summary>MAP revision (the map does not change during a run).</summary>
    public const byte MapRevision = 1;

    private const long NanosecondsPerMillisecond = 1_000_000;
    private const double PercentPerUnit = 100.0;

    private readonly SignalController _controller;
    private readonly V2xSigner _signer;
    private readonly V2xVerifier _verifier;
    private readonly ulong _epochMs;
    private readonly MapData _map;
    private readonly uint[] _sequence = new uint[(int)V2xMessageType.SignalResponse + 1];
    private readonly List<V2xMessage> _inbox = [];
    private readonly List<SignalGroupTiming> _timings = [];
    private readonly byte[] _buffer = new byte[V2xCodec.MaxMessageSize];
    private long? _lastCertificateNs;

    public RoadsideUnit(SignalController controller, RoadNetwork map, SimulationPki pki, ulong epochMs)
    {
        ArgumentNullException.ThrowIfNull(controller);
        ArgumentNullException.ThrowIfNull(map);
        ArgumentNullException.ThrowIfNull(pki);
        _controller = controller;
        _epochMs = epochMs;
        StationId = StationIdFor(controller.Intersection.Id);
        var credentials = pki.ForRoadsideUnit(StationId);
        using (var key = ECDsa.Create())
        {
            key.ImportPkcs8PrivateKey(credentials.PrivateKeyPkcs8, out _);
            _signer = new V2xSigner(credentials.Certificate, key);
        }

        _verifier = new V2xVerifier();
        _verifier.AddRoot(pki.Root);
        _verifier.AddAuthority(pki.Authority);
        _map = BuildMap(controller.Intersection, map);
        try
        {
            // A MAP beyond the wire's limits (groups, lanes, lane id length) fails here, not at the first broadcast.
            V2xCodec.Encode(new MessageHeader(V2xMessageType.Map, StationId, epochMs, 0), _map, _buffer);
        }
        catch (ArgumentException ex)
        {
            _signer.Dispose();
            _verifier.Dispose();
            throw new ArgumentException($"Intersection {controller.Intersection.Id} cannot be described in one MAP: {ex.Message}", nameof(controller), ex);
        }
    }

    /// <summary>The unit's V2X station id: <see cref="RoadsideStation.MinStationId"/> + the intersection id.</summary>
    public uint StationId { get; }

    public SignalController Controller => _controller;

    public long SpatSent { get; private set; }

    public long MapSent { get; private set; }

    public long RequestsAnswered { get; private set; }

    /// <summary>Verified messages that were not a signal request for this intersection (e.g. platooning traffic).</summary>
    public long Ignored { get; private set; }

    /// <summary>Envelopes the verifier dropped or that did not decode.</summary>
    public long Dropped { get; private set; }

    public static uint StationIdFor(int intersectionId) => RoadsideStation.MinStationId + (uint)intersectionId;

    /// <summary>
    /// One step at the world's current time: answer the signal requests delivered by now, then broadcast the SPaT
    /// (every <see cref="SpatPeriodNs"/>) and the MAP (every <see cref="MapPeriodNs"/>, before the SPaT).
    /// </summary>
    public void Step(World world, List<AnsweredRequest> answered)
    {
        var nowNs = world.StampNs;
        world.ReceiveV2xAtStation(StationId, _inbox);
        foreach (var m in _inbox)
        {
            if (_verifier.Verify(m.Payload.Span, AbsoluteMs(nowNs), out var verified) != DropReason.None || verified is null)
            {
                Dropped++;
                continue;
            }

            MessageHeader header;
            V2xBody body;
            try
            {
                (header, body) = V2xCodec.Decode(verified.Message.Span);
            }
            catch (V2xDecodeException)
            {
                Dropped++;
                continue;
            }

            if (body is SignalRequest request && request.IntersectionId == _controller.Intersection.Id)
            {
                var response = Answer(header, request, nowNs, out var decision);
                world.SendV2xFromStation(StationId, Sign(response, nowNs, includeCertificate: true));
                answered.Add(new AnsweredRequest(header.SenderStationId, response.SignalGroupId, decision.Outcome, decision.GreenEndNs));
                RequestsAnswered++;
            }
            else
            {
                Ignored++;
            }
        }

        if (nowNs % MapPeriodNs == 0)
        {
            world.SendV2xFromStation(StationId, Sign(_map, nowNs, includeCertificate: true));
            MapSent++;
        }

        if (nowNs % SpatPeriodNs == 0)
        {
            var withCertificate = _lastCertificateNs is not { } last || nowNs - last >= CertificatePeriodNs;
            world.SendV2xFromStation(StationId, Sign(BuildSpat(nowNs), nowNs, withCertificate));
            SpatSent++;
        }
    }

    /// <summary>The SPaT at <paramref name="nowNs"/>: every group's state and end times relative to now.</summary>
    public Spat BuildSpat(long nowNs)
    {
        _controller.Timings(_timings);
        var groups = new List<SignalGroupTimingEntry>(_timings.Count);
        foreach (var t in _timings.OrderBy(t => t.GroupId))
        {
            groups.Add(new SignalGroupTimingEntry(
                t.GroupId,
                ToWire(t.State),
                Relative(t.MinEndNs, nowNs),
                Relative(t.MaxEndNs, nowNs),
                Relative(t.LikelyEndNs, nowNs),
                (byte)Math.Round(Math.Clamp(t.Confidence, 0, 1) * PercentPerUnit)));
        }

        return new Spat(_controller.Intersection.Id, groups);
    }

    /// <summary>The intersection's MAP: groups (ascending ids) with ingress lanes, stop lines (s and point) and egress lanes.</summary>
    public static MapData BuildMap(Intersection intersection, RoadNetwork map)
    {
        ArgumentNullException.ThrowIfNull(intersection);
        ArgumentNullException.ThrowIfNull(map);
        var groups = new List<MapSignalGroup>();
        foreach (var g in intersection.SignalGroups.OrderBy(g => g.Id))
        {
            var ingress = new List<MapIngressLane>();
            foreach (var lane in g.Ingress)
            {
                var (point, _) = map.GetLane(lane.LaneId).Centreline.Evaluate(lane.StopLineS);
                ingress.Add(new MapIngressLane(lane.LaneId, lane.StopLineS, point.X, point.Y, lane.EgressLaneIds));
            }

            groups.Add(new MapSignalGroup(g.Id, ingress));
        }

        return new MapData(intersection.Id, MapRevision, intersection.X, intersection.Y, groups);
    }

    public void Dispose()
    {
        _signer.Dispose();
        _verifier.Dispose();
    }

    private SignalResponse Answer(MessageHeader header, SignalRequest request, long nowNs, out PriorityDecision decision)
    {
        var groupId = request.SignalGroupId != 0
            ? request.SignalGroupId
            : _controller.Intersection.FindGroupOfIngress(request.IngressLaneId!)?.Id ?? 0;
        // Arrival times are relative to the request's generation time (absolute ms since the epoch).
        var generatedNs = ((long)(header.GenerationTimeMs - Math.Min(header.GenerationTimeMs, _epochMs))) * NanosecondsPerMillisecond;
        var priority = new PriorityRequest(
            groupId,
            header.SenderStationId,
            generatedNs + Units.SecondsToNanoseconds(request.ArrivalStart),
            generatedNs + Units.SecondsToNanoseconds(request.ArrivalEnd),
            request.VehicleCount);
        decision = groupId == 0 ? new PriorityDecision(PriorityOutcome.UnknownGroup, 0) : _controller.RequestPriority(priority);
        var greenEnd = decision.GreenEndNs > 0 ? Relative(decision.GreenEndNs, nowNs) : 0;
        return new SignalResponse(_controller.Intersection.Id, header.SenderStationId, request.RequestId, groupId, ToWire(decision.Outcome), greenEnd);
    }

    private byte[] Sign(V2xBody body, long nowNs, bool includeCertificate)
    {
        var type = body.MessageType;
        var header = new MessageHeader(type, StationId, AbsoluteMs(nowNs), ++_sequence[(int)type]);
        var length = V2xCodec.Encode(header, body, _buffer);
        if (includeCertificate)
        {
            _lastCertificateNs = nowNs;
        }

        return _signer.Sign(_buffer.AsSpan(0, length), includeCertificate, null);
    }

    private ulong AbsoluteMs(long stampNs) => _epochMs + (ulong)Math.Max(0, stampNs / NanosecondsPerMillisecond);

    /// <summary>Seconds from now to <paramref name="endNs"/>, clamped to the wire's time-mark range.</summary>
    private static double Relative(long endNs, long nowNs) =>
        Math.Clamp((endNs - nowNs) / (double)Units.NanosecondsPerSecond, 0, V2xLimits.MaxTimeMark);

    private static SignalPhaseState ToWire(SignalGroupState state) => state switch
    {
        SignalGroupState.Red => SignalPhaseState.Red,
        SignalGroupState.Amber => SignalPhaseState.Amber,
        SignalGroupState.Green => SignalPhaseState.Green,
        _ => SignalPhaseState.Dark,
    };

    private static SignalRequestOutcome ToWire(PriorityOutcome outcome) => outcome switch
    {
        PriorityOutcome.Granted => SignalRequestOutcome.Granted,
        PriorityOutcome.Disabled => SignalRequestOutcome.Disabled,
        PriorityOutcome.UnknownGroup => SignalRequestOutcome.UnknownGroup,
        PriorityOutcome.NotGreen => SignalRequestOutcome.NotGreen,
        PriorityOutcome.BeyondMaxGreen => SignalRequestOutcome.BeyondMaxGreen,
        _ => SignalRequestOutcome.InvalidWindow,
    };
}
