using System.Buffers.Binary;

namespace AutomationStack.Mcap.Tests;

/// <summary>Builds deterministic sample recordings and temp paths for the MCAP tests.</summary>
internal static class McapTestFiles
{
    public static readonly string[] Topics = ["/vehicle/pose", "/vehicle/speed", "/perception/objects", "/diagnostics"];

    public static string TempPath(string name)
    {
        string directory = Path.Combine(Path.GetTempPath(), "automationstack-mcap-tests", TestContext.CurrentContext.Test.ID);
        Directory.CreateDirectory(directory);
        return Path.Combine(directory, name);
    }

    /// <summary>Expected message for index <paramref name="i"/> of <see cref="WriteSample"/>.</summary>
    public static (int Channel, ulong LogTime, byte[] Data) MessageAt(int i)
    {
        int channel = (i % 7) switch { 0 or 1 or 2 => 0, 3 or 4 => 1, 5 => 2, _ => 3 };
        ulong logTime = 1_000_000_000UL + (ulong)i * 10_000_000UL;
        var data = new byte[8 + i % 37];
        BinaryPrimitives.WriteInt64LittleEndian(data, i);
        for (int k = 8; k < data.Length; k++)
        {
            data[k] = (byte)(i + k);
        }
        return (channel, logTime, data);
    }

    /// <summary>
    /// Writes <paramref name="messageCount"/> messages over four channels (three with schemas, one
    /// schemaless) plus two metadata records. Returns the channel ids by topic index.
    /// </summary>
    public static ushort[] WriteSample(McapWriter writer, int messageCount)
    {
        ushort poseSchema = writer.RegisterSchema("as.Pose", "jsonschema", """{"type":"object"}"""u8);
        ushort speedSchema = writer.RegisterSchema("as.Speed", "jsonschema", """{"type":"number"}"""u8);
        ushort objectsSchema = writer.RegisterSchema("as.Objects", "jsonschema", """{"type":"array"}"""u8);
        var ids = new ushort[]
        {
            writer.RegisterChannel(poseSchema, Topics[0], "json", new Dictionary<string, string> { ["frame"] = "map", ["rate_hz"] = "50" }),
            writer.RegisterChannel(speedSchema, Topics[1], "json"),
            writer.RegisterChannel(objectsSchema, Topics[2], "json", new Dictionary<string, string> { ["sensor"] = "lidar" }),
            writer.RegisterChannel(0, Topics[3], "json"),
        };
        writer.WriteMetadata("run", new Dictionary<string, string> { ["vehicle"] = "truck-7", ["scenario"] = "highway" });
        for (int i = 0; i < messageCount; i++)
        {
            var (channel, logTime, data) = MessageAt(i);
            writer.WriteMessage(ids[channel], logTime, logTime - 1, data);
            if (i == messageCount / 2)
            {
                writer.WriteMetadata("midpoint", new Dictionary<string, string> { ["index"] = "half" });
            }
        }
        return ids;
    }

    public static string WriteSampleFile(string name, int messageCount, int chunkSize = 512)
    {
        string path = TempPath(name);
        using var stream = File.Create(path);
        using var writer = new McapWriter(stream, new McapWriterOptions { ChunkSize = chunkSize, Profile = "test" });
        WriteSample(writer, messageCount);
        writer.Finish();
        return path;
    }

    public static Dictionary<string, long> CountByTopic(McapReader reader)
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var message in reader.ReadMessages())
        {
            string topic = reader.Channels[message.ChannelId].Topic;
            counts[topic] = counts.GetValueOrDefault(topic) + 1;
        }
        return counts;
    }
}
