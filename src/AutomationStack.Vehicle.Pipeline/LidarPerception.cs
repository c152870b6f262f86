using System.Globalization;
using AutomationStack.Contracts;
using AutomationStack.Localization;
using AutomationStack.RoadMap;
using AutomationStack.Tracking;

namespace AutomationStack.Vehicle.Pipeline;

/// <summary>Health of the lidar perception stage.</summary>
internal enum PerceptionState
{
    /// <summary>Before <see cref="PerceptionOptions.RecoveryScans"/> good scans: the radar lead is used, no fault.</summary>
    Starting,

    /// <summary>The lead comes from the lidar tracks.</summary>
    Nominal,

    /// <summary>A detector fault or a missing scan: radar-only ACC with the fallback time gap.</summary>
    Degraded,
}

/// <summary>
/// The lidar perception stage of the pipeline: scan → <see cref="IObjectDetector"/> → <see cref="MultiObjectTracker"/>
/// → lead in the ego lane (the same lane-based <see cref="LeadSelector"/> the radar path uses, fed with each track's
/// rear face) and cut-in prediction (<see cref="CutInDetector"/>). Explicit state machine:
/// Starting → Nominal after <see cref="PerceptionOptions.RecoveryScans"/> good scans; Nominal → Degraded on a detector
/// fault or when no scan arrived for <see cref="PerceptionOptions.MaxScanAge"/>; Degraded → Nominal after
/// RecoveryScans good scans in a row. Every transition is logged. Pure apart from its state: time from frame stamps.
/// </summary>
internal sealed class LidarPerception
{
    private static readonly string[] StateNames = ["starting", "nominal", "degraded"];

    private readonly PerceptionOptions _options;
    private readonly IObjectDetector _detector;
    private readonly MultiObjectTracker _tracker;
    private readonly LeadSelector _leadSelector;
    private readonly double _egoLength;
    private readonly List<VehicleLogLine> _log;
    private readonly RadarTrack[] _rearFaces;
    private readonly RadarTrack[] _candidates;
    private readonly long _maxScanAgeNs;

    private int _rearFaceCount;
    private bool _hasScan;
    private long _lastScanStampNs;
    private long _startStampNs = long.MinValue;
    private int _goodScans;
    private int _lastCutInTrack = -1;

    public LidarPerception(PerceptionOptions options, IObjectDetector detector, LeadSelectorOptions lead, double egoLength, List<VehicleLogLine> log)
    {
        _options = options;
        _detector = detector;
        _tracker = new MultiObjectTracker(options.Tracker);
        _leadSelector = new LeadSelector(lead, egoLength);
        _egoLength = egoLength;
        _log = log;
        _rearFaces = new RadarTrack[options.Tracker.MaxTracks];
        _candidates = new RadarTrack[options.Tracker.MaxTracks];
        _maxScanAgeNs = (long)(options.MaxScanAge * 1e9);
    }

    public PerceptionState State { get; private set; } = PerceptionState.Starting;

    /// <summary>The lead should come from the lidar tracks (not the radar).</summary>
    public bool UsesLidar => State == PerceptionState.Nominal;

    public bool IsDegraded => State == PerceptionState.Degraded;

    public int LastDetections { get; private set; }

    public long DetectorFaults { get; private set; }

    public long ScanTimeouts { get; private set; }

    public long CutIns { get; private set; }

    public int ConfirmedTracks { get; private set; }

    /// <summary>Processes this frame's scan, if any, and checks the scan age; returns a fault to report this frame.</summary>
    public bool Step(long stampNs, LidarScan? scan, in EgoState ego)
    {
        if (_startStampNs == long.MinValue)
        {
            _startStampNs = stampNs;
        }

        var fault = false;
        if (scan is not null)
        {
            try
            {
                var detections = _detector.Detect(scan);
                LastDetections = detections.Length;
                var tracks = _tracker.Step(scan.StampNs, ego.Valid ? ego.Speed : 0.0, ego.Valid ? ego.YawRate : 0.0, detections);
                Publish(tracks);
                _reviewTracks = Review(tracks);
                _hasScan = true;
                _lastScanStampNs = scan.StampNs;
                _goodScans++;
                if (State != PerceptionState.Nominal && _goodScans >= _options.RecoveryScans)
                {
                    Transition(stampNs, PerceptionState.Nominal, State == PerceptionState.Starting ? "tracks established" : "recovered");
                }
            }
            catch (ObjectDetectorFaultException ex)
            {
                DetectorFaults++;
                fault = true;
                _goodScans = 0;
                Transition(stampNs, PerceptionState.Degraded, "detector fault: " + ex.Message);
            }
        }

        var since = _hasScan ? _lastScanStampNs : _startStampNs;
        if (stampNs - since > _maxScanAgeNs)
        {
            fault = true;
            _goodScans = 0;
            if (State != PerceptionState.Degraded)
            {
                ScanTimeouts++;
                Transition(stampNs, PerceptionState.Degraded, string.Create(CultureInfo.InvariantCulture,
                    $"no lidar scan for {(stampNs - since) / 1e9:F2} s"));
            }
        }

        return fault;
    }

    /// <summary>
    /// The lead in <paramref name="lane"/> from the last scan's confirmed tracks, its gap carried forward to
    /// <paramref name="stampNs"/> at the track's relative speed (scans come at 10 Hz, control at 50 Hz).
    /// </summary>
    /// <remarks>
    /// A track is a lead candidate once it has been tracked for <see cref="PerceptionOptions.MinLeadAge"/> scans, or
    /// earlier when a confirmed radar track supports it (rear faces within 2 m + 5 % along, 1.5 m across): a box the
    /// detector conjures up for a few scans on a spot where the radar sees nothing must not brake the truck.
    /// </remarks>
    public LeadTarget? SelectLead(long stampNs, in EgoState ego, Lane lane, ReadOnlySpan<RadarTrack> radar)
    {
        var candidates = _candidates.AsSpan(0, _rearFaceCount);
        for (var i = 0; i < candidates.Length; i++)
        {
            var t = _rearFaces[i];
            candidates[i] = t with { Confirmed = t.Confirmed && (t.Age >= _options.MinLeadAge || Supported(t, radar)) };
        }

        if (_leadSelector.Select(candidates, ego, lane) is not { } l)
        {
            return null;
        }

        var age = Math.Max(stampNs - _lastScanStampNs, 0) / 1e9;
        var gap = Math.Max(l.Gap + (l.RelativeSpeed * age), 0.0);
        return l with { Gap = gap };
    }

    /// <summary>Logs a predicted cut-in (once per track) between the ego and <paramref name="lead"/>.</summary>
    public void WatchCutIn(long stampNs, LeadTarget? lead)
    {
        int? predecessor = lead?.TrackId;
        var cutIn = CutInDetector.Detect(_tracker.Tracks, predecessor, _egoLength, _options.CutIn);
        if (cutIn is not { } c)
        {
            _lastCutInTrack = -1;
            return;
        }

        if (c.TrackId == _lastCutInTrack)
        {
            return;
        }

        _lastCutInTrack = c.TrackId;
        CutIns++;
        _log.Add(new VehicleLogLine(stampNs, LogLevel.Warning, string.Create(CultureInfo.InvariantCulture,
            $"perception cut-in predicted: lidar track {c.TrackId} at {c.Gap:F1} m, lateral {c.LateralOffset:F1} m at {c.LateralSpeed:F1} m/s, inside in {c.TimeToEnter:F1} s")));
    }

    private static bool Supported(in RadarTrack lidar, ReadOnlySpan<RadarTrack> radar)
    {
        foreach (var r in radar)
        {
            if (r.Confirmed && Math.Abs(r.RelativeX - lidar.RelativeX) <= 2.0 + (0.05 * Math.Abs(lidar.RelativeX)) && Math.Abs(r.RelativeY - lidar.RelativeY) <= 1.5)
            {
                return true;
            }
        }

        return false;
    }

    private PerceivedObject[]? _reviewTracks;

    private static readonly string[] CategoryNames = ["car", "truck", "agv"];

    private static PerceivedObject[] Review(ReadOnlySpan<ObjectTrack> tracks)
    {
        var confirmed = 0;
        foreach (var t in tracks)
        {
            confirmed += t.Confirmed ? 1 : 0;
        }

        var result = new PerceivedObject[confirmed];
        var k = 0;
        foreach (var t in tracks)
        {
            if (t.Confirmed)
            {
                var category = t.Category >= 0 && t.Category < CategoryNames.Length ? CategoryNames[t.Category] : "unknown";
                result[k++] = new PerceivedObject(t.Id, category, t.X, t.Y, t.Length, t.Width, t.Yaw, t.Speed);
            }
        }

        return result;
    }

    /// <summary>The diagnostics; the confirmed tracks of a scan processed since the last call are handed out once.</summary>
    public PerceptionDiagnostics Diagnostics(string leadSource)
    {
        var tracks = _reviewTracks;
        _reviewTracks = null;
        return DiagnosticsCore(leadSource) with { Tracks = tracks };
    }

    private PerceptionDiagnostics DiagnosticsCore(string leadSource) => new(
        StateNames[(int)State],
        leadSource,
        LastDetections,
        ConfirmedTracks,
        DetectorFaults,
        ScanTimeouts,
        CutIns);

    private void Publish(ReadOnlySpan<ObjectTrack> tracks)
    {
        var count = 0;
        var confirmed = 0;
        foreach (var t in tracks)
        {
            if (t.Confirmed)
            {
                confirmed++;
            }

            // The lead selector works on the rear face (what a radar reports): centre minus the half extent along x.
            var rearX = t.X - t.HalfExtentX;
            _rearFaces[count++] = new RadarTrack(
                t.Id,
                rearX,
                t.Y,
                Math.Max(rearX - (_egoLength / 2), 0.0),
                t.RelativeVx,
                t.Vx,
                0.0,
                t.Age,
                t.Confirmed);
        }

        _rearFaceCount = count;
        ConfirmedTracks = confirmed;
    }

    private void Transition(long stampNs, PerceptionState to, string reason)
    {
        if (to == State)
        {
            return;
        }

        var from = State;
        State = to;
        var level = to == PerceptionState.Degraded ? LogLevel.Warning : LogLevel.Info;
        var consequence = to switch
        {
            PerceptionState.Degraded => string.Create(CultureInfo.InvariantCulture, $": radar-only ACC, time gap ≥ {_options.FallbackTimeGap:0.0#} s"),
            PerceptionState.Nominal => ": lead from lidar",
            _ => string.Empty,
        };
        _log.Add(new VehicleLogLine(stampNs, level, $"perception {StateNames[(int)from]}→{StateNames[(int)to]} ({reason}){consequence}"));
    }
}
