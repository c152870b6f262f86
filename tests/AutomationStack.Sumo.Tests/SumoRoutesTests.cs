using System.Globalization;
using System.Xml.Linq;
using AutomationStack.Contracts;
using AutomationStack.Scenarios;
using AutomationStack.Simulation;

namespace AutomationStack.Sumo.Tests;

/// <summary>The SUMO route file for a scenario's traffic streams (pure: no SUMO needed).</summary>
public sealed class SumoRoutesTests
{
    private static readonly SumoEdgePiece[] Edges =
    [
        new("A1.0", "A1", 0, 3000, 2),
        new("A1.1", "A1", 3000, 6000, 2),
        new("B1.0", "B1", 0, 200, 1),
    ];

    private static SumoSettings Settings(params SumoTrafficStream[] streams) => new(0.1, 1, streams, 30);

    private static SumoTrafficStream Cars(int initial, double perHour = 0) =>
        new("A1", "A1", "car", BackgroundBodies.Car, initial, perHour, 30);

    private static SumoTrafficStream Trucks(int initial) =>
        new("A1", "A1", "truck-40t", TruckParameters.Default, initial, 0, 24);

    private static readonly TruckFootprint[] Truck = [new("truck1", "A1", 1000, TruckParameters.Default)];

    [Test]
    public void Build_SameInputs_SameBytes()
    {
        var a = SumoRoutes.Build(Settings(Cars(100, 600), Trucks(10)), Edges, Truck, 60, 42);
        var b = SumoRoutes.Build(Settings(Cars(100, 600), Trucks(10)), Edges, Truck, 60, 42);
        var c = SumoRoutes.Build(Settings(Cars(100, 600), Trucks(10)), Edges, Truck, 60, 43);

        Assert.That(b, Is.EqualTo(a));
        Assert.That(c, Is.Not.EqualTo(a), "another seed places the vehicles elsewhere");
    }

    [Test]
    public void Build_InitialVehicles_OnePerIdClearOfTrucksAndOfEachOther()
    {
        var xml = XDocument.Parse(SumoRoutes.Build(Settings(Cars(200), Trucks(20)), Edges, Truck, 60, 42));

        var trips = xml.Root!.Elements("trip").ToList();
        Assert.That(trips, Has.Count.EqualTo(220));
        Assert.That(trips.Select(t => (string)t.Attribute("id")!).Distinct().Count(), Is.EqualTo(220));
        Assert.That(trips.Count(t => ((string)t.Attribute("id")!).StartsWith("s1.", StringComparison.Ordinal)), Is.EqualTo(20));
        var placed = trips.Select(t =>
        {
            var edge = (string)t.Attribute("from")!;
            var front = double.Parse((string)t.Attribute("departPos")!, CultureInfo.InvariantCulture) + (edge == "A1.1" ? 3000 : 0);
            var length = ((string)t.Attribute("type")!).Contains("truck", StringComparison.Ordinal) ? 16.5 : 4.6;
            return (Lane: (string)t.Attribute("departLane")!, Rear: front - length, Front: front);
        }).ToList();

        foreach (var lane in placed.GroupBy(p => p.Lane))
        {
            var ordered = lane.OrderBy(p => p.Rear).ToList();
            for (var i = 1; i < ordered.Count; i++)
            {
                Assert.That(ordered[i].Rear - ordered[i - 1].Front, Is.GreaterThan(2.0), $"lane {lane.Key} at {ordered[i].Rear:0.#} m");
            }
        }

        // truck1's centre at 1000 m, 16.5 m long, 30 m clearance: no vehicle between 961.75 and 1038.25 m.
        Assert.That(placed.Where(p => p.Front > 961.75 && p.Rear < 1038.25), Is.Empty);
    }

    [Test]
    public void Build_InflowAndTypes_FlowsAndVTypesWritten()
    {
        var xml = XDocument.Parse(SumoRoutes.Build(Settings(Cars(0, 600)), Edges, Truck, 60, 42));

        var flow = xml.Root!.Elements("flow").Single();
        Assert.That((string)flow.Attribute("from")!, Is.EqualTo("A1.0"));
        Assert.That((string)flow.Attribute("to")!, Is.EqualTo("A1.1"));
        Assert.That((string)flow.Attribute("vehsPerHour")!, Is.EqualTo("600"));
        Assert.That((string)flow.Attribute("end")!, Is.EqualTo("60"));
        var types = xml.Root.Elements("vType").Select(t => (string)t.Attribute("id")!).ToList();
        Assert.That(types, Is.EquivalentTo(new[] { SumoRoutes.TypeId("car"), SumoRoutes.StackTypeId("truck1") }));
    }

    [Test]
    public void Build_TooManyForTheRoad_ErrorNamesRoadAndLane()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => SumoRoutes.Build(
            Settings(new SumoTrafficStream("B1", "B1", "car", BackgroundBodies.Car, 20, 0, 10)), Edges, [], 60, 1));

        Assert.That(ex!.Message, Does.Contain("road B1").And.Contain("lane 0"));
    }

    [TestCase("s0.12", 0)]
    [TestCase("f3.0", 3)]
    [TestCase("truck1", -1)]
    [TestCase("s.1", -1)]
    public void StreamOf_VehicleIds_StreamIndex(string id, int expected) =>
        Assert.That(SumoRoutes.StreamOf(id), Is.EqualTo(expected));

    [TestCase(0.0, 90.0)]
    [TestCase(Math.PI / 2, 0.0)]
    [TestCase(Math.PI, 270.0)]
    [TestCase(-Math.PI / 2, 180.0)]
    public void NauticalDegrees_MapHeading_SumoAngleAndBack(double heading, double degrees)
    {
        Assert.That(SumoCoupling.NauticalDegrees(heading), Is.EqualTo(degrees).Within(1e-9));
        Assert.That(Math.Cos(SumoCoupling.HeadingOf(degrees)), Is.EqualTo(Math.Cos(heading)).Within(1e-9));
        Assert.That(Math.Sin(SumoCoupling.HeadingOf(degrees)), Is.EqualTo(Math.Sin(heading)).Within(1e-9));
    }
}
