namespace AutomationStack.Fuzz;

/// <summary>
/// One fuzz target: code that takes arbitrary bytes the way the product receives them. <see cref="Execute"/> catches
/// exactly the exception types the product documents as its "bad input" outcome; anything that escapes it is a finding
/// (crash). Unbounded allocation is a finding too (<see cref="FuzzRunner"/> checks it).
/// </summary>
internal abstract class FuzzTarget
{
    /// <summary>Name used on the command line and as the corpus folder.</summary>
    public abstract string Name { get; }

    /// <summary>One line: what is fuzzed.</summary>
    public abstract string Description { get; }

    /// <summary>The exception types that are the documented outcome for bad input (for the docs and the report).</summary>
    public abstract IReadOnlyList<Type> ExpectedExceptions { get; }

    /// <summary>File names of the product assemblies whose code is instrumented for coverage.</summary>
    public abstract IReadOnlyList<string> InstrumentedAssemblies { get; }

    /// <summary>Most bytes one input may allocate in this target before it counts as unbounded allocation.</summary>
    public virtual long AllocationBudget(int inputLength) => (16L << 20) + (64L * inputLength);

    /// <summary>
    /// Seed check mode (this thread only): the documented bad-input exceptions are not caught and the V2X target
    /// insists on an accepted message, so a test can prove that a seed is valid input that reaches deep code.
    /// </summary>
    [ThreadStatic]
    internal static bool Strict;

    /// <summary>Environment variable naming the folder targets keep their scratch files in (the driver sets and removes it).</summary>
    public const string ScratchVariable = "AUTOMATIONSTACK_FUZZ_SCRATCH";

    /// <summary>
    /// Where a target keeps its scratch files: the driver's folder when set (afl kills the harness, so the harness
    /// cannot clean up after itself), otherwise /dev/shm (memory) or the temp folder.
    /// </summary>
    protected static string ScratchRoot()
    {
        var root = Environment.GetEnvironmentVariable(ScratchVariable) is { Length: > 0 } set ? set
            : Directory.Exists("/dev/shm") ? "/dev/shm" : Path.GetTempPath();
        Directory.CreateDirectory(root);
        return root;
    }

    /// <summary>Runs one input; only the documented bad-input exceptions are caught.</summary>
    public abstract void Execute(ReadOnlySpan<byte> input);
}

/// <summary>Thrown by the harness itself when an input allocates more than its target's budget.</summary>
internal sealed class UnboundedAllocationException(string message) : Exception(message);

/// <summary>The targets by name.</summary>
internal static class FuzzTargets
{
    public static readonly string[] Names = ["v2x", "scenario", "mcap", "traci"];

    public static FuzzTarget Create(string name) => name switch
    {
        "v2x" => new V2xTarget(),
        "scenario" => new ScenarioTarget(),
        "mcap" => new McapTarget(),
        "traci" => new TraciTarget(),
        _ => throw new ArgumentException($"unknown target '{name}' (expected one of {string.Join(", ", Names)})", nameof(name)),
    };
}
