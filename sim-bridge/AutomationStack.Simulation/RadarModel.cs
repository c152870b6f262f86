using AutomationStack.Contracts;
using AutomationStack.Geometry;

namespace AutomationStack.Simulation;

/// <summary>
/// Forward radar at the front bumper centre. Each other vehicle is one point target: the point of its box nearest
/// to the sensor. Visibility: within range and field of view and not occluded by a nearer target whose angular
/// extent covers the target's azimuth. Buffers are reused; no allocation per call once warmed up.
/// </summary>
internal sealed class RadarModel
{
    private const double Half = 0.5;
    private const int CornerCount = 4;

    private Target[] _targets = new Target[16];

    public void Measure(SimVehicle ego, List<SimVehicle> vehicles, RadarOptions options, List<RadarDetection> output)
    {
        output.Clear();
        if (_targets.Length < vehicles.Count)
        {
            _targets = new Target[vehicles.Count * 2];
        }

        var forward = Vec2.FromHeading(ego.Heading);
        var sensor = new Vec2(ego.X, ego.Y) + (forward * (Half * ego.Body.Length));
        var sensorVelocity = PointVelocity(ego, sensor);
        Span<Vec2> corners = stackalloc Vec2[CornerCount];
        var count = 0;
        for (var i = 0; i < vehicles.Count; i++)
        {
            var other = vehicles[i];
            if (ReferenceEquals(other, ego))
            {
                continue;
            }

            var point = NearestPoint(other, sensor);
            var d = point - sensor;
            var range = d.Length;
            if (range > options.MaxRange)
            {
                continue;
            }

            ref var t = ref _targets[count++];
            t.Vehicle = other;
            t.Range = range;
            if (range > 0)
            {
                t.Azimuth = Angles.Normalize(Math.Atan2(d.Y, d.X) - ego.Heading);
                t.RangeRate = Vec2.Dot(PointVelocity(other, point) - sensorVelocity, d) / range;
                CollisionDetector.BoxOf(other).GetCorners(corners);
                t.ExtentMin = double.MaxValue;
                t.ExtentMax = double.MinValue;
                for (var k = 0; k < CornerCount; k++)
                {
                    var c = corners[k] - sensor;
                    var rel = Angles.Normalize(Math.Atan2(c.Y, c.X) - ego.Heading - t.Azimuth);
                    t.ExtentMin = Math.Min(t.ExtentMin, rel);
                    t.ExtentMax = Math.Max(t.ExtentMax, rel);
                }
            }
            else
            {
                // Sensor inside the other box: it fills the whole view.
                t.Azimuth = 0;
                t.RangeRate = 0;
                t.ExtentMin = -Math.PI;
                t.ExtentMax = Math.PI;
            }
        }

        SortTargets(count);
        var rng = ego.RadarNoise;
        for (var k = 0; k < count; k++)
        {
            ref readonly var t = ref _targets[k];
            if (Math.Abs(t.Azimuth) > options.HalfFieldOfView || IsOccluded(k))
            {
                continue;
            }

            // Always four draws per visible target so noise alignment does not depend on detection outcomes.
            var detected = rng.NextDouble() < options.DetectionProbability;
            var rangeNoise = rng.NextGaussian(options.RangeNoise);
            var rateNoise = rng.NextGaussian(options.RangeRateNoise);
            var azimuthNoise = rng.NextGaussian(options.AzimuthNoise);
            if (detected)
            {
                output.Add(new RadarDetection(
                    Math.Max(0.0, t.Range + rangeNoise),
                    t.RangeRate + rateNoise,
                    Angles.Normalize(t.Azimuth + azimuthNoise)));
            }
        }

        SortByRange(output);
    }

    /// <summary>Velocity (m/s) of a point rigidly attached to <paramref name="v"/>: v·e_ψ + ω × (p − rear axle).</summary>
    private static Vec2 PointVelocity(SimVehicle v, Vec2 point)
    {
        var r = point - new Vec2(v.RearX, v.RearY);
        return (Vec2.FromHeading(v.Heading) * v.Speed) + new Vec2(-v.YawRate * r.Y, v.YawRate * r.X);
    }

    /// <summary>Point of the vehicle's box nearest to <paramref name="p"/> (p itself when inside).</summary>
    private static Vec2 NearestPoint(SimVehicle v, Vec2 p)
    {
        var centre = new Vec2(v.X, v.Y);
        var axis = Vec2.FromHeading(v.Heading);
        var normal = axis.Normal;
        var d = p - centre;
        var along = Math.Clamp(Vec2.Dot(d, axis), -Half * v.Body.Length, Half * v.Body.Length);
        var across = Math.Clamp(Vec2.Dot(d, normal), -Half * v.Body.Width, Half * v.Body.Width);
        return centre + (axis * along) + (normal * across);
    }

    private bool IsOccluded(int index)
    {
        ref readonly var t = ref _targets[index];
        for (var m = 0; m < index; m++)
        {
            ref readonly var o = ref _targets[m];
            if (!(o.Range < t.Range))
            {
                continue;
            }

            var rel = Angles.Normalize(t.Azimuth - o.Azimuth);
            if (rel >= o.ExtentMin && rel <= o.ExtentMax)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Insertion sort by true range, ties by station id (deterministic, allocation-free).</summary>
    private void SortTargets(int count)
    {
        for (var i = 1; i < count; i++)
        {
            var item = _targets[i];
            var j = i - 1;
            while (j >= 0 && Before(item, _targets[j]))
            {
                _targets[j + 1] = _targets[j];
                j--;
            }

            _targets[j + 1] = item;
        }

        for (var i = count; i < _targets.Length && _targets[i].Vehicle is not null; i++)
        {
            _targets[i].Vehicle = null;
        }
    }

    private static bool Before(in Target a, in Target b) =>
        a.Range < b.Range || (a.Range == b.Range && a.Vehicle!.StationId < b.Vehicle!.StationId);

    private static void SortByRange(List<RadarDetection> list)
    {
        for (var i = 1; i < list.Count; i++)
        {
            var item = list[i];
            var j = i - 1;
            while (j >= 0 && list[j].Range > item.Range)
            {
                list[j + 1] = list[j];
                j--;
            }

            list[j + 1] = item;
        }
    }

    private struct Target
    {
        public SimVehicle? Vehicle;
        public double Range;
        public double Azimuth;
        public double RangeRate;
        public double ExtentMin;
        public double ExtentMax;
    }
}
