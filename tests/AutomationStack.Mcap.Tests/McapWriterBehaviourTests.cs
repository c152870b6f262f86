namespace AutomationStack.Mcap.Tests;

[TestFixture]
public sealed class McapWriterBehaviourTests
{
    [Test]
    public void Write_SameCallsTwice_ProducesByteIdenticalOutput()
    {
        static byte[] Record()
        {
            using var stream = new MemoryStream();
            using (var writer = new McapWriter(stream, new McapWriterOptions { ChunkSize = 700 }))
            {
                McapTestFiles.WriteSample(writer, 300);
            }
            return stream.ToArray();
        }

        var first = Record();
        var second = Record();

        Assert.That(second, Is.EqualTo(first));
    }

    [Test]
    public void RegisterChannel_MetadataInsertionOrder_DoesNotChangeOutput()
    {
        static byte[] Record(IEnumerable<KeyValuePair<string, string>> entries)
        {
            using var stream = new MemoryStream();
            using (var writer = new McapWriter(stream))
            {
                var metadata = new Dictionary<string, string>();
                foreach (var (key, value) in entries)
                {
                    metadata[key] = value;
                }
                ushort channel = writer.RegisterChannel(0, "/m", "json", metadata);
                writer.WriteMessage(channel, 5, 5, [1]);
                writer.WriteMetadata("meta", metadata);
            }
            return stream.ToArray();
        }

        KeyValuePair<string, string>[] entries = [new("b", "2"), new("a", "1"), new("c", "3")];

        Assert.That(Record(entries.Reverse()), Is.EqualTo(Record(entries)));
    }

    [Test]
    public void WriteMessage_ZeroLogTime_ThrowsNamingTopic()
    {
        using var stream = new MemoryStream();
        using var writer = new McapWriter(stream);
        ushort channel = writer.RegisterChannel(0, "/vehicle/pose", "json");

        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => writer.WriteMessage(channel, 0, 1, [1]));

        Assert.That(ex!.Message, Does.Contain("/vehicle/pose"));
        Assert.That(writer.MessageCount, Is.Zero);
    }

    [Test]
    public void WriteMessage_UnknownChannel_Throws()
    {
        using var stream = new MemoryStream();
        using var writer = new McapWriter(stream);

        Assert.Throws<ArgumentException>(() => writer.WriteMessage(3, 1, 1, [1]));
    }

    [Test]
    public void RegisterChannel_UnknownSchema_Throws()
    {
        using var stream = new MemoryStream();
        using var writer = new McapWriter(stream);

        Assert.Throws<ArgumentException>(() => writer.RegisterChannel(2, "/x", "json"));
    }

    [Test]
    public void RegisterSchemaAndChannel_AssignIdsFromOne()
    {
        using var stream = new MemoryStream();
        using var writer = new McapWriter(stream);

        Assert.That(writer.RegisterSchema("s", "jsonschema", []), Is.EqualTo((ushort)1));
        Assert.That(writer.RegisterSchema("t", "jsonschema", []), Is.EqualTo((ushort)2));
        Assert.That(writer.RegisterChannel(1, "/a", "json"), Is.EqualTo((ushort)1));
        Assert.That(writer.RegisterChannel(0, "/b", "json"), Is.EqualTo((ushort)2));
    }
}
