namespace AutomationStack.Perception;

/// <summary>Tuning of <see cref="CenterDecoder"/>.</summary>
public sealed record CenterDecoderOptions
{
    /// <summary>Output stride of the head, BEV cells per output cell.</summary>
    public int Stride { get; init; } = CenterHead.DefaultStride;

    /// <summary>Peaks with sigmoid(logit) below this are ignored.</summary>
    public double ScoreThreshold { get; init; } = 0.3;

    /// <summary>At most this many detections (the best by score) are returned.</summary>
    public int MaxDetections { get; init; } = 100;

    public static CenterDecoderOptions Default { get; } = new();
}

/// <summary>
/// Turns the head's outputs (layout on <see cref="CenterHead"/>) into oriented boxes in the vehicle frame:
/// score = sigmoid(logit); a cell is a peak when its logit is the maximum of its 3×3 neighbourhood in its class channel
/// (ties: the first cell in row-major order wins, so a plateau gives one peak); peaks with score ≥
/// <see cref="CenterDecoderOptions.ScoreThreshold"/> are kept, the best <see cref="CenterDecoderOptions.MaxDetections"/>
/// by score (ties: lower class, then lower row-major index first) are decoded, sorted by descending score.
/// Box: x = XMin + (i + dx)·S·CellSize, y = YMin + (j + dy)·S·CellSize, Length = exp(clamp(ln L)),
/// Width = exp(clamp(ln W)) (log sizes clamped to [ln 0.05, ln 100]), Yaw = atan2(sin, cos).
/// Non-finite logits are never peaks; a peak with a non-finite regression is dropped. No NMS here
/// (<see cref="RotatedNms"/>). Allocation-free after construction; not thread-safe (one instance per pipeline).
/// </summary>
public sealed class CenterDecoder
{
    private static readonly double MinLogSize = Math.Log(0.05);
    private static readonly double MaxLogSize = Math.Log(100.0);

    private readonly BevGridSpec _spec;
    private readonly CenterDecoderOptions _options;
    private readonly int _rows;
    private readonly int _columns;
    private readonly int _plane;
    private readonly float _logitThreshold;
    private readonly double _outputCell;
    private readonly float[] _heapScore;
    private readonly int[] _heapIndex;
    private readonly int[] _order;
    private int _heapCount;

    public CenterDecoder(BevGridSpec spec, CenterDecoderOptions options)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(options);
        spec.Validate();
        if (!(options.ScoreThreshold > 0 && options.ScoreThreshold < 1))
        {
            throw new ArgumentException("ScoreThreshold must be in (0, 1).", nameof(options));
        }

        if (options.MaxDetections < 1)
        {
            throw new ArgumentException("MaxDetections must be positive.", nameof(options));
        }

        _spec = spec;
        _options = options;
        (_rows, _columns) = spec.OutputSize(options.Stride);
        _plane = _rows * _columns;
        _outputCell = spec.CellSize * options.Stride;

        // Pre-filter on logits (sigmoid is monotonic); the exact score test follows on the candidates. The margin keeps
        // float rounding of the logit threshold from losing a cell that sits exactly at the threshold.
        _logitThreshold = (float)(Math.Log(options.ScoreThreshold / (1 - options.ScoreThreshold)) - 1e-4);
        _heapScore = new float[options.MaxDetections];
        _heapIndex = new int[options.MaxDetections];
        _order = new int[options.MaxDetections];
    }

    /// <summary>Rows (H') of the output maps.</summary>
    public int OutputRows => _rows;

    /// <summary>Columns (W') of the output maps.</summary>
    public int OutputColumns => _columns;

    /// <summary>Floats expected in the heat-map logits (3·H'·W').</summary>
    public int HeatmapLength => CenterHead.HeatmapChannels * _plane;

    /// <summary>Floats expected in the regression map (6·H'·W').</summary>
    public int RegressionLength => CenterHead.RegressionChannels * _plane;

    /// <summary>
    /// Decodes into <paramref name="detections"/> (at most its length and MaxDetections) and returns the count written.
    /// </summary>
    public int Decode(ReadOnlySpan<float> heatmapLogits, ReadOnlySpan<float> regression, Span<Detection> detections)
    {
        if (heatmapLogits.Length != HeatmapLength || regression.Length != RegressionLength)
        {
            throw new ArgumentException($"Head outputs must be [3, {_rows}, {_columns}] and [6, {_rows}, {_columns}].");
        }

        _heapCount = 0;
        var threshold = _options.ScoreThreshold;
        for (var c = 0; c < CenterHead.HeatmapChannels; c++)
        {
            var channel = heatmapLogits.Slice(c * _plane, _plane);
            for (var i = 0; i < _rows; i++)
            {
                for (var j = 0; j < _columns; j++)
                {
                    var index = (i * _columns) + j;
                    var logit = channel[index];
                    if (!(logit >= _logitThreshold) || float.IsPositiveInfinity(logit) || !IsPeak(channel, i, j, logit))
                    {
                        continue;
                    }

                    var score = (float)Sigmoid(logit);
                    if (score >= threshold)
                    {
                        Offer(score, (c * _plane) + index);
                    }
                }
            }
        }

        // Pop the heap (worst first) into descending order.
        var count = _heapCount;
        var order = _order;
        for (var k = count - 1; k >= 0; k--)
        {
            order[k] = _heapIndex[0];
            PopRoot();
        }

        var written = 0;
        for (var k = 0; k < count && written < detections.Length; k++)
        {
            var flat = order[k];
            var c = flat / _plane;
            var index = flat - (c * _plane);
            if (TryDecode(regression, c, index, heatmapLogits[flat], out var detection))
            {
                detections[written++] = detection;
            }
        }

        return written;
    }

    private static double Sigmoid(double logit) => 1.0 / (1.0 + Math.Exp(-logit));

    private bool IsPeak(ReadOnlySpan<float> channel, int i, int j, float logit)
    {
        for (var di = -1; di <= 1; di++)
        {
            var ni = i + di;
            if ((uint)ni >= (uint)_rows)
            {
                continue;
            }

            for (var dj = -1; dj <= 1; dj++)
            {
                var nj = j + dj;
                if ((di == 0 && dj == 0) || (uint)nj >= (uint)_columns)
                {
                    continue;
                }

                var neighbour = channel[(ni * _columns) + nj];
                var earlier = di < 0 || (di == 0 && dj < 0);

                // Earlier cells must be strictly lower, later ones lower or equal; a NaN neighbour fails both.
                if (earlier ? !(logit > neighbour) : !(logit >= neighbour))
                {
                    return false;
                }
            }
        }

        return true;
    }

    private bool TryDecode(ReadOnlySpan<float> regression, int cls, int index, float logit, out Detection detection)
    {
        var i = index / _columns;
        var j = index - (i * _columns);
        double dx = regression[(CenterHead.OffsetXChannel * _plane) + index];
        double dy = regression[(CenterHead.OffsetYChannel * _plane) + index];
        double logLength = regression[(CenterHead.LogLengthChannel * _plane) + index];
        double logWidth = regression[(CenterHead.LogWidthChannel * _plane) + index];
        double sin = regression[(CenterHead.SinYawChannel * _plane) + index];
        double cos = regression[(CenterHead.CosYawChannel * _plane) + index];
        if (!double.IsFinite(dx) || !double.IsFinite(dy) || !double.IsFinite(logLength) || !double.IsFinite(logWidth)
            || !double.IsFinite(sin) || !double.IsFinite(cos))
        {
            detection = default;
            return false;
        }

        detection = new Detection(
            (DetectionClass)cls,
            _spec.XMin + ((i + dx) * _outputCell),
            _spec.YMin + ((j + dy) * _outputCell),
            Math.Exp(Math.Clamp(logLength, MinLogSize, MaxLogSize)),
            Math.Exp(Math.Clamp(logWidth, MinLogSize, MaxLogSize)),
            0.5 * Math.Atan2(sin, cos),
            Sigmoid(logit));
        return true;
    }

    /// <summary>True when (scoreA, indexA) ranks before (scoreB, indexB).</summary>
    private static bool Better(float scoreA, int indexA, float scoreB, int indexB) =>
        scoreA > scoreB || (scoreA == scoreB && indexA < indexB);

    /// <summary>Min-heap on rank: the root is the worst kept candidate.</summary>
    private void Offer(float score, int index)
    {
        if (_heapCount < _heapScore.Length)
        {
            var k = _heapCount++;
            while (k > 0)
            {
                var parent = (k - 1) / 2;
                if (!Better(_heapScore[parent], _heapIndex[parent], score, index))
                {
                    break;
                }

                _heapScore[k] = _heapScore[parent];
                _heapIndex[k] = _heapIndex[parent];
                k = parent;
            }

            _heapScore[k] = score;
            _heapIndex[k] = index;
            return;
        }

        if (Better(score, index, _heapScore[0], _heapIndex[0]))
        {
            SiftDown(score, index);
        }
    }

    private void PopRoot()
    {
        var last = --_heapCount;
        if (last > 0)
        {
            SiftDown(_heapScore[last], _heapIndex[last]);
        }
    }

    /// <summary>Places (score, index) at the root and sifts it down over the first <see cref="_heapCount"/> entries.</summary>
    private void SiftDown(float score, int index)
    {
        var k = 0;
        while (true)
        {
            var child = (2 * k) + 1;
            if (child >= _heapCount)
            {
                break;
            }

            if (child + 1 < _heapCount && Better(_heapScore[child], _heapIndex[child], _heapScore[child + 1], _heapIndex[child + 1]))
            {
                child++;
            }

            if (!Better(score, index, _heapScore[child], _heapIndex[child]))
            {
                break;
            }

            _heapScore[k] = _heapScore[child];
            _heapIndex[k] = _heapIndex[child];
            k = child;
        }

        _heapScore[k] = score;
        _heapIndex[k] = index;
    }
}
