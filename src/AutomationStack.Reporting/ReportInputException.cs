namespace AutomationStack.Reporting;

/// <summary>A run folder cannot be reported on: <see cref="Path"/> names the file or folder, the message what was expected.</summary>
public sealed class ReportInputException : Exception
{
    public ReportInputException()
    {
        Path = string.Empty;
    }

    public ReportInputException(string message)
        : base(message)
    {
        Path = string.Empty;
    }

    public ReportInputException(string message, Exception innerException)
        : base(message, innerException)
    {
        Path = string.Empty;
    }

    public ReportInputException(string path, string message, Exception? innerException = null)
        : base($"{path}: {message}", innerException)
    {
        Path = path;
    }

    /// <summary>The file or folder at fault.</summary>
    public string Path { get; }
}
