using System.Globalization;
using System.Text;
using System.Text.Json;
using AutomationStack.Bridge;
using AutomationStack.Bridge.Protocol;
using AutomationStack.Configuration;
using AutomationStack.Mcap;
using AutomationStack.Scenarios;
using AutomationStack.Vehicle;
using AutomationStack.Vehicle.BridgeClient;
using AutomationStack.Vehicle.Pipeline;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace AutomationStack.Cli;

/// <summary>What <c>replay</c> is asked to do.</summary>
/// <param name="Recording">the recorded run.mcap.</param>
/// <param name="ScenarioPath">the scenario the run was made from (sessions, parameters and map come from it).</param>
/// <param name="OutDirectory">where replay.mcap and replay-diff.json go.</param>
/// <param name="Overrides">parameter changes: (truck or null for every truck, name, value).</param>
/// <param name="Tolerance">absolute tolerance of floating-point fields.</param>
public sealed record ReplayRequest(
    string Recording,
    string ScenarioPath,
    string? OutDirectory = null,
    IReadOnlyList<(string? Vehicle, string Name, double Value)>? Overrides = null,
    double Tolerance = ReplayCommand.DefaultTolerance,
    string? ModelsDirectory = null);

/// <summary>
/// Re-simulation (openpilot's process replay): the recorded sensor frames and V2X messages of every stack truck go
/// open-loop through the current vehicle pipeline, built exactly as a vehicle process builds it when it attaches
/// (same session, parameters, map and seed-derived V2X credentials, optionally with changed parameters); the new
/// commands are written to a new log and compared with the recorded ones field by field (floating-point fields within
/// a tolerance). Exit 0: no difference; 1: differences (listed per topic and field); 2: bad input.
/// </summary>
public static class ReplayCommand
{
    public const double DefaultTolerance = 1e-9;
    public const string ReplayFileName = "replay.mcap";
    public const string DiffFileName = "replay-diff.json";

    private const int ShownFields = 8;

    public static async Task<int> ExecuteAsync(ReplayRequest request, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        if (!File.Exists(request.Recording))
        {
            await stderr.WriteLineAsync($"error: {request.Recording}: no such log (expected a run.mcap written by `run`)").ConfigureAwait(false);
            return ExitCodes.BadInput;
        }

        Scenario scenario;
        try
        {
            scenario = ScenarioLoader.Load(request.ScenarioPath);
        }
        catch (ConfigurationException ex)
        {
            await stderr.WriteLineAsync($"error: {ex.Message}").ConfigureAwait(false);
            return ExitCodes.BadInput;
        }

        McapReader reader;
        try
        {
            reader = McapReader.Open(request.Recording);
        }
        catch (Exception ex) when (ex is McapFormatException or IOException or InvalidDataException)
        {
            await stderr.WriteLineAsync($"error: {request.Recording}: not a readable MCAP log: {ex.Message}").ConfigureAwait(false);
            return ExitCodes.BadInput;
        }

        using (reader)
        {
            var topics = reader.Channels.Values.Select(c => c.Topic).ToHashSet(StringComparer.Ordinal);
            var trucks = scenario.Vehicles.Where(v => v.Role == VehicleRole.Stack).Select(v => v.Id).Where(id => topics.Contains(RunRecorder.FrameTopic(id))).ToList();
            if (trucks.Count == 0)
            {
                await stderr.WriteLineAsync($"error: {request.Recording}: no /vehicle/<id>/frame topic of a stack truck of scenario '{scenario.Name}' ({string.Join(", ", scenario.Vehicles.Where(v => v.Role == VehicleRole.Stack).Select(v => v.Id))})").ConfigureAwait(false);
                return ExitCodes.BadInput;
            }

            foreach (var (vehicle, name, _) in request.Overrides ?? [])
            {
                if (vehicle is not null && !trucks.Contains(vehicle))
                {
                    await stderr.WriteLineAsync($"error: --set {vehicle}:{name}: '{vehicle}' is not a stack truck of the log ({string.Join(", ", trucks)})").ConfigureAwait(false);
                    return ExitCodes.BadInput;
                }
            }

            // A run made with `run --perception lidar` carries scans the scenario alone does not ask for.
            if (!scenario.World.Lidar.Enabled && trucks.Any(id => reader.ReadMessages(RunRecorder.FrameTopic(id)).Take(200).Any(m => Frame.Parser.ParseFrom(m.Data.Span).Lidar is not null)))
            {
                scenario = RunCommand.WithLidarPerception(scenario);
            }

            var run = new BridgeRun(scenario);
            var map = ProtocolMapping.ToRoadNetwork(run.WorldInfo);
            var outDir = Path.GetFullPath(request.OutDirectory ?? Path.Combine(Path.GetDirectoryName(Path.GetFullPath(request.Recording))!, "replay"));
            Directory.CreateDirectory(outDir);
            var results = new List<TopicDiff>();
            await using (var output = new FileStream(Path.Combine(outDir, ReplayFileName), FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 16))
            {
                using var recorder = new RunRecorder(output);
                foreach (var id in trucks)
                {
                    recorder.Declare(RunRecorder.FrameTopic(id), Frame.Descriptor);
                    recorder.Declare(RunRecorder.CommandTopic(id), Command.Descriptor);
                }

                foreach (var id in trucks)
                {
                    var attached = run.AttachedFor(id);
                    foreach (var (vehicle, name, value) in request.Overrides ?? [])
                    {
                        if (vehicle is null || vehicle == id)
                        {
                            attached.Parameters[name] = value;
                        }
                    }

                    var session = BridgeVehicleInterface.SessionFrom(attached, map);
                    PipelineOptions options;
                    try
                    {
                        options = PipelineOptions.FromParameters(session.Parameters);
                    }
                    catch (ArgumentException ex)
                    {
                        await stderr.WriteLineAsync($"error: {id}: {ex.Message}").ConfigureAwait(false);
                        return ExitCodes.BadInput;
                    }

                    var host = request.ModelsDirectory is null ? VehicleHostOptions.Default : new VehicleHostOptions { ModelsDirectory = request.ModelsDirectory };
                    using var detector = VehicleHost.CreateDetector(options, host);
                    using var lights = VehicleHost.CreateLightClassifier(options, host);
                    using var pipeline = new VehiclePipeline(session, options, detector, lights);
                    results.Add(Replay(reader, recorder, id, pipeline, request.Tolerance));
                }

                recorder.Finish();
            }

            var diffPath = Path.Combine(outDir, DiffFileName);
            File.WriteAllText(diffPath, DiffJson(request, scenario, results));
            await stdout.WriteAsync(Summary(results, outDir, request.Tolerance)).ConfigureAwait(false);
            return results.All(r => r.Differing == 0 && r.Missing == 0) ? ExitCodes.Passed : ExitCodes.CriteriaFailed;
        }
    }

    /// <summary>One truck: every recorded frame (with its recorded camera image, if any) through the pipeline.</summary>
    private static TopicDiff Replay(McapReader reader, RunRecorder recorder, string id, VehiclePipeline pipeline, double tolerance)
    {
        var commandTopic = RunRecorder.CommandTopic(id);
        var recorded = new Dictionary<long, Command>();
        foreach (var m in reader.ReadMessages(commandTopic))
        {
            var c = Command.Parser.ParseFrom(m.Data.Span);
            recorded[c.Frame] = c;
        }

        var images = new Dictionary<ulong, CameraImage>();
        foreach (var m in reader.ReadMessages(BridgeRun.CameraTopic(id)))
        {
            images[m.LogTime] = CameraImage.Parser.ParseFrom(m.Data.Span);
        }

        var diff = new TopicDiff(commandTopic);
        foreach (var m in reader.ReadMessages(RunRecorder.FrameTopic(id)))
        {
            var frame = Frame.Parser.ParseFrom(m.Data.Span);
            if (frame.Camera is null && images.TryGetValue(m.LogTime, out var image))
            {
                frame.Camera = image;
            }

            var command = ProtocolMapping.ToWire(id, pipeline.Step(ProtocolMapping.FromWire(frame)));
            frame.Camera = null;
            recorder.Write(RunRecorder.FrameTopic(id), frame, (long)m.LogTime);
            recorder.Write(commandTopic, command, (long)m.LogTime);
            diff.Messages++;
            if (!recorded.TryGetValue(frame.Frame_, out var old))
            {
                diff.Missing++;
                continue;
            }

            var before = diff.Fields.Count == 0 ? 0 : diff.Fields.Values.Sum(f => f.Count);
            Compare(old, command, string.Empty, tolerance, diff);
            if (diff.Fields.Values.Sum(f => f.Count) > before)
            {
                diff.Differing++;
                diff.FirstDifferenceFrame ??= frame.Frame_;
            }
        }

        return diff;
    }

    /// <summary>Field-by-field comparison by reflection: floating point within the tolerance, everything else exact.</summary>
    private static void Compare(IMessage recorded, IMessage replayed, string path, double tolerance, TopicDiff diff)
    {
        foreach (var field in recorded.Descriptor.Fields.InFieldNumberOrder())
        {
            var name = path.Length == 0 ? field.Name : path + "." + field.Name;
            var a = field.Accessor.GetValue(recorded);
            var b = field.Accessor.GetValue(replayed);
            if (field.IsMap)
            {
                var da = (System.Collections.IDictionary)a;
                var db = (System.Collections.IDictionary)b;
                var valueField = field.MessageType.FindFieldByNumber(2);
                foreach (var key in da.Keys)
                {
                    var entry = name + "[" + Convert.ToString(key, CultureInfo.InvariantCulture) + "]";
                    if (!db.Contains(key))
                    {
                        diff.Add(entry + "[presence]", 1);
                        continue;
                    }

                    CompareValue(valueField, da[key], db[key], entry, tolerance, diff);
                }

                foreach (var key in db.Keys)
                {
                    if (!da.Contains(key))
                    {
                        diff.Add(name + "[" + Convert.ToString(key, CultureInfo.InvariantCulture) + "][presence]", 1);
                    }
                }
            }
            else if (field.IsRepeated)
            {
                var la = (System.Collections.IList)a;
                var lb = (System.Collections.IList)b;
                if (la.Count != lb.Count)
                {
                    diff.Add(name + "[count]", Math.Abs(la.Count - lb.Count));
                }

                for (var i = 0; i < Math.Min(la.Count, lb.Count); i++)
                {
                    CompareValue(field, la[i], lb[i], name, tolerance, diff);
                }
            }
            else if (field.ContainingOneof is { } oneof && oneof.Accessor.GetCaseFieldDescriptor(recorded) != oneof.Accessor.GetCaseFieldDescriptor(replayed))
            {
                diff.Add(oneof.Name + "[case]", 1);
            }
            else
            {
                CompareValue(field, a, b, name, tolerance, diff);
            }
        }
    }

    private static void CompareValue(FieldDescriptor field, object? a, object? b, string name, double tolerance, TopicDiff diff)
    {
        switch (field.FieldType)
        {
            case FieldType.Message:
                if (a is null || b is null)
                {
                    if (a is not null || b is not null)
                    {
                        diff.Add(name + "[presence]", 1);
                    }

                    return;
                }

                Compare((IMessage)a, (IMessage)b, name, tolerance, diff);
                return;
            case FieldType.Double:
            case FieldType.Float:
            {
                var x = Convert.ToDouble(a, CultureInfo.InvariantCulture);
                var y = Convert.ToDouble(b, CultureInfo.InvariantCulture);
                var d = Math.Abs(x - y);
                if (d > tolerance || double.IsNaN(x) != double.IsNaN(y))
                {
                    diff.Add(name, double.IsNaN(d) ? double.PositiveInfinity : d);
                }

                return;
            }

            case FieldType.Bytes:
                if (!((ByteString)a!).Span.SequenceEqual(((ByteString)b!).Span))
                {
                    diff.Add(name, 1);
                }

                return;
            default:
                if (!Equals(a, b))
                {
                    diff.Add(name, a is IConvertible && b is IConvertible && field.FieldType is not (FieldType.String or FieldType.Bool or FieldType.Enum)
                        ? Math.Abs(Convert.ToDouble(a, CultureInfo.InvariantCulture) - Convert.ToDouble(b, CultureInfo.InvariantCulture))
                        : 1);
                }

                return;
        }
    }

    private static string Summary(List<TopicDiff> results, string outDir, double tolerance)
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine(inv, $"replay: recorded frames through the current vehicle pipeline, open loop; tolerance {tolerance:G3} on floating-point fields");
        sb.AppendLine(inv, $"{"topic",-28} {"messages",9} {"differing",10} {"first at frame",15}  fields (count, max |Δ|)");
        foreach (var r in results)
        {
            var fields = string.Join("; ", r.Fields.OrderByDescending(f => f.Value.Count).ThenBy(f => f.Key, StringComparer.Ordinal).Take(ShownFields)
                .Select(f => string.Create(inv, $"{f.Key} ({f.Value.Count}, {f.Value.Max:G4})")));
            sb.AppendLine(inv, $"{r.Topic,-28} {r.Messages,9} {r.Differing,10} {(r.FirstDifferenceFrame?.ToString(inv) ?? "-"),15}  {(fields.Length == 0 ? "none" : fields)}{(r.Missing > 0 ? $"; {r.Missing} frames without a recorded command" : string.Empty)}");
        }

        sb.AppendLine(inv, $"log {Path.Combine(outDir, ReplayFileName)}   diff {Path.Combine(outDir, DiffFileName)}");
        sb.AppendLine(results.All(r => r.Differing == 0 && r.Missing == 0) ? "NO DIFFERENCES" : "DIFFERENCES");
        return sb.ToString();
    }

    private static string DiffJson(ReplayRequest request, Scenario scenario, List<TopicDiff> results)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("recording", Path.GetFullPath(request.Recording));
            json.WriteString("scenario", scenario.Name);
            json.WriteNumber("tolerance", request.Tolerance);
            json.WriteStartArray("overrides");
            foreach (var (vehicle, name, value) in request.Overrides ?? [])
            {
                json.WriteStartObject();
                json.WriteString("vehicle", vehicle ?? "*");
                json.WriteString("parameter", name);
                json.WriteNumber("value", value);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteStartArray("topics");
            foreach (var r in results)
            {
                json.WriteStartObject();
                json.WriteString("topic", r.Topic);
                json.WriteNumber("messages", r.Messages);
                json.WriteNumber("differing", r.Differing);
                json.WriteNumber("missing", r.Missing);
                if (r.FirstDifferenceFrame is { } first)
                {
                    json.WriteNumber("first_difference_frame", first);
                }

                json.WriteStartObject("fields");
                foreach (var (name, f) in r.Fields.OrderBy(f => f.Key, StringComparer.Ordinal))
                {
                    json.WriteStartObject(name);
                    json.WriteNumber("count", f.Count);
                    json.WriteNumber("max_abs_difference", double.IsFinite(f.Max) ? f.Max : double.MaxValue);
                    json.WriteEndObject();
                }

                json.WriteEndObject();
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteBoolean("differences", results.Any(r => r.Differing > 0 || r.Missing > 0));
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private sealed class TopicDiff(string topic)
    {
        public string Topic { get; } = topic;

        public long Messages { get; set; }

        public long Differing { get; set; }

        public long Missing { get; set; }

        public long? FirstDifferenceFrame { get; set; }

        public Dictionary<string, (long Count, double Max)> Fields { get; } = new(StringComparer.Ordinal);

        public void Add(string field, double difference)
        {
            Fields[field] = Fields.TryGetValue(field, out var f) ? (f.Count + 1, Math.Max(f.Max, difference)) : (1, difference);
        }
    }
}
