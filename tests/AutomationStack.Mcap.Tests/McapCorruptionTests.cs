namespace AutomationStack.Mcap.Tests;

[TestFixture]
public sealed class McapCorruptionTests
{
    [Test]
    public void Validate_CorruptByteInsideChunk_ThrowsCrcError()
    {
        string path = McapTestFiles.WriteSampleFile("corrupt-validate.mcap", 200);
        long offset = FlipByteInsideFirstChunk(path);
        using var reader = McapReader.Open(path);

        var ex = Assert.Throws<McapFormatException>(reader.Validate);

        Assert.That(ex!.Message, Does.Contain("CRC"));
        Assert.That(ex.Offset, Is.GreaterThan(0).And.LessThan(offset));
    }

    [Test]
    public void ReadMessages_CorruptByteInsideChunk_ThrowsCrcError()
    {
        string path = McapTestFiles.WriteSampleFile("corrupt-read.mcap", 200);
        FlipByteInsideFirstChunk(path);
        using var reader = McapReader.Open(path);

        var ex = Assert.Throws<McapFormatException>(() => reader.ReadMessages().ToList());

        Assert.That(ex!.Message, Does.Contain("CRC"));
    }

    [Test]
    public void Open_CorruptByteInSummary_ThrowsSummaryCrcError()
    {
        string path = McapTestFiles.WriteSampleFile("corrupt-summary.mcap", 200);
        var bytes = File.ReadAllBytes(path);
        // A byte inside the Statistics record: just before the summary offset section.
        long summaryOffsetStart = BitConverter.ToInt64(bytes, bytes.Length - 8 - 29 + 17);
        bytes[summaryOffsetStart - 3] ^= 0xFF;
        File.WriteAllBytes(path, bytes);

        var ex = Assert.Throws<McapFormatException>(() => McapReader.Open(path).Dispose());

        Assert.That(ex!.Message, Does.Contain("CRC"));
    }

    [TestCase(1)]
    [TestCase(8)]
    [TestCase(100)]
    [TestCase(2000)]
    public void Open_TruncatedFile_ThrowsFormatException(int bytesRemoved)
    {
        string path = McapTestFiles.WriteSampleFile("truncated.mcap", 200);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes.AsSpan(0, bytes.Length - bytesRemoved).ToArray());

        Assert.Throws<McapFormatException>(() => McapReader.Open(path).Dispose());
    }

    [Test]
    public void Open_TinyOrForeignFile_ThrowsFormatException()
    {
        string tiny = McapTestFiles.TempPath("tiny.mcap");
        File.WriteAllBytes(tiny, [0x89, (byte)'M', (byte)'C']);
        string foreign = McapTestFiles.TempPath("foreign.mcap");
        File.WriteAllBytes(foreign, new byte[500]);

        Assert.Throws<McapFormatException>(() => McapReader.Open(tiny).Dispose());
        var ex = Assert.Throws<McapFormatException>(() => McapReader.Open(foreign).Dispose());
        Assert.That(ex!.Message, Does.Contain("magic"));
        Assert.That(ex.Offset, Is.Zero);
    }

    [Test]
    public void Validate_StatisticsMismatch_Throws()
    {
        string path = McapTestFiles.WriteSampleFile("stats.mcap", 50, chunkSize: 1 << 20);
        var bytes = File.ReadAllBytes(path);
        // Patch Statistics.message_count (first field of the Statistics record) and keep the summary CRC
        // valid by zeroing it (0 = "not available"), so only the count check can fail.
        int statistics = IndexOfRecord(bytes, 0x0B, (int)BitConverter.ToInt64(bytes, bytes.Length - 8 - 29 + 9));
        bytes[statistics + 9] ^= 0x01;
        BitConverter.TryWriteBytes(bytes.AsSpan(bytes.Length - 8 - 4), 0u);
        File.WriteAllBytes(path, bytes);
        using var reader = McapReader.Open(path);

        var ex = Assert.Throws<McapFormatException>(reader.Validate);

        Assert.That(ex!.Message, Does.Contain("message_count"));
    }

    /// <summary>Flips one byte of message payload in the first chunk; returns the absolute offset flipped.</summary>
    private static long FlipByteInsideFirstChunk(string path)
    {
        var bytes = File.ReadAllBytes(path);
        int chunk = IndexOfRecord(bytes, 0x06, 8);
        long offset = chunk + (BitConverter.ToInt64(bytes, chunk + 1) / 2) + 9;
        bytes[offset] ^= 0x5A;
        File.WriteAllBytes(path, bytes);
        return offset;
    }

    /// <summary>Walks records from <paramref name="start"/> and returns the offset of the first with <paramref name="opcode"/>.</summary>
    private static int IndexOfRecord(byte[] bytes, byte opcode, int start)
    {
        int position = start == 8 ? 8 : start;
        while (position + 9 <= bytes.Length)
        {
            if (bytes[position] == opcode)
            {
                return position;
            }
            position += 9 + (int)BitConverter.ToInt64(bytes, position + 1);
        }
        throw new InvalidOperationException($"No record with opcode {opcode}");
    }
}
