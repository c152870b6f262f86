using AutomationStack.Perception;

namespace AutomationStack.Perception.Tests;

internal sealed class CenterHeadTests
{
    private static readonly BevGridSpec Spec = BevGridSpec.Default;

    private static readonly BevBox[] Boxes =
    [
        new(DetectionClass.Truck, 25.37, 0.12, 16.5, 2.55, 0.03),
        new(DetectionClass.Truck, 44.81, -0.35, 16.5, 2.55, -0.02),
        new(DetectionClass.Car, 12.02, 3.61, 4.6, 1.85, 0.4),
        new(DetectionClass.Car, -18.44, -3.5, 4.4, 1.8, Math.PI - 0.2),
        new(DetectionClass.Agv, 5.3, -12.9, 3.1, 1.6, -1.9),
        new(DetectionClass.Car, 70.77, 30.2, 4.9, 2.0, 2.5),
    ];

    private static (float[] Heatmap, float[] Regression, float[] Mask) Allocate()
    {
        var (rows, cols) = Spec.OutputSize(2);
        return (new float[3 * rows * cols], new float[6 * rows * cols], new float[rows * cols]);
    }

    private static float[] ToLogits(float[] heatmap)
    {
        var logits = new float[heatmap.Length];
        for (var k = 0; k < heatmap.Length; k++)
        {
            var p = Math.Clamp((double)heatmap[k], 1e-6, 1 - 1e-6);
            logits[k] = (float)Math.Log(p / (1 - p));
        }

        return logits;
    }

    // Yaw is decoded modulo π (a box's outline does not tell front from back).
    private static double AngleDifference(double a, double b) => Math.Abs(Math.IEEERemainder(a - b, Math.PI));

    [Test]
    public void Encode_ThenDecodeInverseSigmoid_ReturnsTheSameBoxes()
    {
        // Arrange
        var (heatmap, regression, mask) = Allocate();
        var decoder = new CenterDecoder(Spec, CenterDecoderOptions.Default);
        var detections = new Detection[100];

        // Act
        var encoded = CenterTargets.Encode(Boxes, Spec, 2, heatmap, regression, mask);
        var count = decoder.Decode(ToLogits(heatmap), regression, detections);

        // Assert
        Assert.That(encoded, Is.EqualTo(Boxes.Length));
        Assert.That(count, Is.EqualTo(Boxes.Length));
        foreach (var box in Boxes)
        {
            var found = false;
            foreach (var d in detections.AsSpan(0, count))
            {
                if (d.Class == box.Class && Math.Abs(d.X - box.X) < 0.01 && Math.Abs(d.Y - box.Y) < 0.01)
                {
                    found = true;
                    Assert.That(d.Length, Is.EqualTo(box.Length).Within(0.01));
                    Assert.That(d.Width, Is.EqualTo(box.Width).Within(0.01));
                    Assert.That(AngleDifference(d.Yaw, box.Yaw), Is.LessThan(0.01));
                    Assert.That(d.Score, Is.GreaterThan(0.99));
                }
            }

            Assert.That(found, Is.True, $"box {box} not decoded");
        }
    }

    [Test]
    public void Encode_ThenDecode_RandomSeparatedBoxesRoundTrip()
    {
        // Arrange: 60 seeded random boxes of all classes, centres at least 3 m apart (distinct peaks), any yaw.
        var rng = new Random(2024);
        var boxes = new List<BevBox>();
        while (boxes.Count < 60)
        {
            var candidate = new BevBox(
                (DetectionClass)rng.Next(3),
                -39.9 + (rng.NextDouble() * 119.8),
                -39.9 + (rng.NextDouble() * 79.8),
                1.5 + (rng.NextDouble() * 15),
                1.2 + (rng.NextDouble() * 1.5),
                (rng.NextDouble() * 2 * Math.PI) - Math.PI);
            var separated = true;
            foreach (var b in boxes)
            {
                separated &= Math.Abs(b.X - candidate.X) >= 3 || Math.Abs(b.Y - candidate.Y) >= 3;
            }

            if (separated)
            {
                boxes.Add(candidate);
            }
        }

        var (heatmap, regression, mask) = Allocate();
        var decoder = new CenterDecoder(Spec, CenterDecoderOptions.Default);
        var detections = new Detection[100];

        // Act
        CenterTargets.Encode(boxes.ToArray(), Spec, 2, heatmap, regression, mask);
        var count = decoder.Decode(ToLogits(heatmap), regression, detections);

        // Assert: one detection per box, each within 1 cm / 0.01 rad of its box.
        Assert.That(count, Is.EqualTo(boxes.Count));
        foreach (var box in boxes)
        {
            var matches = 0;
            foreach (var d in detections.AsSpan(0, count))
            {
                if (d.Class == box.Class && Math.Abs(d.X - box.X) < 0.01 && Math.Abs(d.Y - box.Y) < 0.01
                    && Math.Abs(d.Length - box.Length) < 0.01 && Math.Abs(d.Width - box.Width) < 0.01
                    && AngleDifference(d.Yaw, box.Yaw) < 0.01)
                {
                    matches++;
                }
            }

            Assert.That(matches, Is.EqualTo(1), $"box {box}");
        }
    }

    [Test]
    public void Encode_OneBox_PeakOneAtCentreCellAndMaskSet()
    {
        // Arrange: centre x = 25.37 → u = 65.37 → i = 65, dx = 0.37; y = 0.12 → v = 40.12 → j = 40, dy = 0.12.
        var (heatmap, regression, mask) = Allocate();
        var (rows, cols) = Spec.OutputSize(2);
        var plane = rows * cols;

        // Act
        CenterTargets.Encode([Boxes[0]], Spec, 2, heatmap, regression, mask);

        // Assert
        var index = (65 * cols) + 40;
        Assert.That(heatmap[plane + index], Is.EqualTo(1f));
        Assert.That(heatmap[index], Is.EqualTo(0f), "other class channel untouched");
        Assert.That(heatmap[plane + index + 1], Is.GreaterThan(0f).And.LessThan(1f));
        Assert.That(mask[index], Is.EqualTo(1f));
        Assert.That(mask.Sum(), Is.EqualTo(1f));
        Assert.That(regression[index], Is.EqualTo(0.37f).Within(1e-5));
        Assert.That(regression[plane + index], Is.EqualTo(0.12f).Within(1e-5));
        Assert.That(regression[(2 * plane) + index], Is.EqualTo((float)Math.Log(16.5)).Within(1e-6));
        Assert.That(regression[(5 * plane) + index], Is.EqualTo((float)Math.Cos(2 * 0.03)).Within(1e-6));
    }

    [Test]
    public void Encode_BoxOutsideGrid_IsSkipped()
    {
        // Arrange
        var (heatmap, regression, mask) = Allocate();

        // Act
        var encoded = CenterTargets.Encode([new BevBox(DetectionClass.Car, 85, 0, 4, 2, 0)], Spec, 2, heatmap, regression, mask);

        // Assert
        Assert.That(encoded, Is.Zero);
        Assert.That(heatmap.Max(), Is.Zero);
    }

    [Test]
    public void GaussianRadius_SmallBox_IsAtLeastMinRadius()
    {
        // Arrange / Act / Assert
        Assert.That(CenterHead.GaussianRadius(1, 1, 0.1, 2), Is.EqualTo(2));
        Assert.That(CenterHead.GaussianRadius(16.5, 2.55, 0.1, 2), Is.GreaterThanOrEqualTo(2));
    }

    [Test]
    public void Decode_PeakBelowThreshold_IsIgnored()
    {
        // Arrange
        var decoder = new CenterDecoder(Spec, CenterDecoderOptions.Default);
        var heatmap = Filled(decoder.HeatmapLength, -10f);
        var regression = new float[decoder.RegressionLength];
        heatmap[500] = (float)Math.Log(0.29 / 0.71);

        // Act
        var count = decoder.Decode(heatmap, regression, new Detection[10]);

        // Assert
        Assert.That(count, Is.Zero);
    }

    [Test]
    public void Decode_Plateau_GivesOnePeakAtFirstCell()
    {
        // Arrange: two equal neighbouring logits in row 10, columns 20 and 21 of the Agv channel.
        var decoder = new CenterDecoder(Spec, CenterDecoderOptions.Default);
        var heatmap = Filled(decoder.HeatmapLength, -10f);
        var regression = new float[decoder.RegressionLength];
        var plane = decoder.OutputRows * decoder.OutputColumns;
        heatmap[(2 * plane) + (10 * 80) + 20] = 2f;
        heatmap[(2 * plane) + (10 * 80) + 21] = 2f;
        var detections = new Detection[10];

        // Act
        var count = decoder.Decode(heatmap, regression, detections);

        // Assert: cell (10, 20) with zero offsets → x = −40 + 10, y = −40 + 20; size exp(0) = 1; yaw atan2(0, 0) = 0.
        Assert.That(count, Is.EqualTo(1));
        Assert.That(detections[0].Class, Is.EqualTo(DetectionClass.Agv));
        Assert.That(detections[0].X, Is.EqualTo(-30.0).Within(1e-9));
        Assert.That(detections[0].Y, Is.EqualTo(-20.0).Within(1e-9));
        Assert.That(detections[0].Score, Is.EqualTo(1 / (1 + Math.Exp(-2))).Within(1e-6));
    }

    [Test]
    public void Decode_MorePeaksThanTopK_KeepsTheBestSortedByScore()
    {
        // Arrange: 50 isolated peaks with increasing logits; keep 5.
        var decoder = new CenterDecoder(Spec, CenterDecoderOptions.Default with { MaxDetections = 5 });
        var heatmap = Filled(decoder.HeatmapLength, -10f);
        var regression = new float[decoder.RegressionLength];
        for (var k = 0; k < 50; k++)
        {
            heatmap[((2 * k) * 80) + 5] = k * 0.1f;
        }

        var detections = new Detection[10];

        // Act
        var count = decoder.Decode(heatmap, regression, detections);

        // Assert: rows 98, 96, 94, 92, 90 → x = −40 + row (1 m output cells).
        Assert.That(count, Is.EqualTo(5));
        for (var k = 0; k < 5; k++)
        {
            Assert.That(detections[k].X, Is.EqualTo(-40.0 + (98 - (2 * k))).Within(1e-9));
        }
    }

    [Test]
    public void Decode_NaNLogits_NeverPeak()
    {
        // Arrange
        var decoder = new CenterDecoder(Spec, CenterDecoderOptions.Default);
        var heatmap = Filled(decoder.HeatmapLength, float.NaN);
        var regression = new float[decoder.RegressionLength];

        // Act
        var count = decoder.Decode(heatmap, regression, new Detection[10]);

        // Assert
        Assert.That(count, Is.Zero);
    }

    private static float[] Filled(int length, float value)
    {
        var a = new float[length];
        Array.Fill(a, value);
        return a;
    }
}
