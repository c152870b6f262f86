using System.Numerics;
using AutomationStack.Contracts;
using AutomationStack.Control;

namespace AutomationStack.Control.Tests;

internal sealed class AccControllerTests
{
    private const double Dt = 0.05;
    private const double Lag = 0.3;
    private const double TruckLength = 16.5;
    private static readonly TruckParameters Truck = TruckParameters.Default;

    private static AccInput Follow(PointMassLag ego, PointMassLag lead, double setSpeed) =>
        new(ego.Speed, setSpeed, true, lead.Position - ego.Position - TruckLength, lead.Speed, lead.Acceleration, 0.0, Dt);

    [Test]
    public void Step_NoLead_CruiseReachesSetSpeed()
    {
        // Arrange
        var acc = new AccController(AccOptions.Default, Truck);
        var ego = new PointMassLag(0, 15.0, Lag);
        const double SetSpeed = 22.0;

        // Act
        for (var k = 0; k < 60 / Dt; k++)
        {
            var a = acc.Step(new AccInput(ego.Speed, SetSpeed, false, 0, 0, 0, 0, Dt)).Acceleration;
            ego.Step(a, Dt);
        }

        // Assert
        Assert.That(ego.Speed, Is.EqualTo(SetSpeed).Within(0.05));
    }

    [Test]
    public void Step_ConstantSpeedLead_SettlesAtDesignGap()
    {
        // Arrange: lead at 20 m/s, follower starts 80 m behind at 20 m/s with a higher set speed.
        var options = AccOptions.Default;
        var acc = new AccController(options, Truck);
        const double LeadSpeed = 20.0;
        var lead = new PointMassLag(80.0 + TruckLength, LeadSpeed, Lag);
        var ego = new PointMassLag(0.0, LeadSpeed, Lag);

        // Act
        for (var k = 0; k < 120 / Dt; k++)
        {
            var a = acc.Step(Follow(ego, lead, 25.0)).Acceleration;
            ego.Step(a, Dt);
            lead.Step(0.0, Dt);
        }

        // Assert: analytic steady state gap = s0 + h·v.
        var gap = lead.Position - ego.Position - TruckLength;
        Assert.That(gap, Is.EqualTo(options.StandstillGap + (options.TimeGap * LeadSpeed)).Within(0.05));
        Assert.That(ego.Speed, Is.EqualTo(LeadSpeed).Within(0.01));
    }

    [Test]
    public void Step_StoppedObstacleClose_CommandsKinematicDeceleration()
    {
        // Arrange
        var options = AccOptions.Default;
        var acc = new AccController(options, Truck);
        const double Speed = 20.0;
        const double Gap = 40.0;

        // Act
        var output = acc.Step(new AccInput(Speed, Speed, true, Gap, 0.0, 0.0, 0.0, Dt));

        // Assert: d = v² / (2 (gap − minimum gap)), beyond the comfort limit and without jerk limit.
        var expected = Speed * Speed / (2.0 * (Gap - options.MinimumGap));
        Assert.That(output.Regime, Is.EqualTo(AccRegime.CollisionAvoidance));
        Assert.That(output.Acceleration, Is.EqualTo(-expected).Within(1e-9));
    }

    [Test]
    public void Step_InsideMinimumGapWhileClosing_CommandsMaximumDeceleration()
    {
        // Arrange
        var acc = new AccController(AccOptions.Default, Truck);

        // Act
        var output = acc.Step(new AccInput(10.0, 20.0, true, 1.0, 5.0, 0.0, 0.0, Dt));

        // Assert
        Assert.That(output.Acceleration, Is.EqualTo(-Truck.MaxDeceleration));
    }

    [Test]
    public void Step_ApproachStoppedVehicle_StopsBeforeMinimumGap()
    {
        // Arrange
        var options = AccOptions.Default;
        var acc = new AccController(options, Truck);
        var obstacle = new PointMassLag(120.0 + TruckLength, 0.0, Lag);
        var ego = new PointMassLag(0.0, 22.0, Lag);
        var minGap = double.MaxValue;

        // Act
        for (var k = 0; k < 40 / Dt; k++)
        {
            ego.Step(acc.Step(Follow(ego, obstacle, 22.0)).Acceleration, Dt);
            minGap = Math.Min(minGap, obstacle.Position - ego.Position - TruckLength);
        }

        // Assert
        Assert.That(ego.Speed, Is.Zero.Within(0.01));
        Assert.That(minGap, Is.GreaterThan(options.MinimumGap));
    }

    [Test]
    public void Step_NormalOperation_IsJerkLimited()
    {
        // Arrange
        var options = AccOptions.Default;
        var acc = new AccController(options, Truck);

        // Act: set speed far below the speed asks for the comfort deceleration at once.
        var first = acc.Step(new AccInput(25.0, 15.0, false, 0, 0, 0, 0, Dt)).Acceleration;

        // Assert
        Assert.That(first, Is.EqualTo(-options.MaxBrakeJerk * Dt).Within(1e-12));
    }

    [Test]
    public void Step_DriverBrakes_PedalOverridesAcc()
    {
        // Arrange
        var acc = new AccController(AccOptions.Default, Truck);

        // Act
        var output = acc.Step(new AccInput(20.0, 25.0, false, 0, 0, 0, 4.0, Dt));

        // Assert
        Assert.That(output.Acceleration, Is.EqualTo(-4.0));
        Assert.That(output.Regime, Is.EqualTo(AccRegime.DriverBrake));
    }

    [Test]
    public void DefaultGains_LinearisedPlatoon_IsStringStable()
    {
        // Arrange: G(jω) = (k_a (jω)² + k_v jω + k_g) / (τ (jω)³ + (jω)² + (k_v + k_g h) jω + k_g).
        var o = AccOptions.Default;
        var peak = 0.0;

        // Act
        for (var w = 0.001; w < 50.0; w *= 1.01)
        {
            var s = new Complex(0, w);
            var num = (o.LeadAccelerationGain * s * s) + (o.SpeedGain * s) + o.GapGain;
            var den = (Truck.ActuatorTimeConstant * s * s * s) + (s * s) + ((o.SpeedGain + (o.GapGain * o.TimeGap)) * s) + o.GapGain;
            peak = Math.Max(peak, (num / den).Magnitude);
        }

        // Assert
        Assert.That(peak, Is.LessThanOrEqualTo(1.0 + 1e-9));
    }

    [Test]
    public void Step_ThreeTruckPlatoonLeaderBrakes_NoCollisionAndTimeGapKept()
    {
        // Arrange: three trucks at 80 km/h on the design gap; the leader brakes at 3 m/s² to 40 km/h.
        var options = AccOptions.Default;
        const double V0 = 80.0 / 3.6;
        const double V1 = 40.0 / 3.6;
        var gap0 = options.StandstillGap + (options.TimeGap * V0);
        var leader = new PointMassLag(2 * (gap0 + TruckLength), V0, Lag);
        var f1 = new PointMassLag(gap0 + TruckLength, V0, Lag);
        var f2 = new PointMassLag(0.0, V0, Lag);
        var acc1 = new AccController(options, Truck);
        var acc2 = new AccController(options, Truck);
        var minGap = double.MaxValue;
        var minTimeGap = double.MaxValue;
        var peakDecel1 = 0.0;
        var peakDecel2 = 0.0;

        // Act
        for (var k = 0; k < 60 / Dt; k++)
        {
            var t = k * Dt;
            var leaderCommand = t >= 5.0 && leader.Speed > V1 ? -3.0 : 0.0;
            var a1 = acc1.Step(Follow(f1, leader, V0)).Acceleration;
            var a2 = acc2.Step(Follow(f2, f1, V0)).Acceleration;
            leader.Step(leaderCommand, Dt);
            f1.Step(a1, Dt);
            f2.Step(a2, Dt);
            var g1 = leader.Position - f1.Position - TruckLength;
            var g2 = f1.Position - f2.Position - TruckLength;
            minGap = Math.Min(minGap, Math.Min(g1, g2));
            minTimeGap = Math.Min(minTimeGap, Math.Min(g1 / f1.Speed, g2 / f2.Speed));
            peakDecel1 = Math.Min(peakDecel1, f1.Acceleration);
            peakDecel2 = Math.Min(peakDecel2, f2.Acceleration);
        }

        // Assert
        TestContext.Out.WriteLine($"min gap {minGap:F2} m, min time gap {minTimeGap:F2} s, peak decel {peakDecel1:F2} / {peakDecel2:F2} m/s²");
        Assert.That(minGap, Is.GreaterThan(options.StandstillGap));
        Assert.That(minTimeGap, Is.GreaterThan(1.0));
        Assert.That(-peakDecel2, Is.LessThanOrEqualTo(-peakDecel1 + 0.05));
    }
}
