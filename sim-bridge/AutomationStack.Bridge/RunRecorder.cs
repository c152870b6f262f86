using AutomationStack.Bridge.Protocol;
using AutomationStack.Mcap;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace AutomationStack.Bridge;

/// <summary>
/// Writes every topic of a run into one MCAP file (protobuf encoding, schemas embedded). Log time = publish time =
/// simulated time in ns, never zero. Called only from the step loop, so the output is a pure function of the run.
/// Topics: /vehicle/{id}/frame, /vehicle/{id}/command, /ground_truth, /events, /log, /kpi.
/// </summary>
public sealed class RunRecorder : IDisposable
{
    public const string MessageEncoding = "protobuf";
    public const string GroundTruthTopic = "/ground_truth";
    public const string EventsTopic = "/events";
    public const string LogTopic = "/log";
    public const string KpiTopic = "/kpi";

    private readonly McapWriter _writer;
    private readonly Dictionary<string, ushort> _schemaIds = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ushort> _channelIds = new(StringComparer.Ordinal);
    private readonly byte[] _descriptorSet;
    private byte[] _buffer = new byte[64 * 1024];
    private ulong _lastStamp = 1;

    public RunRecorder(Stream output)
    {
        _writer = new McapWriter(output, new McapWriterOptions { Profile = string.Empty, Library = "automationstack-bridge" });
        _descriptorSet = ProtobufSchemas.FileDescriptorSet(Frame.Descriptor);
    }

    public long MessageCount => _writer.MessageCount;

    /// <summary>
    /// Why writing the log failed (the disk filled up, the device went away), or null. After a failure every further
    /// write is dropped: the file keeps what was written before (readable up to its last complete chunk;
    /// <c>automationstack recover</c> rebuilds its index), and the bridge stops the run.
    /// </summary>
    public string? Failure { get; private set; }

    public void WriteMetadata(string name, IReadOnlyDictionary<string, string> values) => Guard(() => _writer.WriteMetadata(name, values));

    private void Guard(Action write)
    {
        if (Failure is not null)
        {
            return;
        }

        try
        {
            write();
        }
        catch (IOException ex)
        {
            Failure = ex.Message;
        }
    }

    public static string FrameTopic(string vehicleId) => $"/vehicle/{vehicleId}/frame";

    public static string CommandTopic(string vehicleId) => $"/vehicle/{vehicleId}/command";

    /// <summary>Registers a topic ahead of time so that channel ids follow a deterministic order.</summary>
    public void Declare(string topic, MessageDescriptor descriptor) => Guard(() => ChannelFor(topic, descriptor));

    public void Write(string topic, IMessage message, long stampNs)
    {
        if (Failure is not null)
        {
            return;
        }

        try
        {
            WriteCore(topic, message, stampNs);
        }
        catch (IOException ex)
        {
            Failure = ex.Message;
        }
    }

    private void WriteCore(string topic, IMessage message, long stampNs)
    {
        var channel = ChannelFor(topic, message.Descriptor);
        var size = message.CalculateSize();
        if (size > _buffer.Length)
        {
            _buffer = new byte[Math.Max(size, _buffer.Length * 2)];
        }

        var span = _buffer.AsSpan(0, size);
        message.WriteTo(span);
        var stamp = stampNs > 0 ? (ulong)stampNs : _lastStamp;
        _lastStamp = stamp;
        _writer.WriteMessage(channel, stamp, stamp, span);
    }

    /// <summary>Writes the summary and closes the data; skipped after a failure (the file then has no summary).</summary>
    public void Finish() => Guard(_writer.Finish);

    public void Dispose()
    {
        if (Failure is not null)
        {
            return; // nothing more goes to a file that could not take the last write
        }

        try
        {
            _writer.Dispose();
        }
        catch (IOException ex)
        {
            Failure ??= ex.Message;
        }
    }

    private ushort ChannelFor(string topic, MessageDescriptor descriptor)
    {
        if (_channelIds.TryGetValue(topic, out var id))
        {
            return id;
        }

        if (!_schemaIds.TryGetValue(descriptor.FullName, out var schemaId))
        {
            // The bridge's own messages share one descriptor set; others (Foxglove's schemas) carry their own file.
            var set = descriptor.File == Frame.Descriptor.File ? _descriptorSet : ProtobufSchemas.FileDescriptorSet(descriptor);
            schemaId = _writer.RegisterSchema(descriptor.FullName, MessageEncoding, set);
            _schemaIds.Add(descriptor.FullName, schemaId);
        }

        id = _writer.RegisterChannel(schemaId, topic, MessageEncoding);
        _channelIds.Add(topic, id);
        return id;
    }
}
