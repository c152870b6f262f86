namespace AutomationStack.Planning.Tests;

internal sealed class StopLinePlannerTests
{
    private static readonly StopLineOptions Options = new();

    private static FusedSignal Signal(SignalPhase phase, double end = double.PositiveInfinity) =>
        new(double.IsFinite(end) ? new SignalTiming(phase, end, end, end, 1) : SignalTiming.Untimed(phase), SignalSource.Spat, false);

    [Test]
    public void Step_RedFarAway_StoppingButNothingBindsUntilOnset()
    {
        var p = new StopLinePlanner(Options);

        var d = p.Step(new StopLineInput(500, 20, 0, Signal(SignalPhase.Red)));

        Assert.That(d.State, Is.EqualTo(StopLineState.Stopping));
        Assert.That(d.Constrains, Is.False);
    }

    [Test]
    public void Step_RedWithinOnset_ConstantDecelerationToLine()
    {
        var p = new StopLinePlanner(Options);

        var d = p.Step(new StopLineInput(101, 20, 0, Signal(SignalPhase.Red)));

        Assert.That(d.AccelerationLimit, Is.EqualTo(-2.0).Within(1e-9));
        Assert.That(d.Reason, Is.EqualTo(StopLineReason.Red));
    }

    [Test]
    public void Step_AmberFarEnoughToStopComfortably_Stops()
    {
        var p = new StopLinePlanner(Options);

        var d = p.Step(new StopLineInput(120, 20, 0, Signal(SignalPhase.Amber, 3)));

        Assert.That(d.State, Is.EqualTo(StopLineState.Stopping));
        Assert.That(d.Reason, Is.EqualTo(StopLineReason.AmberAbleToStop));
    }

    [Test]
    public void Step_AmberCloseAndClearsBeforeRed_CommitsAndNeverRevokes()
    {
        var p = new StopLinePlanner(Options);

        var d = p.Step(new StopLineInput(30, 20, 0, Signal(SignalPhase.Amber, 3)));
        var later = p.Step(new StopLineInput(10, 20, 1.0, Signal(SignalPhase.Red, 30)));

        Assert.That(d.State, Is.EqualTo(StopLineState.Committed));
        Assert.That(d.Constrains, Is.False);
        Assert.That(later.State, Is.EqualTo(StopLineState.Committed));
    }

    [Test]
    public void Step_AmberInDilemmaZoneStoppableHard_StopsHard()
    {
        // 20 m/s, 70 m: comfortable stop needs 3.1 m/s² (> 2), the line is 3.5 s away (> 3 s of amber − margin).
        var p = new StopLinePlanner(Options);

        var d = p.Step(new StopLineInput(70, 20, 0, Signal(SignalPhase.Amber, 3)));

        Assert.That(d.Reason, Is.EqualTo(StopLineReason.DilemmaStop));
        Assert.That(d.AccelerationLimit, Is.LessThan(-2.0).And.GreaterThanOrEqualTo(-Options.MaxDeceleration));
    }

    [Test]
    public void Step_AmberTooCloseToStopTooFarToClear_Goes()
    {
        // 25 m/s, 70 m with 1 s of amber left: stopping needs 5.2 m/s², arrival at 2.8 s is after red.
        var p = new StopLinePlanner(Options);

        var d = p.Step(new StopLineInput(70, 25, 0, Signal(SignalPhase.Amber, 1)));

        Assert.That(d.Reason, Is.EqualTo(StopLineReason.DilemmaGo));
        Assert.That(d.Constrains, Is.False);
    }

    [Test]
    public void Step_CameraOnlyAmber_AssumesAmberFromFirstSight()
    {
        var p = new StopLinePlanner(Options);

        var first = p.Step(new StopLineInput(40, 20, 10.0, Signal(SignalPhase.Amber)));

        Assert.That(first.State, Is.EqualTo(StopLineState.Committed));
    }

    [Test]
    public void Step_UnknownSignal_FailsClosed()
    {
        var p = new StopLinePlanner(Options);

        var d = p.Step(new StopLineInput(60, 15, 0, Signal(SignalPhase.Unknown)));

        Assert.That(d.State, Is.EqualTo(StopLineState.Stopping));
        Assert.That(d.Reason, Is.EqualTo(StopLineReason.UnknownSignal));
        Assert.That(d.AccelerationLimit, Is.LessThan(0));
    }

    [Test]
    public void Step_GreenAfterRed_ReleasesStop()
    {
        var p = new StopLinePlanner(Options);
        p.Step(new StopLineInput(50, 10, 0, Signal(SignalPhase.Red, 5)));

        var d = p.Step(new StopLineInput(45, 9, 0.5, Signal(SignalPhase.Green, 40)));

        Assert.That(d.State, Is.EqualTo(StopLineState.Free));
        Assert.That(d.Constrains, Is.False);
    }

    [Test]
    public void Step_GreenEndingBeforeArrival_PlansStop()
    {
        // 20 m/s, 300 m: arrival in 15 s, but the green ends at 5 s (+ 3 s amber).
        var p = new StopLinePlanner(Options);

        var d = p.Step(new StopLineInput(300, 20, 0, Signal(SignalPhase.Green, 5)));

        Assert.That(d.Reason, Is.EqualTo(StopLineReason.GreenEndsBeforeArrival));
    }

    [Test]
    public void Step_StandingAtLine_Holds()
    {
        var p = new StopLinePlanner(Options);

        var d = p.Step(new StopLineInput(1.5, 0, 0, Signal(SignalPhase.Red, 9)));

        Assert.That(d.State, Is.EqualTo(StopLineState.Holding));
        Assert.That(d.AccelerationLimit, Is.EqualTo(-Options.HoldDeceleration));
    }

    [Test]
    public void Step_PastLine_PassedWithoutLimit()
    {
        var p = new StopLinePlanner(Options);

        var d = p.Step(new StopLineInput(-0.1, 20, 0, Signal(SignalPhase.Red, 9)));

        Assert.That(d.State, Is.EqualTo(StopLineState.Passed));
        Assert.That(d.Constrains, Is.False);
    }

    [Test]
    public void Step_NonFiniteDistance_FailsClosed()
    {
        var p = new StopLinePlanner(Options);

        var d = p.Step(new StopLineInput(double.NaN, 20, 0, Signal(SignalPhase.Green, 9)));

        Assert.That(d.AccelerationLimit, Is.EqualTo(-Options.MaxDeceleration));
    }
}
