using AutomationStack.Contracts;

namespace AutomationStack.Control.Tests;

internal sealed class CaccControllerTests
{
    private const double Dt = 0.01;
    private const double Kph = 1 / 3.6;

    [TestCase(0.6, 20.0)]
    [TestCase(1.4, 22.2)]
    [TestCase(0.3, 25.0)]
    public void Step_ConstantSpeedPredecessor_GapConvergesToStandstillPlusTimeGapTimesSpeed(double h, double speed)
    {
        var platoon = new Platoon(2, speed, h, FollowerLaw.Cacc, delaySteps: 5, startGapError: 8);

        platoon.Run(90, _ => speed);

        var expected = CaccOptions.Default.StandstillGap + (h * speed);
        Assert.That(platoon.Gap(1), Is.EqualTo(expected).Within(0.05), "steady state: gap = r + h·v");
        Assert.That(platoon.Speed(1), Is.EqualTo(speed).Within(0.01));
    }

    [TestCase(0.2)]
    [TestCase(0.05)]
    public void Step_SinusoidLeaderCaccShortGap_SpacingErrorsDoNotGrowAlongThePlatoon(double frequency)
    {
        // Plexe-style test: leader ±10 km/h around 80 km/h; h = 0.6 s; 100 ms V2V delay; τ = 0.3 s.
        var ratios = SinusoidRatios(FollowerLaw.Cacc, 0.6, frequency);

        Assert.That(ratios, Has.All.LessThanOrEqualTo(1.0), Describe(ratios));
    }

    [Test]
    public void Step_SlowSinusoidLeaderAccSameShortGap_DisturbanceAmplifies()
    {
        // A radar ACC (0.2 s tracking delay, no lead acceleration) at h = 0.6 s with τ = 0.3 s amplifies between about
        // 0.02 and 0.12 Hz (|G(jω)| up to ≈ 1.17 at 0.05 Hz); at 0.2 Hz it attenuates (≈ 0.63), see the README.
        var ratios = SinusoidRatios(FollowerLaw.Acc, 0.6, 0.05);

        Assert.That(ratios, Has.All.GreaterThan(1.0), Describe(ratios));
    }

    [TestCase(0.2)]
    [TestCase(0.05)]
    public void Step_SinusoidLeaderAccDefaultGap_DisturbanceDoesNotAmplify(double frequency)
    {
        var ratios = SinusoidRatios(FollowerLaw.Acc, 1.4, frequency);

        Assert.That(ratios, Has.All.LessThanOrEqualTo(1.0), Describe(ratios));
    }

    private static string Describe(double[] ratios) =>
        "ratios " + string.Join(", ", ratios.Select(r => r.ToString("F3", System.Globalization.CultureInfo.InvariantCulture)));

    [Test]
    public void SetTargetTimeGap_Tripled_GapOpensAlongRampWithinComfortDeceleration()
    {
        var speed = 80 * Kph;
        var platoon = new Platoon(2, speed, 0.6, FollowerLaw.Cacc, delaySteps: 5, startGapError: 0);
        platoon.Run(10, _ => speed);

        platoon.Cacc(1).SetTargetTimeGap(1.8);
        var minAcceleration = platoon.Run(40, _ => speed);

        Assert.That(platoon.Cacc(1).TimeGap, Is.EqualTo(1.8).Within(1e-9));
        Assert.That(platoon.Gap(1), Is.EqualTo(CaccOptions.Default.StandstillGap + (1.8 * speed)).Within(0.3));
        Assert.That(minAcceleration[1], Is.GreaterThan(-1.0), "a 0.1 s/s ramp opens the gap gently");
    }

    [Test]
    public void Reset_WideGap_TimeGapStartsAtHeldGapAndClosesAlongRamp()
    {
        var cacc = new CaccController(CaccOptions.Default with { TimeGap = 0.6 }, TruckParameters.Default);

        cacc.Reset(0, gap: 5 + (1.5 * 20), speed: 20);

        Assert.That(cacc.TimeGap, Is.EqualTo(1.5).Within(1e-9));
        cacc.Step(new CaccInput(20, 0, 35, 20, 0, 1.0));
        Assert.That(cacc.TimeGap, Is.EqualTo(1.4).Within(1e-9));
    }

    [Test]
    public void Step_PredecessorCannotReachItsDesiredAcceleration_FollowerKeepsNearItsGap()
    {
        // Both trucks are power-limited on a grade: the predecessor asks for 1.5 m/s² and gets 0.2; the follower
        // (drafting) could do 0.5. Steady state: u = 0.2 = feed-forward + k_p·e, so e = −6.5 m with the raw
        // feed-forward and −1.5 m with the feed-forward limited to the measured 0.2 + 0.3 m/s².
        Assert.That(MinGapError(measuredPredecessorAcceleration: false), Is.LessThan(-5.0));
        Assert.That(MinGapError(measuredPredecessorAcceleration: true), Is.GreaterThan(-1.7));
    }

    [Test]
    public void Step_PredecessorBraking_FeedForwardNotLimitedByMeasuredAcceleration()
    {
        var limited = new CaccController(CaccOptions.Default with { TimeGap = 0.6 }, TruckParameters.Default);
        var raw = new CaccController(CaccOptions.Default with { TimeGap = 0.6 }, TruckParameters.Default);

        var a = limited.Step(new CaccInput(20, 0, 17, 20, -3, 0.02, PredecessorAcceleration: -0.5));
        var b = raw.Step(new CaccInput(20, 0, 17, 20, -3, 0.02));

        Assert.That(a, Is.EqualTo(b));
    }

    private static double MinGapError(bool measuredPredecessorAcceleration)
    {
        const double dt = 0.02;
        const double h = 0.6;
        const double predecessorAcceleration = 0.2;
        var cacc = new CaccController(CaccOptions.Default with { TimeGap = h }, TruckParameters.Default);
        double vp = 20, v = 20, a = 0, gap = CaccOptions.Default.StandstillGap + (h * 20);
        cacc.Reset(0, gap, v);
        var minError = 0.0;
        for (var k = 0; k < 3000; k++)
        {
            var input = new CaccInput(v, a, gap, vp, 1.5, dt, measuredPredecessorAcceleration ? predecessorAcceleration : double.NaN);
            a = Math.Min(cacc.Step(input).Acceleration, 0.5);
            vp += predecessorAcceleration * dt;
            v += a * dt;
            gap += (vp - v) * dt;
            minError = Math.Min(minError, gap - (CaccOptions.Default.StandstillGap + (h * v)));
        }

        return minError;
    }

    [Test]
    public void Step_NonFiniteGap_NonFiniteRequestForTheGuard()
    {
        var cacc = new CaccController(CaccOptions.Default, TruckParameters.Default);

        var output = cacc.Step(new CaccInput(20, 0, double.NaN, 20, 0, 0.02));

        Assert.That(double.IsNaN(output.Acceleration), Is.True);
    }

    [Test]
    public void SetTargetTimeGap_NotPositive_Throws()
    {
        var cacc = new CaccController(CaccOptions.Default, TruckParameters.Default);

        Assert.Throws<ArgumentOutOfRangeException>(() => cacc.SetTargetTimeGap(0));
    }

    /// <summary>
    /// Peak |spacing error| of follower i over follower i − 1 (i = 2..5) in the periodic steady state of a ±10 km/h
    /// sinusoid (the start-up transient, which excites every frequency, is excluded).
    /// </summary>
    private static double[] SinusoidRatios(FollowerLaw law, double h, double frequency)
    {
        var v0 = 80 * Kph;
        var platoon = new Platoon(6, v0, h, law, delaySteps: 10, startGapError: 0);
        Func<double, double> profile = t => v0 + (10 * Kph * Math.Sin(2 * Math.PI * frequency * t));
        platoon.Run(5 / frequency, profile);
        platoon.ResetPeaks();
        platoon.Run(3 / frequency, profile);
        return [.. Enumerable.Range(2, 4).Select(i => platoon.PeakSpacingError(i) / platoon.PeakSpacingError(i - 1))];
    }

    private enum FollowerLaw
    {
        Cacc,
        Acc,
    }

    /// <summary>
    /// A test platoon: point-mass trucks with first-order actuator lag (τ = 0.3 s), controllers at 50 Hz, the
    /// predecessor's desired acceleration received <c>delaySteps</c> physics steps late. Vehicle 0 tracks a speed profile.
    /// ACC followers see the gap and the predecessor's speed as a radar tracker reports them, 0.2 s late, and no lead
    /// acceleration (a commercial ACC); CACC followers get the radar gap and speed at once plus the V2V feed-forward.
    /// </summary>
    private sealed class Platoon
    {
        private const double Tau = 0.3;
        private const double Length = 16.5;
        private readonly int _n;
        private readonly double[] _x;
        private readonly double[] _v;
        private readonly double[] _a;
        private readonly double[] _cmd;
        private readonly double[] _u;
        private readonly double[] _peak;
        private const int RadarDelaySteps = 20;
        private readonly Queue<double>[] _sent;
        private readonly Queue<(double Gap, double Speed)>[] _radar;
        private readonly CaccController[] _cacc;
        private readonly AccController[] _acc;
        private readonly FollowerLaw _law;
        private readonly double _h;
        private double _time;
        private long _step;

        public Platoon(int n, double speed, double h, FollowerLaw law, int delaySteps, double startGapError)
        {
            _n = n;
            _law = law;
            _h = h;
            _x = new double[n];
            _v = new double[n];
            _a = new double[n];
            _cmd = new double[n];
            _u = new double[n];
            _peak = new double[n];
            _sent = new Queue<double>[n];
            _radar = new Queue<(double, double)>[n];
            _cacc = new CaccController[n];
            _acc = new AccController[n];
            var gap = CaccOptions.Default.StandstillGap + (h * speed) + startGapError;
            for (var i = 0; i < n; i++)
            {
                _x[i] = -i * (gap + Length);
                _v[i] = speed;
                _sent[i] = new Queue<double>(Enumerable.Repeat(0.0, delaySteps));
                _radar[i] = new Queue<(double, double)>(Enumerable.Repeat((gap, speed), RadarDelaySteps));
                _cacc[i] = new CaccController(CaccOptions.Default with { TimeGap = h }, TruckParameters.Default);
                _acc[i] = new AccController(AccOptions.Default with { TimeGap = h, StandstillGap = CaccOptions.Default.StandstillGap, LeadAccelerationGain = 0 }, TruckParameters.Default);
            }
        }

        public CaccController Cacc(int i) => _cacc[i];

        public double Gap(int i) => _x[i - 1] - _x[i] - Length;

        public double Speed(int i) => _v[i];

        public double PeakSpacingError(int i) => _peak[i];

        public void ResetPeaks() => Array.Clear(_peak);

        /// <summary>Runs for <paramref name="seconds"/>; returns each vehicle's lowest actual acceleration.</summary>
        public double[] Run(double seconds, Func<double, double> leaderSpeed)
        {
            var minA = Enumerable.Repeat(double.MaxValue, _n).ToArray();
            var steps = (int)Math.Round(seconds / Dt);
            for (var k = 0; k < steps; k++)
            {
                if (_step % 2 == 0)
                {
                    Control(leaderSpeed);
                }

                for (var i = 0; i < _n; i++)
                {
                    _a[i] += (_cmd[i] - _a[i]) * Dt / Tau;
                    _v[i] += _a[i] * Dt;
                    _x[i] += _v[i] * Dt;
                    minA[i] = Math.Min(minA[i], _a[i]);
                }

                for (var i = 0; i < _n; i++)
                {
                    _sent[i].Enqueue(_u[i]);
                }

                for (var i = 1; i < _n; i++)
                {
                    _radar[i].Enqueue((Gap(i), _v[i - 1]));
                    _radar[i].Dequeue();
                    var error = Gap(i) - (CaccOptions.Default.StandstillGap + (_h * _v[i]));
                    _peak[i] = Math.Max(_peak[i], Math.Abs(error));
                }

                _time += Dt;
                _step++;
            }

            return minA;
        }

        private void Control(Func<double, double> leaderSpeed)
        {
            var target = leaderSpeed(_time);
            // Leader: tracks its speed profile with a feed-forward of the profile's slope.
            var slope = (leaderSpeed(_time + Dt) - target) / Dt;
            _u[0] = slope + (1.0 * (target - _v[0]));
            _cmd[0] = _u[0];
            for (var i = 1; i < _n; i++)
            {
                var predecessorU = _sent[i - 1].Dequeue();
                while (_sent[i - 1].Count > 10)
                {
                    _sent[i - 1].Dequeue();
                }

                if (_law == FollowerLaw.Cacc)
                {
                    var output = _cacc[i].Step(new CaccInput(_v[i], _a[i], Gap(i), _v[i - 1], predecessorU, 2 * Dt));
                    _u[i] = output.DesiredAcceleration;
                    _cmd[i] = output.Acceleration;
                }
                else
                {
                    var (gap, leadSpeed) = _radar[i].Peek();
                    var output = _acc[i].Step(new AccInput(_v[i], 200, true, gap, leadSpeed, 0, 0, 2 * Dt));
                    _u[i] = output.Acceleration;
                    _cmd[i] = output.Acceleration;
                }
            }
        }
    }
}
