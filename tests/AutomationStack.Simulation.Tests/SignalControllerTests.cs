using AutomationStack.RoadMap;
using AutomationStack.Simulation.Camera;

namespace AutomationStack.Simulation.Tests;

public sealed class SignalControllerTests
{
    private const long Second = 1_000_000_000;
    private const long StepNs = 10_000_000;
    private const double StopLine = 1000;

    // Two groups on two lanes of the straight test road: group 1 on road.0, group 2 on road.1.
    private static readonly Intersection Crossing = new(1, 1000, -10,
    [
        new SignalGroup(1, ["H1"], [new IngressLane(TestWorlds.LaneZero, StopLine, [TestWorlds.LaneZero])]),
        new SignalGroup(2, [], [new IngressLane(TestWorlds.LaneOne, StopLine, [TestWorlds.LaneOne])]),
    ]);

    private static readonly RoadNetwork Map = TestWorlds.Straight(laneCount: 2);

    private static SignalController FixedTime(bool priority = true, double maxGreen1 = 10) => new(Crossing, new SignalControllerSettings
    {
        Mode = SignalControlMode.FixedTime,
        Stages = [new SignalStage([1], 10, maxGreen1, 0), new SignalStage([2], 8, 8, 0)],
        Amber = 3,
        AllRed = 2,
        Priority = priority,
    }, Map);

    private static SignalController Actuated(bool priority = true) => new(Crossing, new SignalControllerSettings
    {
        Mode = SignalControlMode.Actuated,
        Stages = [new SignalStage([1], 5, 30, 3), new SignalStage([2], 6, 20, 2.5)],
        Amber = 3,
        AllRed = 2,
        DetectorDistance = 40,
        DetectorLength = 2,
        Priority = priority,
    }, Map);

    /// <summary>Steps in 10 ms steps from the controller's time to <paramref name="untilNs"/>, with occupants from <paramref name="traffic"/>.</summary>
    private static void Run(SignalController c, long untilNs, Func<long, LaneOccupant[]>? traffic = null)
    {
        for (var t = c.NowNs + StepNs; t <= untilNs; t += StepNs)
        {
            c.Step(t, traffic?.Invoke(t) ?? []);
        }
    }

    /// <summary>A vehicle standing on road.0's detector (40 … 42 m before the stop line) while <paramref name="active"/> says so.</summary>
    private static Func<long, LaneOccupant[]> OnDetector(Func<long, bool> active) =>
        t => active(t) ? [new LaneOccupant(TestWorlds.LaneZero, StopLine - 45, StopLine - 41)] : [];

    [Test]
    public void Step_FixedTime_GreenAmberAllRedThenNextStageInOrder()
    {
        var c = FixedTime();
        var seen = new List<(long T, SignalGroupState G1, SignalGroupState G2)>();
        var last = (c.StateOf(1), c.StateOf(2));
        seen.Add((0, last.Item1, last.Item2));
        for (var t = StepNs; t <= 30 * Second; t += StepNs)
        {
            c.Step(t, []);
            var now = (c.StateOf(1), c.StateOf(2));
            if (now != last)
            {
                seen.Add((t, now.Item1, now.Item2));
                last = now;
            }
        }

        Assert.That(seen, Is.EqualTo(new[]
        {
            (0L, SignalGroupState.Green, SignalGroupState.Red),
            (10 * Second, SignalGroupState.Amber, SignalGroupState.Red),
            (13 * Second, SignalGroupState.Red, SignalGroupState.Red),
            (15 * Second, SignalGroupState.Red, SignalGroupState.Green),
            (23 * Second, SignalGroupState.Red, SignalGroupState.Amber),
            (26 * Second, SignalGroupState.Red, SignalGroupState.Red),
            (28 * Second, SignalGroupState.Green, SignalGroupState.Red),
        }));
    }

    [Test]
    public void Step_TransitionStates_ExplicitPhaseMachine()
    {
        var c = FixedTime();
        Assert.That((c.StageIndex, c.Phase), Is.EqualTo((0, ControllerPhase.Green)));
        Run(c, 10 * Second);
        Assert.That((c.StageIndex, c.Phase, c.PhaseStartNs), Is.EqualTo((0, ControllerPhase.Amber, 10 * Second)));
        Run(c, 13 * Second);
        Assert.That((c.StageIndex, c.Phase, c.PhaseStartNs), Is.EqualTo((0, ControllerPhase.AllRed, 13 * Second)));
        Run(c, 15 * Second);
        Assert.That((c.StageIndex, c.Phase, c.PhaseStartNs), Is.EqualTo((1, ControllerPhase.Green, 15 * Second)));
    }

    [Test]
    public void TimingOf_FixedTime_MinMaxLikelyEqualWithFullConfidence()
    {
        var c = FixedTime();
        Run(c, 4 * Second);

        Assert.That(c.TimingOf(1), Is.EqualTo(new SignalGroupTiming(1, SignalGroupState.Green, 10 * Second, 10 * Second, 10 * Second, 1.0)));
        Assert.That(c.TimingOf(2), Is.EqualTo(new SignalGroupTiming(2, SignalGroupState.Red, 15 * Second, 15 * Second, 15 * Second, 1.0)));
        Run(c, 16 * Second);
        // Group 1 is red until stage 0 comes back: 15 + 8 green + 3 amber + 2 all-red = 28 s.
        Assert.That(c.TimingOf(1), Is.EqualTo(new SignalGroupTiming(1, SignalGroupState.Red, 28 * Second, 28 * Second, 28 * Second, 1.0)));
    }

    [Test]
    public void TimingOf_Amber_EndsAfterAmberTimeExactly()
    {
        var c = Actuated();
        Run(c, 6 * Second);

        Assert.That(c.StateOf(1), Is.EqualTo(SignalGroupState.Amber));
        Assert.That(c.TimingOf(1), Is.EqualTo(new SignalGroupTiming(1, SignalGroupState.Amber, 8 * Second, 8 * Second, 8 * Second, 1.0)));
    }

    [Test]
    public void Step_ActuatedWithoutTraffic_GapsOutAtMinimumGreen()
    {
        var c = Actuated();
        Run(c, 5 * Second - StepNs);
        Assert.That(c.StateOf(1), Is.EqualTo(SignalGroupState.Green));

        Run(c, 5 * Second);

        Assert.That(c.StateOf(1), Is.EqualTo(SignalGroupState.Amber));
        Assert.That((c.GapOuts, c.MaxOuts), Is.EqualTo((1, 0)));
    }

    [Test]
    public void Step_ActuatedLastVehicleAt9s_GapsOutPassageTimeLater()
    {
        var c = Actuated();
        Run(c, 20 * Second, OnDetector(t => t <= 9 * Second));

        // Green 0 … 12 s (last actuation 9 s + passage 3 s), amber until 15 s, all-red until 17 s.
        Assert.That(c.GapOuts, Is.EqualTo(1));
        Assert.That((c.StageIndex, c.Phase, c.PhaseStartNs), Is.EqualTo((1, ControllerPhase.Green, 17 * Second)));
    }

    [Test]
    public void Step_ActuatedContinuousDemand_EndsAtMaximumGreen()
    {
        var c = Actuated();
        Run(c, 30 * Second - StepNs, OnDetector(_ => true));
        Assert.That(c.StateOf(1), Is.EqualTo(SignalGroupState.Green));

        Run(c, 30 * Second, OnDetector(_ => true));

        Assert.That(c.StateOf(1), Is.EqualTo(SignalGroupState.Amber));
        Assert.That((c.GapOuts, c.MaxOuts), Is.EqualTo((0, 1)));
    }

    [Test]
    public void Step_ActuatedVehicleOnOtherLane_DoesNotExtendGroupOne()
    {
        var c = Actuated();
        Run(c, 5 * Second, _ => [new LaneOccupant(TestWorlds.LaneOne, StopLine - 45, StopLine - 41)]);

        Assert.That(c.StateOf(1), Is.EqualTo(SignalGroupState.Amber));
    }

    [Test]
    public void TimingOf_ActuatedGreen_MinIsMinGreenMaxIsMaxGreenLikelyIsGapOutEstimate()
    {
        var c = Actuated();
        Run(c, 2 * Second, OnDetector(t => t == 2 * Second));

        var g1 = c.TimingOf(1);
        Assert.That((g1.State, g1.MinEndNs, g1.MaxEndNs, g1.LikelyEndNs), Is.EqualTo((SignalGroupState.Green, 5 * Second, 30 * Second, 5 * Second)));
        Assert.That(g1.Confidence, Is.EqualTo(SignalController.ActuatedGreenConfidence));
        Run(c, 4 * Second, OnDetector(t => t == 4 * Second));
        Assert.That(c.TimingOf(1).LikelyEndNs, Is.EqualTo(7 * Second), "last actuation 4 s + passage 3 s");
        // Group 2: red until stage 1's green: green end + amber 3 + all-red 2.
        var g2 = c.TimingOf(2);
        Assert.That((g2.State, g2.MinEndNs, g2.MaxEndNs, g2.LikelyEndNs), Is.EqualTo((SignalGroupState.Red, 10 * Second, 35 * Second, 12 * Second)));
        Assert.That(g2.Confidence, Is.EqualTo(SignalController.ActuatedGreenConfidence).Or.EqualTo(SignalController.ActuatedRedConfidence));
    }

    [Test]
    public void TimingOf_ActuatedRedBehindAnotherStage_AddsThatStagesMinAndMaxGreen()
    {
        var c = Actuated();
        Run(c, 8 * Second);
        Assert.That((c.Phase, c.StageIndex), Is.EqualTo((ControllerPhase.AllRed, 0)));

        var g1 = c.TimingOf(1);

        // All-red ends at 10 s; stage 1 green 6 … 20 s, then amber 3 and all-red 2.
        Assert.That((g1.MinEndNs, g1.MaxEndNs, g1.LikelyEndNs), Is.EqualTo((21 * Second, 35 * Second, 28 * Second)));
        Assert.That(g1.Confidence, Is.EqualTo(SignalController.ActuatedRedConfidence));
    }

    [Test]
    public void RequestPriority_ActuatedGreenRearClearsWithinMax_GrantedAndGreenHeld()
    {
        var c = Actuated();
        Run(c, 2 * Second);

        var decision = c.RequestPriority(new PriorityRequest(1, 7, 12 * Second, 20 * Second, 3));

        Assert.That(decision, Is.EqualTo(new PriorityDecision(PriorityOutcome.Granted, 20 * Second)));
        Run(c, 20 * Second - StepNs);
        Assert.That(c.StateOf(1), Is.EqualTo(SignalGroupState.Green), "no gap-out before the platoon's rear has cleared");
        Assert.That(c.TimingOf(1).MinEndNs, Is.EqualTo(20 * Second));
        Run(c, 20 * Second);
        Assert.That(c.StateOf(1), Is.EqualTo(SignalGroupState.Amber));
        Assert.That(c.PriorityGranted, Is.EqualTo(1));
    }

    [Test]
    public void RequestPriority_RearClearsAfterMaxGreen_RejectedWithMaxEnd()
    {
        var c = Actuated();
        Run(c, 2 * Second);

        var decision = c.RequestPriority(new PriorityRequest(1, 7, 25 * Second, 31 * Second, 3));

        Assert.That(decision, Is.EqualTo(new PriorityDecision(PriorityOutcome.BeyondMaxGreen, 30 * Second)));
        Run(c, 5 * Second);
        Assert.That(c.StateOf(1), Is.EqualTo(SignalGroupState.Amber), "a rejected request holds nothing");
        Assert.That(c.PriorityRejected, Is.EqualTo(1));
    }

    [Test]
    public void RequestPriority_GroupRed_RejectedNotGreen()
    {
        var c = Actuated();

        Assert.That(c.RequestPriority(new PriorityRequest(2, 7, 3 * Second, 6 * Second, 2)).Outcome, Is.EqualTo(PriorityOutcome.NotGreen));
    }

    [Test]
    public void RequestPriority_DisabledUnknownGroupOrBadWindow_Rejected()
    {
        Assert.That(Actuated(priority: false).RequestPriority(new PriorityRequest(1, 7, 1 * Second, 2 * Second, 2)).Outcome, Is.EqualTo(PriorityOutcome.Disabled));
        var c = Actuated();
        Assert.That(c.RequestPriority(new PriorityRequest(9, 7, 1 * Second, 2 * Second, 2)).Outcome, Is.EqualTo(PriorityOutcome.UnknownGroup));
        Assert.That(c.RequestPriority(new PriorityRequest(1, 7, 3 * Second, 2 * Second, 2)).Outcome, Is.EqualTo(PriorityOutcome.InvalidWindow));
    }

    [Test]
    public void RequestPriority_FixedTimeWithMaxGreen_ExtendsGreenAndShiftsCycle()
    {
        var c = FixedTime(maxGreen1: 14);
        Run(c, 5 * Second);

        var decision = c.RequestPriority(new PriorityRequest(1, 7, 9 * Second, 12 * Second, 3));

        Assert.That(decision, Is.EqualTo(new PriorityDecision(PriorityOutcome.Granted, 12 * Second)));
        Assert.That(c.TimingOf(2).MinEndNs, Is.EqualTo(17 * Second), "group 2's green starts 2 s later");
        Run(c, 12 * Second);
        Assert.That(c.StateOf(1), Is.EqualTo(SignalGroupState.Amber));
        Assert.That(c.PhaseStartNs, Is.EqualTo(12 * Second));
        Assert.That(FixedTime().RequestPriority(new PriorityRequest(1, 7, 9 * Second, 12 * Second, 3)).Outcome, Is.EqualTo(PriorityOutcome.BeyondMaxGreen));
    }

    [Test]
    public void Detectors_Actuated_OneLoopPerIngressLaneUpstreamOfStopLine()
    {
        var c = Actuated();

        Assert.That(c.Detectors, Is.EqualTo(new[]
        {
            new SignalDetector(TestWorlds.LaneZero, StopLine - 42, StopLine - 40, 0),
            new SignalDetector(TestWorlds.LaneOne, StopLine - 42, StopLine - 40, 1),
        }));
        Assert.That(FixedTime().Detectors, Is.Empty);
    }

    [Test]
    public void Validate_BadStages_NamesTheProblem()
    {
        SignalControllerSettings With(params SignalStage[] stages) => new() { Stages = stages };

        Assert.That(SignalController.Validate(Crossing, With(new SignalStage([1], 5, 5, 0))), Does.Contain("at least two stages"));
        Assert.That(SignalController.Validate(Crossing, With(new SignalStage([1], 5, 5, 0), new SignalStage([3], 5, 5, 0))), Does.Contain("no signal group 3"));
        Assert.That(SignalController.Validate(Crossing, With(new SignalStage([1], 5, 5, 0), new SignalStage([1], 5, 5, 0))), Does.Contain("also in the next stage"));
        Assert.That(SignalController.Validate(Crossing, With(new SignalStage([1], 5, 4, 0), new SignalStage([2], 5, 5, 0))), Does.Contain("min green ≤ max green"));
        Assert.That(SignalController.Validate(Crossing, With(new SignalStage([1], 5, 5, 0), new SignalStage([1, 2], 5, 5, 0), new SignalStage([2], 5, 5, 0))), Does.Contain("also in the next stage"));
        Assert.That(Assert.Throws<ArgumentException>(() => new SignalController(Crossing, With(new SignalStage([1], 5, 5, 0)), Map))!.Message, Does.Contain("two stages"));
    }

    [Test]
    public void LampAt_ControlledHead_ShowsGroupState()
    {
        var c = FixedTime();
        var head = new ControlledSignalHead(c, 1);

        Assert.That(head.LampAt(0), Is.EqualTo(SignalLamp.Green));
        Run(c, 11 * Second);
        Assert.That(head.LampAt(c.NowNs), Is.EqualTo(SignalLamp.Amber));
        Assert.That(new ControlledSignalHead(c, 2).LampAt(c.NowNs), Is.EqualTo(SignalLamp.Red));
    }
}
