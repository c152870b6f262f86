using System.Globalization;
using SharpFuzz;

namespace AutomationStack.Fuzz;

/// <summary>
/// Coverage-guided fuzzing of the stack's input parsers with afl-fuzz and SharpFuzz. Commands:
/// <code>
/// fuzz &lt;v2x|scenario|mcap|traci|all&gt; [--seconds N] [--out DIR] [--timeout-ms T]   afl-fuzz each target, summary
/// replay &lt;target&gt; &lt;dir|file&gt;...                                              run inputs in-process
/// run &lt;target&gt;                                                                 the afl-fuzz child (SharpFuzz loop)
/// seeds [--out DIR]                                                              write the seed corpus
/// targets                                                                        list the targets
/// </code>
/// Exit codes: 0 ok, 1 findings (crash, hang, unbounded allocation), 2 bad arguments, 3 environment failure.
/// </summary>
internal static class Program
{
    public const int ExitOk = 0;
    public const int ExitFindings = 1;
    public const int ExitBadArguments = 2;
    public const int ExitEnvironment = 3;

    /// <summary>Size of afl's coverage map as SharpFuzz instruments it (16-bit edge ids).</summary>
    private const int TraceMapSize = 1 << 16;

    /// <summary>Environment variable naming a folder of inputs the afl child runs once before the fuzzing loop.</summary>
    public const string WarmUpVariable = "AUTOMATIONSTACK_FUZZ_WARMUP";

    private const string Usage = """
        usage: automationstack fuzz <v2x|scenario|mcap|traci|all> [--seconds N] [--out DIR] [--timeout-ms T] [--corpus DIR]
               automationstack fuzz replay <v2x|scenario|mcap|traci> <dir|file>...
               automationstack fuzz seeds [--out DIR]
               automationstack fuzz targets
        """;

    private static int Main(string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help")
        {
            Console.Error.WriteLine(Usage);
            return args.Length == 0 ? ExitBadArguments : ExitOk;
        }

        try
        {
            return args[0] switch
            {
                "run" => RunUnderAfl(args),
                "replay" => Replay(args),
                "seeds" => WriteSeeds(args),
                "targets" => ListTargets(),
                _ => Fuzz(args),
            };
        }
        catch (UsageException ex)
        {
            Console.Error.WriteLine($"fuzz: {ex.Message}");
            Console.Error.WriteLine(Usage);
            return ExitBadArguments;
        }
        catch (EnvironmentFailureException ex)
        {
            Console.Error.WriteLine($"fuzz: {ex.Message}");
            return ExitEnvironment;
        }
    }

    private static FuzzTarget Target(string name) =>
        Array.IndexOf(FuzzTargets.Names, name) >= 0
            ? FuzzTargets.Create(name)
            : throw new UsageException($"unknown target '{name}' (expected one of {string.Join(", ", FuzzTargets.Names)})");

    /// <summary>The afl-fuzz child: SharpFuzz's fork-server loop over the target (persistent, in-process).</summary>
    private static int RunUnderAfl(string[] args)
    {
        if (args.Length != 2)
        {
            throw new UsageException("run takes one target");
        }

        var name = args[1];
        if (Array.IndexOf(FuzzTargets.Names, name) < 0)
        {
            throw new UsageException($"unknown target '{name}' (expected one of {string.Join(", ", FuzzTargets.Names)})");
        }

        // Instrumented code writes coverage through SharpFuzz's trace pointer, which is null until Fuzzer.Run maps
        // afl's shared memory. The target is made before that (the V2X target's PKI is instrumented code and slow to
        // set up: inside the first run it could exceed afl's timeout), so point the trace at a scratch map meanwhile.
        unsafe
        {
            SharpFuzz.Common.Trace.SharedMem = (byte*)System.Runtime.InteropServices.NativeMemory.AllocZeroed(TraceMapSize);
        }

        var target = FuzzTargets.Create(name);

        // Warm-up (JIT, YAML parser, crypto) on the seeds, so afl's first runs are not slow ones on a loaded machine.
        if (Environment.GetEnvironmentVariable(WarmUpVariable) is { Length: > 0 } warmUp && Directory.Exists(warmUp))
        {
            foreach (var file in Directory.EnumerateFiles(warmUp))
            {
                try
                {
                    FuzzRunner.RunGuarded(target, File.ReadAllBytes(file));
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    // a seed that fails is afl's to report
                }
            }
        }

        var buffer = new MemoryStream();
        Fuzzer.Run(stream =>
        {
            buffer.SetLength(0);
            stream.CopyTo(buffer);
            FuzzRunner.RunGuarded(target, buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
        });
        (target as IDisposable)?.Dispose();
        return ExitOk;
    }

    private static int Replay(string[] args)
    {
        if (args.Length < 3)
        {
            throw new UsageException("replay takes a target and at least one file or folder");
        }

        var target = Target(args[1]);
        try
        {
            var files = new List<string>();
            foreach (var path in args[2..])
            {
                if (Directory.Exists(path))
                {
                    files.AddRange(Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal));
                }
                else if (File.Exists(path))
                {
                    files.Add(path);
                }
                else
                {
                    throw new UsageException($"no such file or folder: {path}");
                }
            }

            var findings = 0;
            foreach (var file in files)
            {
                var result = FuzzRunner.Run(target, File.ReadAllBytes(file), TimeSpan.FromSeconds(10));
                var detail = result.Exception is null ? string.Empty : $" {result.Exception.GetType().FullName}: {result.Exception.Message}";
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{result.Outcome,-19} {result.Elapsed.TotalMilliseconds,8:F1} ms {result.AllocatedBytes,12} B  {file}{detail}"));
                if (result.Outcome != InputOutcome.Ok)
                {
                    findings++;
                    if (result.Exception is not null)
                    {
                        Console.WriteLine(result.Exception.ToString());
                    }

                    if (result.Outcome == InputOutcome.Hang)
                    {
                        // The hung thread cannot be stopped; report and leave.
                        Console.WriteLine($"replay: {target.Name}: hang, stopping");
                        Environment.Exit(ExitFindings);
                    }
                }
            }

            Console.WriteLine($"replay: {target.Name}: {files.Count} input(s), {findings} finding(s)");
            return findings == 0 ? ExitOk : ExitFindings;
        }
        finally
        {
            (target as IDisposable)?.Dispose();
        }
    }

    /// <summary>Each target: what it fuzzes, its documented bad-input exceptions and the instrumented assemblies.</summary>
    private static int ListTargets()
    {
        foreach (var name in FuzzTargets.Names)
        {
            var target = FuzzTargets.Create(name);
            Console.WriteLine($"{target.Name}: {target.Description}");
            Console.WriteLine($"  bad input: {string.Join(", ", target.ExpectedExceptions.Select(t => t.FullName))}");
            Console.WriteLine($"  instrumented: {string.Join(", ", target.InstrumentedAssemblies)}");
            (target as IDisposable)?.Dispose();
        }

        return ExitOk;
    }

    private static int WriteSeeds(string[] args)
    {
        var root = RepositoryRoot.Find();
        var output = args.Length == 3 && args[1] == "--out" ? args[2]
            : args.Length == 1 ? Path.Combine(root, "tools", "AutomationStack.Fuzz", "corpus")
            : throw new UsageException("seeds takes only --out DIR");
        Seeds.WriteAll(output, root);
        Console.WriteLine($"seeds: written under {output}");
        return ExitOk;
    }

    private static int Fuzz(string[] args)
    {
        var options = AflOptions.Parse(args);
        return new AflDriver(options).Run();
    }
}

/// <summary>Bad command-line arguments (exit 2).</summary>
internal sealed class UsageException(string message) : Exception(message);

/// <summary>Something the fuzzer needs is missing or broken (exit 3).</summary>
internal sealed class EnvironmentFailureException(string message) : Exception(message);

/// <summary>Finds the repository root (the folder with AutomationStack.sln).</summary>
internal static class RepositoryRoot
{
    public static string Find()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "AutomationStack.sln")))
                {
                    return dir.FullName;
                }
            }
        }

        throw new EnvironmentFailureException("cannot find the repository root (a folder with AutomationStack.sln) above the current folder or the harness");
    }
}
