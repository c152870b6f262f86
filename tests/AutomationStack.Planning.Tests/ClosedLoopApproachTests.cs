namespace AutomationStack.Planning.Tests;

/// <summary>
/// A truck (point mass with a first-order actuation lag) approaching a fixed-time signal with SPaT, over one whole
/// cycle of arrival phases: the stop-line planner alone, and with GLOSA capping the set speed.
/// </summary>
internal sealed class ClosedLoopApproachTests
{
    private const double Dt = 0.05;
    private const double Lag = 0.3;
    private const double Green = 20;
    private const double Amber = 3;
    private const double Red = 27;
    private const double Cycle = Green + Amber + Red;
    private const double SpeedLimit = 22;

    [Test]
    public void Approach_EveryArrivalPhase_NoRedLightViolation()
    {
        foreach (var glosa in new[] { false, true })
        {
            var outcome = RunCycle(glosa);

            Assert.That(outcome.Violations, Is.Zero, $"glosa {glosa}");
            Assert.That(outcome.Collisions, Is.Zero, $"glosa {glosa}: stopped beyond the line");
        }
    }

    [Test]
    public void Approach_WithGlosa_FewerStopsAndLessTractionEnergy()
    {
        var without = RunCycle(false);
        var with = RunCycle(true);
        TestContext.Progress.WriteLine(
            $"{without.Runs} arrival phases: stops {without.Stops} → {with.Stops} with GLOSA; traction energy {without.Energy:F0} → {with.Energy:F0} J/kg; "
            + $"hard brakes (> 2.5 m/s²) {without.HardBrakes} → {with.HardBrakes}");

        Assert.That(with.Stops, Is.LessThan(without.Stops));
        Assert.That(with.Energy, Is.LessThan(without.Energy));
    }

    private static Outcome RunCycle(bool glosa)
    {
        var outcome = new Outcome();
        for (var offset = 0.0; offset < Cycle; offset += 0.5)
        {
            outcome.Runs++;
            Run(offset, glosa, outcome);
        }

        return outcome;
    }

    private static void Run(double offset, bool glosa, Outcome outcome)
    {
        var planner = new StopLinePlanner(new StopLineOptions());
        var glosaOptions = new GlosaOptions();
        double x = 0, v = 20, a = 0;
        const double line = 600;
        var stopped = false;
        for (var t = 0.0; t < 300 && x < line + 600; t += Dt)
        {
            var timing = Spat(t, offset);
            var signal = new FusedSignal(timing, SignalSource.Spat, false);
            var decision = planner.Step(new StopLineInput(line - x, v, t, signal));
            var setSpeed = SpeedLimit;
            var limit = decision.AccelerationLimit;
            if (glosa && line - x > 0)
            {
                var advice = GlosaAdvisor.Advise(line - x, v, SpeedLimit, t, timing, glosaOptions);
                limit = Math.Min(limit, GlosaAdvisor.AccelerationLimit(advice, line - x, v, t, glosaOptions));
                if (advice.Case == GlosaCase.ApproachSlowly)
                {
                    setSpeed = Math.Min(setSpeed, advice.Speed);
                }
            }

            var command = Math.Min(Math.Clamp(0.4 * (setSpeed - v), -1.0, 1.0), limit);
            a += (command - a) * Dt / Lag;
            var before = x;
            var vNext = Math.Max(0, v + (a * Dt));
            x += 0.5 * (v + vNext) * Dt;
            if (a > 0)
            {
                outcome.Energy += a * 0.5 * (v + vNext) * Dt;
            }

            if (a < -2.5)
            {
                outcome.HardBrakes++;
            }

            v = vNext;
            if (before < line && x >= line && Spat(t + Dt, offset).Phase == SignalPhase.Red)
            {
                outcome.Violations++;
            }

            if (v < 0.5 && !stopped)
            {
                stopped = true;
                outcome.Stops++;
                if (x > line)
                {
                    outcome.Collisions++;
                }
            }
            else if (v > 2)
            {
                stopped = false;
            }
        }
    }

    private static SignalTiming Spat(double t, double offset)
    {
        var position = ((t + offset) % Cycle + Cycle) % Cycle;
        var start = t - position;
        return position < Green
            ? new SignalTiming(SignalPhase.Green, start + Green, start + Green, start + Green, 1)
            : position < Green + Amber
                ? new SignalTiming(SignalPhase.Amber, start + Green + Amber, start + Green + Amber, start + Green + Amber, 1)
                : new SignalTiming(SignalPhase.Red, start + Cycle, start + Cycle, start + Cycle, 1);
    }

    private sealed class Outcome
    {
        public int Runs { get; set; }

        public int Violations { get; set; }

        public int Collisions { get; set; }

        public int Stops { get; set; }

        public int HardBrakes { get; set; }

        public double Energy { get; set; }
    }
}
