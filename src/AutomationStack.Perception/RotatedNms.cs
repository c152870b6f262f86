namespace AutomationStack.Perception;

/// <summary>
/// Bird's-eye-view IoU of oriented rectangles and class-wise non-maximum suppression. The intersection is computed by
/// clipping one rectangle with the four half-planes of the other (Sutherland–Hodgman; both are convex, so the result is
/// the exact intersection polygon, at most 8 vertices) and the shoelace area. Allocation-free.
/// </summary>
public static class RotatedNms
{
    /// <summary>Default IoU above which the lower-scored box of a class is suppressed.</summary>
    public const double DefaultIouThreshold = 0.1;

    /// <summary>
    /// IoU above which the lower-scored of two boxes of different classes is suppressed in the vehicle's detector (and
    /// in its evaluation): vehicles do not overlap, so two such boxes are one vehicle whose class the heads disagree on.
    /// </summary>
    public const double DefaultCrossClassIouThreshold = 0.2;

    private const int MaxVertices = 16;

    /// <summary>
    /// Intersection over union of the footprints of <paramref name="a"/> and <paramref name="b"/> (classes ignored) in
    /// [0, 1]; 0 when either box has a non-positive or non-finite size.
    /// </summary>
    public static double BevIou(in BevBox a, in BevBox b)
    {
        var areaA = a.Length * a.Width;
        var areaB = b.Length * b.Width;
        if (!(areaA > 0) || !(areaB > 0) || !double.IsFinite(areaA) || !double.IsFinite(areaB))
        {
            return 0.0;
        }

        // Quick reject on the circumscribed circles.
        var dx = a.X - b.X;
        var dy = a.Y - b.Y;
        var reach = (0.5 * Math.Sqrt((a.Length * a.Length) + (a.Width * a.Width))) + (0.5 * Math.Sqrt((b.Length * b.Length) + (b.Width * b.Width)));
        if (!((dx * dx) + (dy * dy) < reach * reach))
        {
            return 0.0;
        }

        var intersection = IntersectionArea(a, b);
        var union = areaA + areaB - intersection;
        return union > 0 ? Math.Clamp(intersection / union, 0.0, 1.0) : 0.0;
    }

    /// <summary>
    /// Class-wise NMS in place: sorts <paramref name="detections"/> by descending score (stable: equal scores keep their
    /// order), then keeps a detection unless a kept one of the same class overlaps it with IoU &gt;
    /// <paramref name="iouThreshold"/>. The kept detections end up first, by descending score; returns their count.
    /// </summary>
    public static int Suppress(Span<Detection> detections, double iouThreshold = DefaultIouThreshold) =>
        Suppress(detections, iouThreshold, double.PositiveInfinity);

    /// <summary>
    /// As <see cref="Suppress(Span{Detection}, double)"/>, and also across classes: a detection overlapping a kept one
    /// of ANOTHER class with IoU &gt; <paramref name="crossClassIouThreshold"/> is suppressed too (vehicles do not
    /// overlap, so two boxes of different classes on one spot are one vehicle the heads disagree about).
    /// <see cref="double.PositiveInfinity"/> turns the cross-class pass off.
    /// </summary>
    public static int Suppress(Span<Detection> detections, double iouThreshold, double crossClassIouThreshold)
    {
        // Stable insertion sort: n is small (≤ the decoder's top-K) and the order must not depend on the sort's pivots.
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

        var kept = 0;
        for (var i = 0; i < detections.Length; i++)
        {
            var candidate = detections[i];
            var box = candidate.Box;
            var suppressed = false;
            for (var k = 0; k < kept; k++)
            {
                var threshold = detections[k].Class == candidate.Class ? iouThreshold : crossClassIouThreshold;
                if (!double.IsPositiveInfinity(threshold) && BevIou(detections[k].Box, box) > threshold)
                {
                    suppressed = true;
                    break;
                }
            }

            if (!suppressed)
            {
                detections[kept++] = candidate;
            }
        }

        return kept;
    }

    /// <summary>Corners of <paramref name="box"/> counter-clockwise (x0, y0, x1, y1, …).</summary>
    internal static void Corners(in BevBox box, Span<double> xy)
    {
        var c = Math.Cos(box.Yaw);
        var s = Math.Sin(box.Yaw);
        var hl = box.Length / 2;
        var hw = box.Width / 2;
        // Local (±hl, ±hw) in the order rear-right, front-right, front-left, rear-left is counter-clockwise.
        ReadOnlySpan<double> lx = [-hl, hl, hl, -hl];
        ReadOnlySpan<double> ly = [-hw, -hw, hw, hw];
        for (var k = 0; k < 4; k++)
        {
            xy[2 * k] = box.X + (c * lx[k]) - (s * ly[k]);
            xy[(2 * k) + 1] = box.Y + (s * lx[k]) + (c * ly[k]);
        }
    }

    internal static double IntersectionArea(in BevBox a, in BevBox b)
    {
        Span<double> clip = stackalloc double[8];
        Span<double> current = stackalloc double[2 * MaxVertices];
        Span<double> next = stackalloc double[2 * MaxVertices];
        Corners(b, clip);
        Corners(a, current);
        var count = 4;
        for (var e = 0; e < 4 && count > 0; e++)
        {
            var ex0 = clip[2 * e];
            var ey0 = clip[(2 * e) + 1];
            var ex1 = clip[(2 * ((e + 1) % 4))];
            var ey1 = clip[(2 * ((e + 1) % 4)) + 1];
            var edgeX = ex1 - ex0;
            var edgeY = ey1 - ey0;
            var outCount = 0;
            for (var k = 0; k < count; k++)
            {
                var px = current[2 * k];
                var py = current[(2 * k) + 1];
                var q = (k + 1) % count;
                var qx = current[2 * q];
                var qy = current[(2 * q) + 1];

                // Signed distance (scaled): ≥ 0 is inside (left of a counter-clockwise edge).
                var dp = (edgeX * (py - ey0)) - (edgeY * (px - ex0));
                var dq = (edgeX * (qy - ey0)) - (edgeY * (qx - ex0));
                if (dp >= 0)
                {
                    Append(next, ref outCount, px, py);
                }

                if ((dp >= 0) != (dq >= 0))
                {
                    var t = dp / (dp - dq);
                    Append(next, ref outCount, px + (t * (qx - px)), py + (t * (qy - py)));
                }
            }

            var swap = current;
            current = next;
            next = swap;
            count = outCount;
        }

        if (count < 3)
        {
            return 0.0;
        }

        var twiceArea = 0.0;
        for (var k = 0; k < count; k++)
        {
            var q = (k + 1) % count;
            twiceArea += (current[2 * k] * current[(2 * q) + 1]) - (current[2 * q] * current[(2 * k) + 1]);
        }

        return Math.Max(0.0, 0.5 * twiceArea);
    }

    private static void Append(Span<double> polygon, ref int count, double x, double y)
    {
        // Convex ∩ half-plane adds at most one vertex per clip; the cap only guards against degenerate input.
        if (count >= MaxVertices)
        {
            return;
        }

        polygon[2 * count] = x;
        polygon[(2 * count) + 1] = y;
        count++;
    }
}
