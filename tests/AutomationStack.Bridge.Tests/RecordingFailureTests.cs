using AutomationStack.Bridge.Protocol;
using Grpc.Core;
using AutomationStack.Mcap;

namespace AutomationStack.Bridge.Tests;

/// <summary>
/// The disk fills up while the bridge logs: the run stops at that step with the reason, nothing already written is
/// lost (the file reads up to its last complete chunk), and recovery rebuilds a valid, indexed log from it.
/// </summary>
[TestFixture]
public sealed class RecordingFailureTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromMinutes(2);

    /// <summary>A file system that takes <paramref name="capacity"/> bytes and then answers every write with ENOSPC.</summary>
    private sealed class FullDiskStream(long capacity) : Stream
    {
        private readonly MemoryStream _written = new();

        public byte[] Written => _written.ToArray();

        public int Refused { get; private set; }

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => _written.Length;

        public override long Position { get => _written.Length; set => throw new NotSupportedException(); }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            var room = capacity - _written.Length;
            if (buffer.Length > room)
            {
                _written.Write(buffer[..(int)Math.Max(0, room)]); // a torn write, as a full disk leaves it
                Refused++;
                throw new IOException("No space left on device");
            }

            _written.Write(buffer);
        }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }

    [Test]
    public async Task Run_DiskFullWhileLogging_StopsWithTheReasonAndTheLogReadsUpToItsLastChunk()
    {
        await using var f = await BridgeFixture.StartAsync(duration: 300);
        var disk = new FullDiskStream(capacity: 3_500_000);
        var runTask = f.StartRunAsync(disk);
        using var call = f.Client.Drive(deadline: DateTime.UtcNow + Wait);
        await call.RequestStream.WriteAsync(new VehicleToBridge { Attach = new Attach { VehicleId = "truck1", ProtocolVersion = ProtocolInfo.Version } });
        Assert.That(await call.ResponseStream.MoveNext(), Is.True);
        long answered = 0;
        while (await call.ResponseStream.MoveNext())
        {
            var message = call.ResponseStream.Current;
            if (message.MessageCase == BridgeToVehicle.MessageOneofCase.End)
            {
                break;
            }

            await call.RequestStream.WriteAsync(new VehicleToBridge { Command = new Command { VehicleId = "truck1", Frame = message.Frame.Frame_, Acceleration = 0 } });
            answered++;
        }

        var result = await runTask.WaitAsync(Wait);

        Assert.That(result.RecordingFailure, Does.Contain("No space left on device").And.Contain("writing the log failed at"));
        Assert.That(result.Cancelled, Is.True);
        Assert.That(result.Kpi.SimulatedTime, Is.LessThan(300), "stopped at the failure, not at the end");
        Assert.That(disk.Refused, Is.EqualTo(1), "nothing more was pushed at the full disk after the first refusal");
        Assert.That(answered, Is.GreaterThan(100));

        var path = Path.Combine(Path.GetTempPath(), "as-fulldisk-" + Guid.NewGuid().ToString("N") + ".mcap.partial");
        try
        {
            await File.WriteAllBytesAsync(path, disk.Written);
            var truths = McapReader.ScanMessages(path).Count(m => m.ChannelId == 1);
            Assert.That(truths, Is.GreaterThan(1000), "the ground truth of the complete chunks is readable");
            using var recovered = new MemoryStream();
            var recovery = McapRecovery.Recover(path, recovered);
            Assert.That(recovery.Messages, Is.EqualTo(McapReader.ScanMessages(path).Count()));
            var rebuilt = path + ".recovered.mcap";
            await File.WriteAllBytesAsync(rebuilt, recovered.ToArray());
            using var reader = McapReader.Open(rebuilt);
            reader.Validate();
            File.Delete(rebuilt);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
