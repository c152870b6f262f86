using AutomationStack.Contracts;
using AutomationStack.Geometry;
using AutomationStack.RoadMap;

namespace AutomationStack.Simulation.Tests;

/// <summary>Small maps and option sets built in code for the simulator tests.</summary>
internal static class TestWorlds
{
    public const double LaneWidth = 3.5;
    public const double DefaultLength = 5000;
    public const double PointSpacing = 50;
    public const ulong Seed = 42;
    public const string LaneZero = "road.0";
    public const string LaneOne = "road.1";

    /// <summary>Straight lanes along +x: lane i centred at y = i·LaneWidth (lane 0 rightmost), constant grade.</summary>
    public static RoadNetwork Straight(int laneCount = 1, double length = DefaultLength, double grade = 0)
    {
        var lanes = new List<Lane>();
        var elevation = grade == 0 ? ElevationProfile.Flat : new ElevationProfile([0.0, length], [0.0, grade * length]);
        for (var i = 0; i < laneCount; i++)
        {
            var points = new List<Vec2>();
            for (var x = 0.0; x <= length; x += PointSpacing)
            {
                points.Add(new Vec2(x, i * LaneWidth));
            }

            lanes.Add(new Lane(
                $"road.{i}",
                "road",
                i,
                new Polyline(points),
                LaneWidth,
                SpeedLimit: 25,
                elevation,
                i + 1 < laneCount ? $"road.{i + 1}" : null,
                i > 0 ? $"road.{i - 1}" : null));
        }

        return new RoadNetwork("straight", lanes);
    }

    /// <summary>Options with every sensor noise off, radar detection certain and a loss-free V2X channel.</summary>
    public static WorldOptions NoiseFree() => new()
    {
        Ego = new EgoSensorOptions
        {
            GnssPositionNoise = 0,
            GnssHeadingNoise = 0,
            OdometrySpeedNoise = 0,
            ImuAccelerationNoise = 0,
            ImuYawRateNoise = 0,
        },
        Radar = new RadarOptions { RangeNoise = 0, RangeRateNoise = 0, AzimuthNoise = 0, DetectionProbability = 1 },
        V2x = new V2xChannelOptions { LossProbability = 0 },
    };

    /// <summary>The default truck with practically unlimited engine power (isolates the acceleration limits and lag).</summary>
    public static TruckParameters StrongTruck { get; } = TruckParameters.Default with { MaxPower = 1e9 };

    public static void Run(World world, double seconds)
    {
        var steps = (int)Math.Round(seconds / world.Options.StepLength);
        for (var i = 0; i < steps; i++)
        {
            world.Step();
        }
    }

    /// <summary>Rear-axle position reconstructed from the public centre pose.</summary>
    public static Vec2 RearAxle(SimVehicle v) =>
        new Vec2(v.X, v.Y) - (Vec2.FromHeading(v.Heading) * v.Body.RearAxleToCentre);
}
