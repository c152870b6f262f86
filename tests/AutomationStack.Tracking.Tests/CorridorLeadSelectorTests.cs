using AutomationStack.Tracking;

namespace AutomationStack.Tracking.Tests;

internal sealed class CorridorLeadSelectorTests
{
    private const double EgoLength = 16.5;
    private const double EgoSpeed = 20.0;

    internal static ObjectTrack Track(int id, double x, double y, double vx = 19.0, double vy = 0.0, double length = 16.5, double width = 2.55, double yaw = 0.0, bool confirmed = true) =>
        new(id, 1, x, y, vx, vy, vx - EgoSpeed, vy, length, width, yaw, 10, confirmed);

    [Test]
    public void Select_TrackAheadInCorridor_GapIsBumperToBumper()
    {
        // Act
        var lead = CorridorLeadSelector.Select([Track(1, 40, 0.3)], EgoLength);

        // Assert: 40 − 8.25 − 8.25.
        Assert.That(lead, Is.Not.Null);
        Assert.That(lead!.Value.TrackId, Is.EqualTo(1));
        Assert.That(lead.Value.Gap, Is.EqualTo(23.5).Within(1e-9));
        Assert.That(lead.Value.LeadSpeed, Is.EqualTo(19.0));
        Assert.That(lead.Value.RelativeSpeed, Is.EqualTo(-1.0).Within(1e-12));
    }

    [Test]
    public void Select_SeveralTracks_PicksNearestConfirmedInCorridor()
    {
        // Arrange: adjacent lane (y = 3.5), behind, tentative, and two in the corridor.
        ObjectTrack[] tracks =
        [
            Track(1, 25, 3.5),
            Track(2, -30, 0),
            Track(3, 20, 0, confirmed: false),
            Track(4, 60, -0.5),
            Track(5, 35, 1.0, length: 4.5, width: 1.8),
        ];

        // Act
        var lead = CorridorLeadSelector.Select(tracks, EgoLength);

        // Assert: 35 − 8.25 − 2.25.
        Assert.That(lead!.Value.TrackId, Is.EqualTo(5));
        Assert.That(lead.Value.Gap, Is.EqualTo(24.5).Within(1e-9));
    }

    [Test]
    public void Select_RotatedTrack_UsesExtentAlongX()
    {
        // Arrange: a 4 × 2 box turned 90° extends 1 m along x.
        var lead = CorridorLeadSelector.Select([Track(1, 20, 0, length: 4, width: 2, yaw: Math.PI / 2)], EgoLength);

        // Assert
        Assert.That(lead!.Value.Gap, Is.EqualTo(20 - 8.25 - 1.0).Within(1e-9));
    }

    [Test]
    public void Select_NarrowerCorridor_ExcludesOffsetTrack()
    {
        // Act / Assert
        Assert.That(CorridorLeadSelector.Select([Track(1, 40, 1.5)], EgoLength), Is.Not.Null);
        Assert.That(CorridorLeadSelector.Select([Track(1, 40, 1.5)], EgoLength, halfWidth: 1.2), Is.Null);
    }
}
