using System.Numerics;
using AutomationStack.Contracts;
using AutomationStack.Geometry;
using AutomationStack.Localization;

namespace AutomationStack.Tracking;

/// <summary>
/// Multi-target tracker for a forward radar mounted at the front bumper (<c>radarOffset</c> ahead of the ego centre).
/// <list type="bullet">
/// <item>State per track (ego frame, relative to the ego centre): [x, y, vy, v, a] — relative position, relative
/// lateral speed, absolute longitudinal speed and acceleration of the target. Prediction uses the ego speed and
/// acceleration as known inputs (x' = x + (v − v_ego)·dt + ½(a − a_ego)·dt²), a Singer model for a, and a rotation by
/// the ego yaw over the step (state only; covariance rotation neglected — small on roads).</item>
/// <item>Update: extended Kalman filter on the raw polar measurement (range, azimuth, range rate) as sequential scalar
/// updates (diagonal measurement noise, no matrix inversion).</item>
/// <item>Association: global nearest neighbour — Hungarian assignment on squared Mahalanobis distances, pairs outside
/// the gate are refused.</item>
/// <item>Management: new tentative track per unassigned detection, confirmed after M hits in the last N frames,
/// deleted after consecutive misses.</item>
/// </list>
/// No allocation per frame once constructed.
/// </summary>
public sealed class RadarTracker
{
    private const int StateSize = 5;
    private const int IdxX = 0;
    private const int IdxY = 1;
    private const int IdxVy = 2;
    private const int IdxV = 3;
    private const int IdxA = 4;
    private const int MeasurementSize = 3;
    private const double MinRange = 0.1;
    private const double Unassignable = 1e9;
    private const int MaxWindow = 32;

    private readonly TrackerOptions _options;
    private readonly double _radarOffset;
    private readonly TrackSlot[] _slots;
    private readonly RadarTrack[] _output;
    private readonly int[] _aliveSlots;
    private readonly int[] _validDetections;
    private readonly bool[] _detectionUsed;
    private readonly double[] _cost;
    private readonly int[] _assignment;
    private readonly Hungarian _hungarian;
    private readonly double[] _scratch = new double[StateSize * StateSize];
    private readonly double[] _h = new double[MeasurementSize * StateSize];
    private readonly double[] _hp = new double[MeasurementSize * StateSize];
    private readonly double[] _ph = new double[StateSize];
    private readonly double[] _row = new double[StateSize];
    private readonly uint _windowMask;

    private int _outputCount;
    private int _nextId = 1;
    private bool _hasStamp;
    private long _lastStampNs;

    /// <param name="options">Tuning.</param>
    /// <param name="radarOffset">Distance from the ego's geometric centre forward to the radar (front bumper), m.</param>
    public RadarTracker(TrackerOptions options, double radarOffset)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.ConfirmationWindow is < 1 or > MaxWindow || options.ConfirmationHits < 1 || options.ConfirmationHits > options.ConfirmationWindow)
        {
            throw new ArgumentException("Confirmation needs 1 ≤ hits ≤ window ≤ 32.", nameof(options));
        }

        if (options.MaxTracks < 1 || options.MaxDetections < 1)
        {
            throw new ArgumentException("MaxTracks and MaxDetections must be positive.", nameof(options));
        }

        _options = options;
        _radarOffset = radarOffset;
        _slots = new TrackSlot[options.MaxTracks];
        for (var i = 0; i < _slots.Length; i++)
        {
            _slots[i] = new TrackSlot();
        }

        _output = new RadarTrack[options.MaxTracks];
        _aliveSlots = new int[options.MaxTracks];
        _validDetections = new int[options.MaxDetections];
        _detectionUsed = new bool[options.MaxDetections];
        var n = Math.Max(options.MaxTracks, options.MaxDetections);
        _cost = new double[n * n];
        _assignment = new int[n];
        _hungarian = new Hungarian(n);
        _windowMask = options.ConfirmationWindow == MaxWindow ? uint.MaxValue : (1u << options.ConfirmationWindow) - 1u;
    }

    /// <summary>Tracker for a radar on the front bumper of <paramref name="truck"/> (half its length ahead of the centre).</summary>
    public static RadarTracker ForTruck(TrackerOptions options, TruckParameters truck)
    {
        ArgumentNullException.ThrowIfNull(truck);
        return new RadarTracker(options, truck.Length / 2.0);
    }

    /// <summary>Detections rejected since construction (non-finite, out of range, over capacity).</summary>
    public long RejectedDetectionCount { get; private set; }

    /// <summary>Current tracks (valid until the next <see cref="Step"/>).</summary>
    public ReadOnlySpan<RadarTrack> Tracks => _output.AsSpan(0, _outputCount);

    /// <summary>Advances to <paramref name="stampNs"/> with the ego motion in <paramref name="ego"/> and the frame's detections.</summary>
    public ReadOnlySpan<RadarTrack> Step(long stampNs, in EgoState ego, IReadOnlyList<RadarDetection> detections)
    {
        ArgumentNullException.ThrowIfNull(detections);
        var dt = 0.0;
        if (_hasStamp)
        {
            dt = Units.NanosecondsToSeconds(stampNs - _lastStampNs);
            if (!(dt > 0) || dt > _options.MaxFrameInterval)
            {
                Clear();
                dt = 0.0;
            }
        }

        _hasStamp = true;
        _lastStampNs = stampNs;

        var egoSpeed = double.IsFinite(ego.Speed) ? ego.Speed : 0.0;
        var egoAccel = double.IsFinite(ego.Acceleration) ? ego.Acceleration : 0.0;
        var egoYawRate = double.IsFinite(ego.YawRate) ? ego.YawRate : 0.0;

        var trackCount = 0;
        for (var i = 0; i < _slots.Length; i++)
        {
            var slot = _slots[i];
            if (!slot.Alive)
            {
                continue;
            }

            if (dt > 0)
            {
                Predict(slot, dt, egoSpeed, egoAccel, egoYawRate);
            }

            _aliveSlots[trackCount++] = i;
        }

        var detectionCount = CollectDetections(detections);
        Associate(trackCount, detectionCount, detections, egoSpeed);
        OpenTracks(detectionCount, detections, egoSpeed);
        Publish(egoSpeed);
        return Tracks;
    }

    /// <summary>Drops all tracks.</summary>
    public void Clear()
    {
        foreach (var slot in _slots)
        {
            slot.Alive = false;
        }

        _outputCount = 0;
    }

    private int CollectDetections(IReadOnlyList<RadarDetection> detections)
    {
        var count = 0;
        for (var j = 0; j < detections.Count; j++)
        {
            var d = detections[j];
            var ok = double.IsFinite(d.Range) && double.IsFinite(d.RangeRate) && double.IsFinite(d.Azimuth)
                && d.Range > MinRange && d.Range <= _options.MaxRange && Math.Abs(d.Azimuth) < Math.PI / 2;
            if (!ok || count >= _validDetections.Length)
            {
                RejectedDetectionCount++;
                continue;
            }

            _validDetections[count] = j;
            _detectionUsed[count] = false;
            count++;
        }

        return count;
    }

    private void Associate(int trackCount, int detectionCount, IReadOnlyList<RadarDetection> detections, double egoSpeed)
    {
        for (var t = 0; t < trackCount; t++)
        {
            _slots[_aliveSlots[t]].AssignedDetection = -1;
        }

        if (trackCount > 0 && detectionCount > 0)
        {
            var n = Math.Max(trackCount, detectionCount);
            var cost = _cost.AsSpan(0, n * n);
            cost.Fill(_options.GateThreshold);
            for (var t = 0; t < trackCount; t++)
            {
                var slot = _slots[_aliveSlots[t]];
                for (var d = 0; d < detectionCount; d++)
                {
                    var distance = MahalanobisSquared(slot, detections[_validDetections[d]], egoSpeed);
                    cost[(t * n) + d] = distance <= _options.GateThreshold ? distance : Unassignable;
                }
            }

            _hungarian.Solve(cost, n, _assignment.AsSpan(0, n));
            for (var t = 0; t < trackCount; t++)
            {
                var d = _assignment[t];
                if (d < detectionCount && cost[(t * n) + d] <= _options.GateThreshold)
                {
                    _slots[_aliveSlots[t]].AssignedDetection = d;
                    _detectionUsed[d] = true;
                }
            }
        }

        for (var t = 0; t < trackCount; t++)
        {
            var slot = _slots[_aliveSlots[t]];
            slot.Age++;
            slot.HitHistory <<= 1;
            if (slot.AssignedDetection >= 0)
            {
                Update(slot, detections[_validDetections[slot.AssignedDetection]], egoSpeed);
                slot.HitHistory |= 1u;
                slot.ConsecutiveMisses = 0;
            }
            else
            {
                slot.ConsecutiveMisses++;
            }

            slot.HitHistory &= _windowMask;
            if (!slot.Confirmed && BitOperations.PopCount(slot.HitHistory) >= _options.ConfirmationHits)
            {
                slot.Confirmed = true;
            }

            var limit = slot.Confirmed ? _options.MaxConsecutiveMisses : _options.TentativeMaxMisses;
            if (slot.ConsecutiveMisses >= limit || !StateFinite(slot))
            {
                slot.Alive = false;
            }
        }
    }

    private void OpenTracks(int detectionCount, IReadOnlyList<RadarDetection> detections, double egoSpeed)
    {
        var free = 0;
        for (var d = 0; d < detectionCount; d++)
        {
            if (_detectionUsed[d])
            {
                continue;
            }

            while (free < _slots.Length && _slots[free].Alive)
            {
                free++;
            }

            if (free >= _slots.Length)
            {
                RejectedDetectionCount++;
                continue;
            }

            Initialise(_slots[free], detections[_validDetections[d]], egoSpeed);
        }
    }

    private void Publish(double egoSpeed)
    {
        _outputCount = 0;
        foreach (var slot in _slots)
        {
            if (!slot.Alive)
            {
                continue;
            }

            var s = slot.State;
            var px = s[IdxX] - _radarOffset;
            var py = s[IdxY];
            _output[_outputCount++] = new RadarTrack(
                slot.Id,
                s[IdxX],
                py,
                Math.Sqrt((px * px) + (py * py)),
                s[IdxV] - egoSpeed,
                s[IdxV],
                s[IdxA],
                slot.Age,
                slot.Confirmed);
        }
    }

    private void Initialise(TrackSlot slot, RadarDetection d, double egoSpeed)
    {
        var cos = Math.Cos(d.Azimuth);
        var sin = Math.Sin(d.Azimuth);
        var px = d.Range * cos;
        var py = d.Range * sin;
        var relativeSpeed = px > MinRange ? d.RangeRate * d.Range / px : d.RangeRate;
        var s = slot.State;
        s[IdxX] = px + _radarOffset;
        s[IdxY] = py;
        s[IdxVy] = 0.0;
        s[IdxV] = egoSpeed + relativeSpeed;
        s[IdxA] = 0.0;

        var p = slot.Covariance;
        Array.Clear(p);
        var rangeVar = _options.RangeStdDev * _options.RangeStdDev;
        var crossVar = d.Range * _options.AzimuthStdDev * d.Range * _options.AzimuthStdDev;
        p[(IdxX * StateSize) + IdxX] = (rangeVar * cos * cos) + (crossVar * sin * sin);
        p[(IdxY * StateSize) + IdxY] = (rangeVar * sin * sin) + (crossVar * cos * cos);
        var cov = (rangeVar - crossVar) * sin * cos;
        p[(IdxX * StateSize) + IdxY] = cov;
        p[(IdxY * StateSize) + IdxX] = cov;
        p[(IdxVy * StateSize) + IdxVy] = _options.InitialLateralSpeedStdDev * _options.InitialLateralSpeedStdDev;
        p[(IdxV * StateSize) + IdxV] = (_options.RangeRateStdDev * _options.RangeRateStdDev) + (_options.InitialSpeedStdDev * _options.InitialSpeedStdDev);
        p[(IdxA * StateSize) + IdxA] = _options.InitialAccelerationStdDev * _options.InitialAccelerationStdDev;

        slot.Alive = true;
        slot.Id = _nextId++;
        slot.Age = 0;
        slot.HitHistory = 1u;
        slot.ConsecutiveMisses = 0;
        slot.Confirmed = _options.ConfirmationHits <= 1;
        slot.AssignedDetection = -1;
    }

    private void Predict(TrackSlot slot, double dt, double egoSpeed, double egoAccel, double egoYawRate)
    {
        var s = slot.State;
        var decay = Math.Exp(-dt / _options.AccelerationTimeConstant);
        var halfDt2 = 0.5 * dt * dt;

        var x = s[IdxX] + ((s[IdxV] - egoSpeed) * dt) + ((s[IdxA] - egoAccel) * halfDt2);
        var y = s[IdxY] + (s[IdxVy] * dt);
        s[IdxV] += s[IdxA] * dt;
        s[IdxA] *= decay;

        // Ego rotation over the step turns the world by −ψ̇·dt in the ego frame.
        var dPsi = -egoYawRate * dt;
        var c = Math.Cos(dPsi);
        var sn = Math.Sin(dPsi);
        s[IdxX] = (c * x) - (sn * y);
        s[IdxY] = (sn * x) + (c * y);

        // P = F P Fᵀ + Q. F is identity except: x←(v·dt, a·½dt²), y←vy·dt, v←a·dt, a←decay.
        var p = slot.Covariance;
        var f = _scratch;
        Array.Clear(f);
        for (var i = 0; i < StateSize; i++)
        {
            f[(i * StateSize) + i] = 1.0;
        }

        f[(IdxX * StateSize) + IdxV] = dt;
        f[(IdxX * StateSize) + IdxA] = halfDt2;
        f[(IdxY * StateSize) + IdxVy] = dt;
        f[(IdxV * StateSize) + IdxA] = dt;
        f[(IdxA * StateSize) + IdxA] = decay;

        Span<double> fp = stackalloc double[StateSize * StateSize];
        for (var i = 0; i < StateSize; i++)
        {
            for (var j = 0; j < StateSize; j++)
            {
                var sum = 0.0;
                for (var k = 0; k < StateSize; k++)
                {
                    sum += f[(i * StateSize) + k] * p[(k * StateSize) + j];
                }

                fp[(i * StateSize) + j] = sum;
            }
        }

        for (var i = 0; i < StateSize; i++)
        {
            for (var j = 0; j < StateSize; j++)
            {
                var sum = 0.0;
                for (var k = 0; k < StateSize; k++)
                {
                    sum += fp[(i * StateSize) + k] * f[(j * StateSize) + k];
                }

                p[(i * StateSize) + j] = sum;
            }
        }

        // Longitudinal white jerk on [x, v, a]; lateral white acceleration on [y, vy].
        var qj = _options.JerkNoise;
        var dt2 = dt * dt;
        var dt3 = dt2 * dt;
        var dt4 = dt3 * dt;
        var dt5 = dt4 * dt;
        AddQ(p, IdxX, IdxX, qj * dt5 / 20.0);
        AddQ(p, IdxX, IdxV, qj * dt4 / 8.0);
        AddQ(p, IdxX, IdxA, qj * dt3 / 6.0);
        AddQ(p, IdxV, IdxV, qj * dt3 / 3.0);
        AddQ(p, IdxV, IdxA, qj * dt2 / 2.0);
        AddQ(p, IdxA, IdxA, qj * dt);
        var ql = _options.LateralAccelerationNoise;
        AddQ(p, IdxY, IdxY, ql * dt3 / 3.0);
        AddQ(p, IdxY, IdxVy, ql * dt2 / 2.0);
        AddQ(p, IdxVy, IdxVy, ql * dt);
    }

    private static void AddQ(double[] p, int i, int j, double value)
    {
        p[(i * StateSize) + j] += value;
        if (i != j)
        {
            p[(j * StateSize) + i] += value;
        }
    }

    /// <summary>Predicted measurement (range, azimuth, range rate) and its Jacobian rows into <see cref="_h"/>.</summary>
    private (double Range, double Azimuth, double RangeRate) Measure(TrackSlot slot, double egoSpeed)
    {
        var s = slot.State;
        var px = s[IdxX] - _radarOffset;
        var py = s[IdxY];
        var r = Math.Max(Math.Sqrt((px * px) + (py * py)), MinRange);
        var vx = s[IdxV] - egoSpeed;
        var vy = s[IdxVy];
        var rangeRate = ((px * vx) + (py * vy)) / r;
        var h = _h;
        Array.Clear(h);
        h[IdxX] = px / r;
        h[IdxY] = py / r;
        h[StateSize + IdxX] = -py / (r * r);
        h[StateSize + IdxY] = px / (r * r);
        h[(2 * StateSize) + IdxX] = (vx - (rangeRate * px / r)) / r;
        h[(2 * StateSize) + IdxY] = (vy - (rangeRate * py / r)) / r;
        h[(2 * StateSize) + IdxVy] = py / r;
        h[(2 * StateSize) + IdxV] = px / r;
        return (r, Math.Atan2(py, px), rangeRate);
    }

    private double MahalanobisSquared(TrackSlot slot, RadarDetection d, double egoSpeed)
    {
        var (r, az, rr) = Measure(slot, egoSpeed);
        var p = slot.Covariance;

        // HP (3×5), then S = HPHᵀ + R (3×3 symmetric).
        for (var i = 0; i < MeasurementSize; i++)
        {
            for (var j = 0; j < StateSize; j++)
            {
                var sum = 0.0;
                for (var k = 0; k < StateSize; k++)
                {
                    sum += _h[(i * StateSize) + k] * p[(k * StateSize) + j];
                }

                _hp[(i * StateSize) + j] = sum;
            }
        }

        Span<double> sm = stackalloc double[MeasurementSize * MeasurementSize];
        for (var i = 0; i < MeasurementSize; i++)
        {
            for (var j = 0; j < MeasurementSize; j++)
            {
                var sum = 0.0;
                for (var k = 0; k < StateSize; k++)
                {
                    sum += _hp[(i * StateSize) + k] * _h[(j * StateSize) + k];
                }

                sm[(i * MeasurementSize) + j] = sum;
            }
        }

        sm[0] += _options.RangeStdDev * _options.RangeStdDev;
        sm[4] += _options.AzimuthStdDev * _options.AzimuthStdDev;
        sm[8] += _options.RangeRateStdDev * _options.RangeRateStdDev;

        var n0 = d.Range - r;
        var n1 = Angles.Normalize(d.Azimuth - az);
        var n2 = d.RangeRate - rr;

        // Inverse of the symmetric 3×3 by cofactors.
        var a = sm[0];
        var b = sm[1];
        var c = sm[2];
        var e = sm[4];
        var f = sm[5];
        var i3 = sm[8];
        var c00 = (e * i3) - (f * f);
        var c01 = (c * f) - (b * i3);
        var c02 = (b * f) - (c * e);
        var c11 = (a * i3) - (c * c);
        var c12 = (b * c) - (a * f);
        var c22 = (a * e) - (b * b);
        var det = (a * c00) + (b * c01) + (c * c02);
        if (!(det > 0))
        {
            return double.PositiveInfinity;
        }

        var quad = (c00 * n0 * n0) + (c11 * n1 * n1) + (c22 * n2 * n2)
            + (2.0 * ((c01 * n0 * n1) + (c02 * n0 * n2) + (c12 * n1 * n2)));
        return quad / det;
    }

    private void Update(TrackSlot slot, RadarDetection d, double egoSpeed)
    {
        var (r, _, _) = Measure(slot, egoSpeed);
        ScalarUpdate(slot, 0, d.Range - r, _options.RangeStdDev * _options.RangeStdDev);
        var (_, az, _) = Measure(slot, egoSpeed);
        ScalarUpdate(slot, 1, Angles.Normalize(d.Azimuth - az), _options.AzimuthStdDev * _options.AzimuthStdDev);
        var (_, _, rr) = Measure(slot, egoSpeed);
        ScalarUpdate(slot, 2, d.RangeRate - rr, _options.RangeRateStdDev * _options.RangeRateStdDev);
    }

    private void ScalarUpdate(TrackSlot slot, int row, double innovation, double noiseVariance)
    {
        var p = slot.Covariance;
        var s = slot.State;
        for (var k = 0; k < StateSize; k++)
        {
            _row[k] = _h[(row * StateSize) + k];
        }

        var hph = 0.0;
        for (var i = 0; i < StateSize; i++)
        {
            var sum = 0.0;
            for (var k = 0; k < StateSize; k++)
            {
                sum += p[(i * StateSize) + k] * _row[k];
            }

            _ph[i] = sum;
            hph += _row[i] * sum;
        }

        var sInv = 1.0 / (hph + noiseVariance);
        for (var i = 0; i < StateSize; i++)
        {
            s[i] += _ph[i] * sInv * innovation;
        }

        for (var i = 0; i < StateSize; i++)
        {
            var ki = _ph[i] * sInv;
            for (var j = 0; j < StateSize; j++)
            {
                p[(i * StateSize) + j] -= ki * _ph[j];
            }
        }
    }

    private static bool StateFinite(TrackSlot slot)
    {
        foreach (var v in slot.State)
        {
            if (!double.IsFinite(v))
            {
                return false;
            }
        }

        return true;
    }

    private sealed class TrackSlot
    {
        public double[] State { get; } = new double[StateSize];

        public double[] Covariance { get; } = new double[StateSize * StateSize];

        public bool Alive { get; set; }

        public int Id { get; set; }

        public int Age { get; set; }

        public uint HitHistory { get; set; }

        public int ConsecutiveMisses { get; set; }

        public bool Confirmed { get; set; }

        public int AssignedDetection { get; set; }
    }
}
