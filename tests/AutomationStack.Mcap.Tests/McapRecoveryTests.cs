using System.Buffers.Binary;

namespace AutomationStack.Mcap.Tests;

/// <summary><see cref="McapRecovery"/>: a truncated or damaged log becomes a valid, indexed one with every message before the damage.</summary>
[TestFixture]
public sealed class McapRecoveryTests
{
    private static string Crashed(int messages, out long written)
    {
        var path = McapTestFiles.TempPath("crashed-" + Guid.NewGuid().ToString("N") + ".mcap");
        using var stream = File.Create(path);
        var writer = new McapWriter(stream, new McapWriterOptions { ChunkSize = 512 });
        McapTestFiles.WriteSample(writer, messages);
        written = writer.MessageCount;
        stream.Flush();
        return path; // neither Finish nor Dispose: no summary, the open chunk lost
    }

    private static (McapRecoveryResult Result, string Output) RecoverToFile(string input)
    {
        var output = input + ".recovered";
        using (var stream = File.Create(output))
        {
            var result = McapRecovery.Recover(input, stream);
            return (result, output);
        }
    }

    [Test]
    public void Recover_WriterNeverFinished_ValidIndexedFileWithTheFlushedMessages()
    {
        var input = Crashed(300, out var written);
        var scanned = McapReader.ScanMessages(input).Count();

        var (result, output) = RecoverToFile(input);

        using var reader = McapReader.Open(output);
        reader.Validate();
        var messages = reader.ReadMessages().ToList();
        Assert.That(messages, Has.Count.EqualTo(scanned));
        Assert.That(result.Messages, Is.EqualTo(scanned));
        Assert.That(scanned, Is.GreaterThan(250).And.LessThanOrEqualTo(written));
        Assert.That(result.HadSummary, Is.False);
        for (var i = 0; i < messages.Count; i++)
        {
            Assert.That(messages[i].LogTime, Is.EqualTo(McapTestFiles.MessageAt(i).LogTime), $"message {i}");
            Assert.That(messages[i].Data.ToArray(), Is.EqualTo(McapTestFiles.MessageAt(i).Data), $"message {i}");
        }
    }

    [Test]
    public void Recover_TruncatedAtEveryFewBytes_AlwaysValidAndAPrefixOfTheOriginal()
    {
        var full = McapTestFiles.WriteSampleFile("recover-full-" + Guid.NewGuid().ToString("N") + ".mcap", 120);
        var bytes = File.ReadAllBytes(full);
        var previous = -1L;
        for (var cut = 9; cut < bytes.Length; cut += 97)
        {
            var input = McapTestFiles.TempPath($"cut-{cut}-{Guid.NewGuid():N}.mcap");
            File.WriteAllBytes(input, bytes.AsSpan(0, cut).ToArray());

            var (result, output) = RecoverToFile(input);

            using var reader = McapReader.Open(output);
            reader.Validate();
            var messages = reader.ReadMessages().ToList();
            Assert.That(messages, Has.Count.EqualTo(result.Messages), $"cut at {cut}");
            Assert.That(result.Messages, Is.GreaterThanOrEqualTo(previous), $"cut at {cut}: a longer prefix never yields fewer messages");
            previous = result.Messages;
            for (var i = 0; i < messages.Count; i++)
            {
                Assert.That(messages[i].LogTime, Is.EqualTo(McapTestFiles.MessageAt(i).LogTime), $"cut at {cut}, message {i}");
            }
        }
    }

    [Test]
    public void Recover_CompleteFile_EveryMessageAndSaysComplete()
    {
        var full = McapTestFiles.WriteSampleFile("recover-complete-" + Guid.NewGuid().ToString("N") + ".mcap", 250);

        var (result, output) = RecoverToFile(full);

        Assert.That(result.HadSummary, Is.True);
        Assert.That(result.StopReason, Does.Contain("complete"));
        using var reader = McapReader.Open(output);
        Assert.That(reader.MessageCount, Is.EqualTo(250UL));
    }

    [Test]
    public void Recover_ByteFlippedInAChunk_StopsBeforeThatChunk()
    {
        var full = McapTestFiles.WriteSampleFile("recover-flip-" + Guid.NewGuid().ToString("N") + ".mcap", 250);
        var bytes = File.ReadAllBytes(full);
        bytes[bytes.Length / 2] ^= 0x5A;
        var input = McapTestFiles.TempPath("flipped-" + Guid.NewGuid().ToString("N") + ".mcap");
        File.WriteAllBytes(input, bytes);

        var (result, output) = RecoverToFile(input);

        using var reader = McapReader.Open(output);
        reader.Validate();
        Assert.That(result.Messages, Is.GreaterThan(0).And.LessThan(250));
        Assert.That(result.StopReason, Does.Contain("at byte"));
        var messages = reader.ReadMessages().ToList();
        for (var i = 0; i < messages.Count; i++)
        {
            Assert.That(messages[i].Data.ToArray(), Is.EqualTo(McapTestFiles.MessageAt(i).Data), $"message {i}");
        }
    }

    [Test]
    public void Recover_NotAnMcapFile_FormatErrorAtTheStart()
    {
        var input = McapTestFiles.TempPath("not-mcap-" + Guid.NewGuid().ToString("N") + ".mcap");
        File.WriteAllText(input, "hello, this is not a log");

        var ex = Assert.Throws<McapFormatException>(() => McapRecovery.Recover(input, Stream.Null));

        Assert.That(ex!.Message, Does.Contain("not an MCAP file"));
    }

    [Test]
    public void Recover_ChunkWithMessageAtLogTimeZero_StopsThereAsDamagedRecord()
    {
        // Found by fuzzing: the message went on to McapWriter, whose ArgumentOutOfRangeException escaped Recover.
        var bytes = File.ReadAllBytes(McapTestFiles.WriteSampleFile("logtime0-" + Guid.NewGuid().ToString("N") + ".mcap", 40));
        var chunk = 8;
        while (bytes[chunk] != McapOpcode.Chunk)
        {
            chunk += McapOpcode.RecordHeaderSize + (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(chunk + 1));
        }

        var content = chunk + McapOpcode.RecordHeaderSize;
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(content + 24), 0); // CRC 0: not checked
        var record = content + 28 + 4 + (int)BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(content + 28)) + 8;
        while (bytes[record] != McapOpcode.Message)
        {
            record += McapOpcode.RecordHeaderSize + (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(record + 1));
        }

        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(record + McapOpcode.RecordHeaderSize + 6), 0);
        var input = McapTestFiles.TempPath("logtime0-damaged-" + Guid.NewGuid().ToString("N") + ".mcap");
        File.WriteAllBytes(input, bytes);

        var result = McapRecovery.Recover(input, Stream.Null);

        Assert.That(result.StopReason, Does.Contain("log time 0"));
        Assert.That(result.Messages, Is.Zero, "the damaged chunk is dropped whole");
        Assert.That(result.GoodBytes, Is.EqualTo(chunk));
    }
}
