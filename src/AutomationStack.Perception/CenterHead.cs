namespace AutomationStack.Perception;

/// <summary>
/// The CenterPoint-style detection head's tensor layout, shared by <see cref="CenterTargets"/> (training targets) and
/// <see cref="CenterDecoder"/> (run time). At output stride S (BEV cells per output cell) the maps have
/// H' = Rows / S (along x) and W' = Columns / S (along y); output cell (i, j) covers vehicle-frame
/// x ∈ [XMin + i·S·CellSize, XMin + (i + 1)·S·CellSize), y likewise with j and YMin.
/// <list type="bullet">
/// <item>Heat map [C = 3, H', W'], channel = <see cref="DetectionClass"/> value (Car, Truck, Agv). Targets are
/// probabilities (Gaussian splats, 1 at the centre cell); the network outputs logits.</item>
/// <item>Regression [6, H', W'], read at the centre cell: 0 dx, 1 dy = offset of the box centre inside its output cell
/// in output cells ∈ [0, 1) (x = XMin + (i + dx)·S·CellSize, y = YMin + (j + dy)·S·CellSize); 2 ln(Length / 1 m);
/// 3 ln(Width / 1 m); 4 sin(Yaw); 5 cos(Yaw).</item>
/// <item>Mask [H', W']: 1 at each box's centre cell (where the regression target is defined), else 0.</item>
/// </list>
/// All CHW row-major float32: element (c, i, j) at c·H'·W' + i·W' + j.
/// </summary>
public static class CenterHead
{
    /// <summary>Heat-map channels (classes).</summary>
    public const int HeatmapChannels = Detection.ClassCount;

    /// <summary>Regression channels.</summary>
    public const int RegressionChannels = 6;

    public const int OffsetXChannel = 0;
    public const int OffsetYChannel = 1;
    public const int LogLengthChannel = 2;
    public const int LogWidthChannel = 3;
    /// <summary>sin(2·yaw): the doubled angle, since a box's outline does not tell front from back.</summary>
    public const int SinYawChannel = 4;

    /// <summary>cos(2·yaw).</summary>
    public const int CosYawChannel = 5;

    /// <summary>Default output stride (BEV cells per output cell).</summary>
    public const int DefaultStride = 2;

    /// <summary>
    /// Gaussian radius of a box in output cells, CenterNet/CenterPoint's <c>gaussian_radius((length, width),
    /// min_overlap)</c> exactly (including its <c>r = (b + √(b² − 4ac)) / 2</c> form), then
    /// <c>max(minRadius, floor(r))</c>. <paramref name="length"/> and <paramref name="width"/> in output cells.
    /// </summary>
    public static int GaussianRadius(double length, double width, double minOverlap, int minRadius)
    {
        var b1 = length + width;
        var c1 = width * length * (1 - minOverlap) / (1 + minOverlap);
        var r1 = (b1 + Math.Sqrt((b1 * b1) - (4 * c1))) / 2;
        var b2 = 2 * (length + width);
        var c2 = (1 - minOverlap) * width * length;
        var r2 = (b2 + Math.Sqrt((b2 * b2) - (16 * c2))) / 2;
        var a3 = 4 * minOverlap;
        var b3 = -2 * minOverlap * (length + width);
        var c3 = (minOverlap - 1) * width * length;
        var r3 = (b3 + Math.Sqrt((b3 * b3) - (4 * a3 * c3))) / 2;
        var r = Math.Min(r1, Math.Min(r2, r3));
        return double.IsFinite(r) ? Math.Max(minRadius, (int)Math.Floor(r)) : minRadius;
    }
}

/// <summary>
/// Training targets for the detection head (layout on <see cref="CenterHead"/>). Pure; the dataset tool calls it so that
/// training and <see cref="CenterDecoder"/> share one definition.
/// </summary>
public static class CenterTargets
{
    /// <summary>
    /// Overwrites <paramref name="heatmap"/> [3, H', W'], <paramref name="regression"/> [6, H', W'] and
    /// <paramref name="mask"/> [H', W'] with the targets of <paramref name="boxes"/>. Each box whose centre lies in the
    /// grid splats exp(−(Δi² + Δj²) / (2σ²)), σ = (2r + 1) / 6, r = <see cref="CenterHead.GaussianRadius"/> of its
    /// length × width in output cells, into its class channel over |Δi|, |Δj| ≤ r (element-wise max with what is
    /// there), and writes its regression at its centre cell with mask 1. Two boxes with the same centre cell: the later
    /// one's regression wins. Boxes with a centre outside the grid, an unknown class or a non-positive size are skipped.
    /// Returns the number of boxes encoded.
    /// </summary>
    public static int Encode(
        ReadOnlySpan<BevBox> boxes,
        BevGridSpec spec,
        int stride,
        Span<float> heatmap,
        Span<float> regression,
        Span<float> mask,
        double minOverlap = 0.1,
        int minRadius = 2)
    {
        ArgumentNullException.ThrowIfNull(spec);
        spec.Validate();
        var (rows, columns) = spec.OutputSize(stride);
        var plane = rows * columns;
        if (heatmap.Length != CenterHead.HeatmapChannels * plane || regression.Length != CenterHead.RegressionChannels * plane || mask.Length != plane)
        {
            throw new ArgumentException($"Target buffers must be [3, {rows}, {columns}], [6, {rows}, {columns}] and [{rows}, {columns}].");
        }

        heatmap.Clear();
        regression.Clear();
        mask.Clear();
        var outputCell = spec.CellSize * stride;
        var encoded = 0;
        foreach (var box in boxes)
        {
            var cls = (int)box.Class;
            if ((uint)cls >= CenterHead.HeatmapChannels || !(box.Length > 0) || !(box.Width > 0) || !double.IsFinite(box.Yaw))
            {
                continue;
            }

            var u = (box.X - spec.XMin) / outputCell;
            var v = (box.Y - spec.YMin) / outputCell;
            if (!(u >= 0 && u < rows && v >= 0 && v < columns))
            {
                continue;
            }

            var ci = (int)u;
            var cj = (int)v;
            var radius = CenterHead.GaussianRadius(box.Length / outputCell, box.Width / outputCell, minOverlap, minRadius);
            var sigma = ((2 * radius) + 1) / 6.0;
            var inv2Sigma2 = 1.0 / (2 * sigma * sigma);
            var channel = heatmap.Slice(cls * plane, plane);
            for (var di = -radius; di <= radius; di++)
            {
                var i = ci + di;
                if ((uint)i >= (uint)rows)
                {
                    continue;
                }

                for (var dj = -radius; dj <= radius; dj++)
                {
                    var j = cj + dj;
                    if ((uint)j >= (uint)columns)
                    {
                        continue;
                    }

                    var g = (float)Math.Exp(-((di * di) + (dj * dj)) * inv2Sigma2);
                    ref var cell = ref channel[(i * columns) + j];
                    if (g > cell)
                    {
                        cell = g;
                    }
                }
            }

            var index = (ci * columns) + cj;
            regression[(CenterHead.OffsetXChannel * plane) + index] = (float)(u - ci);
            regression[(CenterHead.OffsetYChannel * plane) + index] = (float)(v - cj);
            regression[(CenterHead.LogLengthChannel * plane) + index] = (float)Math.Log(box.Length);
            regression[(CenterHead.LogWidthChannel * plane) + index] = (float)Math.Log(box.Width);
            // A box outline is the same at yaw and yaw + π: encode the doubled angle, so both give one target.
            regression[(CenterHead.SinYawChannel * plane) + index] = (float)Math.Sin(2 * box.Yaw);
            regression[(CenterHead.CosYawChannel * plane) + index] = (float)Math.Cos(2 * box.Yaw);
            mask[index] = 1f;
            encoded++;
        }

        return encoded;
    }
}
