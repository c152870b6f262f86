using AutomationStack.Configuration;
using AutomationStack.RoadMap;

namespace AutomationStack.RoadMap.Tests;

public sealed class MapFileTests
{
    private const string ValidMap = """
        format: automationstack-map/1
        name: test
        roads:
          - id: R
            lane_count: 2
            lane_width: 3.5
            speed_limit_kph: 90
            start: {x: 10, y: 20, heading_deg: 90}
            segments:
              - straight: {length: 100}
              - arc: {length: 157.07963267948966, radius: 100}
            elevation:
              - {s: 0, z: 0}
              - {s: 100, z: 3}
        """;

    private static string CorridorPath =>
        Path.Combine(TestContext.CurrentContext.TestDirectory, "../../../../../sim-bridge/maps/corridor-a.yaml");

    [Test]
    public void Load_CorridorA_IsAtLeastFiveKilometres()
    {
        var map = MapFile.Load(CorridorPath);

        Assert.That(map.Name, Is.EqualTo("corridor-a"));
        Assert.That(map.Lanes.Select(l => l.Id), Is.EqualTo(new[] { "A1/0", "A1/1" }));
        Assert.That(map.GetLane("A1/0").Centreline.Length, Is.GreaterThanOrEqualTo(5000));
        Assert.That(map.GetLane("A1/1").Centreline.Length, Is.GreaterThanOrEqualTo(5000));
    }

    [Test]
    public void Load_CorridorA_HasGradeSection()
    {
        var lane = MapFile.Load(CorridorPath).GetLane("A1/0");

        var maxGrade = Enumerable.Range(0, 600).Max(i => lane.Elevation.GradeAt(i * 10.0));
        var minGrade = Enumerable.Range(0, 600).Min(i => lane.Elevation.GradeAt(i * 10.0));

        Assert.That(maxGrade, Is.EqualTo(0.03).Within(0.001));
        Assert.That(minGrade, Is.EqualTo(-0.02).Within(0.001));
        Assert.That(lane.Elevation.Heights.ToArray().Max(), Is.EqualTo(24));
    }

    [Test]
    public void Load_CorridorA_LanesAreLaneWidthApart()
    {
        var map = MapFile.Load(CorridorPath);
        var right = map.GetLane("A1/0");
        var left = map.GetLane("A1/1");

        foreach (var s in new[] { 100.0, 1600.0, 3000.0, 3900.0, 5500.0 })
        {
            var (p, _) = left.Centreline.Evaluate(s);
            var projection = right.Centreline.Project(p);
            Assert.That(projection.Offset, Is.EqualTo(3.5).Within(0.01), $"at s = {s}");
        }

        Assert.That(right.LeftNeighbourId, Is.EqualTo("A1/1"));
        Assert.That(right.RightNeighbourId, Is.Null);
        Assert.That(left.RightNeighbourId, Is.EqualTo("A1/0"));
        Assert.That(left.LeftNeighbourId, Is.Null);
    }

    [Test]
    public void Parse_Valid_SamplesAtMostTwoMetresApart()
    {
        var map = MapFile.Parse(ValidMap, "m.yaml");

        foreach (var lane in map.Lanes)
        {
            var s = lane.Centreline.ArcLengths.ToArray();
            var maxStep = s.Zip(s.Skip(1), (a, b) => b - a).Max();
            Assert.That(maxStep, Is.LessThanOrEqualTo(MapFile.MaxSampleSpacing + 1e-9));
        }
    }

    [Test]
    public void Parse_Valid_LaneGeometryFollowsReferenceLine()
    {
        var map = MapFile.Parse(ValidMap, "m.yaml");
        var lane0 = map.GetLane("R/0");
        var lane1 = map.GetLane("R/1");

        // Heading north from (10, 20): right of the reference line is +x. Lane 0 (rightmost) centre at 5.25 m, lane 1 at 1.75 m.
        Assert.That(lane0.Centreline.Points[0].X, Is.EqualTo(15.25).Within(1e-9));
        Assert.That(lane1.Centreline.Points[0].X, Is.EqualTo(11.75).Within(1e-9));
        Assert.That(lane0.SpeedLimit, Is.EqualTo(25).Within(1e-9));

        // Quarter circle to the left with radius 100: lane 0 runs at radius 105.25, ending heading west.
        var (end, heading) = lane0.Centreline.Evaluate(lane0.Centreline.Length);
        Assert.That(end.X, Is.EqualTo(10 - 100).Within(0.01));
        Assert.That(end.Y, Is.EqualTo(20 + 100 + 105.25).Within(0.01));
        Assert.That(Math.Abs(heading), Is.EqualTo(Math.PI).Within(0.02));
        Assert.That(lane0.Centreline.Length, Is.EqualTo(100 + (Math.PI / 2 * 105.25)).Within(0.01));
    }

    [Test]
    public void Parse_Valid_ElevationIsMappedToLaneArcLength()
    {
        var lane = MapFile.Parse(ValidMap, "m.yaml").GetLane("R/0");

        Assert.That(lane.Elevation.HeightAt(50), Is.EqualTo(1.5).Within(1e-9));
        Assert.That(lane.Elevation.HeightAt(1000), Is.EqualTo(3));
    }

    [Test]
    public void Parse_NoElevation_IsFlat()
    {
        var text = ValidMap[..ValidMap.IndexOf("    elevation:", StringComparison.Ordinal)];

        var lane = MapFile.Parse(text, "m.yaml").GetLane("R/1");

        Assert.That(lane.Elevation.HeightAt(100), Is.Zero);
    }

    [Test]
    public void Parse_SeveralProblems_ReportsAllWithLocations()
    {
        const string text = """
            format: automationstack-map/1
            name: bad
            roads:
              - id: R
                lane_count: 2
                lane_width: 3.5
                speed_limit_kph: 90
                start: {x: 0, y: 0}
                segments:
                  - straight: {length: -5}
                  - arc: {length: 10, radius: 4}
                  - bend: {length: 3}
                elevation:
                  - {s: 1, z: 0}
            """;

        var ex = Assert.Throws<ConfigurationException>(() => MapFile.Parse(text, "bad.yaml"));

        Assert.That(ex.Errors.Select(e => e.Field), Is.EquivalentTo(new[]
        {
            "roads[0].segments[0].straight.length",
            "roads[0].segments[1].arc.radius",
            "roads[0].segments[2].bend",
            "roads[0].segments[2]",
            "roads[0].elevation[0].s",
        }));
        Assert.That(ex.Message, Does.Contain("bad.yaml:10:").And.Contain("got -5"));
        Assert.That(ex.Message, Does.Contain("bad.yaml:11:").And.Contain("outermost lane offset 5.25 m (positive turns left), got 4"));
        Assert.That(ex.Message, Does.Contain("unknown field 'bend' (expected one of: straight, arc)"));
    }

    [Test]
    public void Parse_DecreasingStations_Reported()
    {
        var text = ValidMap.Replace("{s: 100, z: 3}", "{s: 100, z: 3}\n      - {s: 50, z: 3}", StringComparison.Ordinal);

        var ex = Assert.Throws<ConfigurationException>(() => MapFile.Parse(text, "m.yaml"));

        Assert.That(ex.Errors.Single().Field, Is.EqualTo("roads[0].elevation[2].s"));
    }

    [Test]
    public void Parse_WrongFormat_Reported()
    {
        var text = ValidMap.Replace("automationstack-map/1", "automationstack-map/2", StringComparison.Ordinal);

        var ex = Assert.Throws<ConfigurationException>(() => MapFile.Parse(text, "m.yaml"));

        Assert.That(ex.Message, Does.StartWith("m.yaml:1:9: format: expected 'automationstack-map/1', got \"automationstack-map/2\""));
    }

    [Test]
    public void Load_MissingFile_ThrowsNamingPath()
    {
        var ex = Assert.Throws<ConfigurationException>(() => MapFile.Load("no/such/map.yaml"));

        Assert.That(ex.Message, Does.Contain("no/such/map.yaml"));
    }
}
