using AutomationStack.Configuration;
using AutomationStack.RoadMap;

namespace AutomationStack.RoadMap.Tests;

public sealed class IntersectionTests
{
    private const string Roads = """
        format: automationstack-map/1
        name: crossing
        roads:
          - id: R
            lane_count: 2
            lane_width: 3.5
            speed_limit_kph: 90
            start: {x: 0, y: 0}
            segments:
              - straight: {length: 500}
          - id: C
            lane_count: 1
            lane_width: 3.5
            speed_limit_kph: 50
            start: {x: 250, y: -50, heading_deg: 90}
            segments:
              - straight: {length: 100}
        signal_heads:
          - {id: H1, x: 240, y: -7.9, height: 2.5, heading_deg: 180, lanes: [R/0, R/1]}
          - {id: H2, x: 252, y: -9, height: 2.5, heading_deg: -90, lanes: [C/0]}
        """;

    private static string SignalsMapPath =>
        Path.Combine(TestContext.CurrentContext.TestDirectory, "../../../../../sim-bridge/maps/corridor-a-signals.yaml");

    [Test]
    public void Parse_NoIntersections_EmptyList()
    {
        var map = MapFile.Parse(Roads, "m.yaml");

        Assert.That(map.Intersections, Is.Empty);
    }

    [Test]
    public void Parse_Intersection_GroupsHeadsIngressStopLinesAndEgress()
    {
        var text = Roads + """

            intersections:
              - id: 7
                x: 245
                y: -10
                signal_groups:
                  - id: 1
                    heads: [H1]
                    ingress:
                      - {lane: R/0, stop_line_s: 238, egress: [R/0]}
                      - {lane: R/1, stop_line_s: 238.5, egress: [R/1, R/0]}
                  - id: 2
                    heads: [H2]
                    ingress:
                      - {lane: C/0, stop_line_s: 40, egress: [C/0]}
            """;

        var map = MapFile.Parse(text, "m.yaml");

        var x = map.Intersections.Single();
        Assert.That((x.Id, x.X, x.Y), Is.EqualTo((7, 245.0, -10.0)));
        Assert.That(x.SignalGroups.Select(g => g.Id), Is.EqualTo(new[] { 1, 2 }));
        Assert.That(x.SignalGroups[0].HeadIds, Is.EqualTo(new[] { "H1" }));
        Assert.That(x.SignalGroups[0].Ingress[1], Is.EqualTo(new IngressLane("R/1", 238.5, x.SignalGroups[0].Ingress[1].EgressLaneIds)));
        Assert.That(x.SignalGroups[0].Ingress[1].EgressLaneIds, Is.EqualTo(new[] { "R/1", "R/0" }));
        Assert.That(x.FindGroupOfIngress("C/0")!.Id, Is.EqualTo(2));
        Assert.That(x.FindGroup(3), Is.Null);
    }

    [Test]
    public void Parse_BadIntersections_EveryProblemNamedWithLocation()
    {
        var text = Roads + """

            intersections:
              - id: 1
                x: 245
                y: -10
                signal_groups:
                  - id: 1
                    heads: [H9]
                    ingress:
                      - {lane: R/5, stop_line_s: 238, egress: [R/0]}
                      - {lane: R/1, stop_line_s: 900, egress: [Q/0]}
                  - id: 1
                    heads: [H2]
                    ingress: []
              - id: 1
                y: -10
                colour: red
                signal_groups:
                  - id: 300
                    heads: [H2]
                    ingress:
                      - {lane: C/0, stop_line_s: 40, egress: [C/0]}
            """;

        var ex = Assert.Throws<ConfigurationException>(() => MapFile.Parse(text, "m.yaml"));

        Assert.That(ex.Errors.Select(e => e.Field), Is.EquivalentTo(new[]
        {
            "intersections[0].signal_groups[0].heads[0]",
            "intersections[0].signal_groups[0].ingress[0].lane",
            "intersections[0].signal_groups[0].ingress[1].stop_line_s",
            "intersections[0].signal_groups[0].ingress[1].egress[0]",
            "intersections[0].signal_groups[1].id",
            "intersections[0].signal_groups[1].ingress",
            "intersections[1].id",
            "intersections[1].x",
            "intersections[1].colour",
            "intersections[1].signal_groups[0].id",
            "intersections[1].signal_groups[0].heads[0]",
        }));
        Assert.That(ex.Message, Does.Contain("m.yaml:27:17:").And.Contain("intersections[0].signal_groups[0].heads[0]: expected a signal head id of this map (H1, H2), got \"H9\""));
        Assert.That(ex.Message, Does.Contain("ingress[0].lane: expected a lane id of this map (R/0, R/1, C/0), got \"R/5\""));
        Assert.That(ex.Message, Does.Contain("ingress[1].stop_line_s: expected the stop line as arc length along the lane in metres from 0 to the lane length 500"));
        Assert.That(ex.Message, Does.Contain("egress[0]: expected a lane id of this map (R/0, R/1, C/0), got \"Q/0\""));
        Assert.That(ex.Message, Does.Contain("duplicate signal group id 1 in this intersection"));
        Assert.That(ex.Message, Does.Contain("duplicate intersection id 1"));
        Assert.That(ex.Message, Does.Contain("signal head 'H2' is already driven by intersection 1 group 1 (a head belongs to one signal group)"));
    }

    [Test]
    public void Load_CorridorASignals_CrossingWithTwoGroups()
    {
        var map = MapFile.Load(SignalsMapPath);

        var x = map.Intersections.Single();
        Assert.That(x.Id, Is.EqualTo(1));
        Assert.That(x.SignalGroups[0].HeadIds, Is.EqualTo(new[] { "J1", "J2", "J5" }));
        Assert.That(x.SignalGroups[1].HeadIds, Is.EqualTo(new[] { "J3", "J4" }));
        var a1 = map.GetLane("A1/0");
        var stop = a1.Centreline.Evaluate(x.SignalGroups[0].Ingress[0].StopLineS).Point;
        Assert.That(stop.X, Is.EqualTo(882).Within(0.5), "A1 stop line 3 m before J1");
        var b1 = map.GetLane("B1/0");
        var stopB = b1.Centreline.Evaluate(x.SignalGroups[1].Ingress[0].StopLineS).Point;
        Assert.That(stopB.Y, Is.EqualTo(-10).Within(0.01), "B1 stop line south of the carriageway");
    }
}
