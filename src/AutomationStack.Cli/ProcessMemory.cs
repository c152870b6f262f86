using System.Globalization;

namespace AutomationStack.Cli;

/// <summary>Resident set sizes of a process, read from /proc on Linux; null where unavailable.</summary>
internal static class ProcessMemory
{
    /// <summary>Peak resident set size (VmHWM) of a process; null where unavailable.</summary>
    private const double BytesPerKibibyte = 1024;
    private const double BytesPerMebibyte = 1024 * 1024;

    public static double? PeakResidentMegabytes(int pid) => StatusMegabytes(pid, "VmHWM:");

    /// <summary>Current resident set size (VmRSS) of a process; null where unavailable.</summary>
    public static double? ResidentMegabytes(int pid) => StatusMegabytes(pid, "VmRSS:");

    /// <summary>Number of threads of a process; null where unavailable.</summary>
    public static int? Threads(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("Threads:", StringComparison.Ordinal))
                {
                    return int.Parse(line.AsSpan("Threads:".Length).Trim(), CultureInfo.InvariantCulture);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
        {
            // Process gone or /proc unavailable.
        }

        return null;
    }

    private static double? StatusMegabytes(int pid, string field)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith(field, StringComparison.Ordinal))
                {
                    var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    return double.Parse(parts[1], CultureInfo.InvariantCulture) * BytesPerKibibyte / BytesPerMebibyte;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            // Process gone or /proc unavailable.
        }

        return null;
    }
}
