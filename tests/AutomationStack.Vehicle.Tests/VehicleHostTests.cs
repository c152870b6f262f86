using AutomationStack.Contracts;
using AutomationStack.Geometry;
using AutomationStack.RoadMap;

namespace AutomationStack.Vehicle.Tests;

public sealed class VehicleHostTests
{
    /// <summary>A scripted world: a fixed list of frames, records what the host sends.</summary>
    private sealed class ScriptedWorld(IReadOnlyList<SensorFrame> frames, IReadOnlyDictionary<string, double> parameters) : IVehicleInterface
    {
        private int _next;

        public List<VehicleOutput> Sent { get; } = [];

        public VehicleSession Session { get; private set; } = null!;

        public Task ConnectAsync(CancellationToken cancellationToken)
        {
            var lane = new Lane("R/0", "R", 0, new Polyline([new Vec2(0, 0), new Vec2(5000, 0)]), 3.5, 30, ElevationProfile.Flat, null, null);
            Session = new VehicleSession("truck1", 1, TruckParameters.Default, new RoadNetwork("test", [lane]), 0.01, 2, 1, parameters);
            return Task.CompletedTask;
        }

        public ValueTask<SensorFrame?> NextFrameAsync(CancellationToken cancellationToken) =>
            ValueTask.FromResult(_next < frames.Count ? frames[_next++] : null);

        public ValueTask SendAsync(VehicleOutput output, CancellationToken cancellationToken)
        {
            Sent.Add(output);
            return ValueTask.CompletedTask;
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    private static List<SensorFrame> Frames(int count)
    {
        var frames = new List<SensorFrame>();
        for (var i = 1; i <= count; i++)
        {
            var stamp = i * 20_000_000L;
            var x = 100 + (20.0 * stamp / 1e9);
            frames.Add(new SensorFrame(i * 2, stamp, new EgoMeasurement(stamp, x, 0, 0, 20, 0, 0, true), [], [], new DriverInput(20, 0), "R/0"));
        }

        return frames;
    }

    [Test]
    public async Task RunAsync_ThreeFrames_AnswersEachFrameInOrder()
    {
        var world = new ScriptedWorld(Frames(3), new Dictionary<string, double>());

        var count = await VehicleHost.RunAsync(world, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.That(count, Is.EqualTo(3));
        Assert.That(world.Sent.Select(o => o.FrameNumber), Is.EqualTo(new long[] { 2, 4, 6 }));
        Assert.That(world.Sent.All(o => double.IsFinite(o.Command.Acceleration) && double.IsFinite(o.Command.SteeringAngle)), Is.True);
    }

    [Test]
    public void RunAsync_UnknownParameter_ThrowsNamingTheKey()
    {
        var world = new ScriptedWorld(Frames(1), new Dictionary<string, double> { ["acc.time_gapp"] = 1.5 });

        var ex = Assert.ThrowsAsync<ArgumentException>(async () => await VehicleHost.RunAsync(world, CancellationToken.None));

        Assert.That(ex!.Message, Does.Contain("acc.time_gapp"));
        Assert.That(world.Sent, Is.Empty);
    }
}
