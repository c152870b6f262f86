using System.Text.Json;
using AutomationStack.Bridge.Protocol;
using AutomationStack.Mcap;

namespace AutomationStack.Cli.Tests;

/// <summary>
/// The log's Foxglove topics read the way Foxglove reads them, by an independent reader: @mcap/core opens the file,
/// protobufjs decodes every /foxglove/* message with the schema embedded in the file, and each embedded foxglove.*
/// type is checked field by field against Foxglove's published schemas (@foxglove/schemas). The decoded boxes stand
/// where the ground truth puts the vehicles.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class FoxgloveLogTests
{
    private string _root = string.Empty;
    private string _recording = string.Empty;
    private JsonDocument? _check;

    [OneTimeSetUp]
    public async Task RunAndCheck()
    {
        _root = Path.Combine(Path.GetTempPath(), "as-foxglove-" + Guid.NewGuid().ToString("N"));
        var (code, stdout, stderr) = await CliProcess.RunCliAsync(
            TimeSpan.FromMinutes(4), "run", CliProcess.DefaultScenario, "--out", _root, "--duration", "10", "--perception", "lidar", "--quiet");
        Assert.That(code, Is.Zero, stdout + stderr);
        _recording = Path.Combine(_root, "run.mcap");

        var modules = Path.Combine(CliProcess.RepoRoot, "tools", "mcap-validate", "node_modules");
        if (!File.Exists(Path.Combine(modules, "protobufjs", "package.json")) || !File.Exists(Path.Combine(modules, "@foxglove", "schemas", "package.json")))
        {
            Assert.Fail("protobufjs / @foxglove/schemas are not installed: run `npm ci --prefix tools/mcap-validate` (the README's test command does it)");
        }

        using var node = CliProcess.Start("node", [Path.Combine(CliProcess.RepoRoot, "tools", "mcap-validate", "foxglove-check.mjs"), _recording]);
        var exit = await node.WaitAsync(TimeSpan.FromSeconds(120));
        Assert.That(exit, Is.Zero, node.StandardOutput + node.StandardError);
        _check = JsonDocument.Parse(node.StandardOutput.Trim().Split('\n')[^1]);
    }

    [OneTimeTearDown]
    public void Cleanup()
    {
        _check?.Dispose();
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private JsonElement Topic(string topic) => _check!.RootElement.GetProperty("topics").GetProperty(topic);

    [Test]
    public void FoxgloveCheck_EmbeddedSchemas_MatchFoxglovesAndEveryMessageDecodes()
    {
        Assert.That(_check!.RootElement.GetProperty("ok").GetBoolean(), Is.True, _check.RootElement.GetProperty("problems").ToString());
        Assert.That(Topic("/foxglove/scene").GetProperty("schema").GetString(), Is.EqualTo("foxglove.SceneUpdate"));
        Assert.That(Topic("/foxglove/tf").GetProperty("schema").GetString(), Is.EqualTo("foxglove.FrameTransform"));
        Assert.That(Topic("/foxglove/lidar/truck1").GetProperty("schema").GetString(), Is.EqualTo("foxglove.PointCloud"));
    }

    [Test]
    public void FoxgloveCheck_Scene_TenHzWithEveryVehicleAndTheMapOnce()
    {
        Assert.That(Topic("/foxglove/map").GetProperty("messages").GetInt32(), Is.EqualTo(1));
        Assert.That(Topic("/foxglove/map").GetProperty("first").GetProperty("lines").GetInt32(), Is.EqualTo(2), "corridor A's two lanes");
        Assert.That(Topic("/foxglove/scene").GetProperty("messages").GetInt32(), Is.EqualTo(100), "10 Hz over 10 s");
        Assert.That(Topic("/foxglove/tf").GetProperty("messages").GetInt32(), Is.EqualTo(300), "three trucks at 10 Hz");
        var last = Topic("/foxglove/scene").GetProperty("last");
        Assert.That(last.GetProperty("deletions").GetInt32(), Is.EqualTo(1));
        Assert.That(last.GetProperty("cubes").GetInt32(), Is.EqualTo(6), "3 trucks + 3 cars, one box each");
        Assert.That(last.GetProperty("entities").GetInt32(), Is.EqualTo(4), "each truck, and one entity for the cars");
    }

    [Test]
    public void FoxgloveCheck_FirstBox_AtTheGroundTruthPoseOfItsVehicle()
    {
        var first = Topic("/foxglove/scene").GetProperty("first").GetProperty("first");
        var id = first.GetProperty("id").GetString();
        var position = first.GetProperty("cube").GetProperty("pose").GetProperty("position");
        using var reader = McapReader.Open(_recording);
        var sceneStamp = reader.ReadMessages("/foxglove/scene").First().LogTime;
        var truth = reader.ReadMessages("/ground_truth").Where(m => m.LogTime == sceneStamp).Select(m => GroundTruth.Parser.ParseFrom(m.Data.Span)).Single();
        var vehicle = truth.Vehicles.Single(v => v.Id == id);

        Assert.That(first.GetProperty("frame").GetString(), Is.EqualTo("map"));
        Assert.That(position.GetProperty("x").GetDouble(), Is.EqualTo(vehicle.X).Within(1e-9));
        Assert.That(position.GetProperty("y").GetDouble(), Is.EqualTo(vehicle.Y).Within(1e-9));
        Assert.That(position.GetProperty("z").GetDouble(), Is.EqualTo(vehicle.Z + (vehicle.Height / 2)).Within(1e-9));
        var size = first.GetProperty("cube").GetProperty("size");
        Assert.That(size.GetProperty("x").GetDouble(), Is.EqualTo(vehicle.Length));
    }

    [Test]
    public void FoxgloveCheck_PointClouds_OneASecondWithTheRecordedScanPoints()
    {
        var cloud = Topic("/foxglove/lidar/truck1");
        Assert.That(cloud.GetProperty("messages").GetInt32(), Is.EqualTo(10));
        Assert.That(cloud.GetProperty("first").GetProperty("stride").GetInt32(), Is.EqualTo(13));
        using var reader = McapReader.Open(_recording);
        var scan = reader.ReadMessages("/vehicle/truck1/frame").Select(m => Frame.Parser.ParseFrom(m.Data.Span)).First(f => f.Lidar is not null).Lidar;
        Assert.That(cloud.GetProperty("first").GetProperty("points").GetInt32(), Is.EqualTo((int)scan.PointCount));
    }
}
