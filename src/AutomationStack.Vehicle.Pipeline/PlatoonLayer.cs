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
    private double _lastDesiredAcceleration;
    private double _lastBrakeDemand;
    private bool _caccEngaged;
    private long _lastDropped;
    private long _reportedDropped;

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
    }

    /// <summary>The last step's result (null before the first).</summary>
    public PlatoonStepResult? Last { get; private set; }

    /// <summary>Receives this frame's V2X and steps the platoon state machines.</summary>
    public PlatoonStepResult Update(SensorFrame frame, in EgoState ego, string? laneId, LeadTarget? lead)
    {
        var stamp = frame.StampNs;
        foreach (var message in _v2x.Receive(frame.V2x, stamp))
        {
            _agent.Receive(message.Header, message.Body);
        }

        LogDrops(stamp);
        var request = default(Platooning.PlatoonRequest);
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

        Last = result;
        return result;
    }

    /// <summary>
    /// The acceleration request under the platoon's mode, given the ACC output of this step (computed with
    /// <see cref="AccTimeGap"/>): CACC for a connected follower, emergency braking, or the ACC output. The ACC's
    /// collision avoidance and the driver's pedal always stay in force.
    /// </summary>
    public double Control(PlatoonStepResult result, in EgoState ego, LeadTarget? lead, in AccOutput acc, double pedal, double dt)
    {
        var safety = acc.Regime is AccRegime.CollisionAvoidance or AccRegime.DriverBrake;
        double a;
        switch (result.Mode)
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
            messages[i] = _v2x.Send(result.ToSend[i].Body, stampNs);
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
            ByReasonIfChanged());
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
            _log.Add(new VehicleLogLine(stamp, LogLevel.Warning, string.Create(
                CultureInfo.InvariantCulture,
                $"v2x dropped {drop.Reason} from station {(drop.SenderStationId?.ToString(CultureInfo.InvariantCulture) ?? "?")}: {drop.Detail}")));
        }

        _drops.Clear();
        _lastDropped = _v2x.DropCounts.Values.Sum();
    }

    /// <exception cref="InvalidDataException">A certificate does not decode, the key is not PKCS#8 P-256, or they do not belong together.</exception>
    private static V2xStack CreateStack(uint stationId, V2xCredentials credentials, Action<V2xDrop> onDrop)
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
