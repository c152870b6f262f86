using System.Globalization;
using System.Security.Cryptography;
using AutomationStack.Contracts;
using AutomationStack.Control;
using AutomationStack.Localization;
using AutomationStack.Platooning;
using AutomationStack.Platooning.Protocol;
using AutomationStack.Platooning.Security;
using AutomationStack.Tracking;
using AutomationStack.Vehicle.V2x;
using V2xMessage = AutomationStack.Contracts.V2xMessage;

namespace AutomationStack.Vehicle.Pipeline;

/// <summary>
/// The platooning part of the pipeline: V2X in (verify, decode) → <see cref="PlatoonAgent"/> → longitudinal mode
/// (CACC on the predecessor's PCM, ACC fallback with the platoon's safe gap, emergency braking) → V2X out (sign).
/// Owns the V2X stack built from the session's credentials. Pure apart from its own state; time from frame stamps.
/// </summary>
internal sealed class PlatoonLayer : IDisposable
{
    private readonly V2xStack _v2x;
    private readonly PlatoonAgent _agent;
    private readonly CaccController _cacc;
    private readonly TruckParameters _truck;
    private readonly List<VehicleLogLine> _log;
    private readonly List<V2xDrop> _drops = [];
    private int _lastSequence;
    private byte? _pendingSplit;
    private double _lastDesiredAcceleration;
    private double _lastBrakeDemand;
    private bool _caccEngaged;
    private long _lastDropped;
    private long _reportedDropped;

    // Group key policy (platoon.encrypt_pcm): the platoon id this truck last issued a key for as leader, the members
    // that key went to, the generation counter, and the members led in the previous step (a merging rear leader
    // forwards the front platoon's key to them).
    private readonly bool _encrypt;
    private uint _issuedFor;
    private uint[] _keyedMembers = [];
    private uint _generation;
    private IReadOnlyList<uint> _ledLastStep = [];
    private readonly HashSet<(uint?, string)> _loggedKeyDrops = [];

    public PlatoonLayer(VehicleSession session, PipelineOptions options, List<VehicleLogLine> log)
    {
        var credentials = session.Credentials
            ?? throw new ArgumentException("platoon.enabled needs V2X credentials, but the session carries none (the world must provision this station).");
        _log = log;
        _truck = session.Truck;
        _v2x = CreateStack(session.StationId, credentials, _drops.Add);
        var settings = options.Platooning;
        var defaults = new PlatoonConfig();
        var config = defaults with
        {
            Level = settings.Paf ? PlatooningLevel.Paf : PlatooningLevel.Psf,
            TimeGap = settings.Paf ? defaults.TimeGap : settings.TimeGap,
            PafMinTimeGap = settings.Paf ? settings.TimeGap : defaults.PafMinTimeGap,
            StandstillGap = options.Cacc.StandstillGap,
            VehicleLength = session.Truck.Length,
            MaxDeceleration = session.Truck.MaxDeceleration,
        };
        _agent = settings.FormedId != 0
            ? PlatoonAgent.Formed(session.StationId, config, settings.FormedId, (byte)settings.FormedIndex)
            : new PlatoonAgent(session.StationId, config);
        _cacc = new CaccController(options.Cacc with { TimeGap = config.PlatoonTimeGap }, session.Truck);
        _encrypt = settings.EncryptPcm;
    }

    /// <summary>The last step's result (null before the first).</summary>
    public PlatoonStepResult? Last { get; private set; }

    /// <summary>This frame's verified roadside-unit messages (SPaT, MAP, signal responses), for the signal stage.</summary>
    public List<ReceivedV2x> Infrastructure { get; } = [];

    /// <summary>The V2X stack (the signal stage signs its requests with it).</summary>
    public V2xStack Stack => _v2x;

    /// <summary>
    /// A limit applied after <see cref="Control"/> (a signal's stop line, GLOSA): the desired acceleration the next PCM
    /// announces is the limited one, so that followers in CACC get it as feedforward instead of finding out from the gap.
    /// </summary>
    public void LimitDesiredAcceleration(double limit)
    {
        if (limit < _lastDesiredAcceleration)
        {
            _lastDesiredAcceleration = limit;
        }
    }

    /// <summary>As leader: ask the agent to split the platoon in front of member <paramref name="index"/> at the next step.</summary>
    public void RequestSplit(byte index) => _pendingSplit = index;

    /// <summary>Receives this frame's V2X and steps the platoon state machines.</summary>
    public PlatoonStepResult Update(SensorFrame frame, in EgoState ego, string? laneId, LeadTarget? lead)
    {
        var stamp = frame.StampNs;
        var internalRequest = default(Platooning.PlatoonRequest);
        Infrastructure.Clear();
        foreach (var message in _v2x.Receive(frame.V2x, stamp))
        {
            if (message.Body is Spat or MapData or SignalResponse or SignalRequest)
            {
                // Roadside-unit traffic is the signal stage's, not the platoon agent's.
                Infrastructure.Add(message);
                continue;
            }

            _agent.Receive(message.Header, message.Body);
        }

        if (_pendingSplit is { } split && !(frame.Driver.Platoon.Sequence != 0 && frame.Driver.Platoon.Sequence != _lastSequence))
        {
            _pendingSplit = null;
            _log.Add(new VehicleLogLine(stamp, LogLevel.Info, $"platoon split at index {split} requested by the signal stage"));
            internalRequest = new Platooning.PlatoonRequest(PlatoonRequestKind.Split, Last?.PlatoonId ?? 0, split);
        }

        LogDrops(stamp);
        var request = internalRequest;
        var hmi = frame.Driver.Platoon;
        if (hmi.Sequence != 0 && hmi.Sequence != _lastSequence)
        {
            _lastSequence = hmi.Sequence;
            request = Map(hmi);
            _log.Add(new VehicleLogLine(stamp, LogLevel.Info, $"platoon request {hmi.Command} (#{hmi.Sequence})"));
        }

        // The agent compares NowMs with the generation times in received headers (PCM age, PAM freshness), which are
        // absolute ITS ms (the V2X epoch + simulated time): NowMs must be on the same time base, or every PCM looks
        // brand new on arrival and channel latency never counts against the 300 ms CACC validity.
        var inputs = new PlatoonInputs(
            (long)_v2x.AbsoluteMs(stamp),
            ego.X,
            ego.Y,
            ego.Heading,
            ego.Speed,
            ego.Acceleration,
            laneId,
            _lastDesiredAcceleration,
            lead.HasValue,
            lead?.Gap ?? 0.0,
            lead?.LeadSpeed ?? 0.0,
            _lastBrakeDemand,
            request);
        var result = _agent.Step(inputs);
        foreach (var e in result.Events)
        {
            _log.Add(new VehicleLogLine(stamp, LogLevel.Info, "platoon " + e));
        }

        if (_encrypt)
        {
            result = ManageGroupKeys(result, stamp);
        }

        Last = result;
        return result;
    }

    /// <summary>
    /// The group-key side of a step. Accepted keys (JoinResponse, KeyUpdate) are unwrapped and installed; a rear leader
    /// that merged forwards the new key to the members it led. A leader issues a new key, and sends it to every member
    /// in a KeyUpdate, when its platoon has members and either the key was not issued by it for this platoon (new
    /// platoon, split, leader hand-over) or the members differ from those the key went to (join, leave, merge). A
    /// JoinResponse going out carries the current key wrapped for the joiner (filled in by <see cref="Outgoing"/>).
    /// A stand-alone truck sends PCMs in clear. The extra PMMs are appended to the result's messages.
    /// </summary>
    private PlatoonStepResult ManageGroupKeys(PlatoonStepResult result, long stamp)
    {
        List<OutgoingMessage>? extra = null;
        foreach (var received in result.GroupKeys)
        {
            var key = _v2x.UnwrapGroupKey(received.Key, out var error);
            if (key is null)
            {
                _log.Add(new VehicleLogLine(stamp, LogLevel.Warning, string.Create(CultureInfo.InvariantCulture,
                    $"platoon group key {received.Key.KeyId} from station {received.Sender} not usable: {error}")));
                continue;
            }

            _v2x.InstallGroupKey(key);
            _log.Add(new VehicleLogLine(stamp, LogLevel.Info, string.Create(CultureInfo.InvariantCulture,
                $"platoon group key {key.Id} from station {received.Sender} for platoon {received.PlatoonId}")));
            if (result.Role != PlatoonRole.Leader && _ledLastStep.Count > 0)
            {
                foreach (var member in _ledLastStep)
                {
                    Distribute(key, member, received.PlatoonId, ref extra);
                }

                _log.Add(new VehicleLogLine(stamp, LogLevel.Info, string.Create(CultureInfo.InvariantCulture,
                    $"platoon group key {key.Id} forwarded to {_ledLastStep.Count} former member(s)")));
            }
        }

        if (result.Role == PlatoonRole.StandAlone || result.PlatoonId == 0)
        {
            _v2x.StopEncrypting();
            _issuedFor = 0;
            _keyedMembers = [];
        }
        else if (result.Role == PlatoonRole.Leader)
        {
            var admitting = result.ToSend.Any(m => m.Body is Pmm { Body: JoinResponse { Accepted: true } });
            var members = result.Members.ToArray();
            var stale = _issuedFor != result.PlatoonId || !members.AsSpan().SequenceEqual(_keyedMembers);
            if ((members.Length > 0 || admitting) && (stale || _v2x.SendKey is null))
            {
                var key = _v2x.IssueGroupKey(result.PlatoonId, ++_generation);
                _v2x.InstallGroupKey(key);
                _issuedFor = result.PlatoonId;
                _keyedMembers = members;
                foreach (var member in members)
                {
                    Distribute(key, member, result.PlatoonId, ref extra);
                }

                _log.Add(new VehicleLogLine(stamp, LogLevel.Info, string.Create(CultureInfo.InvariantCulture,
                    $"platoon group key {key.Id} issued for platoon {result.PlatoonId} (generation {_generation}, {members.Length} member(s))")));
            }
        }

        _ledLastStep = result.Role == PlatoonRole.Leader ? result.Members : [];
        return extra is null ? result : result with { ToSend = [.. result.ToSend, .. extra] };
    }

    private void Distribute(GroupKey key, uint member, uint platoonId, ref List<OutgoingMessage>? extra)
    {
        // A member's certificate is known from its PCMs (it rides along at least once a second).
        if (_v2x.WrapGroupKey(key, member) is { } wrapped)
        {
            (extra ??= []).Add(_agent.SendManagement(member, new KeyUpdate(platoonId, wrapped)));
        }
    }

    /// <summary>
    /// The acceleration request under the platoon's mode, given the ACC output of this step (computed with
    /// <see cref="AccTimeGap"/>): CACC for a connected follower, emergency braking, or the ACC output. The ACC's
    /// collision avoidance and the driver's pedal always stay in force.
    /// </summary>
    public double Control(PlatoonStepResult result, in EgoState ego, LeadTarget? lead, in AccOutput acc, double pedal, double dt, bool forceAcc = false)
    {
        var safety = acc.Regime is AccRegime.CollisionAvoidance or AccRegime.DriverBrake;
        double a;
        // A degraded perception (radar only) forces ACC: CACC's short gap relies on the measured gap being trustworthy.
        var mode = forceAcc && result.Mode == LongitudinalMode.Cacc ? LongitudinalMode.Acc : result.Mode;
        switch (mode)
        {
            case LongitudinalMode.Emergency:
                var deceleration = result.EmergencyDeceleration > 0 ? Math.Min(result.EmergencyDeceleration, _truck.MaxDeceleration) : _truck.MaxDeceleration;
                a = Math.Min(-deceleration, acc.Acceleration);
                _caccEngaged = false;
                _lastDesiredAcceleration = a;
                break;
            case LongitudinalMode.Cacc when result.PredecessorStationId is not null:
                var gap = lead?.Gap ?? result.PredecessorGapFromPcm;
                if (Math.Abs(_cacc.TargetTimeGap - result.TargetTimeGap) > 1e-9 && result.TargetTimeGap > 0)
                {
                    _cacc.SetTargetTimeGap(result.TargetTimeGap);
                }

                if (!_caccEngaged)
                {
                    _cacc.Reset(acc.Acceleration, gap, ego.Speed);
                    _caccEngaged = true;
                }

                var output = _cacc.Step(new CaccInput(ego.Speed, ego.Acceleration, gap, result.PredecessorSpeed, result.PredecessorDesiredAcceleration, dt, result.PredecessorAcceleration));
                a = safety ? Math.Min(output.Acceleration, acc.Acceleration) : output.Acceleration;
                _lastDesiredAcceleration = output.DesiredAcceleration;
                break;
            default:
                a = acc.Acceleration;
                _caccEngaged = false;
                _lastDesiredAcceleration = a;
                break;
        }

        _lastBrakeDemand = Math.Max(pedal, acc.Regime == AccRegime.CollisionAvoidance ? -acc.Acceleration : 0.0);
        return a;
    }

    /// <summary>The time gap the ACC uses this step: the platoon's safe fallback gap for a follower in ACC, else the configured one (0).</summary>
    public static double AccTimeGap(PlatoonStepResult? result) =>
        result is { Mode: LongitudinalMode.Acc, Role: PlatoonRole.Follower or PlatoonRole.Joiner } r && r.TargetTimeGap > 0 ? r.TargetTimeGap : 0.0;

    /// <summary>Signs and returns this step's messages.</summary>
    public IReadOnlyList<V2xMessage> Outgoing(PlatoonStepResult result, long stampNs)
    {
        if (result.ToSend.Count == 0)
        {
            return [];
        }

        var messages = new V2xMessage[result.ToSend.Count];
        for (var i = 0; i < messages.Length; i++)
        {
            var body = result.ToSend[i].Body;
            if (_encrypt && body is Pmm { Body: JoinResponse { Accepted: true, GroupKey: null } response } pmm
                && _v2x.SendKey is { } key && _v2x.WrapGroupKey(key, pmm.DestinationStationId) is { } wrapped)
            {
                // The agent is key-agnostic: the current key, wrapped for the joiner (its certificate came with its
                // JoinRequest), goes into the response here, and again into each retry.
                body = pmm with { Body = response with { GroupKey = wrapped } };
            }

            messages[i] = _v2x.Send(body, stampNs);
        }

        return messages;
    }

    public PlatoonDiagnostics Diagnostics(PlatoonStepResult result, double speed)
    {
        var timeGap = result.Mode == LongitudinalMode.Cacc && _caccEngaged ? _cacc.TimeGap : result.TargetTimeGap;
        return new PlatoonDiagnostics(
            result.State.ToString(),
            result.Role.ToString(),
            result.Mode.ToString(),
            result.PlatoonId,
            result.Index,
            timeGap,
            _cacc.StandstillGap + (timeGap * Math.Max(speed, 0.0)),
            result.PredecessorStationId ?? 0,
            _v2x.Accepted,
            _lastDropped,
            ByReasonIfChanged(),
            _v2x.EncryptedAccepted,
            _v2x.EncryptedSent,
            _v2x.KeysInstalled);
    }

    private IReadOnlyDictionary<string, long>? ByReasonIfChanged()
    {
        if (_lastDropped == _reportedDropped)
        {
            return null;
        }

        _reportedDropped = _lastDropped;
        return _v2x.DropCounts;
    }

    public void Dispose() => _v2x.Dispose();

    private static Platooning.PlatoonRequest Map(Contracts.PlatoonRequest hmi) => hmi.Command switch
    {
        PlatoonCommand.Create => new(PlatoonRequestKind.CreatePlatoon, hmi.PlatoonId),
        PlatoonCommand.Join => new(PlatoonRequestKind.Join, hmi.PlatoonId),
        PlatoonCommand.Leave => new(PlatoonRequestKind.Leave),
        PlatoonCommand.Split => new(PlatoonRequestKind.Split, hmi.PlatoonId, (byte)Math.Clamp(hmi.Index, 0, byte.MaxValue)),
        PlatoonCommand.Merge => new(PlatoonRequestKind.Merge, hmi.PlatoonId),
        PlatoonCommand.ChangeGap => new(PlatoonRequestKind.ChangeGap, hmi.PlatoonId, 0, hmi.TimeGap),
        _ => default,
    };

    private void LogDrops(long stamp)
    {
        foreach (var drop in _drops)
        {
            // Encrypted PCMs of other platoons are expected traffic: counted every time, logged once per sender and key.
            if (drop.Reason == DropReason.UnknownGroupKey && !_loggedKeyDrops.Add((drop.SenderStationId, drop.Detail)))
            {
                continue;
            }

            _log.Add(new VehicleLogLine(stamp, LogLevel.Warning, string.Create(
                CultureInfo.InvariantCulture,
                $"v2x dropped {drop.Reason} from station {(drop.SenderStationId?.ToString(CultureInfo.InvariantCulture) ?? "?")}: {drop.Detail}")));
        }

        _drops.Clear();
        _lastDropped = _v2x.DropCounts.Values.Sum();
    }

    /// <exception cref="InvalidDataException">A certificate does not decode, the key is not PKCS#8 P-256, or they do not belong together.</exception>
    internal static V2xStack CreateStack(uint stationId, V2xCredentials credentials, Action<V2xDrop> onDrop)
    {
        V2xCertificate certificate;
        V2xSigner signer;
        try
        {
            certificate = V2xCertificate.Decode(credentials.Certificate.Span);
            using var key = ECDsa.Create();
            key.ImportPkcs8PrivateKey(credentials.PrivateKey.Span, out _);
            signer = new V2xSigner(certificate, key);
        }
        catch (Exception ex) when (ex is V2xDecodeException or CryptographicException or ArgumentException)
        {
            throw new InvalidDataException($"unusable V2X credentials for station {stationId}: {ex.Message}", ex);
        }

        if (certificate.StationId != stationId)
        {
            signer.Dispose();
            throw new InvalidDataException($"unusable V2X credentials: the certificate is for station {certificate.StationId}, this vehicle is station {stationId}");
        }

        var verifier = new V2xVerifier(new V2xVerifierOptions { OnDrop = onDrop });
        try
        {
            verifier.AddRoot(V2xCertificate.Decode(credentials.RootCertificate.Span));
            foreach (var authority in credentials.AuthorityCertificates)
            {
                verifier.AddAuthority(V2xCertificate.Decode(authority.Span));
            }

            return new V2xStack(stationId, signer, verifier, new V2xStackOptions { EpochMs = credentials.EpochMs });
        }
        catch (Exception ex) when (ex is V2xDecodeException or CryptographicException or ArgumentException)
        {
            signer.Dispose();
            verifier.Dispose();
            throw new InvalidDataException($"unusable V2X trust anchors for station {stationId}: {ex.Message}", ex);
        }
    }
}
