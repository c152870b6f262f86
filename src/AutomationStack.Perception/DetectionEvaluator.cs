namespace AutomationStack.Perception;

/// <summary>Settings of <see cref="DetectionEvaluator"/>.</summary>
public sealed record DetectionEvaluatorOptions
{
    /// <summary>BEV IoU at or above which a detection matches a ground-truth box.</summary>
    public double IouThreshold { get; init; } = 0.5;

    /// <summary>Ground truth and detections whose centre is farther than this from the vehicle origin are ignored, m.</summary>
    public double MaxRange { get; init; } = 80.0;

    /// <summary>Recall is reported for ground truth within this range, m.</summary>
    public double RecallRange { get; init; } = 40.0;

    /// <summary>Score at which the detector is operated (recall and position error use detections at or above it).</summary>
    public double OperatingThreshold { get; init; } = 0.3;

    public static DetectionEvaluatorOptions Default { get; } = new();
}

/// <summary>
/// Results of <see cref="DetectionEvaluator.Compute"/>. AP values are NaN when there is no ground truth of that kind;
/// Recall is NaN without ground truth within the recall range; MedianPositionError is NaN without matches.
/// </summary>
/// <param name="AveragePrecision">Class-agnostic AP (classes ignored when matching).</param>
/// <param name="ClassAveragePrecision">AP per class, indexed by <see cref="DetectionClass"/> value (matching within the class).</param>
/// <param name="Recall">Class-agnostic recall of ground truth within RecallRange at the operating threshold.</param>
/// <param name="MedianPositionError">Median centre distance of the matched pairs at the operating threshold, m.</param>
/// <param name="GroundTruthCount">Ground-truth boxes within MaxRange.</param>
/// <param name="RecallGroundTruthCount">Ground-truth boxes within RecallRange.</param>
/// <param name="MatchedCount">Matched pairs at the operating threshold (within MaxRange).</param>
/// <param name="FrameCount">Frames added.</param>
public sealed record DetectionMetrics(
    double AveragePrecision,
    IReadOnlyList<double> ClassAveragePrecision,
    double Recall,
    double MedianPositionError,
    int GroundTruthCount,
    int RecallGroundTruthCount,
    int MatchedCount,
    int FrameCount);

/// <summary>
/// Accumulates per-frame detections and ground truth, then computes detection metrics in the vehicle frame.
/// <list type="bullet">
/// <item>Range filter: boxes (either kind) whose centre is beyond MaxRange from the origin are dropped on entry.</item>
/// <item>Matching (per frame): detections in descending score order (stable); each takes the not-yet-matched ground
/// truth with the highest BEV IoU (<see cref="RotatedNms.BevIou"/>) if that IoU ≥ IouThreshold (true positive),
/// otherwise it is a false positive. Class-agnostic AP, recall and position error ignore classes; per-class AP matches
/// only within the class.</item>
/// <item>AP: all detections of all frames by descending score (ties: frame order, then score order within the frame),
/// precision/recall after each, all-point interpolation (VOC 2010+): AP = Σ (rₖ − rₖ₋₁)·max_{j ≥ k} pⱼ.</item>
/// <item>Recall: detections with score ≥ OperatingThreshold matched against all ground truth within MaxRange; matched
/// ground truth within RecallRange / ground truth within RecallRange. Median position error over the same matches.</item>
/// </list>
/// Deterministic; allocates (an offline tool, not a hot path).
/// </summary>
public sealed class DetectionEvaluator
{
    private readonly DetectionEvaluatorOptions _options;
    private readonly List<Detection[]> _detections = [];
    private readonly List<BevBox[]> _groundTruth = [];

    public DetectionEvaluator(DetectionEvaluatorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
    }

    /// <summary>Frames added so far.</summary>
    public int FrameCount => _detections.Count;

    /// <summary>Adds one frame (both in the vehicle frame); the spans are copied.</summary>
    public void AddFrame(ReadOnlySpan<Detection> detections, ReadOnlySpan<BevBox> groundTruth)
    {
        var maxRange2 = _options.MaxRange * _options.MaxRange;
        var dets = new List<Detection>(detections.Length);
        foreach (var d in detections)
        {
            if ((d.X * d.X) + (d.Y * d.Y) <= maxRange2 && double.IsFinite(d.Score))
            {
                dets.Add(d);
            }
        }

        var gts = new List<BevBox>(groundTruth.Length);
        foreach (var g in groundTruth)
        {
            if ((g.X * g.X) + (g.Y * g.Y) <= maxRange2)
            {
                gts.Add(g);
            }
        }

        var sorted = dets.ToArray();
        SortByScoreStable(sorted);
        _detections.Add(sorted);
        _groundTruth.Add(gts.ToArray());
    }

    /// <summary>Metrics over all frames added so far.</summary>
    public DetectionMetrics Compute()
    {
        var agnostic = AveragePrecision(null, out var gtCount);
        var perClass = new double[Detection.ClassCount];
        for (var c = 0; c < perClass.Length; c++)
        {
            perClass[c] = AveragePrecision((DetectionClass)c, out _);
        }

        var recallRange2 = _options.RecallRange * _options.RecallRange;
        var recallTotal = 0;
        var recallHit = 0;
        var errors = new List<double>();
        for (var f = 0; f < _detections.Count; f++)
        {
            var gts = _groundTruth[f];
            var dets = _detections[f];
            var operating = 0;
            while (operating < dets.Length && dets[operating].Score >= _options.OperatingThreshold)
            {
                operating++;
            }

            var matchOfGt = MatchFrame(dets.AsSpan(0, operating), gts, null, null);
            for (var g = 0; g < gts.Length; g++)
            {
                var inRecallRange = (gts[g].X * gts[g].X) + (gts[g].Y * gts[g].Y) <= recallRange2;
                if (inRecallRange)
                {
                    recallTotal++;
                }

                var d = matchOfGt[g];
                if (d < 0)
                {
                    continue;
                }

                if (inRecallRange)
                {
                    recallHit++;
                }

                var ex = dets[d].X - gts[g].X;
                var ey = dets[d].Y - gts[g].Y;
                errors.Add(Math.Sqrt((ex * ex) + (ey * ey)));
            }
        }

        return new DetectionMetrics(
            agnostic,
            perClass,
            recallTotal > 0 ? (double)recallHit / recallTotal : double.NaN,
            Median(errors),
            gtCount,
            recallTotal,
            errors.Count,
            _detections.Count);
    }

    /// <summary>All-point interpolated AP of <paramref name="cls"/> (null: class-agnostic).</summary>
    private double AveragePrecision(DetectionClass? cls, out int groundTruthCount)
    {
        var ranked = new List<(double Score, int Frame, int Rank, bool TruePositive)>();
        groundTruthCount = 0;
        for (var f = 0; f < _detections.Count; f++)
        {
            var dets = _detections[f];
            var gts = _groundTruth[f];
            foreach (var g in gts)
            {
                if (cls is null || g.Class == cls)
                {
                    groundTruthCount++;
                }
            }

            var truePositive = new bool[dets.Length];
            MatchFrame(dets, gts, cls, truePositive);
            for (var d = 0; d < dets.Length; d++)
            {
                if (cls is null || dets[d].Class == cls)
                {
                    ranked.Add((dets[d].Score, f, d, truePositive[d]));
                }
            }
        }

        if (groundTruthCount == 0)
        {
            return double.NaN;
        }

        ranked.Sort(static (a, b) =>
        {
            var byScore = b.Score.CompareTo(a.Score);
            if (byScore != 0)
            {
                return byScore;
            }

            var byFrame = a.Frame.CompareTo(b.Frame);
            return byFrame != 0 ? byFrame : a.Rank.CompareTo(b.Rank);
        });

        var n = ranked.Count;
        var precision = new double[n];
        var recall = new double[n];
        var tp = 0;
        for (var k = 0; k < n; k++)
        {
            if (ranked[k].TruePositive)
            {
                tp++;
            }

            precision[k] = (double)tp / (k + 1);
            recall[k] = (double)tp / groundTruthCount;
        }

        // Precision envelope from the right, then the area under the step function.
        for (var k = n - 2; k >= 0; k--)
        {
            precision[k] = Math.Max(precision[k], precision[k + 1]);
        }

        var ap = 0.0;
        var previousRecall = 0.0;
        for (var k = 0; k < n; k++)
        {
            if (recall[k] > previousRecall)
            {
                ap += (recall[k] - previousRecall) * precision[k];
                previousRecall = recall[k];
            }
        }

        return ap;
    }

    /// <summary>
    /// Greedy matching of score-sorted <paramref name="dets"/> (of <paramref name="cls"/>, or all when null) to
    /// <paramref name="gts"/> of the same class (or any). Returns for each ground truth the matched detection's index or
    /// −1; marks <paramref name="truePositive"/> when given.
    /// </summary>
    private int[] MatchFrame(ReadOnlySpan<Detection> dets, BevBox[] gts, DetectionClass? cls, bool[]? truePositive)
    {
        var matchOfGt = new int[gts.Length];
        Array.Fill(matchOfGt, -1);
        for (var d = 0; d < dets.Length; d++)
        {
            if (cls is not null && dets[d].Class != cls)
            {
                continue;
            }

            var box = dets[d].Box;
            var best = -1;
            var bestIou = _options.IouThreshold;
            for (var g = 0; g < gts.Length; g++)
            {
                if (matchOfGt[g] >= 0 || (cls is not null && gts[g].Class != cls))
                {
                    continue;
                }

                var iou = RotatedNms.BevIou(box, gts[g]);
                if (iou >= bestIou && (best < 0 || iou > bestIou))
                {
                    best = g;
                    bestIou = iou;
                }
            }

            if (best >= 0)
            {
                matchOfGt[best] = d;
                if (truePositive is not null)
                {
                    truePositive[d] = true;
                }
            }
        }

        return matchOfGt;
    }

    private static void SortByScoreStable(Detection[] detections)
    {
        for (var i = 1; i < detections.Length; i++)
        {
            var item = detections[i];
            var k = i - 1;
            while (k >= 0 && detections[k].Score < item.Score)
            {
                detections[k + 1] = detections[k];
                k--;
            }

            detections[k + 1] = item;
        }
    }

    private static double Median(List<double> values)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }

        values.Sort();
        var mid = values.Count / 2;
        return values.Count % 2 == 1 ? values[mid] : 0.5 * (values[mid - 1] + values[mid]);
    }
}
