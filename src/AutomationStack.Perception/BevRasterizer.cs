namespace AutomationStack.Perception;

/// <summary>
/// Mounting of a sensor in the vehicle frame: position of its origin relative to the vehicle centre (x forward, y left;
/// z up from the road surface under the centre), m, and its yaw about z, rad. Pitch and roll are taken as zero.
/// </summary>
public readonly record struct SensorPose(double X, double Y, double Z, double Yaw);

/// <summary>
/// Rasterises a lidar point cloud into the BEV tensor of a <see cref="BevGridSpec"/>. The same code produces training
/// tensors (dataset tool) and run-time inputs, so the two cannot drift apart.
/// <para>
/// Points: interleaved float32 (x, y, z, intensity) in the SENSOR frame. Each point is moved into the vehicle frame:
/// x_v = X + cos(Yaw)·x − sin(Yaw)·y, y_v = Y + sin(Yaw)·x + cos(Yaw)·y, z_v = Z + z (double arithmetic).
/// A point is dropped when any coordinate is non-finite, x_v ∉ [XMin, XMax), y_v ∉ [YMin, YMax), z_v ∉ [ZMin, ZMax],
/// or z_v &lt; GroundHeight (ground returns: dropped from ALL channels, so the network never sees the road plane;
/// with the default ZMin = −0.5 the effective height range of kept points is [GroundHeight, ZMax]).
/// </para>
/// Output: CHW float32, layout and channels as documented on <see cref="BevGridSpec"/>:
/// occupancy (0/1), max height ((z − ZMin)/(ZMax − ZMin)), mean intensity (clamped to [0, 1]), log density
/// (log1p(n)/log1p(DensityCap), clamped to [0, 1]). Empty cells are 0 in every channel.
/// Allocation-free; the tensor is fully overwritten.
/// </summary>
public sealed class BevRasterizer
{
    private const int PointStride = 4;

    private readonly BevGridSpec _spec;
    private readonly int _rows;
    private readonly int _columns;
    private readonly int _plane;
    private readonly float _densityScale;

    public BevRasterizer(BevGridSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        spec.Validate();
        _spec = spec;
        _rows = spec.Rows;
        _columns = spec.Columns;
        _plane = spec.PlaneLength;
        _densityScale = (float)(1.0 / Math.Log(1.0 + spec.DensityCap));
    }

    /// <summary>The grid this rasteriser writes.</summary>
    public BevGridSpec Spec => _spec;

    /// <summary>
    /// Writes the BEV tensor of <paramref name="points"/> (length a multiple of 4) into <paramref name="tensor"/>
    /// (length <see cref="BevGridSpec.TensorLength"/>). Returns the number of points that landed in the grid.
    /// </summary>
    public int Rasterize(ReadOnlySpan<float> points, in SensorPose pose, Span<float> tensor)
    {
        if (points.Length % PointStride != 0)
        {
            throw new ArgumentException($"Points are interleaved (x, y, z, intensity); length {points.Length} is not a multiple of 4.", nameof(points));
        }

        if (tensor.Length != _spec.TensorLength)
        {
            throw new ArgumentException($"Tensor length {tensor.Length} does not match the grid ({_spec.TensorLength}).", nameof(tensor));
        }

        tensor.Clear();
        var occupancy = tensor.Slice(BevGridSpec.OccupancyChannel * _plane, _plane);
        var height = tensor.Slice(BevGridSpec.MaxHeightChannel * _plane, _plane);
        var intensity = tensor.Slice(BevGridSpec.IntensityChannel * _plane, _plane);
        var density = tensor.Slice(BevGridSpec.DensityChannel * _plane, _plane);

        var cos = Math.Cos(pose.Yaw);
        var sin = Math.Sin(pose.Yaw);
        var xMin = _spec.XMin;
        var xMax = _spec.XMax;
        var yMin = _spec.YMin;
        var yMax = _spec.YMax;
        var zMin = _spec.ZMin;
        var zMax = _spec.ZMax;
        var zLow = Math.Max(zMin, _spec.GroundHeight);
        var invCell = 1.0 / _spec.CellSize;
        var invHeight = 1.0 / (zMax - zMin);
        var kept = 0;

        // Pass 1: occupancy, max height, intensity sum (in the intensity plane), count (in the density plane).
        for (var i = 0; i + PointStride <= points.Length; i += PointStride)
        {
            double px = points[i];
            double py = points[i + 1];
            var z = pose.Z + points[i + 2];
            var x = pose.X + (cos * px) - (sin * py);
            var y = pose.Y + (sin * px) + (cos * py);

            // Written so that NaN fails every test.
            if (!(x >= xMin && x < xMax && y >= yMin && y < yMax && z >= zLow && z <= zMax))
            {
                continue;
            }

            var row = (int)((x - xMin) * invCell);
            var col = (int)((y - yMin) * invCell);
            if ((uint)row >= (uint)_rows || (uint)col >= (uint)_columns)
            {
                continue;
            }

            var cell = (row * _columns) + col;
            var h = (float)Math.Clamp((z - zMin) * invHeight, 0.0, 1.0);
            var value = points[i + 3];
            occupancy[cell] = 1f;
            if (h > height[cell])
            {
                height[cell] = h;
            }

            intensity[cell] += float.IsFinite(value) ? value : 0f;
            density[cell] += 1f;
            kept++;
        }

        // Pass 2: means and the density normalisation.
        for (var cell = 0; cell < _plane; cell++)
        {
            var n = density[cell];
            if (n == 0f)
            {
                continue;
            }

            intensity[cell] = Math.Clamp(intensity[cell] / n, 0f, 1f);
            density[cell] = Math.Min(MathF.Log(1f + n) * _densityScale, 1f);
        }

        return kept;
    }
}
