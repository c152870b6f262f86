using System.Diagnostics;
using System.Globalization;
using AutomationStack.Mcap;

/// <summary>
/// MCAP write throughput: every message of a real run log is written again with <see cref="McapWriter"/> (the bridge's
/// writer: chunks, indexes, CRCs, summary), first to a null stream (the writer's own cost), then to a file on disk
/// flushed to the device at the end. MB/s are of the file bytes produced (1 MB = 10⁶ bytes).
/// </summary>
internal static class McapBench
{
    public static int Run(string logPath, double minSeconds, TextWriter output)
    {
        var inv = CultureInfo.InvariantCulture;
        if (!File.Exists(logPath))
        {
            Console.Error.WriteLine($"bench mcap: {logPath}: no such log (make one with `./automationstack run sim-bridge/scenarios/corridor-3-trucks-acc.yaml --out out/corridor`)");
            return 2;
        }

        var schemas = new List<(string Name, string Encoding, byte[] Data)>();
        var channels = new List<(int Schema, string Topic, string Encoding)>();
        var messages = new List<(int Channel, ulong LogTime, byte[] Data)>();
        using (var reader = McapReader.Open(logPath))
        {
            var schemaIndex = new Dictionary<ushort, int>();
            foreach (var (id, schema) in reader.Schemas.OrderBy(s => s.Key))
            {
                schemaIndex[id] = schemas.Count;
                schemas.Add((schema.Name, schema.Encoding, schema.Data.ToArray()));
            }

            var channelIndex = new Dictionary<ushort, int>();
            foreach (var (id, channel) in reader.Channels.OrderBy(c => c.Key))
            {
                channelIndex[id] = channels.Count;
                channels.Add((schemaIndex.GetValueOrDefault(channel.SchemaId, -1), channel.Topic, channel.MessageEncoding));
            }

            foreach (var m in reader.ReadMessages())
            {
                messages.Add((channelIndex[m.ChannelId], m.LogTime, m.Data.ToArray()));
            }
        }

        var payload = messages.Sum(m => (long)m.Data.Length);
        output.WriteLine(string.Create(inv, $"bench mcap: {messages.Count} messages, {payload / 1e6:F1} MB of payload on {channels.Count} channels from {logPath}"));

        var (nullSeconds, nullBytes, nullPasses) = Measure(() => new CountingStream(), schemas, channels, messages, minSeconds, null);
        output.WriteLine(string.Create(inv, $"  writer only (null stream)   {nullBytes * nullPasses / nullSeconds / 1e6,8:F0} MB/s   {messages.Count * nullPasses / nullSeconds,12:F0} messages/s   ({nullPasses} passes, {nullSeconds:F2} s)"));

        var file = Path.Combine(Path.GetTempPath(), "as-bench-mcap-" + Guid.NewGuid().ToString("N") + ".mcap");
        try
        {
            var (fileSeconds, fileBytes, filePasses) = Measure(() => new FileStream(file, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20), schemas, channels, messages, minSeconds, file);
            output.WriteLine(string.Create(inv, $"  to a file, fsync at the end {fileBytes * filePasses / fileSeconds / 1e6,8:F0} MB/s   {messages.Count * filePasses / fileSeconds,12:F0} messages/s   ({filePasses} passes of {fileBytes / 1e6:F1} MB, {fileSeconds:F2} s)"));
        }
        finally
        {
            File.Delete(file);
        }

        return 0;
    }

    private static (double Seconds, long Bytes, int Passes) Measure(
        Func<Stream> open,
        List<(string Name, string Encoding, byte[] Data)> schemas,
        List<(int Schema, string Topic, string Encoding)> channels,
        List<(int Channel, ulong LogTime, byte[] Data)> messages,
        double minSeconds,
        string? file)
    {
        WriteOnce(open, schemas, channels, messages, file); // warm-up
        var watch = Stopwatch.StartNew();
        var passes = 0;
        long bytes = 0;
        while (watch.Elapsed.TotalSeconds < minSeconds || passes == 0)
        {
            bytes = WriteOnce(open, schemas, channels, messages, file);
            passes++;
        }

        return (watch.Elapsed.TotalSeconds, bytes, passes);
    }

    private static long WriteOnce(
        Func<Stream> open,
        List<(string Name, string Encoding, byte[] Data)> schemas,
        List<(int Schema, string Topic, string Encoding)> channels,
        List<(int Channel, ulong LogTime, byte[] Data)> messages,
        string? file)
    {
        using var stream = open();
        var schemaIds = new ushort[schemas.Count];
        var channelIds = new ushort[channels.Count];
        using (var writer = new McapWriter(stream, new McapWriterOptions { Profile = string.Empty, Library = "bench" }))
        {
            for (var i = 0; i < schemas.Count; i++)
            {
                schemaIds[i] = writer.RegisterSchema(schemas[i].Name, schemas[i].Encoding, schemas[i].Data);
            }

            for (var i = 0; i < channels.Count; i++)
            {
                channelIds[i] = writer.RegisterChannel(channels[i].Schema < 0 ? (ushort)0 : schemaIds[channels[i].Schema], channels[i].Topic, channels[i].Encoding);
            }

            foreach (var (channel, logTime, data) in messages)
            {
                writer.WriteMessage(channelIds[channel], logTime, logTime, data);
            }

            writer.Finish();
        }

        if (stream is FileStream fs)
        {
            fs.Flush(flushToDisk: true);
        }

        return file is null ? ((CountingStream)stream).Written : new FileInfo(file).Length;
    }

    /// <summary>Discards what is written and counts it.</summary>
    private sealed class CountingStream : Stream
    {
        public long Written { get; private set; }

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => Written;

        public override long Position { get => Written; set => throw new NotSupportedException(); }

        public override void Write(byte[] buffer, int offset, int count) => Written += count;

        public override void Write(ReadOnlySpan<byte> buffer) => Written += buffer.Length;

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
