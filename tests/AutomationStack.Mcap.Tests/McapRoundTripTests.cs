namespace AutomationStack.Mcap.Tests;

[TestFixture]
public sealed class McapRoundTripTests
{
    private const int MessageCount = 500;

    [Test]
    public void ReadMessages_SeveralChunks_ReturnsSameMessagesInOrder()
    {
        string path = McapTestFiles.WriteSampleFile("roundtrip.mcap", MessageCount);
        using var reader = McapReader.Open(path);

        var messages = reader.ReadMessages().ToList();

        Assert.That(messages, Has.Count.EqualTo(MessageCount));
        var sequences = new Dictionary<ushort, uint>();
        for (int i = 0; i < MessageCount; i++)
        {
            var (channel, logTime, data) = McapTestFiles.MessageAt(i);
            var message = messages[i];
            uint expectedSequence = sequences.GetValueOrDefault(message.ChannelId) + 1;
            sequences[message.ChannelId] = expectedSequence;
            Assert.That(reader.Channels[message.ChannelId].Topic, Is.EqualTo(McapTestFiles.Topics[channel]), $"message {i}");
            Assert.That(message.LogTime, Is.EqualTo(logTime), $"message {i}");
            Assert.That(message.PublishTime, Is.EqualTo(logTime - 1), $"message {i}");
            Assert.That(message.Sequence, Is.EqualTo(expectedSequence), $"message {i}");
            Assert.That(message.Data.ToArray(), Is.EqualTo(data), $"message {i}");
        }
        Assert.That(reader.ChunkCount, Is.GreaterThan(5));
    }

    [Test]
    public void Open_SampleFile_ExposesSchemasChannelsAndStatistics()
    {
        string path = McapTestFiles.WriteSampleFile("summary.mcap", MessageCount);
        using var reader = McapReader.Open(path);

        Assert.That(reader.Schemas.Keys, Is.EquivalentTo(new ushort[] { 1, 2, 3 }));
        Assert.That(reader.Schemas[1].Name, Is.EqualTo("as.Pose"));
        Assert.That(reader.Schemas[2].Data.ToArray(), Is.EqualTo("""{"type":"number"}"""u8.ToArray()));
        Assert.That(reader.Channels.Keys, Is.EquivalentTo(new ushort[] { 1, 2, 3, 4 }));
        Assert.That(reader.Channels[1].Metadata, Is.EquivalentTo(new Dictionary<string, string> { ["frame"] = "map", ["rate_hz"] = "50" }));
        Assert.That(reader.Channels[4].SchemaId, Is.EqualTo((ushort)0));
        Assert.That(reader.MessageCount, Is.EqualTo((ulong)MessageCount));

        var expected = new Dictionary<ushort, ulong>();
        for (int i = 0; i < MessageCount; i++)
        {
            var id = (ushort)(McapTestFiles.MessageAt(i).Channel + 1);
            expected[id] = expected.GetValueOrDefault(id) + 1;
        }
        Assert.That(reader.ChannelMessageCounts, Is.EquivalentTo(expected));
        var counted = McapTestFiles.CountByTopic(reader);
        foreach (var (id, count) in expected)
        {
            Assert.That(counted[reader.Channels[id].Topic], Is.EqualTo((long)count));
        }
    }

    [Test]
    public void ReadMessages_ByTopic_ReturnsOnlyThatTopic()
    {
        string path = McapTestFiles.WriteSampleFile("topic.mcap", MessageCount);
        using var reader = McapReader.Open(path);

        var speed = reader.ReadMessages("/vehicle/speed").ToList();

        Assert.That(speed, Has.Count.EqualTo((int)reader.ChannelMessageCounts[2]));
        Assert.That(speed.Select(m => m.ChannelId), Is.All.EqualTo((ushort)2));
        Assert.That(speed.Select(m => m.Sequence), Is.EqualTo(Enumerable.Range(1, speed.Count).Select(i => (uint)i)));
        Assert.That(reader.ReadMessages("/no/such/topic"), Is.Empty);
    }

    [Test]
    public void Validate_SampleFile_Passes()
    {
        string path = McapTestFiles.WriteSampleFile("valid.mcap", MessageCount);
        using var reader = McapReader.Open(path);

        Assert.DoesNotThrow(reader.Validate);
    }

    [Test]
    public void Validate_EmptyRecording_Passes()
    {
        string path = McapTestFiles.TempPath("empty.mcap");
        using (var stream = File.Create(path))
        using (var writer = new McapWriter(stream))
        {
            writer.RegisterChannel(0, "/unused", "json");
        }
        using var reader = McapReader.Open(path);

        Assert.DoesNotThrow(reader.Validate);
        Assert.That(reader.MessageCount, Is.Zero);
        Assert.That(reader.ReadMessages(), Is.Empty);
        Assert.That(reader.Channels, Has.Count.EqualTo(1));
    }

    [Test]
    public void WriteMessage_OutOfOrderLogTimes_IndexesStayValid()
    {
        string path = McapTestFiles.TempPath("unordered.mcap");
        using (var stream = File.Create(path))
        using (var writer = new McapWriter(stream, new McapWriterOptions { ChunkSize = 200 }))
        {
            ushort channel = writer.RegisterChannel(0, "/jitter", "json");
            ulong[] times = [50, 10, 40, 20, 30, 5, 60, 1];
            foreach (ulong t in times)
            {
                writer.WriteMessage(channel, t, t, [(byte)t]);
            }
        }
        using var reader = McapReader.Open(path);

        Assert.DoesNotThrow(reader.Validate);
        Assert.That(reader.ReadMessages().Select(m => m.LogTime), Is.EqualTo(new ulong[] { 50, 10, 40, 20, 30, 5, 60, 1 }));
    }

    [Test]
    public void Finish_CalledTwice_IsIdempotentAndDisposeDoesNotCloseStream()
    {
        using var stream = new MemoryStream();
        var writer = new McapWriter(stream);
        ushort channel = writer.RegisterChannel(0, "/a", "json");
        writer.WriteMessage(channel, 1, 1, [1, 2, 3]);
        writer.Finish();
        long length = stream.Length;

        writer.Finish();
        writer.Dispose();

        Assert.That(stream.Length, Is.EqualTo(length));
        Assert.That(stream.CanWrite, Is.True);
        Assert.That(writer.MessageCount, Is.EqualTo(1));
        Assert.Throws<InvalidOperationException>(() => new McapWriter(Stream.Null).Finish_ThenWrite());
    }

    [Test]
    public void Constructor_WritesMagicAndHeaderImmediately()
    {
        using var stream = new MemoryStream();
        using var writer = new McapWriter(stream, new McapWriterOptions { Profile = "ros2", Library = "lib" });

        var bytes = stream.ToArray();

        Assert.That(bytes.AsSpan(0, 8).ToArray(), Is.EqualTo(new byte[] { 0x89, (byte)'M', (byte)'C', (byte)'A', (byte)'P', (byte)'0', 0x0D, 0x0A }));
        Assert.That(bytes[8], Is.EqualTo(0x01));
        Assert.That(bytes, Has.Length.EqualTo(8 + 9 + 4 + 4 + 4 + 3));
    }
}

internal static class McapWriterTestExtensions
{
    public static void Finish_ThenWrite(this McapWriter writer)
    {
        ushort channel = writer.RegisterChannel(0, "/late", "json");
        writer.Finish();
        writer.WriteMessage(channel, 1, 1, []);
    }
}
