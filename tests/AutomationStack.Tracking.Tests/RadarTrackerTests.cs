using AutomationStack.Contracts;
using AutomationStack.Geometry;
using AutomationStack.Localization;
using AutomationStack.Tracking;

namespace AutomationStack.Tracking.Tests;

internal sealed class RadarTrackerTests
{
    private const double Period = 0.05;
    private const double RadarOffset = 8.25;
    private const double EgoSpeed = 20.0;

    private static long Stamp(int k) => Units.SecondsToNanoseconds(k * Period);

    private static EgoState Ego(int k, double speed = EgoSpeed, double accel = 0.0) =>
        new(Stamp(k), 0, 0, 0, speed, accel, 0, true, 0.5);

    /// <summary>Detection of a target whose rear is at (x, y) relative to the ego centre, moving with relative velocity (vx, vy).</summary>
    private static RadarDetection Detect(double x, double y, double vx, double vy)
    {
        var px = x - RadarOffset;
        var r = Math.Sqrt((px * px) + (y * y));
        return new RadarDetection(r, ((px * vx) + (y * vy)) / r, Math.Atan2(y, px));
    }

    [Test]
    public void Step_SteadyTarget_ConfirmsAfterThreeOfFiveHits()
    {
        // Arrange
        var tracker = new RadarTracker(TrackerOptions.Default, RadarOffset);
        var confirmedAt = -1;

        // Act
        for (var k = 0; k < 10 && confirmedAt < 0; k++)
        {
            var tracks = tracker.Step(Stamp(k), Ego(k), [Detect(50.0 - (k * Period * 2.0), 0.0, -2.0, 0.0)]);
            if (tracks.Length == 1 && tracks[0].Confirmed)
            {
                confirmedAt = k;
            }
        }

        // Assert
        Assert.That(confirmedAt, Is.EqualTo(2));
    }

    [Test]
    public void Step_TwoTargets_KeepIdsAndConvergeToTruth()
    {
        // Arrange: a slower car ahead in the own lane and a faster one in the left lane, detections in swapped order on odd frames.
        var tracker = new RadarTracker(TrackerOptions.Default, RadarOffset);
        var rng = new Random(7);
        int[] firstIds = [];
        const int Steps = 200;
        var track0 = default(RadarTrack);
        var track1 = default(RadarTrack);

        // Act
        for (var k = 0; k < Steps; k++)
        {
            var t = k * Period;
            var a = Detect(40.0 - (3.0 * t), 0.0, -3.0, 0.0);
            var b = Detect(45.0 + (2.0 * t), 3.5, 2.0, 0.0);
            a = a with { Range = a.Range + (0.3 * Noise(rng)), RangeRate = a.RangeRate + (0.1 * Noise(rng)) };
            b = b with { Range = b.Range + (0.3 * Noise(rng)), RangeRate = b.RangeRate + (0.1 * Noise(rng)) };
            var tracks = tracker.Step(Stamp(k), Ego(k), k % 2 == 0 ? [a, b] : [b, a]);
            if (k == 5)
            {
                firstIds = [tracks[0].Id, tracks[1].Id];
            }

            if (k == Steps - 1)
            {
                track0 = tracks[0];
                track1 = tracks[1];
            }
        }

        // Assert
        Assert.That(tracker.Tracks.Length, Is.EqualTo(2));
        Assert.That(new[] { track0.Id, track1.Id }, Is.EquivalentTo(firstIds));
        var own = Math.Abs(track0.RelativeY) < 1.0 ? track0 : track1;
        var left = Math.Abs(track0.RelativeY) < 1.0 ? track1 : track0;
        var tEnd = (Steps - 1) * Period;
        Assert.That(own.Confirmed && left.Confirmed, Is.True);
        Assert.That(own.RelativeX, Is.EqualTo(40.0 - (3.0 * tEnd)).Within(0.5));
        Assert.That(own.RelativeSpeed, Is.EqualTo(-3.0).Within(0.2));
        Assert.That(own.AbsoluteSpeed, Is.EqualTo(EgoSpeed - 3.0).Within(0.2));
        Assert.That(left.RelativeY, Is.EqualTo(3.5).Within(0.3));
        Assert.That(left.RelativeSpeed, Is.EqualTo(2.0).Within(0.2));
    }

    [Test]
    public void Step_TargetDisappears_DeletedAfterConsecutiveMisses()
    {
        // Arrange
        var tracker = new RadarTracker(TrackerOptions.Default, RadarOffset);
        var k = 0;
        for (; k < 10; k++)
        {
            tracker.Step(Stamp(k), Ego(k), [Detect(30.0, 0.0, 0.0, 0.0)]);
        }

        // Act
        var aliveAfterFour = 0;
        for (var miss = 1; miss <= TrackerOptions.Default.MaxConsecutiveMisses; miss++, k++)
        {
            var tracks = tracker.Step(Stamp(k), Ego(k), []);
            if (miss == TrackerOptions.Default.MaxConsecutiveMisses - 1)
            {
                aliveAfterFour = tracks.Length;
            }
        }

        // Assert
        Assert.That(aliveAfterFour, Is.EqualTo(1));
        Assert.That(tracker.Tracks.Length, Is.Zero);
    }

    [Test]
    public void Step_SingleClutterDetection_TentativeTrackDroppedWithoutConfirmation()
    {
        // Arrange
        var tracker = new RadarTracker(TrackerOptions.Default, RadarOffset);

        // Act
        var first = tracker.Step(Stamp(0), Ego(0), [Detect(60.0, -2.0, -20.0, 0.0)]).Length;
        tracker.Step(Stamp(1), Ego(1), []);
        var after = tracker.Step(Stamp(2), Ego(2), []).Length;

        // Assert
        Assert.That(first, Is.EqualTo(1));
        Assert.That(after, Is.Zero);
    }

    [Test]
    public void Step_NonFiniteDetections_RejectedAndCounted()
    {
        // Arrange
        var tracker = new RadarTracker(TrackerOptions.Default, RadarOffset);

        // Act
        var tracks = tracker.Step(
            Stamp(0),
            Ego(0),
            [new RadarDetection(double.NaN, 0, 0), new RadarDetection(20, double.PositiveInfinity, 0), new RadarDetection(-1, 0, 0), Detect(30, 0, 0, 0)]);

        // Assert
        Assert.That(tracks.Length, Is.EqualTo(1));
        Assert.That(tracker.RejectedDetectionCount, Is.EqualTo(3));
    }

    [Test]
    public void Step_LeadBrakesWhileEgoBrakes_EstimatesLeadAcceleration()
    {
        // Arrange: both start at 20 m/s; lead brakes at 3 m/s² from t=1 s, ego at 1 m/s².
        var tracker = new RadarTracker(TrackerOptions.Default, RadarOffset);
        double leadX = 40, leadV = 20, egoV = 20;
        const double LeadDecel = 3.0;
        const double EgoDecel = 1.0;
        RadarTrack last = default;

        // Act
        for (var k = 0; k < 80; k++)
        {
            var braking = k * Period >= 1.0;
            var leadA = braking ? -LeadDecel : 0.0;
            var egoA = braking ? -EgoDecel : 0.0;
            var tracks = tracker.Step(Stamp(k), Ego(k, egoV, egoA), [Detect(leadX, 0, leadV - egoV, 0)]);
            last = tracks[0];
            leadX += (leadV - egoV) * Period;
            leadV += leadA * Period;
            egoV += egoA * Period;
        }

        // Assert
        Assert.That(last.Acceleration, Is.EqualTo(-LeadDecel).Within(0.3));
        Assert.That(last.AbsoluteSpeed, Is.EqualTo(leadV - (-LeadDecel * Period)).Within(0.3));
    }

    [Test]
    public void Step_FrameIntervalTooLong_DropsAllTracks()
    {
        // Arrange
        var tracker = new RadarTracker(TrackerOptions.Default, RadarOffset);
        tracker.Step(Stamp(0), Ego(0), [Detect(30, 0, 0, 0)]);

        // Act
        var tracks = tracker.Step(Stamp(100), Ego(100), []);

        // Assert
        Assert.That(tracks.Length, Is.Zero);
    }

    private static double Noise(Random rng) => (rng.NextDouble() * 2.0) - 1.0;
}
