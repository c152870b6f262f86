namespace AutomationStack.Mcap.Tests;

[TestFixture]
public sealed class McapAllocationTests
{
    [Test]
    public void WriteMessage_SteadyStateWithinChunk_AllocatesNothing()
    {
        using var writer = new McapWriter(Stream.Null, new McapWriterOptions { ChunkSize = 1 << 20 });
        ushort schema = writer.RegisterSchema("s", "jsonschema", "{}"u8);
        ushort a = writer.RegisterChannel(schema, "/a", "json");
        ushort b = writer.RegisterChannel(0, "/b", "json");
        var payload = new byte[64];
        ulong time = 1;
        // Warm-up: grows the per-channel index buffers to 32 KiB (room for 2048 entries each) and JITs.
        for (int i = 0; i < 3000; i++)
        {
            writer.WriteMessage((i & 1) == 0 ? a : b, time, time, payload);
            time++;
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 800; i++)
        {
            writer.WriteMessage((i & 1) == 0 ? a : b, time, time, payload);
            time++;
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.That(allocated, Is.Zero);
    }
}
