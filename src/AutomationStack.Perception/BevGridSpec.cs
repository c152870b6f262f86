namespace AutomationStack.Perception;

/// <summary>
/// The bird's-eye-view grid in the VEHICLE frame (x forward, y left, z up from the road surface under the vehicle
/// centre), SI units. The grid covers x ∈ [XMin, XMax) and y ∈ [YMin, YMax) with square cells of <see cref="CellSize"/>.
/// <para>
/// Index convention (the Python training pipeline mirrors it exactly):
/// <c>row = floor((x − XMin) / CellSize)</c> ∈ [0, <see cref="Rows"/>), <c>col = floor((y − YMin) / CellSize)</c> ∈
/// [0, <see cref="Columns"/>). Row 0 is the rearmost strip (x = XMin), column 0 the rightmost strip (y = YMin).
/// Tensors are CHW, row-major, float32: element (c, row, col) is at <c>c·Rows·Columns + row·Columns + col</c>,
/// i.e. H = Rows (along x), W = Columns (along y). The centre of cell (row, col) is
/// (XMin + (row + ½)·CellSize, YMin + (col + ½)·CellSize).
/// </para>
/// Defaults: x ∈ [−40, 80), y ∈ [−40, 40), 0.5 m → 240 rows × 160 columns; heights [−0.5, 5.0] m; ground cut 0.3 m.
/// </summary>
public sealed record BevGridSpec
{
    /// <summary>Number of channels of the rasterised tensor (occupancy, max height, mean intensity, log density).</summary>
    public const int ChannelCount = 4;

    /// <summary>Channel index: 1 when the cell holds at least one non-ground point, else 0.</summary>
    public const int OccupancyChannel = 0;

    /// <summary>Channel index: (max z − ZMin) / (ZMax − ZMin), clamped to [0, 1]; 0 for empty cells.</summary>
    public const int MaxHeightChannel = 1;

    /// <summary>Channel index: mean intensity of the cell's points, clamped to [0, 1]; 0 for empty cells.</summary>
    public const int IntensityChannel = 2;

    /// <summary>Channel index: log1p(n) / log1p(DensityCap), clamped to [0, 1]; n = point count of the cell.</summary>
    public const int DensityChannel = 3;

    /// <summary>Rear edge of the grid, m (vehicle frame).</summary>
    public double XMin { get; init; } = -40.0;

    /// <summary>Front edge of the grid (exclusive), m.</summary>
    public double XMax { get; init; } = 80.0;

    /// <summary>Right edge of the grid, m.</summary>
    public double YMin { get; init; } = -40.0;

    /// <summary>Left edge of the grid (exclusive), m.</summary>
    public double YMax { get; init; } = 40.0;

    /// <summary>Cell edge length, m.</summary>
    public double CellSize { get; init; } = 0.5;

    /// <summary>Lowest height kept and the 0 of the height channel, m (vehicle frame, above the road).</summary>
    public double ZMin { get; init; } = -0.5;

    /// <summary>Highest height kept and the 1 of the height channel, m.</summary>
    public double ZMax { get; init; } = 5.0;

    /// <summary>Points with vehicle-frame z below this are ground returns and are dropped from every channel, m.</summary>
    public double GroundHeight { get; init; } = 0.3;

    /// <summary>Point count per cell at which the density channel saturates at 1.</summary>
    public int DensityCap { get; init; } = 32;

    /// <summary>The default grid (240 × 160 cells).</summary>
    public static BevGridSpec Default { get; } = new();

    /// <summary>Cells along x (tensor H).</summary>
    public int Rows => CellCount(XMax - XMin);

    /// <summary>Cells along y (tensor W).</summary>
    public int Columns => CellCount(YMax - YMin);

    /// <summary>Floats in one channel plane (Rows·Columns).</summary>
    public int PlaneLength => Rows * Columns;

    /// <summary>Floats in the rasterised tensor (ChannelCount·Rows·Columns).</summary>
    public int TensorLength => ChannelCount * PlaneLength;

    /// <summary>Throws <see cref="ArgumentException"/> when the extents are not whole multiples of the cell or are empty.</summary>
    public void Validate()
    {
        if (!(CellSize > 0) || !double.IsFinite(CellSize))
        {
            throw new ArgumentException($"CellSize must be positive, got {CellSize}.");
        }

        CheckExtent(XMax - XMin, nameof(XMax));
        CheckExtent(YMax - YMin, nameof(YMax));
        if (!(ZMax > ZMin) || !double.IsFinite(ZMax) || !double.IsFinite(ZMin))
        {
            throw new ArgumentException($"Need ZMin < ZMax, got [{ZMin}, {ZMax}].");
        }

        if (DensityCap < 1)
        {
            throw new ArgumentException($"DensityCap must be ≥ 1, got {DensityCap}.");
        }
    }

    /// <summary>Rows and columns of an output map at <paramref name="stride"/> (BEV cells per output cell); both must divide evenly.</summary>
    public (int Rows, int Columns) OutputSize(int stride)
    {
        if (stride < 1 || Rows % stride != 0 || Columns % stride != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(stride), stride, $"Stride must divide the grid ({Rows} × {Columns}).");
        }

        return (Rows / stride, Columns / stride);
    }

    private int CellCount(double extent) => (int)Math.Round(extent / CellSize);

    private void CheckExtent(double extent, string name)
    {
        var cells = extent / CellSize;
        if (!(cells >= 1) || Math.Abs(cells - Math.Round(cells)) > 1e-6 || cells > 1 << 15)
        {
            throw new ArgumentException($"{name}: the extent {extent} m must be a whole number (1..32768) of {CellSize} m cells.");
        }
    }
}
