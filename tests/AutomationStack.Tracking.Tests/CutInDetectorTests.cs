using AutomationStack.Tracking;
using static AutomationStack.Tracking.Tests.CorridorLeadSelectorTests;

namespace AutomationStack.Tracking.Tests;

internal sealed class CutInDetectorTests
{
    private const double EgoLength = 16.5;

    [Test]
    public void Detect_CarMovingIntoGapBeforePredecessor_ReportsTimeToEnter()
    {
        // Arrange: predecessor at 40 m; a car at 25 m in the left lane (y = 3.0) moving right at 1 m/s.
        ObjectTrack[] tracks = [Track(1, 40, 0), Track(2, 25, 3.0, vy: -1.0, length: 4.5, width: 1.8)];

        // Act
        var cutIn = CutInDetector.Detect(tracks, 1, EgoLength, CutInOptions.Default);

        // Assert: enters the 1.8 m corridor in (3.0 − 1.8) / 1.0 = 1.2 s; gap 25 − 8.25 − 2.25.
        Assert.That(cutIn, Is.Not.Null);
        Assert.That(cutIn!.Value.TrackId, Is.EqualTo(2));
        Assert.That(cutIn.Value.TimeToEnter, Is.EqualTo(1.2).Within(1e-9));
        Assert.That(cutIn.Value.Gap, Is.EqualTo(14.5).Within(1e-9));
        Assert.That(cutIn.Value.LateralSpeed, Is.EqualTo(-1.0));
    }

    [Test]
    public void Detect_CarKeepingItsLane_IsNoCutIn()
    {
        // Arrange
        ObjectTrack[] tracks = [Track(1, 40, 0), Track(2, 25, 3.5, vy: 0.1, length: 4.5, width: 1.8)];

        // Act / Assert
        Assert.That(CutInDetector.Detect(tracks, 1, EgoLength, CutInOptions.Default), Is.Null);
    }

    [Test]
    public void Detect_CarMovingAway_IsNoCutIn()
    {
        // Arrange
        ObjectTrack[] tracks = [Track(1, 40, 0), Track(2, 25, 3.0, vy: 1.0, length: 4.5, width: 1.8)];

        // Act / Assert
        Assert.That(CutInDetector.Detect(tracks, 1, EgoLength, CutInOptions.Default), Is.Null);
    }

    [Test]
    public void Detect_CarBeyondPredecessor_IsNoCutIn()
    {
        // Arrange: the car moves in ahead of the predecessor, not between.
        ObjectTrack[] tracks = [Track(1, 40, 0), Track(2, 60, 3.0, vy: -1.0, length: 4.5, width: 1.8)];

        // Act / Assert
        Assert.That(CutInDetector.Detect(tracks, 1, EgoLength, CutInOptions.Default), Is.Null);
    }

    [Test]
    public void Detect_CarAlreadyInsideGap_TimeToEnterZero()
    {
        // Arrange
        ObjectTrack[] tracks = [Track(1, 40, 0), Track(2, 22, 0.8, length: 4.5, width: 1.8), Track(3, 28, 2.5, vy: -1.0, length: 4.5, width: 1.8)];

        // Act
        var cutIn = CutInDetector.Detect(tracks, 1, EgoLength, CutInOptions.Default);

        // Assert
        Assert.That(cutIn!.Value.TrackId, Is.EqualTo(2));
        Assert.That(cutIn.Value.TimeToEnter, Is.Zero);
    }

    [Test]
    public void Detect_TentativeTrack_IsIgnored()
    {
        // Arrange
        ObjectTrack[] tracks = [Track(1, 40, 0), Track(2, 25, 0.0, length: 4.5, width: 1.8, confirmed: false)];

        // Act / Assert
        Assert.That(CutInDetector.Detect(tracks, 1, EgoLength, CutInOptions.Default), Is.Null);
    }

    [Test]
    public void Detect_NoPredecessor_SearchesUpToMaxDistance()
    {
        // Arrange
        ObjectTrack[] tracks = [Track(2, 30, 2.5, vy: -1.0, length: 4.5, width: 1.8), Track(3, 70, 2.5, vy: -1.0, length: 4.5, width: 1.8)];

        // Act
        var cutIn = CutInDetector.Detect(tracks, null, EgoLength, CutInOptions.Default);

        // Assert
        Assert.That(cutIn!.Value.TrackId, Is.EqualTo(2));
    }

    [Test]
    public void Detect_PredecessorIdNotTracked_FallsBackToMaxDistance()
    {
        // Arrange: predecessor 7 is not among the tracks (lost); a car at 50 m moving in is within 60 m.
        ObjectTrack[] tracks = [Track(2, 50, 2.5, vy: -1.0, length: 4.5, width: 1.8)];

        // Act
        var cutIn = CutInDetector.Detect(tracks, 7, EgoLength, CutInOptions.Default);

        // Assert
        Assert.That(cutIn!.Value.TrackId, Is.EqualTo(2));
        Assert.That(cutIn.Value.TimeToEnter, Is.EqualTo(0.7).Within(1e-9));
    }
}
