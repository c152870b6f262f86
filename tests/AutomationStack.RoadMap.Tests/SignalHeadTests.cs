using AutomationStack.Configuration;
using AutomationStack.RoadMap;

namespace AutomationStack.RoadMap.Tests;

public sealed class SignalHeadTests
{
    private const string Roads = """
        format: automationstack-map/1
        name: heads
        roads:
          - id: R
            lane_count: 2
            lane_width: 3.5
            speed_limit_kph: 90
            start: {x: 0, y: 0}
            segments:
              - straight: {length: 500}
        """;

    private static string SignalsMapPath =>
        Path.Combine(TestContext.CurrentContext.TestDirectory, "../../../../../sim-bridge/maps/corridor-a-signals.yaml");

    [Test]
    public void Parse_NoSignalHeads_EmptyList()
    {
        var map = MapFile.Parse(Roads, "m.yaml");

        Assert.That(map.SignalHeads, Is.Empty);
    }

    [Test]
    public void Parse_SignalHeads_PositionHeightHeadingInRadiansAndLanes()
    {
        var text = Roads + """

            signal_heads:
              - {id: S1, x: 200, y: 0.8, height: 2.6, heading_deg: 180, lanes: [R/0, R/1]}
              - {id: S2, x: 300.5, y: -8, height: 5.5, heading_deg: -90}
            """;

        var map = MapFile.Parse(text, "m.yaml");

        Assert.That(map.SignalHeads.Select(h => h.Id), Is.EqualTo(new[] { "S1", "S2" }));
        var s1 = map.SignalHeads[0];
        Assert.That((s1.X, s1.Y, s1.Height), Is.EqualTo((200.0, 0.8, 2.6)));
        Assert.That(s1.Heading, Is.EqualTo(Math.PI).Within(1e-12));
        Assert.That(s1.LaneIds, Is.EqualTo(new[] { "R/0", "R/1" }));
        Assert.That(map.SignalHeads[1].Heading, Is.EqualTo(-Math.PI / 2).Within(1e-12));
        Assert.That(map.SignalHeads[1].LaneIds, Is.Empty);
    }

    [Test]
    public void Parse_BadSignalHeads_EveryProblemWithLocation()
    {
        var text = Roads + """

            signal_heads:
              - {id: S1, x: 200, y: 0.8, height: 2.6, heading_deg: 180, lanes: [R/7]}
              - {id: S1, x: 210, y: 0.8, height: -1, heading_deg: 180}
              - {id: S3, y: 0.8, height: 3, heading_deg: 400, colour: red}
            """;

        var ex = Assert.Throws<ConfigurationException>(() => MapFile.Parse(text, "m.yaml"));

        Assert.That(ex.Errors.Select(e => e.Field), Is.EquivalentTo(new[]
        {
            "signal_heads[0].lanes[0]",
            "signal_heads[1].id",
            "signal_heads[1].height",
            "signal_heads[2].x",
            "signal_heads[2].heading_deg",
            "signal_heads[2].colour",
        }));
        Assert.That(ex.Message, Does.Contain("m.yaml:12:").And.Contain("signal_heads[0].lanes[0]: expected a lane id of this map (R/0, R/1), got \"R/7\""));
        Assert.That(ex.Message, Does.Contain("m.yaml:13:").And.Contain("duplicate signal head id 'S1'"));
        Assert.That(ex.Message, Does.Contain("signal_heads[1].height: expected a height of the housing's bottom above the road in metres from 0 to 20, got -1"));
        Assert.That(ex.Message, Does.Contain("signal_heads[2].x: required field is missing"));
        Assert.That(ex.Message, Does.Contain("unknown field 'colour' (expected one of: id, x, y, height, heading_deg, lanes)"));
    }

    [Test]
    public void Parse_SignalHeadsNotAList_Reported()
    {
        var ex = Assert.Throws<ConfigurationException>(() => MapFile.Parse(Roads + "\nsignal_heads: {id: S1}\n", "m.yaml"));

        Assert.That(ex.Errors.Single().Field, Is.EqualTo("signal_heads"));
        Assert.That(ex.Message, Does.Contain("expected a list of signal heads"));
    }

    [Test]
    public void Load_ShippedSignalsMap_HasHeadsControllingItsLanes()
    {
        var map = MapFile.Load(SignalsMapPath);

        Assert.That(map.SignalHeads, Has.Count.GreaterThanOrEqualTo(4));
        Assert.That(map.SignalHeads.SelectMany(h => h.LaneIds).All(id => map.TryGetLane(id, out _)), Is.True);
    }

    [Test]
    public void RoadNetwork_DuplicateHeadIds_ArgumentException()
    {
        var heads = new[] { new SignalHeadSite("S", 0, 0, 3, 0, []), new SignalHeadSite("S", 1, 0, 3, 0, []) };

        Assert.Throws<ArgumentException>(() => _ = new RoadNetwork("m", [], heads));
    }
}
