namespace AutomationStack.Mcap.Tests;

[TestFixture]
public sealed class McapCrashRecoveryTests
{
    [Test]
    public void ScanMessages_WriterNeverFinished_ReturnsMessagesOfCompletedChunks()
    {
        string path = McapTestFiles.TempPath("crashed.mcap");
        long flushedMessages;
        using (var stream = File.Create(path))
        {
            var writer = new McapWriter(stream, new McapWriterOptions { ChunkSize = 512 });
            var ids = McapTestFiles.WriteSample(writer, 300);
            writer.WriteMessage(ids[0], ulong.MaxValue, 1, [42]); // small: stays in the open chunk
            flushedMessages = writer.MessageCount;
            stream.Flush();
            // Simulated crash: neither Finish() nor Dispose() is called on the writer.
        }

        var messages = McapReader.ScanMessages(path).ToList();

        Assert.That(messages, Has.Count.GreaterThan(250));
        Assert.That(messages.Count, Is.LessThan(flushedMessages), "the open chunk was never written");
        for (int i = 0; i < messages.Count; i++)
        {
            Assert.That(messages[i].LogTime, Is.EqualTo(McapTestFiles.MessageAt(i).LogTime), $"message {i}");
            Assert.That(messages[i].Data.ToArray(), Is.EqualTo(McapTestFiles.MessageAt(i).Data), $"message {i}");
        }
        Assert.Throws<McapFormatException>(() => McapReader.Open(path).Dispose());
    }

    [TestCase(1)]
    [TestCase(50)]
    [TestCase(400)]
    public void ScanMessages_TornTailInsideChunk_StopsAtLastCompleteChunk(int bytesRemoved)
    {
        string path = McapTestFiles.TempPath("torn.mcap");
        using (var stream = File.Create(path))
        {
            var writer = new McapWriter(stream, new McapWriterOptions { ChunkSize = 512 });
            McapTestFiles.WriteSample(writer, 200);
            stream.Flush();
        }
        var bytes = File.ReadAllBytes(path);
        int complete = McapReader.ScanMessages(path).Count();
        File.WriteAllBytes(path, bytes.AsSpan(0, bytes.Length - bytesRemoved).ToArray());

        var messages = McapReader.ScanMessages(path).ToList();

        Assert.That(messages.Count, Is.LessThanOrEqualTo(complete));
        for (int i = 0; i < messages.Count; i++)
        {
            Assert.That(messages[i].LogTime, Is.EqualTo(McapTestFiles.MessageAt(i).LogTime));
        }
    }

    [Test]
    public void ScanMessages_FinishedFile_ReturnsAllMessages()
    {
        string path = McapTestFiles.WriteSampleFile("finished.mcap", 250);

        Assert.That(McapReader.ScanMessages(path).Count(), Is.EqualTo(250));
    }

    [Test]
    public void ScanMessages_OnlyHeaderWritten_ReturnsNothing()
    {
        string path = McapTestFiles.TempPath("header-only.mcap");
        using (var stream = File.Create(path))
        {
            _ = new McapWriter(stream);
        }

        Assert.That(McapReader.ScanMessages(path), Is.Empty);
    }
}
