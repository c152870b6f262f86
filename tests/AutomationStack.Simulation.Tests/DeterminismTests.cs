using AutomationStack.Contracts;

namespace AutomationStack.Simulation.Tests;

public class DeterminismTests
{
    [Test]
    public void Run_SameSeedAndCalls_BitIdenticalStatesAndMeasurements()
    {
        var first = Record(TestWorlds.Seed, measureOthers: true);
        var second = Record(TestWorlds.Seed, measureOthers: true);

        Assert.That(second, Is.EqualTo(first));
    }

    [Test]
    public void Run_DifferentSeed_DifferentMeasurements()
    {
        var a = new World(TestWorlds.Straight(), new WorldOptions(), 1);
        var b = new World(TestWorlds.Straight(), new WorldOptions(), 2);
        a.AddTruck("t", TruckParameters.Default, TestWorlds.LaneZero, 100, 20);
        b.AddTruck("t", TruckParameters.Default, TestWorlds.LaneZero, 100, 20);

        var ma = a.MeasureEgo("t");
        var mb = b.MeasureEgo("t");

        Assert.That(ma.X, Is.Not.EqualTo(mb.X));
        Assert.That(ma.Speed, Is.Not.EqualTo(mb.Speed));
    }

    [Test]
    public void MeasureEgo_OtherVehiclesMeasuredOrNot_OwnStreamUnchanged()
    {
        var withOthers = Record(TestWorlds.Seed, measureOthers: true, onlyTruckOne: true);
        var withoutOthers = Record(TestWorlds.Seed, measureOthers: false, onlyTruckOne: true);

        Assert.That(withoutOthers, Is.EqualTo(withOthers));
    }

    /// <summary>Runs a mixed scenario and returns every state and measurement value as raw bits.</summary>
    private static List<long> Record(ulong seed, bool measureOthers, bool onlyTruckOne = false)
    {
        var options = new WorldOptions
        {
            Ego = new EgoSensorOptions { GnssDropoutProbability = 0.1 },
            V2x = new V2xChannelOptions { LossProbability = 0.2 },
        };
        var world = new World(TestWorlds.Straight(laneCount: 2), options, seed);
        world.AddTruck("t1", TruckParameters.Default, TestWorlds.LaneZero, 300, 22);
        world.AddTruck("t2", TruckParameters.Default, TestWorlds.LaneZero, 250, 22);
        for (var i = 0; i < 4; i++)
        {
            world.AddBackground($"car{i}", BackgroundBodies.Car, new IdmParameters(), i % 2 == 0 ? TestWorlds.LaneOne : TestWorlds.LaneZero, 320 + (40 * i), 20);
        }

        var bits = new List<long>();
        var radar = new List<RadarDetection>();
        var inbox = new List<V2xMessage>();
        for (var k = 0; k < 600; k++)
        {
            world.SetCommand("t1", new ActuationCommand(Math.Sin(k * 0.01), 0.002 * Math.Cos(k * 0.02)));
            if (k == 300)
            {
                world.StartMinimalRiskStop("t2");
            }

            world.Step();
            Add(bits, world.MeasureEgo("t1"));
            world.MeasureRadar("t1", radar);
            foreach (var d in radar)
            {
                bits.Add(BitConverter.DoubleToInt64Bits(d.Range));
                bits.Add(BitConverter.DoubleToInt64Bits(d.RangeRate));
                bits.Add(BitConverter.DoubleToInt64Bits(d.Azimuth));
            }

            if (measureOthers && k % 3 == 0)
            {
                world.MeasureEgo("t2");
                world.MeasureRadar("t2", radar);
                world.SendV2x("t2", new byte[] { (byte)k });
            }

            world.ReceiveV2x("t1", inbox);
            if (!onlyTruckOne)
            {
                foreach (var m in inbox)
                {
                    bits.Add(m.StampNs);
                }

                foreach (var v in world.Vehicles)
                {
                    bits.Add(BitConverter.DoubleToInt64Bits(v.X));
                    bits.Add(BitConverter.DoubleToInt64Bits(v.Y));
                    bits.Add(BitConverter.DoubleToInt64Bits(v.Heading));
                    bits.Add(BitConverter.DoubleToInt64Bits(v.Speed));
                    bits.Add(BitConverter.DoubleToInt64Bits(v.Acceleration));
                    bits.Add(BitConverter.DoubleToInt64Bits(v.SteeringAngle));
                }
            }
        }

        bits.Add(world.CollisionCount);
        return bits;
    }

    private static void Add(List<long> bits, EgoMeasurement m)
    {
        bits.Add(m.StampNs);
        bits.Add(BitConverter.DoubleToInt64Bits(m.X));
        bits.Add(BitConverter.DoubleToInt64Bits(m.Y));
        bits.Add(BitConverter.DoubleToInt64Bits(m.Heading));
        bits.Add(BitConverter.DoubleToInt64Bits(m.Speed));
        bits.Add(BitConverter.DoubleToInt64Bits(m.LongitudinalAcceleration));
        bits.Add(BitConverter.DoubleToInt64Bits(m.YawRate));
        bits.Add(m.GnssValid ? 1 : 0);
    }
}
