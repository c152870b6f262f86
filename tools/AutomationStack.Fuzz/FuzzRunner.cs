namespace AutomationStack.Fuzz;

/// <summary>How one input ended.</summary>
internal enum InputOutcome
{
    /// <summary>Ran through (accepted or rejected with a documented bad-input exception).</summary>
    Ok,

    /// <summary>An exception escaped the target: a crash.</summary>
    Crash,

    /// <summary>The input allocated more than the target's budget.</summary>
    UnboundedAllocation,

    /// <summary>The input ran longer than the hang limit.</summary>
    Hang,
}

/// <summary>Result of one input run in-process.</summary>
internal sealed record InputResult(InputOutcome Outcome, Exception? Exception, TimeSpan Elapsed, long AllocatedBytes);

/// <summary>Runs inputs through a target in this process, with the allocation guard (and a hang limit for replay).</summary>
internal static class FuzzRunner
{
    /// <summary>
    /// Runs one input on the calling thread and throws whatever escaped the target, or
    /// <see cref="UnboundedAllocationException"/> when it allocated more than its budget. This is what afl-fuzz runs.
    /// </summary>
    public static void RunGuarded(FuzzTarget target, ReadOnlySpan<byte> input)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        target.Execute(input);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        var budget = target.AllocationBudget(input.Length);
        if (allocated > budget)
        {
            throw new UnboundedAllocationException(
                $"{target.Name}: an input of {input.Length} bytes allocated {allocated} bytes (budget {budget})");
        }
    }

    /// <summary>Runs one input on a worker thread and classifies it; a run longer than <paramref name="hangLimit"/> is a hang.</summary>
    public static InputResult Run(FuzzTarget target, byte[] input, TimeSpan hangLimit, bool strict = false)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(input);
        Exception? error = null;
        long allocated = 0;
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var thread = new Thread(() =>
        {
            FuzzTarget.Strict = strict;
            var before = GC.GetAllocatedBytesForCurrentThread();
            try
            {
                RunGuarded(target, input);
            }
            catch (Exception ex)
            {
                error = ex;
            }

            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        }, 8 << 20)
        { IsBackground = true, Name = "fuzz-replay" };
        thread.Start();
        if (!thread.Join(hangLimit))
        {
            return new InputResult(InputOutcome.Hang, null, watch.Elapsed, 0);
        }

        var outcome = error switch
        {
            null => InputOutcome.Ok,
            UnboundedAllocationException => InputOutcome.UnboundedAllocation,
            _ => InputOutcome.Crash,
        };
        return new InputResult(outcome, error, watch.Elapsed, allocated);
    }
}
