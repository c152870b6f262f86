using AutomationStack.Contracts;
using AutomationStack.Geometry;
using AutomationStack.RoadMap;

namespace AutomationStack.Vehicle.Pipeline.Tests;

/// <summary>
/// Test-only world: a leader and a follower truck on a straight 5 km lane (plus a left neighbour), point mass with
/// first-order actuator lag, kinematic bicycle steering for the follower, measurements synthesised with small seeded
/// noise, radar detection of the leader's rear from geometry.
/// </summary>
internal sealed class TwoTruckWorld
{
    public const double Dt = 0.05;
    public const string LaneId = "r0_l0";
    private const double LaneWidth = 3.5;
    private const double LaneLength = 5000.0;
    private const double GnssNoise = 0.1;
    private const double HeadingNoise = 0.002;
    private const double SpeedNoise = 0.02;
    private const double AccelNoise = 0.05;
    private const double RangeNoise = 0.1;
    private const double RangeRateNoise = 0.05;
    private const double AzimuthNoise = 0.001;

    private readonly Random _rng;
    private long _frame;

    public TwoTruckWorld(double leaderGap, double speed, double followerOffset = 0.0, int seed = 3)
    {
        _rng = new Random(seed);
        Truck = TruckParameters.Default;
        var own = new Lane(LaneId, "r0", 0, new Polyline([new Vec2(0, 0), new Vec2(LaneLength, 0)]), LaneWidth, 25, ElevationProfile.Flat, "r0_l1", null);
        var left = new Lane("r0_l1", "r0", 1, new Polyline([new Vec2(0, LaneWidth), new Vec2(LaneLength, LaneWidth)]), LaneWidth, 25, ElevationProfile.Flat, null, LaneId);
        Session = new VehicleSession("follower", 2, Truck, new RoadNetwork("straight", [own, left]), Dt, 1, 7, new Dictionary<string, double>());
        FollowerX = 100.0;
        FollowerY = followerOffset;
        FollowerSpeed = speed;
        LeaderX = FollowerX + Truck.Length + leaderGap;
        LeaderSpeed = speed;
    }

    public TruckParameters Truck { get; }

    public VehicleSession Session { get; }

    public double Time => _frame * Dt;

    public double LeaderX { get; private set; }

    public double LeaderSpeed { get; private set; }

    public double LeaderAcceleration { get; private set; }

    public double FollowerX { get; private set; }

    public double FollowerY { get; private set; }

    public double FollowerHeading { get; private set; }

    public double FollowerSpeed { get; private set; }

    public double FollowerAcceleration { get; private set; }

    /// <summary>Bumper-to-rear gap, m.</summary>
    public double Gap => LeaderX - FollowerX - Truck.Length;

    public bool LeaderVisible { get; set; } = true;

    public SensorFrame Frame(double setSpeed, double brakePedal = 0.0)
    {
        var stamp = Units.SecondsToNanoseconds(Time);
        var ego = new EgoMeasurement(
            stamp,
            FollowerX + (GnssNoise * Noise()),
            FollowerY + (GnssNoise * Noise()),
            FollowerHeading + (HeadingNoise * Noise()),
            FollowerSpeed + (SpeedNoise * Noise()),
            FollowerAcceleration + (AccelNoise * Noise()),
            0.0,
            true);
        RadarDetection[] radar = LeaderVisible ? [DetectLeader()] : [];
        return new SensorFrame(_frame, stamp, ego, radar, [], new DriverInput(setSpeed, brakePedal), LaneId);
    }

    public void Advance(ActuationCommand followerCommand, double leaderCommand)
    {
        LeaderAcceleration += (leaderCommand - LeaderAcceleration) * Dt / Truck.ActuatorTimeConstant;
        var vl = Math.Max(LeaderSpeed + (LeaderAcceleration * Dt), 0.0);
        LeaderX += 0.5 * (LeaderSpeed + vl) * Dt;
        LeaderSpeed = vl;

        FollowerAcceleration += (followerCommand.Acceleration - FollowerAcceleration) * Dt / Truck.ActuatorTimeConstant;
        var vf = Math.Max(FollowerSpeed + (FollowerAcceleration * Dt), 0.0);
        var v = 0.5 * (FollowerSpeed + vf);

        // Kinematic bicycle about the rear axle; the state is the centre.
        var rearX = FollowerX - (Truck.RearAxleToCentre * Math.Cos(FollowerHeading));
        var rearY = FollowerY - (Truck.RearAxleToCentre * Math.Sin(FollowerHeading));
        rearX += v * Math.Cos(FollowerHeading) * Dt;
        rearY += v * Math.Sin(FollowerHeading) * Dt;
        FollowerHeading += v / Truck.Wheelbase * Math.Tan(followerCommand.SteeringAngle) * Dt;
        FollowerX = rearX + (Truck.RearAxleToCentre * Math.Cos(FollowerHeading));
        FollowerY = rearY + (Truck.RearAxleToCentre * Math.Sin(FollowerHeading));
        FollowerSpeed = vf;
        _frame++;
    }

    private RadarDetection DetectLeader()
    {
        var h = FollowerHeading;
        var bumper = new Vec2(FollowerX, FollowerY) + (Vec2.FromHeading(h) * (Truck.Length / 2));
        var rear = new Vec2(LeaderX - (Truck.Length / 2), 0.0);
        var rel = (rear - bumper).Rotate(-h);
        var relVelocity = (new Vec2(LeaderSpeed, 0.0) - (Vec2.FromHeading(h) * FollowerSpeed)).Rotate(-h);
        var range = rel.Length;
        var rangeRate = Vec2.Dot(rel, relVelocity) / range;
        return new RadarDetection(
            range + (RangeNoise * Noise()),
            rangeRate + (RangeRateNoise * Noise()),
            Math.Atan2(rel.Y, rel.X) + (AzimuthNoise * Noise()));
    }

    /// <summary>Roughly standard normal (sum of uniforms), seeded.</summary>
    private double Noise()
    {
        var sum = 0.0;
        for (var i = 0; i < 12; i++)
        {
            sum += _rng.NextDouble();
        }

        return sum - 6.0;
    }
}
