using AutomationStack.Contracts;
using AutomationStack.Geometry;
using AutomationStack.Localization;

namespace AutomationStack.Localization.Tests;

internal sealed class EgoStateEstimatorTests
{
    private const double Period = 0.05;
    private const double TrueSpeed = 20.0;
    private const double TrueHeading = 0.3;
    private const double GnssNoise = 0.5;
    private const double HeadingNoise = 0.02;
    private const double SpeedNoise = 0.1;
    private const double AccelNoise = 0.3;

    private static long Stamp(int k) => Units.SecondsToNanoseconds(k * Period);

    private static EgoMeasurement Truth(int k, Random rng, double noiseScale, bool gnss = true)
    {
        var t = k * Period;
        return new EgoMeasurement(
            Stamp(k),
            (TrueSpeed * t * Math.Cos(TrueHeading)) + (noiseScale * GnssNoise * Gaussian(rng)),
            (TrueSpeed * t * Math.Sin(TrueHeading)) + (noiseScale * GnssNoise * Gaussian(rng)),
            TrueHeading + (noiseScale * HeadingNoise * Gaussian(rng)),
            TrueSpeed + (noiseScale * SpeedNoise * Gaussian(rng)),
            noiseScale * AccelNoise * Gaussian(rng),
            0.0,
            gnss);
    }

    private static double Gaussian(Random rng)
    {
        var u1 = 1.0 - rng.NextDouble();
        var u2 = rng.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    [Test]
    public void Step_NoisyStraightDrive_ConvergesWithinNoise()
    {
        // Arrange
        var estimator = new EgoStateEstimator(EstimatorOptions.Default);
        var rng = new Random(42);
        const int Steps = 400;
        var sumSqPos = 0.0;
        var sumSqSpeed = 0.0;
        var counted = 0;
        EgoState state = default;

        // Act
        for (var k = 0; k < Steps; k++)
        {
            state = estimator.Step(Truth(k, rng, 1.0));
            if (k >= Steps / 2)
            {
                var t = k * Period;
                var ex = state.X - (TrueSpeed * t * Math.Cos(TrueHeading));
                var ey = state.Y - (TrueSpeed * t * Math.Sin(TrueHeading));
                sumSqPos += (ex * ex) + (ey * ey);
                sumSqSpeed += (state.Speed - TrueSpeed) * (state.Speed - TrueSpeed);
                counted++;
            }
        }

        // Assert: filtered RMS error is well below the raw GNSS noise (0.5 m per axis ⇒ 0.71 m radial).
        var rmsPos = Math.Sqrt(sumSqPos / counted);
        var rmsSpeed = Math.Sqrt(sumSqSpeed / counted);
        Assert.That(state.Valid, Is.True);
        Assert.That(rmsPos, Is.LessThan(0.35));
        Assert.That(rmsSpeed, Is.LessThan(SpeedNoise));
        Assert.That(Math.Abs(state.Heading - TrueHeading), Is.LessThan(0.02));
        Assert.That(state.PositionStdDev, Is.LessThan(GnssNoise));
    }

    [Test]
    public void Step_BeforeFirstGnssFix_IsInvalid()
    {
        // Arrange
        var estimator = new EgoStateEstimator(EstimatorOptions.Default);
        var rng = new Random(1);

        // Act
        var first = estimator.Step(Truth(0, rng, 0.0, gnss: false));
        var second = estimator.Step(Truth(1, rng, 0.0, gnss: true));

        // Assert
        Assert.That(first.Valid, Is.False);
        Assert.That(first.Speed, Is.EqualTo(TrueSpeed).Within(1e-9));
        Assert.That(second.Valid, Is.True);
    }

    [Test]
    public void Step_NonPositiveInterval_ReinitialisesAndMarksFrameInvalid()
    {
        // Arrange
        var estimator = new EgoStateEstimator(EstimatorOptions.Default);
        var rng = new Random(1);
        estimator.Step(Truth(0, rng, 0.0));
        estimator.Step(Truth(1, rng, 0.0));

        // Act
        var repeated = estimator.Step(Truth(1, rng, 0.0));
        var next = estimator.Step(Truth(2, rng, 0.0));

        // Assert
        Assert.That(repeated.Valid, Is.False);
        Assert.That(estimator.ResetCount, Is.EqualTo(1));
        Assert.That(next.Valid, Is.True);
    }

    [Test]
    public void Step_IntervalLongerThanOneSecond_MarksFrameInvalid()
    {
        // Arrange
        var estimator = new EgoStateEstimator(EstimatorOptions.Default);
        var rng = new Random(1);
        estimator.Step(Truth(0, rng, 0.0));

        // Act
        var late = estimator.Step(Truth(40, rng, 0.0));

        // Assert
        Assert.That(late.Valid, Is.False);
        Assert.That(late.X, Is.EqualTo(TrueSpeed * 40 * Period * Math.Cos(TrueHeading)).Within(1e-9));
    }

    [Test]
    public void Step_NonFiniteFields_AreIgnoredAndCounted()
    {
        // Arrange
        var estimator = new EgoStateEstimator(EstimatorOptions.Default);
        var rng = new Random(1);
        estimator.Step(Truth(0, rng, 0.0));
        var bad = Truth(1, rng, 0.0) with { X = double.NaN, Speed = double.PositiveInfinity, YawRate = double.NaN };

        // Act
        var state = estimator.Step(bad);

        // Assert
        Assert.That(estimator.IgnoredFieldCount, Is.EqualTo(3));
        Assert.That(state.Valid, Is.True);
        Assert.That(double.IsFinite(state.X) && double.IsFinite(state.Speed) && double.IsFinite(state.YawRate), Is.True);
        Assert.That(state.X, Is.EqualTo(TrueSpeed * Period * Math.Cos(TrueHeading)).Within(0.01));
    }

    [Test]
    public void Step_GnssOutage_DeadReckonsAndEventuallyInvalidates()
    {
        // Arrange
        var options = EstimatorOptions.Default with { MaxPositionStdDev = 1.0 };
        var estimator = new EgoStateEstimator(options);
        var rng = new Random(1);
        for (var k = 0; k < 20; k++)
        {
            estimator.Step(Truth(k, rng, 0.0));
        }

        // Act
        var shortly = estimator.Step(Truth(20, rng, 0.0, gnss: false));
        EgoState later = shortly;
        for (var k = 21; k < 1200; k++)
        {
            later = estimator.Step(Truth(k, rng, 0.0, gnss: false));
        }

        // Assert
        Assert.That(shortly.Valid, Is.True);
        Assert.That(shortly.X, Is.EqualTo(TrueSpeed * 20 * Period * Math.Cos(TrueHeading)).Within(1e-6));
        Assert.That(later.Valid, Is.False);
    }
}
