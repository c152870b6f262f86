using AutomationStack.Geometry;
using AutomationStack.Localization;
using AutomationStack.RoadMap;
using AutomationStack.Tracking;

namespace AutomationStack.Tracking.Tests;

internal sealed class LeadSelectorTests
{
    private const double LaneWidth = 3.5;
    private const double EgoLength = 16.5;

    private static readonly Lane OwnLane = new(
        "r0_l0", "r0", 0, new Polyline([new Vec2(0, 0), new Vec2(5000, 0)]), LaneWidth, 25, ElevationProfile.Flat, "r0_l1", null);

    private static readonly EgoState Ego = new(0, 100, 0.2, 0, 20, 0, 0, true, 0.5);

    private static RadarTrack Track(int id, double x, double y, bool confirmed = true) =>
        new(id, x, y, x - (EgoLength / 2), -1.0, 19.0, -0.5, 10, confirmed);

    [Test]
    public void Select_TrackInOwnLaneAhead_ReturnsItWithBumperGap()
    {
        // Arrange
        var selector = new LeadSelector(LeadSelectorOptions.Default, EgoLength);

        // Act
        var lead = selector.Select([Track(1, 50, 0)], Ego, OwnLane);

        // Assert
        Assert.That(lead, Is.Not.Null);
        Assert.That(lead!.Value.TrackId, Is.EqualTo(1));
        Assert.That(lead.Value.Gap, Is.EqualTo(50 - (EgoLength / 2)).Within(1e-9));
        Assert.That(lead.Value.LeadSpeed, Is.EqualTo(19.0));
        Assert.That(lead.Value.RelativeSpeed, Is.EqualTo(-1.0));
        Assert.That(lead.Value.LeadAcceleration, Is.EqualTo(-0.5));
    }

    [Test]
    public void Select_OnlyAdjacentLaneTrack_ReturnsNull()
    {
        // Arrange
        var selector = new LeadSelector(LeadSelectorOptions.Default, EgoLength);

        // Act
        var lead = selector.Select([Track(1, 30, LaneWidth)], Ego, OwnLane);

        // Assert
        Assert.That(lead, Is.Null);
    }

    [Test]
    public void Select_TrackBehind_IsIgnored()
    {
        // Arrange
        var selector = new LeadSelector(LeadSelectorOptions.Default, EgoLength);

        // Act
        var lead = selector.Select([Track(1, -30, 0)], Ego, OwnLane);

        // Assert
        Assert.That(lead, Is.Null);
    }

    [Test]
    public void Select_SeveralCandidates_PicksNearestConfirmedInLane()
    {
        // Arrange
        var selector = new LeadSelector(LeadSelectorOptions.Default, EgoLength);
        RadarTrack[] tracks = [Track(1, 80, 0), Track(2, 25, 0, confirmed: false), Track(3, 40, LaneWidth), Track(4, 60, -0.4)];

        // Act
        var lead = selector.Select(tracks, Ego, OwnLane);

        // Assert
        Assert.That(lead!.Value.TrackId, Is.EqualTo(4));
    }

    [Test]
    public void Select_EgoRotated_MapsTrackWithPose()
    {
        // Arrange: ego heading 90° on a lane going north; a track straight ahead is in the lane.
        var north = OwnLane with { Centreline = new Polyline([new Vec2(0, 0), new Vec2(0, 5000)]) };
        var ego = Ego with { X = 0, Y = 100, Heading = Math.PI / 2 };
        var selector = new LeadSelector(LeadSelectorOptions.Default, EgoLength);

        // Act
        var lead = selector.Select([Track(1, 50, 0), Track(2, 40, LaneWidth)], ego, north);

        // Assert
        Assert.That(lead!.Value.TrackId, Is.EqualTo(1));
    }

    [Test]
    public void Select_InvalidPose_ReturnsNull()
    {
        // Arrange
        var selector = new LeadSelector(LeadSelectorOptions.Default, EgoLength);

        // Act
        var lead = selector.Select([Track(1, 50, 0)], Ego with { Valid = false }, OwnLane);

        // Assert
        Assert.That(lead, Is.Null);
    }
}
