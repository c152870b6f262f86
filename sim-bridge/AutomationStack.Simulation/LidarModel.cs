using AutomationStack.Contracts;

namespace AutomationStack.Simulation;

/// <summary>A box the lidar can see, for <see cref="LidarModel.ScanTargets"/>: footprint centre, heading, size, class.</summary>
public readonly record struct LidarTarget(double X, double Y, double Heading, double Length, double Width, double Height, VehicleCategory Category);

/// <summary>
/// Ray-cast lidar. Every ray (beam × azimuth column) returns the nearest of: the ground plane z = 0 (analytic: on
/// flat ground a downward beam's range does not depend on its azimuth), every other vehicle as an oriented box from
/// the ground to its body height (footprint = the collision detector's box), and the road posts. The world is flat
/// for the lidar: road elevation is ignored, everything stands on z = 0 of the sensor's vehicle.
/// <para>
/// Cost: per object, only the azimuth columns inside its bounding circle's angular interval and the beams inside its
/// elevation interval are tested; per column the footprint's 2-D slab test is done once and each beam adds a 1-D
/// clip in z. Rays with nothing within range produce no point. Buffers are allocated once per model; the scan
/// returned by <see cref="Scan"/> shares the point buffer, which the next call overwrites.
/// </para>
/// Noise from the scanning vehicle's lidar stream, in ray order (column, then beam), for every ray with a return
/// whatever the outcome: a uniform for dropout (Bernoulli), a standard normal for range (Box–Muller: two uniforms
/// for every second return, whose pair serves it and the next), a uniform for intensity.
/// </summary>
public sealed class LidarModel
{
    private const byte None = 0;
    private const byte Ground = 1;
    private const byte Post = 2;
    private const byte VehicleBase = 3;
    private const double Half = 0.5;
    private const double Parallel = 1e-12;
    private const double MinimumDistance = 1e-3;

    private readonly LidarOptions _options;
    private readonly int _beams;
    private readonly int _columns;
    private readonly double _elevationStep;
    private readonly double[] _sinElevation;
    private readonly double[] _cosElevation;
    private readonly double[] _cosAzimuth;
    private readonly double[] _sinAzimuth;
    private readonly double[] _groundRange;
    private readonly double[] _range;
    private readonly byte[] _kind;
    private readonly float[] _points;

    // Sensor pose in map coordinates during a scan.
    private double _sensorX;
    private double _sensorY;
    private double _sensorZ;
    private double _sensorYaw;

    public LidarModel(LidarOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Beams < 1 || !(options.AzimuthResolution > 0) || !(options.MaxRange > 0)
            || !(options.MaxElevation >= options.MinElevation) || Math.Abs(options.MinElevation) >= Math.PI / 2
            || Math.Abs(options.MaxElevation) >= Math.PI / 2)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "Lidar needs ≥ 1 beam, elevations within ±90° (max ≥ min), a positive azimuth step and range.");
        }

        _options = options;
        _beams = options.Beams;
        _columns = Math.Max(1, (int)Math.Round(2 * Math.PI / options.AzimuthResolution));
        _elevationStep = _beams > 1 ? (options.MaxElevation - options.MinElevation) / (_beams - 1) : 0.0;
        _sinElevation = new double[_beams];
        _cosElevation = new double[_beams];
        for (var b = 0; b < _beams; b++)
        {
            var elevation = options.MinElevation + (b * _elevationStep);
            _sinElevation[b] = Math.Sin(elevation);
            _cosElevation[b] = Math.Cos(elevation);
        }

        _cosAzimuth = new double[_columns];
        _sinAzimuth = new double[_columns];
        for (var c = 0; c < _columns; c++)
        {
            var azimuth = c * ColumnStep;
            _cosAzimuth[c] = Math.Cos(azimuth);
            _sinAzimuth[c] = Math.Sin(azimuth);
        }

        _groundRange = new double[_beams];
        _range = new double[_beams * _columns];
        _kind = new byte[_beams * _columns];
        _points = new float[_beams * _columns * LidarScan.Stride];
    }

    /// <summary>Rays per scan.</summary>
    public int RayCount => _range.Length;

    /// <summary>Azimuth columns per scan.</summary>
    public int Columns => _columns;

    /// <summary>The azimuth step actually used, rad (2π / columns).</summary>
    private double ColumnStep => 2 * Math.PI / _columns;

    /// <summary>Mounting of the lidar on a body: on the centreline, behind the front and above the roof.</summary>
    public static LidarPose PoseOf(TruckParameters body, LidarOptions options) =>
        new((Half * body.Length) - options.MountBehindFront, 0.0, body.Height + options.MountAboveRoof, 0.0);

    /// <summary>One scan from <paramref name="ego"/> (excluded from the scene) of the other vehicles, the ground and the posts.</summary>
    internal LidarScan Scan(SimVehicle ego, List<SimVehicle> vehicles, ReadOnlySpan<RoadPost> posts, long frame, long stampNs)
    {
        var pose = PoseOf(ego.Body, _options);
        var ch = Math.Cos(ego.Heading);
        var sh = Math.Sin(ego.Heading);
        _sensorX = ego.X + (pose.X * ch) - (pose.Y * sh);
        _sensorY = ego.Y + (pose.X * sh) + (pose.Y * ch);
        _sensorZ = pose.Z;
        _sensorYaw = ego.Heading + pose.Yaw;

        InitialiseWithGround();
        for (var i = 0; i < vehicles.Count; i++)
        {
            var other = vehicles[i];
            if (ReferenceEquals(other, ego))
            {
                continue;
            }

            var body = other.Body;
            TraceBox(other.X, other.Y, other.Heading, Half * body.Length, Half * body.Width, body.Height, KindOf(body.Category));
        }

        var reach = _options.MaxRange + RoadPost.Size;
        var reachSquared = reach * reach;
        for (var i = 0; i < posts.Length; i++)
        {
            ref readonly var p = ref posts[i];
            var dx = p.X - _sensorX;
            var dy = p.Y - _sensorY;
            if ((dx * dx) + (dy * dy) > reachSquared)
            {
                continue;
            }

            TraceBox(p.X, p.Y, p.Heading, Half * RoadPost.Size, Half * RoadPost.Size, RoadPost.Height, Post);
        }

        var count = EmitPoints(ego.LidarNoise);
        return new LidarScan(frame, stampNs, pose, _points, count);
    }

    /// <summary>
    /// One scan of a scene given as plain boxes (datasets, tests): the sensor on <paramref name="egoBody"/> whose
    /// centre is at (<paramref name="x"/>, <paramref name="y"/>) heading <paramref name="heading"/>; noise from
    /// <paramref name="noise"/>. Same ray casting and noise as <see cref="Scan"/>.
    /// </summary>
    public LidarScan ScanTargets(double x, double y, double heading, TruckParameters egoBody, ReadOnlySpan<LidarTarget> targets,
        ReadOnlySpan<RoadPost> posts, DeterministicRandom noise, long frame, long stampNs)
    {
        ArgumentNullException.ThrowIfNull(egoBody);
        ArgumentNullException.ThrowIfNull(noise);
        var pose = PoseOf(egoBody, _options);
        var ch = Math.Cos(heading);
        var sh = Math.Sin(heading);
        _sensorX = x + (pose.X * ch) - (pose.Y * sh);
        _sensorY = y + (pose.X * sh) + (pose.Y * ch);
        _sensorZ = pose.Z;
        _sensorYaw = heading + pose.Yaw;
        InitialiseWithGround();
        foreach (ref readonly var t in targets)
        {
            TraceBox(t.X, t.Y, t.Heading, Half * t.Length, Half * t.Width, t.Height, KindOf(t.Category));
        }

        foreach (ref readonly var p in posts)
        {
            TraceBox(p.X, p.Y, p.Heading, Half * RoadPost.Size, Half * RoadPost.Size, RoadPost.Height, Post);
        }

        var count = EmitPoints(noise);
        return new LidarScan(frame, stampNs, pose, _points, count);
    }

    private static byte KindOf(VehicleCategory category) => (byte)(VehicleBase + (int)category);

    private void InitialiseWithGround()
    {
        var maxRange = _options.MaxRange;
        for (var b = 0; b < _beams; b++)
        {
            var s = _sinElevation[b];
            var r = s < 0 && _sensorZ > 0 ? _sensorZ / -s : double.PositiveInfinity;
            _groundRange[b] = r <= maxRange ? r : double.PositiveInfinity;
        }

        for (var c = 0; c < _columns; c++)
        {
            var row = c * _beams;
            for (var b = 0; b < _beams; b++)
            {
                var r = _groundRange[b];
                _range[row + b] = r;
                _kind[row + b] = double.IsPositiveInfinity(r) ? None : Ground;
            }
        }
    }

    /// <summary>Ray-casts one box (centre, heading, half length, half width, height above z = 0) into the range image.</summary>
    private void TraceBox(double cx, double cy, double heading, double halfLength, double halfWidth, double height, byte kind)
    {
        var dx = cx - _sensorX;
        var dy = cy - _sensorY;
        var distance = Math.Sqrt((dx * dx) + (dy * dy));
        var radius = Math.Sqrt((halfLength * halfLength) + (halfWidth * halfWidth));
        var maxRange = _options.MaxRange;
        if (distance - radius > maxRange)
        {
            return;
        }

        // Azimuth columns inside the bounding circle's angular interval (all of them when the sensor is inside it).
        int firstColumn;
        int columnCount;
        var step = ColumnStep;
        if (distance <= radius)
        {
            firstColumn = 0;
            columnCount = _columns;
        }
        else
        {
            var centre = Math.Atan2(dy, dx) - _sensorYaw;
            var halfAngle = Math.Asin(radius / distance);
            firstColumn = (int)Math.Ceiling((centre - halfAngle) / step);
            var last = (int)Math.Floor((centre + halfAngle) / step);
            columnCount = Math.Min(last - firstColumn + 1, _columns);
            if (columnCount <= 0)
            {
                return;
            }
        }

        // Beams inside the elevation interval the box can occupy.
        var near = Math.Max(distance - radius, MinimumDistance);
        var far = distance + radius;
        var top = height - _sensorZ;
        var bottom = -_sensorZ;
        var highest = Math.Atan(top > 0 ? top / near : top / far);
        var lowest = Math.Atan(bottom < 0 ? bottom / near : bottom / far);
        int firstBeam;
        int lastBeam;
        if (_beams == 1)
        {
            if (_options.MinElevation < lowest || _options.MinElevation > highest)
            {
                return;
            }

            firstBeam = 0;
            lastBeam = 0;
        }
        else
        {
            firstBeam = Math.Max(0, (int)Math.Ceiling((lowest - _options.MinElevation) / _elevationStep));
            lastBeam = Math.Min(_beams - 1, (int)Math.Floor((highest - _options.MinElevation) / _elevationStep));
            if (lastBeam < firstBeam)
            {
                return;
            }
        }

        // Sensor position and ray directions in the box frame.
        var cb = Math.Cos(heading);
        var sb = Math.Sin(heading);
        var rx = _sensorX - cx;
        var ry = _sensorY - cy;
        var px = (rx * cb) + (ry * sb);
        var py = (-rx * sb) + (ry * cb);
        var delta = _sensorYaw - heading;
        var cd = Math.Cos(delta);
        var sd = Math.Sin(delta);
        var z0 = _sensorZ;

        var column = ((firstColumn % _columns) + _columns) % _columns;
        for (var k = 0; k < columnCount; k++, column = column + 1 == _columns ? 0 : column + 1)
        {
            var ux = (_cosAzimuth[column] * cd) - (_sinAzimuth[column] * sd);
            var uy = (_sinAzimuth[column] * cd) + (_cosAzimuth[column] * sd);

            // 2-D slab test of the footprint in horizontal distance along the column's direction.
            var h0 = double.NegativeInfinity;
            var h1 = double.PositiveInfinity;
            if (!Slab(px, ux, halfLength, ref h0, ref h1) || !Slab(py, uy, halfWidth, ref h0, ref h1)
                || h1 <= 0 || h0 > maxRange)
            {
                continue;
            }

            var row = column * _beams;
            for (var b = firstBeam; b <= lastBeam; b++)
            {
                var ce = _cosElevation[b];
                var se = _sinElevation[b];
                var entry = h0 / ce;
                var exit = h1 / ce;

                // z = z0 + r·sin(el) must lie in [0, height].
                if (se > Parallel)
                {
                    entry = Math.Max(entry, -z0 / se);
                    exit = Math.Min(exit, (height - z0) / se);
                }
                else if (se < -Parallel)
                {
                    entry = Math.Max(entry, (height - z0) / se);
                    exit = Math.Min(exit, -z0 / se);
                }
                else if (z0 < 0 || z0 > height)
                {
                    continue;
                }

                // No return from inside a box, nor beyond the nearest hit so far.
                if (entry > exit || entry <= 0 || entry >= _range[row + b] || entry > maxRange)
                {
                    continue;
                }

                _range[row + b] = entry;
                _kind[row + b] = kind;
            }
        }
    }

    /// <summary>Clips [t0, t1] to the slab |p + t·u| ≤ half; false when empty.</summary>
    private static bool Slab(double p, double u, double half, ref double t0, ref double t1)
    {
        if (Math.Abs(u) < Parallel)
        {
            return p >= -half && p <= half;
        }

        var inverse = 1.0 / u;
        var a = (-half - p) * inverse;
        var b = (half - p) * inverse;
        if (a > b)
        {
            (a, b) = (b, a);
        }

        t0 = Math.Max(t0, a);
        t1 = Math.Min(t1, b);
        return t0 <= t1;
    }

    private int EmitPoints(DeterministicRandom rng)
    {
        var dropout = _options.Dropout;
        var sigma = _options.RangeNoise;
        var points = _points.AsSpan();
        var n = 0;

        // Range noise: Box–Muller gives two independent normals from two uniforms; use both, one per return, so
        // each pair of returns costs one log, one square root and one sine/cosine. The spare never outlives a scan.
        var spare = 0.0;
        var haveSpare = false;
        for (var c = 0; c < _columns; c++)
        {
            var row = c * _beams;
            var ca = _cosAzimuth[c];
            var sa = _sinAzimuth[c];
            for (var b = 0; b < _beams; b++)
            {
                var kind = _kind[row + b];
                if (kind == None)
                {
                    continue;
                }

                // Fixed draw order per return whatever the outcome, so the stream stays aligned.
                var lost = rng.NextDouble() < dropout;
                double normal;
                if (haveSpare)
                {
                    normal = spare;
                    haveSpare = false;
                }
                else
                {
                    var radius = Math.Sqrt(-2.0 * Math.Log(1.0 - rng.NextDouble()));
                    var (sin, cos) = Math.SinCos(2.0 * Math.PI * rng.NextDouble());
                    normal = radius * cos;
                    spare = radius * sin;
                    haveSpare = true;
                }

                var u = rng.NextDouble();
                if (lost)
                {
                    continue;
                }

                var r = Math.Max(0.0, _range[row + b] + (sigma * normal));
                var horizontal = r * _cosElevation[b];
                var o = n * LidarScan.Stride;
                // As sensed: 1 cm and 1/255 steps (what the packed wire and log form hold exactly).
                points[o] = LidarScan.FromCentimetres(LidarScan.ToCentimetres(horizontal * ca));
                points[o + 1] = LidarScan.FromCentimetres(LidarScan.ToCentimetres(horizontal * sa));
                points[o + 2] = LidarScan.FromCentimetres(LidarScan.ToCentimetres(r * _sinElevation[b]));
                points[o + 3] = LidarScan.FromIntensityByte(LidarScan.ToIntensityByte(Intensity(kind, u)));
                n++;
            }
        }

        return n;
    }

    /// <summary>
    /// Intensity 0 … 1 by what was hit: ground 0.05–0.15, cars 0.50–0.60, trucks 0.60–0.70, AGVs 0.70–0.80 (uniform
    /// within the band), posts 0.9 (retro-reflective).
    /// </summary>
    private static double Intensity(byte kind, double u) => kind switch
    {
        Ground => 0.05 + (0.1 * u),
        Post => 0.9,
        _ => 0.5 + (0.1 * (kind - VehicleBase)) + (0.1 * u),
    };
}
