using AutomationStack.Mcap;

namespace AutomationStack.Fuzz;

/// <summary>
/// The MCAP read paths over an arbitrary file: the indexed reader (<see cref="McapReader.Open"/>, every message, the
/// time-window read of each topic, metadata, <see cref="McapReader.Validate"/>), the linear scan of an unfinished file
/// (<see cref="McapReader.ScanMessages"/>) and <see cref="McapRecovery.Recover"/>. The documented bad-input outcome of
/// each is <see cref="McapFormatException"/>. The input is written to a scratch file first (the readers read files).
/// </summary>
internal sealed class McapTarget : FuzzTarget, IDisposable
{
    private readonly string _directory;
    private readonly string _path;
    private readonly MemoryStream _recovered = new();

    public McapTarget()
    {
        var root = ScratchRoot();
        _directory = Path.Combine(root, $"automationstack-fuzz-mcap-{Environment.ProcessId}");
        Directory.CreateDirectory(_directory);
        _path = Path.Combine(_directory, "input.mcap");
    }

    public override string Name => "mcap";

    public override string Description => "MCAP reader: summary, indexed and windowed reads, metadata, validation, linear scan, recovery";

    public override IReadOnlyList<Type> ExpectedExceptions { get; } = [typeof(McapFormatException)];

    public override IReadOnlyList<string> InstrumentedAssemblies { get; } = ["AutomationStack.Mcap.dll"];

    /// <summary>Recovery rewrites the kept records, so it may allocate a few times the input.</summary>
    public override long AllocationBudget(int inputLength) => (32L << 20) + (64L * inputLength);

    public override void Execute(ReadOnlySpan<byte> input)
    {
        File.WriteAllBytes(_path, input);
        try
        {
            using var reader = McapReader.Open(_path);
            foreach (var message in reader.ReadMessages())
            {
                _ = message.Data.Length;
            }

            foreach (var channel in reader.Channels.Values)
            {
                foreach (var message in reader.ReadMessages(channel.Topic, reader.MessageStartTime, reader.MessageEndTime))
                {
                    _ = message.Data.Length;
                }

                reader.ReadMetadata(channel.Topic);
            }

            reader.ReadMetadata("run");
            reader.Validate();
        }
        catch (McapFormatException) when (!Strict)
        {
            // documented bad-input outcome
        }

        try
        {
            foreach (var message in McapReader.ScanMessages(_path))
            {
                _ = message.Data.Length;
            }
        }
        catch (McapFormatException) when (!Strict)
        {
            // documented bad-input outcome
        }

        try
        {
            _recovered.SetLength(0);
            McapRecovery.Recover(_path, _recovered);
        }
        catch (McapFormatException) when (!Strict)
        {
            // documented bad-input outcome
        }
    }

    public void Dispose()
    {
        _recovered.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // best effort
        }
    }
}
