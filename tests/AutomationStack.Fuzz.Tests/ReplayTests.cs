namespace AutomationStack.Fuzz.Tests;

/// <summary>Every seed and every regression input (an input that crashed before its fix) through each target in-process.</summary>
[TestFixture]
internal sealed class ReplayTests
{
    private static readonly TimeSpan HangLimit = TimeSpan.FromSeconds(10);

    /// <summary>Seeds that are deliberately bad input (rejected with the documented exception, or dropped).</summary>
    private static readonly HashSet<string> InvalidSeeds = new(StringComparer.Ordinal) { "log-truncated", "00-status-error" };

    private static IEnumerable<string> Targets => FuzzTargets.Names;

    private static void AssertNoFinding(FuzzTarget target, string file, bool strict)
    {
        var result = FuzzRunner.Run(target, File.ReadAllBytes(file), HangLimit, strict);
        Assert.That(result.Outcome, Is.EqualTo(InputOutcome.Ok), $"{Path.GetFileName(file)}: {result.Exception}");
    }

    [TestCaseSource(nameof(Targets))]
    public void Replay_EverySeed_NoUnexpectedException(string name)
    {
        var target = FuzzTargets.Create(name);
        try
        {
            var files = Corpus.Files(Corpus.Seeds(name)).ToList();
            Assert.That(files, Is.Not.Empty, "the target has seeds");
            Assert.Multiple(() =>
            {
                foreach (var file in files)
                {
                    AssertNoFinding(target, file, strict: false);
                }
            });
        }
        finally
        {
            (target as IDisposable)?.Dispose();
        }
    }

    [TestCaseSource(nameof(Targets))]
    public void Replay_ValidSeeds_AcceptedWithoutBadInputError(string name)
    {
        // Strict: the documented bad-input exceptions are not caught and V2X envelopes must be accepted, so the seeds
        // are proven to be valid input that reaches the deep code (decoders behind a verified signature, chunk parsing…).
        var target = FuzzTargets.Create(name);
        try
        {
            Assert.Multiple(() =>
            {
                foreach (var file in Corpus.Files(Corpus.Seeds(name)).Where(f => !InvalidSeeds.Contains(Path.GetFileName(f))))
                {
                    AssertNoFinding(target, file, strict: true);
                }
            });
        }
        finally
        {
            (target as IDisposable)?.Dispose();
        }
    }

    [TestCaseSource(nameof(Targets))]
    public void Replay_EveryRegressionInput_NoUnexpectedException(string name)
    {
        var target = FuzzTargets.Create(name);
        try
        {
            Assert.Multiple(() =>
            {
                foreach (var file in Corpus.Files(Corpus.Regressions(name)))
                {
                    AssertNoFinding(target, file, strict: false);
                }
            });
        }
        finally
        {
            (target as IDisposable)?.Dispose();
        }
    }

    [Test]
    public void Run_UnexpectedException_IsCrash()
    {
        var result = FuzzRunner.Run(new ThrowingTarget(), [1, 2, 3], HangLimit);
        Assert.That(result.Outcome, Is.EqualTo(InputOutcome.Crash));
        Assert.That(result.Exception, Is.InstanceOf<IndexOutOfRangeException>());
    }

    [Test]
    public void Run_AllocationOverBudget_IsUnboundedAllocation()
    {
        var result = FuzzRunner.Run(new AllocatingTarget(), [1], HangLimit);
        Assert.That(result.Outcome, Is.EqualTo(InputOutcome.UnboundedAllocation));
    }

    private sealed class ThrowingTarget : FuzzTarget
    {
        public override string Name => "throwing";

        public override string Description => "throws";

        public override IReadOnlyList<Type> ExpectedExceptions => [];

        public override IReadOnlyList<string> InstrumentedAssemblies => [];

        public override void Execute(ReadOnlySpan<byte> input) => throw new IndexOutOfRangeException("index " + input.Length);
    }

    private sealed class AllocatingTarget : FuzzTarget
    {
        public static byte[]? Sink;

        public override string Name => "allocating";

        public override string Description => "allocates";

        public override IReadOnlyList<Type> ExpectedExceptions => [];

        public override IReadOnlyList<string> InstrumentedAssemblies => [];

        public override long AllocationBudget(int inputLength) => 1 << 20;

        public override void Execute(ReadOnlySpan<byte> input) => Sink = new byte[4 << 20];
    }
}
