using AutomationStack.Bridge.Protocol;
using AutomationStack.Mcap;
using Grpc.Core;

namespace AutomationStack.Bridge.Tests;

/// <summary>
/// A vehicle process that answers with non-finite numbers (a bug, a corrupted message): the bridge fails closed — a
/// NaN acceleration brakes at the minimal-risk deceleration for that period, a NaN steering angle keeps the last
/// finite one — records an <c>invalid_command</c> event for each, and the run goes on.
/// </summary>
[TestFixture]
public sealed class NonFiniteCommandTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromMinutes(2);

    [Test]
    public async Task Drive_NonFiniteCommandsAfterOneSecond_TruckBrakesAndEachIsRecorded()
    {
        await using var f = await BridgeFixture.StartAsync(duration: 3.0, speedKph: 36);
        var runTask = f.StartRunAsync();
        using var call = f.Client.Drive(deadline: DateTime.UtcNow + Wait);
        await call.RequestStream.WriteAsync(new VehicleToBridge { Attach = new Attach { VehicleId = "truck1", ProtocolVersion = ProtocolInfo.Version } });
        Assert.That(await call.ResponseStream.MoveNext(), Is.True);
        var bad = 0;
        while (await call.ResponseStream.MoveNext())
        {
            var message = call.ResponseStream.Current;
            if (message.MessageCase == BridgeToVehicle.MessageOneofCase.End)
            {
                break;
            }

            var frame = message.Frame;
            var late = frame.StampNs >= 1_000_000_000;
            var command = new Command
            {
                VehicleId = "truck1",
                Frame = frame.Frame_,
                Acceleration = late ? double.NaN : 0,
                SteeringAngle = late && frame.Frame_ % 4 == 0 ? double.PositiveInfinity : 0,
            };
            bad += late ? 1 : 0;
            await call.RequestStream.WriteAsync(new VehicleToBridge { Command = command });
        }

        var result = await runTask.WaitAsync(Wait);

        Assert.That(result.Vehicles[0].Failed, Is.False, "a bad command is contained, not a failure of the truck");
        var path = Path.Combine(Path.GetTempPath(), "as-nonfinite-" + Guid.NewGuid().ToString("N") + ".mcap");
        try
        {
            await File.WriteAllBytesAsync(path, f.Recording.ToArray());
            using var reader = McapReader.Open(path);
            var events = reader.ReadMessages("/events").Select(m => RunEvent.Parser.ParseFrom(m.Data.Span)).Where(e => e.Kind == "invalid_command").ToList();
            Assert.That(events.Count(e => e.Detail.Contains("longitudinal", StringComparison.Ordinal)), Is.EqualTo(bad).Within(1));
            Assert.That(events.Count(e => e.Detail.Contains("steering", StringComparison.Ordinal)), Is.GreaterThan(bad / 5));
            var truths = reader.ReadMessages("/ground_truth").Select(m => GroundTruth.Parser.ParseFrom(m.Data.Span)).ToList();
            var atOne = truths.First(g => g.StampNs >= 1_000_000_000).Vehicles.Single();
            var last = truths[^1].Vehicles.Single();
            Assert.That(atOne.Speed, Is.EqualTo(10).Within(0.3), "cruising before the bad commands");
            Assert.That(last.Speed, Is.LessThan(atOne.Speed - 3), "braked for the 2 s of non-finite requests");
            Assert.That(Math.Abs(last.Offset), Is.LessThan(0.5), "kept its lane (steering held, not infinite)");
        }
        finally
        {
            File.Delete(path);
        }
    }
}
