namespace AutomationStack.Mcap.Tests;

/// <summary>Time-window reads through the chunk index, metadata by name, and the message time range.</summary>
[TestFixture]
public sealed class McapIndexedReadTests
{
    private const int MessageCount = 500;

    [Test]
    public void ReadMessages_TimeWindow_ExactlyTheTopicsMessagesInsideInclusive()
    {
        string path = McapTestFiles.WriteSampleFile("window.mcap", MessageCount);
        using var reader = McapReader.Open(path);
        var start = McapTestFiles.MessageAt(200).LogTime;
        var end = McapTestFiles.MessageAt(260).LogTime;

        var got = reader.ReadMessages(McapTestFiles.Topics[0], start, end).Select(m => m.LogTime).ToList();

        var expected = Enumerable.Range(0, MessageCount).Select(McapTestFiles.MessageAt)
            .Where(m => m.Channel == 0 && m.LogTime >= start && m.LogTime <= end).Select(m => m.LogTime).ToList();
        Assert.That(got, Is.EqualTo(expected));
        Assert.That(got, Is.Not.Empty);
    }

    [Test]
    public void ReadMessages_WindowOutsideTheLog_Empty()
    {
        string path = McapTestFiles.WriteSampleFile("outside.mcap", MessageCount);
        using var reader = McapReader.Open(path);

        var got = reader.ReadMessages(McapTestFiles.Topics[1], reader.MessageEndTime + 1, ulong.MaxValue).ToList();

        Assert.That(got, Is.Empty);
    }

    [Test]
    public void MessageStartEndTime_SampleFile_FirstAndLastLogTime()
    {
        string path = McapTestFiles.WriteSampleFile("range.mcap", MessageCount);
        using var reader = McapReader.Open(path);

        Assert.That(
            (reader.MessageStartTime, reader.MessageEndTime),
            Is.EqualTo((McapTestFiles.MessageAt(0).LogTime, McapTestFiles.MessageAt(MessageCount - 1).LogTime)));
    }

    [Test]
    public void ReadMetadata_ByName_ItsPairsOrNull()
    {
        string path = McapTestFiles.WriteSampleFile("metadata.mcap", MessageCount);
        using var reader = McapReader.Open(path);

        var run = reader.ReadMetadata("run");
        var midpoint = reader.ReadMetadata("midpoint");

        Assert.That(run, Is.EquivalentTo(new Dictionary<string, string> { ["vehicle"] = "truck-7", ["scenario"] = "highway" }));
        Assert.That(midpoint!["index"], Is.EqualTo("half"));
        Assert.That(reader.ReadMetadata("absent"), Is.Null);
    }
}
