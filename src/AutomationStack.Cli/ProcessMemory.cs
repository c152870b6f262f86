using System.Globalization;

namespace AutomationStack.Cli;

/// <summary>Peak resident set size (VmHWM) of a process, read from /proc on Linux; null where unavailable.</summary>
internal static class ProcessMemory
{
    private const double BytesPerKibibyte = 1024;
    private const double BytesPerMebibyte = 1024 * 1024;

    public static double? PeakResidentMegabytes(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
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
