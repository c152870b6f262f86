namespace AutomationStack.Evaluation.Tests;

internal sealed class SignalKpiAccumulatorTests
{
    private static readonly StopLineSite Line = new(1, 1, "A1/0", 100);

    private static VehicleSample Truck(string id, double front, double speed) => new(id, "A1/0", front - 8, 16, speed);

    [Test]
    public void Observe_FrontCrossesOnRed_CountsViolation()
    {
        var k = new SignalKpiAccumulator(["t1"], [Line]);

        k.Observe(0, [Truck("t1", 99, 10)], [LineSignalState.Red]);
        k.Observe(0.1, [Truck("t1", 100.5, 10)], [LineSignalState.Red]);

        Assert.That(k.Result(0).RedLightViolations, Is.EqualTo(1));
        Assert.That(k.Result(0).Crossings, Is.EqualTo(1));
    }

    [Test]
    public void Observe_CrossOnGreenAndAmber_NoViolationAmberCounted()
    {
        var k = new SignalKpiAccumulator(["t1", "t2"], [Line]);

        k.Observe(0, [Truck("t1", 99, 10), Truck("t2", 60, 10)], [LineSignalState.Green]);
        k.Observe(0.1, [Truck("t1", 101, 10), Truck("t2", 99.5, 10)], [LineSignalState.Green]);
        k.Observe(0.2, [Truck("t1", 102, 10), Truck("t2", 100.5, 10)], [LineSignalState.Amber]);

        Assert.That(k.Result(0).RedLightViolations, Is.Zero);
        Assert.That(k.Result(1).AmberCrossings, Is.EqualTo(1));
    }

    [Test]
    public void PlatoonCrossings_FollowerStoppedAndCrossedNextGreen_NotIntact()
    {
        var k = new SignalKpiAccumulator(["t1", "t2"], [Line]);
        k.Observe(0, [Truck("t1", 99, 10), Truck("t2", 70, 10)], [LineSignalState.Green]);
        k.Observe(0.1, [Truck("t1", 101, 10), Truck("t2", 75, 10)], [LineSignalState.Green]);
        k.Observe(5, [Truck("t1", 150, 10), Truck("t2", 98, 0)], [LineSignalState.Red]);
        k.Observe(40, [Truck("t1", 500, 10), Truck("t2", 99.9, 1)], [LineSignalState.Green]);
        k.Observe(41, [Truck("t1", 510, 10), Truck("t2", 100.5, 3)], [LineSignalState.Green]);

        var crossings = k.PlatoonCrossings(["t1", "t2"]);

        Assert.That(crossings, Has.Count.EqualTo(1));
        Assert.That(crossings[0].Intact, Is.False);
        Assert.That(k.Result(1).Stops, Is.EqualTo(1));
        Assert.That(k.Result(1).RedLightViolations, Is.Zero);
    }

    [Test]
    public void PlatoonCrossings_AllInSameGreen_Intact()
    {
        var k = new SignalKpiAccumulator(["t1", "t2"], [Line]);
        k.Observe(0, [Truck("t1", 99, 20), Truck("t2", 70, 20)], [LineSignalState.Green]);
        k.Observe(0.1, [Truck("t1", 101, 20), Truck("t2", 72, 20)], [LineSignalState.Green]);
        k.Observe(1.6, [Truck("t1", 131, 20), Truck("t2", 102, 20)], [LineSignalState.Amber]);

        Assert.That(k.PlatoonCrossings(["t1", "t2"])[0].Intact, Is.True);
    }

    [Test]
    public void Observe_Accelerating_TractionEnergyIsKineticGain()
    {
        var k = new SignalKpiAccumulator(["t1"], [Line]);
        for (var i = 0; i <= 100; i++)
        {
            k.Observe(i * 0.1, [Truck("t1", 0, i * 0.1)], [LineSignalState.Green]);
        }

        // 0 → 10 m/s: ½·v² = 50 J/kg.
        Assert.That(k.Result(0).TractionEnergy, Is.EqualTo(50).Within(1e-9));
    }

    [Test]
    public void Observe_WrongStateCount_Throws()
    {
        var k = new SignalKpiAccumulator(["t1"], [Line]);

        Assert.Throws<ArgumentException>(() => k.Observe(0, [Truck("t1", 0, 0)], []));
    }
}
