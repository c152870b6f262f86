using System.Globalization;
using System.Text;

namespace AutomationStack.Cli;

/// <summary>
/// <c>run --memory-log FILE</c>: one CSV row per sample (every <see cref="Interval"/> of wall time) with the simulated
/// time reached, the bridge (CLI) process's resident set, managed heap (allocated, not yet collected), memory the
/// garbage collector has committed and thread count, and each vehicle process's resident set, so a
/// long run's memory can be plotted against simulated time (the soak, docs/soak.md). Wall-clock sampling only: nothing
/// here feeds the run.
/// </summary>
internal sealed class MemoryLog : IDisposable
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);
    private const double BytesPerMebibyte = 1024 * 1024;
    private readonly StreamWriter _writer;
    private readonly IReadOnlyList<VehicleRunner> _runners;
    private readonly System.Diagnostics.Stopwatch _wall = System.Diagnostics.Stopwatch.StartNew();
    private TimeSpan _nextRow = TimeSpan.Zero;
    private double _simulated;

    public MemoryLog(string path, IReadOnlyList<VehicleRunner> runners)
    {
        _runners = runners;
        _writer = new StreamWriter(path, append: false, new UTF8Encoding(false));
        var header = new StringBuilder("wall_s,sim_s,bridge_rss_mb,bridge_managed_heap_mb,bridge_gc_committed_mb,bridge_threads");
        foreach (var runner in runners)
        {
            header.Append(',').Append(runner.VehicleId).Append("_rss_mb");
        }

        _writer.WriteLine(header.ToString());
    }

    /// <summary>The simulated time the run has reached (from its progress reports).</summary>
    public void Reached(double simulatedSeconds) => Volatile.Write(ref _simulated, simulatedSeconds);

    /// <summary>Writes a row when one is due (called by the memory sampler after each sampling pass).</summary>
    public void SampleIfDue(bool force = false)
    {
        var elapsed = _wall.Elapsed;
        if (!force && elapsed < _nextRow)
        {
            return;
        }

        _nextRow = elapsed + Interval;
        var inv = CultureInfo.InvariantCulture;
        var row = new StringBuilder();
        row.Append(elapsed.TotalSeconds.ToString("F1", inv)).Append(',')
            .Append(Volatile.Read(ref _simulated).ToString("F2", inv)).Append(',')
            .Append(Format(ProcessMemory.ResidentMegabytes(Environment.ProcessId))).Append(',')
            .Append((GC.GetTotalMemory(forceFullCollection: false) / BytesPerMebibyte).ToString("F1", inv)).Append(',')
            .Append((GC.GetGCMemoryInfo().TotalCommittedBytes / BytesPerMebibyte).ToString("F1", inv)).Append(',')
            .Append(ProcessMemory.Threads(Environment.ProcessId)?.ToString(inv) ?? string.Empty);
        foreach (var runner in _runners)
        {
            row.Append(',').Append(Format(runner.ProcessId is { } pid ? ProcessMemory.ResidentMegabytes(pid) : null));
        }

        _writer.WriteLine(row.ToString());
        _writer.Flush();
    }

    public void Dispose() => _writer.Dispose();

    private static string Format(double? megabytes) => megabytes is { } m ? m.ToString("F1", CultureInfo.InvariantCulture) : string.Empty;
}
