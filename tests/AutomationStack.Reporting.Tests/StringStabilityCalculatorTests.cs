namespace AutomationStack.Reporting.Tests;

/// <summary>String-stability figures on synthetic series with known answers.</summary>
[TestFixture]
public sealed class StringStabilityCalculatorTests
{
    private const double Step = 0.01;
    private const double Frequency = 0.2;      // Hz
    private const double LeaderAmplitude = 1.0; // m/s
    private const double MeanSpeed = 22.0;      // m/s
    private const double Attenuation = 0.8;     // each follower's amplitude over its predecessor's

    /// <summary>v = mean + A sin(ωt), a = A ω cos(ωt) over 0–60 s; a 5 m/s² spike at 1 s (before the window).</summary>
    private static MemberSeries Sinusoid(string id, double amplitude)
    {
        var omega = 2 * Math.PI * Frequency;
        var n = (int)(60 / Step);
        var t = new double[n];
        var v = new double[n];
        var a = new double[n];
        for (var k = 0; k < n; k++)
        {
            t[k] = k * Step;
            v[k] = MeanSpeed + (amplitude * Math.Sin(omega * t[k]));
            a[k] = amplitude * omega * Math.Cos(omega * t[k]);
        }

        a[(int)(1 / Step)] = 5;
        return new MemberSeries(id, t, v, a);
    }

    [Test]
    public void Compute_AttenuatingPlatoon_RatiosEqualAttenuation()
    {
        var members = Enumerable.Range(0, 4).Select(i => Sinusoid("truck" + (i + 1), LeaderAmplitude * Math.Pow(Attenuation, i))).ToList();

        var result = StringStabilityCalculator.Compute(members, windowStart: 5);

        var omega = 2 * Math.PI * Frequency;
        Assert.That(result.Members, Has.Count.EqualTo(4));
        for (var i = 1; i < 4; i++)
        {
            var row = result.Members[i];
            Assert.Multiple(() =>
            {
                Assert.That(row.Position, Is.EqualTo(i));
                Assert.That(row.PredecessorId, Is.EqualTo("truck" + i));
                Assert.That(row.PeakAcceleration, Is.EqualTo(LeaderAmplitude * Math.Pow(Attenuation, i) * omega).Within(1e-3));
                Assert.That(row.SpeedAmplitude, Is.EqualTo(LeaderAmplitude * Math.Pow(Attenuation, i)).Within(1e-3));
                Assert.That(row.AccelerationRatioToPredecessor, Is.EqualTo(Attenuation).Within(1e-3));
                Assert.That(row.AccelerationRatioToLeader, Is.EqualTo(Math.Pow(Attenuation, i)).Within(1e-3));
                Assert.That(row.SpeedAmplitudeRatioToLeader, Is.EqualTo(Math.Pow(Attenuation, i)).Within(1e-3));
            });
        }
    }

    [Test]
    public void Compute_Leader_HasNoRatiosAndNoPredecessor()
    {
        var result = StringStabilityCalculator.Compute([Sinusoid("a", 1), Sinusoid("b", 1)], windowStart: 5);
        var leader = result.Members[0];
        Assert.Multiple(() =>
        {
            Assert.That(leader.PredecessorId, Is.Null);
            Assert.That(leader.AccelerationRatioToPredecessor, Is.NaN);
            Assert.That(leader.AccelerationRatioToLeader, Is.NaN);
            Assert.That(result.Members[1].AccelerationRatioToLeader, Is.EqualTo(1).Within(1e-9));
        });
    }

    [Test]
    public void Compute_TransientBeforeWindow_LeftOut()
    {
        var member = Sinusoid("a", LeaderAmplitude);
        var inWindow = StringStabilityCalculator.Figures(member, windowStart: 5);
        var whole = StringStabilityCalculator.Figures(member, windowStart: 0);
        Assert.Multiple(() =>
        {
            Assert.That(whole.PeakAcceleration, Is.EqualTo(5));
            Assert.That(inWindow.PeakAcceleration, Is.EqualTo(LeaderAmplitude * 2 * Math.PI * Frequency).Within(1e-3));
        });
    }

    [Test]
    public void Compute_WindowAfterEnd_NaNFiguresAndRatios()
    {
        var result = StringStabilityCalculator.Compute([Sinusoid("a", 1), Sinusoid("b", 1)], windowStart: 100);
        Assert.Multiple(() =>
        {
            Assert.That(result.Members[0].PeakAcceleration, Is.NaN);
            Assert.That(result.Members[1].SpeedAmplitude, Is.NaN);
            Assert.That(result.Members[1].AccelerationRatioToLeader, Is.NaN);
        });
    }

    [Test]
    public void Compute_StillLeader_RatioIsNaNNotInfinite()
    {
        var still = new MemberSeries("a", [0, 10, 20], [0, 0, 0], [0, 0, 0]);
        var result = StringStabilityCalculator.Compute([still, Sinusoid("b", 1)], windowStart: 5);
        Assert.That(result.Members[1].AccelerationRatioToLeader, Is.NaN);
    }
}
