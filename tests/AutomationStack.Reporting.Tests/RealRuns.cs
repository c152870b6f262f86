using System.Diagnostics;
using System.Text;

namespace AutomationStack.Reporting.Tests;

/// <summary>
/// Three short real runs made once for the whole assembly with the built CLI (bridge + vehicle processes), with
/// <c>--report</c>: the ACC corridor (20 s), the platoon sinusoid (20 s: the sinusoid starts at 10 s) and the actuated
/// signal corridor (32 s: past the three stop-line crossings), two at a time. Their folders stay read-only for the tests; a test that changes files copies a folder first.
/// </summary>
[SetUpFixture]
public sealed class RealRuns
{
    public const string AccScenario = "corridor-3-trucks-acc";
    public const string PlatoonScenario = "platoon-sinusoid";
    public const string SignalsScenario = "signals-actuated-corridor";

    /// <summary>s: the three trucks cross the stop line at about 27.5, 28.9 and 30.2 s.</summary>
    public const double SignalsDuration = 32;
    public const double Duration = 20;

    /// <summary>platoon-sinusoid's <c>pass_criteria.string_stability_from</c>, s.</summary>
    public const double PlatoonWindowStart = 10;

    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(3);

    public static string Root { get; private set; } = string.Empty;

    public static string AccDir => Path.Combine(Root, AccScenario);

    public static string PlatoonDir => Path.Combine(Root, PlatoonScenario);

    public static string SignalsDir => Path.Combine(Root, SignalsScenario);

    public static (int ExitCode, string Stdout, string Stderr) AccRun { get; private set; }

    public static (int ExitCode, string Stdout, string Stderr) PlatoonRun { get; private set; }

    public static (int ExitCode, string Stdout, string Stderr) SignalsRun { get; private set; }

    public static string RepoRoot
    {
        get
        {
            var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "AutomationStack.sln")))
            {
                dir = dir.Parent;
            }

            return dir?.FullName ?? throw new InvalidOperationException("AutomationStack.sln not found above the test directory");
        }
    }

    public static string Shipped(string name) => Path.Combine(RepoRoot, "sim-bridge", "scenarios", name + ".yaml");

    [OneTimeSetUp]
    public async Task RunScenariosAsync()
    {
        Root = Path.Combine(Path.GetTempPath(), "as-report-tests-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(Root);
        var acc = RunCliAsync(RunTimeout, "run", Shipped(AccScenario), "--out", AccDir, "--duration", "20", "--quiet", "--report");
        var platoon = RunCliAsync(RunTimeout, "run", Shipped(PlatoonScenario), "--out", PlatoonDir, "--duration", "20", "--quiet", "--report");
        AccRun = await acc;
        var signals = RunCliAsync(RunTimeout, "run", Shipped(SignalsScenario), "--out", SignalsDir, "--duration", SignalsDuration.ToString(System.Globalization.CultureInfo.InvariantCulture), "--quiet", "--report");
        PlatoonRun = await platoon;
        SignalsRun = await signals;
    }

    [OneTimeTearDown]
    public void RemoveRuns()
    {
        if (Directory.Exists(Root))
        {
            Directory.Delete(Root, recursive: true);
        }
    }

    /// <summary>A copy of a run folder (run.mcap, kpi.json) that a test may change.</summary>
    public static string CopyRun(string runDir)
    {
        var copy = Path.Combine(Root, "copy-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(copy);
        foreach (var name in new[] { ReportBuilder.RecordingFileName, ReportBuilder.KpiFileName })
        {
            File.Copy(Path.Combine(runDir, name), Path.Combine(copy, name));
        }

        return copy;
    }

    /// <summary>Runs the built CLI (<c>dotnet exec automationstack.dll …</c>) from the repository root; kills it on timeout.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunCliAsync(TimeSpan timeout, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RepoRoot,
        };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(Path.Combine(TestContext.CurrentContext.TestDirectory, "automationstack.dll"));
        foreach (var a in arguments)
        {
            start.ArgumentList.Add(a);
        }

        return await AutomationStack.Tests.Shared.ChildProcessRunner.RunAsync(start, timeout);
    }
}
