using AutomationStack.Contracts;
using AutomationStack.Geometry;

namespace AutomationStack.Localization;

/// <summary>
/// Fuses GNSS pose, wheel-odometry speed, IMU acceleration and yaw rate into an <see cref="EgoState"/>.
/// <list type="bullet">
/// <item>Pose: decoupled Kalman filter. Predict with speed, heading and yaw rate (unicycle), correct position and
/// heading with GNSS when <see cref="EgoMeasurement.GnssValid"/>. Position variance is isotropic (one scalar),
/// heading has its own scalar variance; the cross term is folded into the position variance.</item>
/// <item>Speed/acceleration: two-state [v, a] Kalman filter (constant acceleration, white jerk) with odometry speed
/// and IMU acceleration as measurements.</item>
/// <item>Yaw rate: first-order low-pass.</item>
/// </list>
/// Pure: time comes from measurement stamps only. Invalid until the first GNSS fix. An interval ≤ 0 or larger than
/// <see cref="EstimatorOptions.MaxFrameInterval"/> re-initialises the filter and marks that frame invalid.
/// Non-finite measurement fields are skipped and counted in <see cref="IgnoredFieldCount"/>; nothing throws.
/// </summary>
public sealed class EgoStateEstimator
{
    private const double InitialSpeedVariance = 100.0;
    private const double InitialAccelerationVariance = 4.0;

    private readonly EstimatorOptions _options;

    private bool _hasStamp;
    private long _lastStampNs;

    private bool _poseInitialised;
    private double _x;
    private double _y;
    private double _heading;
    private double _positionVariance;
    private double _headingVariance;

    private bool _motionInitialised;
    private double _speed;
    private double _acceleration;
    private double _pvv;
    private double _pva;
    private double _paa;

    private bool _yawRateInitialised;
    private double _yawRate;

    public EgoStateEstimator(EstimatorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
    }

    /// <summary>Total number of non-finite measurement fields ignored since construction.</summary>
    public long IgnoredFieldCount { get; private set; }

    /// <summary>Number of re-initialisations caused by a bad frame interval.</summary>
    public long ResetCount { get; private set; }

    /// <summary>Processes one measurement and returns the fused state at its stamp.</summary>
    public EgoState Step(in EgoMeasurement m)
    {
        var forceInvalid = false;
        var dt = 0.0;
        if (_hasStamp)
        {
            dt = Units.NanosecondsToSeconds(m.StampNs - _lastStampNs);
            if (!(dt > 0) || dt > _options.MaxFrameInterval)
            {
                Reset();
                ResetCount++;
                forceInvalid = true;
                dt = 0.0;
            }
        }

        _hasStamp = true;
        _lastStampNs = m.StampNs;

        var speedOk = CheckFinite(m.Speed);
        var accelOk = CheckFinite(m.LongitudinalAcceleration);
        var yawOk = CheckFinite(m.YawRate);

        UpdateYawRate(yawOk, m.YawRate, dt);
        UpdateMotion(speedOk, m.Speed, accelOk, m.LongitudinalAcceleration, dt);
        PredictPose(dt);

        if (m.GnssValid)
        {
            var posOk = CheckFinite(m.X) & CheckFinite(m.Y);
            var headingOk = CheckFinite(m.Heading);
            CorrectPose(posOk, m.X, m.Y, headingOk, m.Heading);
        }

        var stdDev = _poseInitialised ? Math.Sqrt(_positionVariance) : double.PositiveInfinity;
        var valid = _poseInitialised && !forceInvalid && stdDev <= _options.MaxPositionStdDev;
        return new EgoState(
            m.StampNs,
            _poseInitialised ? _x : 0.0,
            _poseInitialised ? _y : 0.0,
            _poseInitialised ? _heading : 0.0,
            _motionInitialised ? _speed : 0.0,
            _motionInitialised ? _acceleration : 0.0,
            _yawRateInitialised ? _yawRate : 0.0,
            valid,
            _poseInitialised ? stdDev : double.MaxValue);
    }

    /// <summary>Forgets everything: the next GNSS fix initialises the pose again.</summary>
    public void Reset()
    {
        _poseInitialised = false;
        _motionInitialised = false;
        _yawRateInitialised = false;
    }

    private bool CheckFinite(double value)
    {
        if (double.IsFinite(value))
        {
            return true;
        }

        IgnoredFieldCount++;
        return false;
    }

    private void UpdateYawRate(bool ok, double measured, double dt)
    {
        if (!ok)
        {
            return;
        }

        if (!_yawRateInitialised)
        {
            _yawRate = measured;
            _yawRateInitialised = true;
            return;
        }

        var alpha = dt / (_options.YawRateTimeConstant + dt);
        _yawRate += alpha * (measured - _yawRate);
    }

    private void UpdateMotion(bool speedOk, double speed, bool accelOk, double accel, double dt)
    {
        if (!_motionInitialised)
        {
            if (!speedOk)
            {
                return;
            }

            _speed = speed;
            _acceleration = accelOk ? accel : 0.0;
            _pvv = _options.SpeedStdDev * _options.SpeedStdDev;
            _pva = 0.0;
            _paa = accelOk ? _options.AccelerationStdDev * _options.AccelerationStdDev : InitialAccelerationVariance;
            _motionInitialised = true;
            return;
        }

        // Predict: v += a dt, a constant, white jerk of density q.
        var q = _options.JerkProcessNoise;
        var dt2 = dt * dt;
        _speed += _acceleration * dt;
        var pvv = _pvv + (2.0 * dt * _pva) + (dt2 * _paa) + (q * dt2 * dt / 3.0);
        var pva = _pva + (dt * _paa) + (q * dt2 / 2.0);
        var paa = _paa + (q * dt);
        _pvv = pvv;
        _pva = pva;
        _paa = paa;

        if (speedOk)
        {
            ScalarUpdate(speed - _speed, 1.0, 0.0, _options.SpeedStdDev * _options.SpeedStdDev);
        }

        if (accelOk)
        {
            ScalarUpdate(accel - _acceleration, 0.0, 1.0, _options.AccelerationStdDev * _options.AccelerationStdDev);
        }
    }

    /// <summary>Sequential scalar Kalman update of [v, a] with measurement row H = [hv, ha].</summary>
    private void ScalarUpdate(double innovation, double hv, double ha, double r)
    {
        var phv = (_pvv * hv) + (_pva * ha);
        var pha = (_pva * hv) + (_paa * ha);
        var s = (hv * phv) + (ha * pha) + r;
        var kv = phv / s;
        var ka = pha / s;
        _speed += kv * innovation;
        _acceleration += ka * innovation;
        var pvv = _pvv - (kv * phv);
        var pva = _pva - (kv * pha);
        var paa = _paa - (ka * pha);
        _pvv = pvv;
        _pva = pva;
        _paa = paa;
    }

    private void PredictPose(double dt)
    {
        if (!_poseInitialised || dt <= 0)
        {
            return;
        }

        var v = _motionInitialised ? _speed : 0.0;
        var midHeading = _heading + (0.5 * _yawRate * dt);
        _x += v * Math.Cos(midHeading) * dt;
        _y += v * Math.Sin(midHeading) * dt;
        _heading = Angles.Normalize(_heading + (_yawRate * dt));

        var travelled = v * dt;
        _positionVariance += (_options.PositionProcessNoise * dt) + (travelled * travelled * _headingVariance);
        _headingVariance += _options.HeadingProcessNoise * dt;
    }

    private void CorrectPose(bool posOk, double x, double y, bool headingOk, double heading)
    {
        var rPos = _options.GnssPositionStdDev * _options.GnssPositionStdDev;
        var rHeading = _options.GnssHeadingStdDev * _options.GnssHeadingStdDev;
        if (!_poseInitialised)
        {
            // Initialisation needs a complete fix.
            if (!posOk || !headingOk)
            {
                return;
            }

            _x = x;
            _y = y;
            _heading = Angles.Normalize(heading);
            _positionVariance = rPos;
            _headingVariance = rHeading;
            _poseInitialised = true;
            return;
        }

        if (posOk)
        {
            var k = _positionVariance / (_positionVariance + rPos);
            _x += k * (x - _x);
            _y += k * (y - _y);
            _positionVariance *= 1.0 - k;
        }

        if (headingOk)
        {
            var k = _headingVariance / (_headingVariance + rHeading);
            _heading = Angles.Normalize(_heading + (k * Angles.Normalize(heading - _heading)));
            _headingVariance *= 1.0 - k;
        }
    }
}
