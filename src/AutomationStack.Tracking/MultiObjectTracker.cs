using System.Numerics;
using AutomationStack.Geometry;

namespace AutomationStack.Tracking;

/// <summary>
/// Multi-object tracker for box detections in the ego frame (lidar detector output).
/// <list type="bullet">
/// <item>State per track: [x, y, vx, vy] — centre relative to the ego centre and the object's velocity over ground,
/// both expressed in the CURRENT ego frame. Constant-velocity model with white-acceleration noise. Ego-motion
/// compensation in the prediction: over dt the ego moves along the chord of a circular arc (speed v, yaw rate ω, chord
/// v·dt·sinc(ω·dt/2) at angle ω·dt/2) and turns by ω·dt, so p' = R(−ω·dt)(p + v_obj·dt − chord) and
/// v_obj' = R(−ω·dt)·v_obj; the covariance goes through the same linear map (exact, no approximation beyond
/// constant v and ω over the step).</item>
/// <item>Update: linear Kalman update on the detected centre (x, y).</item>
/// <item>Association: squared Mahalanobis distance of the position innovation, pairs above the gate refused, then the
/// globally optimal assignment (Hungarian algorithm on the gated distances) — chosen over greedy because crossing or
/// close targets (platoon members 10 m apart, a vehicle passing alongside) are exactly where greedy order matters.
/// Classes do not gate (a detector may flicker between classes); the track's class is the one with the highest
/// accumulated score.</item>
/// <item>Management: each unassigned detection opens a tentative track (velocity prior: moves like the ego, wide
/// uncertainty); confirmed after M hits in the last N frames (2 of 3, sticky); deleted after
/// <see cref="ObjectTrackerOptions.MaxConsecutiveMisses"/> (confirmed) or <see cref="ObjectTrackerOptions.TentativeMaxMisses"/>
/// (tentative) consecutive misses, when its predicted centre leaves the tracked region, or when its state is not
/// finite.</item>
/// <item>Near-face anchoring: before gating and update, a detection's centre is shifted so that its faces toward the
/// ego stay put while the box takes the track's size (see <c>Anchored</c>): a lidar box's far extent is a guess.</item>
/// <item>Size and yaw: exponential smoothing of the detections' (yaw aligned to within ±90° of the track's first, so a
/// detector's 180° flips do not turn the track); yaw is rotated with the ego like the state.</item>
/// </list>
/// Pure and deterministic (time is the frame stamp); no allocation per frame once constructed; not thread-safe.
/// </summary>
public sealed class MultiObjectTracker
{
    /// <summary>Categories accepted in <see cref="ObjectDetection.Category"/> are 0 ≤ c &lt; this.</summary>
    public const int MaxCategories = 8;

    private const int N = 4;
    private const int MaxWindow = 32;
    private const double Unassignable = 1e9;
    private const double PaddingCost = 1e6;
    private const double MaxAcceptedCost = 1e5;
    private const double MaxInflation = 100.0;

    private readonly ObjectTrackerOptions _options;
    private readonly TrackSlot[] _slots;
    private readonly ObjectTrack[] _output;
    private readonly int[] _aliveSlots;
    private readonly int[] _validDetections;
    private readonly bool[] _detectionUsed;
    private readonly double[] _cost;
    private readonly int[] _assignment;
    private readonly Hungarian _hungarian;
    private readonly uint _windowMask;

    private int _outputCount;
    private int _nextId = 1;
    private bool _hasStamp;
    private long _lastStampNs;

    public MultiObjectTracker(ObjectTrackerOptions options)
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

        if (!(options.PositionStdDev > 0) || !(options.ShapeSmoothing > 0 && options.ShapeSmoothing <= 1))
        {
            throw new ArgumentException("PositionStdDev must be positive and ShapeSmoothing in (0, 1].", nameof(options));
        }

        _options = options;
        _slots = new TrackSlot[options.MaxTracks];
        for (var i = 0; i < _slots.Length; i++)
        {
            _slots[i] = new TrackSlot();
        }

        _output = new ObjectTrack[options.MaxTracks];
        _aliveSlots = new int[options.MaxTracks];
        _validDetections = new int[options.MaxDetections];
        _detectionUsed = new bool[options.MaxDetections];
        var n = Math.Max(options.MaxTracks, options.MaxDetections);
        _cost = new double[n * n];
        _assignment = new int[n];
        _hungarian = new Hungarian(n);
        _windowMask = options.ConfirmationWindow == MaxWindow ? uint.MaxValue : (1u << options.ConfirmationWindow) - 1u;
    }

    /// <summary>Detections rejected since construction (non-finite, unknown category, outside the region, over capacity).</summary>
    public long RejectedDetectionCount { get; private set; }

    /// <summary>Current tracks in slot order (valid until the next <see cref="Step"/>).</summary>
    public ReadOnlySpan<ObjectTrack> Tracks => _output.AsSpan(0, _outputCount);

    /// <summary>
    /// Advances to <paramref name="stampNs"/> with the ego's speed (m/s) and yaw rate (rad/s, counter-clockwise) over
    /// the interval since the previous call, then associates and updates with this frame's detections.
    /// </summary>
    public ReadOnlySpan<ObjectTrack> Step(long stampNs, double egoSpeed, double egoYawRate, ReadOnlySpan<ObjectDetection> detections)
    {
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
        egoSpeed = double.IsFinite(egoSpeed) ? egoSpeed : 0.0;
        egoYawRate = double.IsFinite(egoYawRate) ? egoYawRate : 0.0;

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
                Predict(slot, dt, egoSpeed, egoYawRate);
                if (!InRegion(slot.State[0], slot.State[1]) || !StateFinite(slot))
                {
                    slot.Alive = false;
                    continue;
                }
            }

            _aliveSlots[trackCount++] = i;
        }

        var detectionCount = CollectDetections(detections);
        Associate(trackCount, detectionCount, detections);
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

    private bool InRegion(double x, double y) =>
        x >= _options.XMin && x < _options.XMax && y >= _options.YMin && y < _options.YMax;

    private int CollectDetections(ReadOnlySpan<ObjectDetection> detections)
    {
        var count = 0;
        for (var j = 0; j < detections.Length; j++)
        {
            var d = detections[j];
            var ok = (uint)d.Category < MaxCategories && double.IsFinite(d.X) && double.IsFinite(d.Y) && InRegion(d.X, d.Y)
                && d.Length > 0 && d.Width > 0 && double.IsFinite(d.Length) && double.IsFinite(d.Width)
                && double.IsFinite(d.Yaw) && double.IsFinite(d.Score);
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

    private void Associate(int trackCount, int detectionCount, ReadOnlySpan<ObjectDetection> detections)
    {
        for (var t = 0; t < trackCount; t++)
        {
            _slots[_aliveSlots[t]].AssignedDetection = -1;
        }

        if (trackCount > 0 && detectionCount > 0)
        {
            var n = Math.Max(trackCount, detectionCount);
            var cost = _cost.AsSpan(0, n * n);

            // Padding (no partner) costs more than any accepted pair, so the assignment first maximises the number of
            // accepted pairs, then minimises their total distance; refused pairs cost more still.
            cost.Fill(PaddingCost);
            var minGate2 = _options.MinGateDistance * _options.MinGateDistance;
            for (var t = 0; t < trackCount; t++)
            {
                var slot = _slots[_aliveSlots[t]];
                for (var d = 0; d < detectionCount; d++)
                {
                    var (ax, ay) = Anchored(slot, detections[_validDetections[d]]);
                    var distance = Math.Min(MahalanobisSquared(slot, ax, ay), MaxAcceptedCost);
                    var ex = ax - slot.State[0];
                    var ey = ay - slot.State[1];
                    var accepted = distance <= _options.GateThreshold || (ex * ex) + (ey * ey) <= minGate2;
                    cost[(t * n) + d] = accepted ? distance : Unassignable;
                }
            }

            _hungarian.Solve(cost, n, _assignment.AsSpan(0, n));
            for (var t = 0; t < trackCount; t++)
            {
                var d = _assignment[t];
                if (d < detectionCount && cost[(t * n) + d] <= MaxAcceptedCost)
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
                var det = detections[_validDetections[slot.AssignedDetection]];
                var (ax, ay) = Anchored(slot, det);
                Update(slot, ax, ay);
                UpdateShape(slot, det);
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

    private void OpenTracks(int detectionCount, ReadOnlySpan<ObjectDetection> detections, double egoSpeed)
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

    private void Initialise(TrackSlot slot, in ObjectDetection d, double egoSpeed)
    {
        var s = slot.State;
        s[0] = d.X;
        s[1] = d.Y;
        s[2] = egoSpeed;
        s[3] = 0.0;
        var p = slot.Covariance;
        Array.Clear(p);
        var r = _options.PositionStdDev * _options.PositionStdDev;
        var v = _options.InitialVelocityStdDev * _options.InitialVelocityStdDev;
        p[0] = r;
        p[(1 * N) + 1] = r;
        p[(2 * N) + 2] = v;
        p[(3 * N) + 3] = v;

        Array.Clear(slot.ClassScore);
        slot.ClassScore[d.Category] = Math.Max(d.Score, 1e-6);
        slot.Length = d.Length;
        slot.Width = d.Width;
        slot.Yaw = Angles.Normalize(d.Yaw);
        slot.Alive = true;
        slot.Id = _nextId++;
        slot.Age = 0;
        slot.HitHistory = 1u;
        slot.ConsecutiveMisses = 0;
        slot.Confirmed = _options.ConfirmationHits <= 1;
        slot.AssignedDetection = -1;
    }

    private void Predict(TrackSlot slot, double dt, double egoSpeed, double egoYawRate)
    {
        var theta = egoYawRate * dt;
        var half = theta / 2;
        var chord = egoSpeed * dt * (Math.Abs(half) < 1e-9 ? 1.0 : Math.Sin(half) / half);
        var chordX = chord * Math.Cos(half);
        var chordY = chord * Math.Sin(half);
        var c = Math.Cos(theta);
        var sn = -Math.Sin(theta);

        var s = slot.State;
        var px = s[0] + (s[2] * dt) - chordX;
        var py = s[1] + (s[3] * dt) - chordY;
        var vx = s[2];
        var vy = s[3];
        s[0] = (c * px) - (sn * py);
        s[1] = (sn * px) + (c * py);
        s[2] = (c * vx) - (sn * vy);
        s[3] = (sn * vx) + (c * vy);
        slot.Yaw = Angles.Normalize(slot.Yaw - theta);

        // F = [[R, R·dt], [0, R]], R = rotation by −θ.
        Span<double> f = stackalloc double[N * N];
        f.Clear();
        f[0] = c;
        f[1] = -sn;
        f[2] = c * dt;
        f[3] = -sn * dt;
        f[N] = sn;
        f[N + 1] = c;
        f[N + 2] = sn * dt;
        f[N + 3] = c * dt;
        f[(2 * N) + 2] = c;
        f[(2 * N) + 3] = -sn;
        f[(3 * N) + 2] = sn;
        f[(3 * N) + 3] = c;

        var p = slot.Covariance;
        Span<double> fp = stackalloc double[N * N];
        for (var i = 0; i < N; i++)
        {
            for (var j = 0; j < N; j++)
            {
                var sum = 0.0;
                for (var k = 0; k < N; k++)
                {
                    sum += f[(i * N) + k] * p[(k * N) + j];
                }

                fp[(i * N) + j] = sum;
            }
        }

        for (var i = 0; i < N; i++)
        {
            for (var j = 0; j < N; j++)
            {
                var sum = 0.0;
                for (var k = 0; k < N; k++)
                {
                    sum += fp[(i * N) + k] * f[(j * N) + k];
                }

                p[(i * N) + j] = sum;
            }
        }

        // Isotropic white acceleration: Q is the same in any rotated frame.
        var q = _options.AccelerationNoise;
        var qPos = q * dt * dt * dt / 3.0;
        var qCross = q * dt * dt / 2.0;
        var qVel = q * dt;
        for (var axis = 0; axis < 2; axis++)
        {
            var pi = axis;
            var vi = axis + 2;
            p[(pi * N) + pi] += qPos;
            p[(pi * N) + vi] += qCross;
            p[(vi * N) + pi] += qCross;
            p[(vi * N) + vi] += qVel;
        }
    }

    private double MahalanobisSquared(TrackSlot slot, double x, double y)
    {
        var p = slot.Covariance;
        var r = _options.PositionStdDev * _options.PositionStdDev;
        var a = p[0] + r;
        var b = 0.5 * (p[1] + p[N]);
        var d = p[N + 1] + r;
        var det = (a * d) - (b * b);
        if (!(det > 0))
        {
            return double.PositiveInfinity;
        }

        var nx = x - slot.State[0];
        var ny = y - slot.State[1];
        return ((d * nx * nx) - (2 * b * nx * ny) + (a * ny * ny)) / det;
    }

    private void Update(TrackSlot slot, double x, double y)
    {
        var p = slot.Covariance;
        var s = slot.State;

        // Manoeuvre: an innovation beyond the manoeuvre level means the constant-velocity model is off (a braking or
        // turning object); inflate P by NIS / level before the update so the filter catches up within a few frames.
        var nis = MahalanobisSquared(slot, x, y);
        if (nis > _options.ManeuverThreshold && double.IsFinite(nis))
        {
            var inflate = Math.Min(nis / _options.ManeuverThreshold, MaxInflation);
            for (var i = 0; i < N * N; i++)
            {
                p[i] *= inflate;
            }
        }

        var r = _options.PositionStdDev * _options.PositionStdDev;
        var a = p[0] + r;
        var b = 0.5 * (p[1] + p[N]);
        var d = p[N + 1] + r;
        var det = (a * d) - (b * b);
        if (!(det > 0))
        {
            return;
        }

        // S⁻¹ = [[d, −b], [−b, a]] / det; K = P Hᵀ S⁻¹ (4×2) with P Hᵀ = the first two columns of P.
        var i00 = d / det;
        var i01 = -b / det;
        var i11 = a / det;
        Span<double> k = stackalloc double[N * 2];
        for (var i = 0; i < N; i++)
        {
            var ph0 = p[(i * N) + 0];
            var ph1 = p[(i * N) + 1];
            k[2 * i] = (ph0 * i00) + (ph1 * i01);
            k[(2 * i) + 1] = (ph0 * i01) + (ph1 * i11);
        }

        var nx = x - s[0];
        var ny = y - s[1];
        for (var i = 0; i < N; i++)
        {
            s[i] += (k[2 * i] * nx) + (k[(2 * i) + 1] * ny);
        }

        // P ← P − K (H P); H P = the first two rows of P. Then symmetrise.
        Span<double> hp = stackalloc double[2 * N];
        for (var j = 0; j < N; j++)
        {
            hp[j] = p[j];
            hp[N + j] = p[N + j];
        }

        for (var i = 0; i < N; i++)
        {
            for (var j = 0; j < N; j++)
            {
                p[(i * N) + j] -= (k[2 * i] * hp[j]) + (k[(2 * i) + 1] * hp[N + j]);
            }
        }

        for (var i = 0; i < N; i++)
        {
            for (var j = i + 1; j < N; j++)
            {
                var m = 0.5 * (p[(i * N) + j] + p[(j * N) + i]);
                p[(i * N) + j] = m;
                p[(j * N) + i] = m;
            }
        }
    }

    /// <summary>
    /// The detection's centre moved so that the faces turned toward the ego stay where they were detected while the
    /// box takes the track's smoothed size: c + s_L·u·(L_det − L_trk)/2 + s_W·w·(W_det − W_trk)/2, with u, w the box's
    /// length and width axes and s = −clamp(c·axis / reach, −1, 1) (reach 5 m along the length, 2 m across). A lidar
    /// sees the near faces of a box; its extent away from the sensor is a guess that varies scan to scan (a truck seen
    /// from behind comes out 11 to 18 m long), so the raw centre jumps by metres while the near face, the part that
    /// sets the gap, holds still to centimetres.
    /// </summary>
    private static (double X, double Y) Anchored(TrackSlot slot, in ObjectDetection d)
    {
        var ux = Math.Cos(d.Yaw);
        var uy = Math.Sin(d.Yaw);
        var along = (d.X * ux) + (d.Y * uy);
        var across = (-d.X * uy) + (d.Y * ux);
        var sl = -Math.Clamp(along / 5.0, -1.0, 1.0);
        var sw = -Math.Clamp(across / 2.0, -1.0, 1.0);
        var dl = 0.5 * sl * (d.Length - slot.Length);
        var dw = 0.5 * sw * (d.Width - slot.Width);
        var x = d.X + (ux * dl) - (uy * dw);
        var y = d.Y + (uy * dl) + (ux * dw);
        return double.IsFinite(x) && double.IsFinite(y) ? (x, y) : (d.X, d.Y);
    }

    private void UpdateShape(TrackSlot slot, in ObjectDetection d)
    {
        var alpha = _options.ShapeSmoothing;
        slot.Length += alpha * (d.Length - slot.Length);
        slot.Width += alpha * (d.Width - slot.Width);
        var delta = Angles.Normalize(d.Yaw - slot.Yaw);
        if (delta > Math.PI / 2)
        {
            delta -= Math.PI;
        }
        else if (delta < -Math.PI / 2)
        {
            delta += Math.PI;
        }

        slot.Yaw = Angles.Normalize(slot.Yaw + (alpha * delta));
        slot.ClassScore[d.Category] += Math.Max(d.Score, 1e-6);
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

            var category = 0;
            for (var c = 1; c < MaxCategories; c++)
            {
                if (slot.ClassScore[c] > slot.ClassScore[category])
                {
                    category = c;
                }
            }

            var s = slot.State;
            _output[_outputCount++] = new ObjectTrack(
                slot.Id,
                category,
                s[0],
                s[1],
                s[2],
                s[3],
                s[2] - egoSpeed,
                s[3],
                slot.Length,
                slot.Width,
                slot.Yaw,
                slot.Age,
                slot.Confirmed);
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
        public double[] State { get; } = new double[N];

        public double[] Covariance { get; } = new double[N * N];

        public double[] ClassScore { get; } = new double[MaxCategories];

        public double Length { get; set; }

        public double Width { get; set; }

        public double Yaw { get; set; }

        public bool Alive { get; set; }

        public int Id { get; set; }

        public int Age { get; set; }

        public uint HitHistory { get; set; }

        public int ConsecutiveMisses { get; set; }

        public bool Confirmed { get; set; }

        public int AssignedDetection { get; set; }
    }
}
