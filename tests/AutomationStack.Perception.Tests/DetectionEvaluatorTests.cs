using AutomationStack.Perception;

namespace AutomationStack.Perception.Tests;

internal sealed class DetectionEvaluatorTests
{
    private static BevBox Truth(DetectionClass cls, double x, double y) => new(cls, x, y, 4.5, 1.8, 0.1);

    private static Detection Hit(BevBox truth, double score, double shift = 0.0) =>
        new(truth.Class, truth.X + shift, truth.Y, truth.Length, truth.Width, truth.Yaw, score);

    [Test]
    public void Compute_PerfectDetections_ApOneRecallOneZeroError()
    {
        // Arrange
        var evaluator = new DetectionEvaluator(DetectionEvaluatorOptions.Default);
        for (var f = 0; f < 3; f++)
        {
            BevBox[] truth = [Truth(DetectionClass.Car, 10 + f, 2), Truth(DetectionClass.Truck, 30, -3), Truth(DetectionClass.Agv, -15, 5)];
            evaluator.AddFrame([Hit(truth[0], 0.9), Hit(truth[1], 0.8), Hit(truth[2], 0.7)], truth);
        }

        // Act
        var metrics = evaluator.Compute();

        // Assert
        Assert.That(metrics.AveragePrecision, Is.EqualTo(1.0).Within(1e-12));
        Assert.That(metrics.ClassAveragePrecision, Is.All.EqualTo(1.0).Within(1e-12));
        Assert.That(metrics.Recall, Is.EqualTo(1.0));
        Assert.That(metrics.MedianPositionError, Is.EqualTo(0.0).Within(1e-12));
        Assert.That(metrics.GroundTruthCount, Is.EqualTo(9));
        Assert.That(metrics.FrameCount, Is.EqualTo(3));
    }

    [Test]
    public void Compute_HalfMissed_RecallHalfApHalf()
    {
        // Arrange: four cars per frame, two detected.
        var evaluator = new DetectionEvaluator(DetectionEvaluatorOptions.Default);
        BevBox[] truth = [Truth(DetectionClass.Car, 10, 0), Truth(DetectionClass.Car, 20, 0), Truth(DetectionClass.Car, 30, 4), Truth(DetectionClass.Car, -10, 0)];
        evaluator.AddFrame([Hit(truth[0], 0.9), Hit(truth[2], 0.8)], truth);

        // Act
        var metrics = evaluator.Compute();

        // Assert
        Assert.That(metrics.Recall, Is.EqualTo(0.5));
        Assert.That(metrics.AveragePrecision, Is.EqualTo(0.5).Within(1e-12));
        Assert.That(metrics.ClassAveragePrecision[(int)DetectionClass.Car], Is.EqualTo(0.5).Within(1e-12));
        Assert.That(double.IsNaN(metrics.ClassAveragePrecision[(int)DetectionClass.Truck]), Is.True);
    }

    [Test]
    public void Compute_FalsePositiveRankedFirst_ApTwoThirds()
    {
        // Arrange: precision after each detection 0, 1/2, 2/3 at recall 0, 1/2, 1 → AP = ½·⅔ + ½·⅔ = ⅔.
        var evaluator = new DetectionEvaluator(DetectionEvaluatorOptions.Default);
        BevBox[] truth = [Truth(DetectionClass.Car, 10, 0), Truth(DetectionClass.Car, 25, 3)];
        evaluator.AddFrame([new Detection(DetectionClass.Car, 50, -10, 4.5, 1.8, 0, 0.95), Hit(truth[0], 0.9), Hit(truth[1], 0.8)], truth);

        // Act
        var metrics = evaluator.Compute();

        // Assert
        Assert.That(metrics.AveragePrecision, Is.EqualTo(2.0 / 3.0).Within(1e-12));
        Assert.That(metrics.Recall, Is.EqualTo(1.0));
    }

    [Test]
    public void Compute_WrongClass_CountsForAgnosticApOnly()
    {
        // Arrange: a truck labelled as a car.
        var evaluator = new DetectionEvaluator(DetectionEvaluatorOptions.Default);
        BevBox[] truth = [Truth(DetectionClass.Truck, 10, 0)];
        evaluator.AddFrame([Hit(truth[0], 0.9) with { Class = DetectionClass.Car }], truth);

        // Act
        var metrics = evaluator.Compute();

        // Assert
        Assert.That(metrics.AveragePrecision, Is.EqualTo(1.0));
        Assert.That(metrics.ClassAveragePrecision[(int)DetectionClass.Truck], Is.Zero);
    }

    [Test]
    public void Compute_DuplicateDetection_SecondIsFalsePositive()
    {
        // Arrange: two detections on one car: AP stays 1 (the duplicate ranks after the hit) but only one match.
        var evaluator = new DetectionEvaluator(DetectionEvaluatorOptions.Default);
        BevBox[] truth = [Truth(DetectionClass.Car, 10, 0)];
        evaluator.AddFrame([Hit(truth[0], 0.9), Hit(truth[0], 0.5, shift: 0.2)], truth);

        // Act
        var metrics = evaluator.Compute();

        // Assert
        Assert.That(metrics.AveragePrecision, Is.EqualTo(1.0));
        Assert.That(metrics.MatchedCount, Is.EqualTo(1));
    }

    [Test]
    public void Compute_RangesAndOperatingThreshold_FilterAsDocumented()
    {
        // Arrange: a car at 60 m (in AP range, outside recall range) and one at 90 m (ignored); a weak detection at 20 m
        // below the operating threshold matches for AP but not for recall.
        var evaluator = new DetectionEvaluator(DetectionEvaluatorOptions.Default);
        BevBox[] truth = [Truth(DetectionClass.Car, 60, 0), Truth(DetectionClass.Car, 90, 0), Truth(DetectionClass.Car, 20, 0)];
        evaluator.AddFrame([Hit(truth[0], 0.9, shift: 0.3), Hit(truth[1], 0.8), Hit(truth[2], 0.2)], truth);

        // Act
        var metrics = evaluator.Compute();

        // Assert
        Assert.That(metrics.GroundTruthCount, Is.EqualTo(2));
        Assert.That(metrics.RecallGroundTruthCount, Is.EqualTo(1));
        Assert.That(metrics.AveragePrecision, Is.EqualTo(1.0));
        Assert.That(metrics.Recall, Is.Zero);
        Assert.That(metrics.MedianPositionError, Is.EqualTo(0.3).Within(1e-9));
    }
}
