using AutomationStack.Perception;

namespace AutomationStack.Perception.Tests;

internal sealed class RotatedNmsTests
{
    private static BevBox Box(double x, double y, double length, double width, double yaw) =>
        new(DetectionClass.Car, x, y, length, width, yaw);

    [Test]
    public void BevIou_IdenticalRotatedBoxes_IsOne()
    {
        // Arrange
        var a = Box(12.3, -4.5, 4.6, 1.9, 0.7);

        // Act / Assert
        Assert.That(RotatedNms.BevIou(a, a), Is.EqualTo(1.0).Within(1e-9));
    }

    [Test]
    public void BevIou_DisjointBoxes_IsZero()
    {
        // Arrange / Act / Assert
        Assert.That(RotatedNms.BevIou(Box(0, 0, 4, 2, 0), Box(4.01, 0, 4, 2, 0)), Is.Zero);
        Assert.That(RotatedNms.BevIou(Box(0, 0, 4, 2, 0), Box(3, 3, 4, 2, 0.3)), Is.Zero);
    }

    [Test]
    public void BevIou_HalfShiftedAxisAligned_IsOneThird()
    {
        // Arrange / Act / Assert: overlap 2 × 2 = 4, union 8 + 8 − 4 = 12.
        Assert.That(RotatedNms.BevIou(Box(0, 0, 4, 2, 0), Box(2, 0, 4, 2, 0)), Is.EqualTo(1.0 / 3.0).Within(1e-12));
    }

    [Test]
    public void BevIou_SquareAndSameSquareRotated45_IsHalfSqrtTwo()
    {
        // Arrange: the intersection is a regular octagon of area 2(√2 − 1) for the unit square → IoU = √2 / 2.
        var a = Box(1, 2, 1, 1, 0);
        var b = Box(1, 2, 1, 1, Math.PI / 4);

        // Act / Assert
        Assert.That(RotatedNms.BevIou(a, b), Is.EqualTo(Math.Sqrt(2) / 2).Within(1e-12));
    }

    [Test]
    public void BevIou_SquareRotated90_IsOne()
    {
        // Arrange / Act / Assert
        Assert.That(RotatedNms.BevIou(Box(0, 0, 2, 2, 0), Box(0, 0, 2, 2, Math.PI / 2)), Is.EqualTo(1.0).Within(1e-9));
    }

    [Test]
    public void BevIou_CrossOfTwoBars_IsOneSeventh()
    {
        // Arrange: 4 × 1 bars crossing at right angles: overlap 1, union 7.
        Assert.That(RotatedNms.BevIou(Box(0, 0, 4, 1, 0.3), Box(0, 0, 4, 1, 0.3 + (Math.PI / 2))), Is.EqualTo(1.0 / 7.0).Within(1e-12));
    }

    [Test]
    public void BevIou_DiamondCornerInSquare_MatchesTriangleArea()
    {
        // Arrange: unit square at the origin and a diamond (square of side √2 rotated 45°, area 2) centred at
        // (1.25, 0): its left corner (0.25, 0) pokes into the square; the part with x ≤ 0.5 is a triangle with base
        // 0.5 (y ∈ [−0.25, 0.25]) and height 0.25, area 0.0625.
        var a = Box(0, 0, 1, 1, 0);
        var b = Box(1.25, 0, Math.Sqrt(2), Math.Sqrt(2), Math.PI / 4);
        const double Overlap = 0.0625;

        // Act / Assert
        Assert.That(RotatedNms.BevIou(a, b), Is.EqualTo(Overlap / (1 + 2 - Overlap)).Within(1e-12));
    }

    [Test]
    public void BevIou_DegenerateBox_IsZero()
    {
        // Arrange / Act / Assert
        Assert.That(RotatedNms.BevIou(Box(0, 0, 0, 2, 0), Box(0, 0, 4, 2, 0)), Is.Zero);
        Assert.That(RotatedNms.BevIou(Box(0, 0, double.NaN, 2, 0), Box(0, 0, 4, 2, 0)), Is.Zero);
    }

    [Test]
    public void Suppress_OverlappingSameClass_KeepsHighestScore()
    {
        // Arrange
        Detection[] detections =
        [
            new(DetectionClass.Car, 10, 0, 4.5, 1.8, 0, 0.6),
            new(DetectionClass.Car, 10.3, 0.1, 4.5, 1.8, 0.05, 0.9),
            new(DetectionClass.Truck, 10, 0, 4.5, 1.8, 0, 0.5),
            new(DetectionClass.Car, 30, 0, 4.5, 1.8, 0, 0.7),
        ];

        // Act
        var kept = RotatedNms.Suppress(detections);

        // Assert: the lower-scored overlapping car goes; the truck (other class) and the distant car stay.
        Assert.That(kept, Is.EqualTo(3));
        Assert.That(detections[0].Score, Is.EqualTo(0.9));
        Assert.That(detections[1].Score, Is.EqualTo(0.7));
        Assert.That(detections[2].Class, Is.EqualTo(DetectionClass.Truck));
    }

    [Test]
    public void Suppress_SmallOverlapBelowThreshold_KeepsBoth()
    {
        // Arrange: overlap 0.2 × 1.8 against 2·8.1 − 0.36 → IoU ≈ 0.023 < 0.1.
        Detection[] detections =
        [
            new(DetectionClass.Car, 0, 0, 4.5, 1.8, 0, 0.9),
            new(DetectionClass.Car, 4.3, 0, 4.5, 1.8, 0, 0.8),
        ];

        // Act / Assert
        Assert.That(RotatedNms.Suppress(detections), Is.EqualTo(2));
    }

    [Test]
    public void BevIou_RandomBoxes_SymmetricAndMatchesSampledArea()
    {
        // Arrange: seeded random pairs of overlapping boxes; reference intersection by sampling a fine grid.
        var rng = new Random(42);
        const double Step = 0.02;

        for (var trial = 0; trial < 40; trial++)
        {
            var a = Box(rng.NextDouble(), rng.NextDouble(), 1 + (4 * rng.NextDouble()), 0.5 + (2 * rng.NextDouble()), (rng.NextDouble() * 2 * Math.PI) - Math.PI);
            var b = Box(rng.NextDouble() * 2, rng.NextDouble() * 2, 1 + (4 * rng.NextDouble()), 0.5 + (2 * rng.NextDouble()), (rng.NextDouble() * 2 * Math.PI) - Math.PI);
            var inside = 0;
            for (var x = -5.0; x < 7.0; x += Step)
            {
                for (var y = -5.0; y < 7.0; y += Step)
                {
                    inside += Contains(a, x + (Step / 2), y + (Step / 2)) && Contains(b, x + (Step / 2), y + (Step / 2)) ? 1 : 0;
                }
            }

            var sampled = inside * Step * Step;
            var expected = sampled / ((a.Length * a.Width) + (b.Length * b.Width) - sampled);

            // Act
            var iou = RotatedNms.BevIou(a, b);

            // Assert
            Assert.That(iou, Is.EqualTo(RotatedNms.BevIou(b, a)).Within(1e-12), $"trial {trial}");
            Assert.That(iou, Is.EqualTo(expected).Within(0.01), $"trial {trial}");
        }
    }

    private static bool Contains(in BevBox box, double x, double y)
    {
        var dx = x - box.X;
        var dy = y - box.Y;
        var c = Math.Cos(box.Yaw);
        var s = Math.Sin(box.Yaw);
        return Math.Abs((c * dx) + (s * dy)) <= box.Length / 2 && Math.Abs((-s * dx) + (c * dy)) <= box.Width / 2;
    }

    [Test]
    public void Suppress_CrossClassThreshold_DropsTheLowerScoredOtherClassOnOneSpot()
    {
        // A truck seen from behind, scored as a truck and (lower) as an AGV on the same spot, plus a car elsewhere.
        Span<Detection> detections =
        [
            new(DetectionClass.Agv, 50.5, 0.1, 15.0, 3.0, 0.0, 0.35),
            new(DetectionClass.Truck, 50.0, 0.0, 16.0, 2.5, 0.0, 0.6),
            new(DetectionClass.Car, 20.0, 3.5, 4.5, 1.8, 0.0, 0.5),
        ];

        var classWise = RotatedNms.Suppress(detections.ToArray(), RotatedNms.DefaultIouThreshold);
        var kept = RotatedNms.Suppress(detections, RotatedNms.DefaultIouThreshold, 0.2);

        Assert.That(classWise, Is.EqualTo(3));
        Assert.That(kept, Is.EqualTo(2));
        Assert.That(detections[0].Class, Is.EqualTo(DetectionClass.Truck));
        Assert.That(detections[1].Class, Is.EqualTo(DetectionClass.Car));
    }
}
