using System.Globalization;

namespace AutomationStack.Traci;

/// <summary>
/// Parsers for whole reply messages (without the int32 message length), separate from the socket so that they can
/// be tested and fuzzed on bytes alone. Each throws <see cref="TraciProtocolException"/> for any malformed input
/// and <see cref="TraciCommandException"/> for an error status.
/// </summary>
internal static class TraciReplies
{
    /// <summary>A reply that is only the status of <paramref name="command"/>.</summary>
    public static void ParseStatusOnly(ReadOnlySpan<byte> reply, byte command)
    {
        var r = new TraciReader(reply, command);
        r.ReadStatus(command);
        r.ExpectMessageEnd();
    }

    public static (int ApiVersion, string Software) ParseGetVersion(ReadOnlySpan<byte> reply)
    {
        var r = new TraciReader(reply, TraciCommand.GetVersion);
        r.ReadStatus(TraciCommand.GetVersion);
        int limit = r.BeginCommand(TraciCommand.GetVersion, "version response");
        int api = r.ReadInt32("api version");
        string software = r.ReadString("software version");
        r.EndCommand(limit, "version response");
        r.ExpectMessageEnd();
        return (api, software);
    }

    /// <summary>Reads status + response header of a get; leaves the reader at the value's type tag.</summary>
    private static int BeginGetResponse(ref TraciReader r, byte command, byte variable, string objectId)
    {
        r.ReadStatus(command);
        int limit = r.BeginCommand((byte)(command + TraciCommand.ResponseOffset), "response command");
        byte v = r.ReadUByte("response variable");
        if (v != variable)
        {
            throw r.Error("response variable", string.Create(CultureInfo.InvariantCulture, $"0x{variable:X2}, got 0x{v:X2}"));
        }

        var id = r.ReadStringBytes("response object id");
        if (!TraciReader.SameText(objectId, id)) throw r.Error("response object id", $"'{objectId}'");
        return limit;
    }

    public static TraciValue ParseGet(ReadOnlySpan<byte> reply, byte command, byte variable, string objectId)
    {
        var r = new TraciReader(reply, command);
        int limit = BeginGetResponse(ref r, command, variable, objectId);
        var value = r.ReadValue("value");
        r.EndCommand(limit, "response command");
        r.ExpectMessageEnd();
        return value;
    }

    public static double ParseGetDouble(ReadOnlySpan<byte> reply, byte command, byte variable, string objectId)
    {
        var r = new TraciReader(reply, command);
        int limit = BeginGetResponse(ref r, command, variable, objectId);
        double value = r.ReadTypedDouble("value");
        r.EndCommand(limit, "response command");
        r.ExpectMessageEnd();
        return value;
    }

    public static int ParseGetInt(ReadOnlySpan<byte> reply, byte command, byte variable, string objectId)
    {
        var r = new TraciReader(reply, command);
        int limit = BeginGetResponse(ref r, command, variable, objectId);
        int value = r.ReadTypedInt32("value");
        r.EndCommand(limit, "response command");
        r.ExpectMessageEnd();
        return value;
    }

    public static string ParseGetString(ReadOnlySpan<byte> reply, byte command, byte variable, string objectId)
    {
        var r = new TraciReader(reply, command);
        int limit = BeginGetResponse(ref r, command, variable, objectId);
        string value = r.ReadTypedString("value");
        r.EndCommand(limit, "response command");
        r.ExpectMessageEnd();
        return value;
    }

    public static string[] ParseGetStringList(ReadOnlySpan<byte> reply, byte command, byte variable, string objectId)
    {
        var r = new TraciReader(reply, command);
        int limit = BeginGetResponse(ref r, command, variable, objectId);
        string[] value = r.ReadTypedStringList("value");
        r.EndCommand(limit, "response command");
        r.ExpectMessageEnd();
        return value;
    }

    public static TraciPosition ParseGetPosition(ReadOnlySpan<byte> reply, byte command, byte variable, string objectId)
    {
        var r = new TraciReader(reply, command);
        int limit = BeginGetResponse(ref r, command, variable, objectId);
        r.ExpectType(TraciType.Position2D, "value");
        var p = new TraciPosition(r.ReadDouble("x"), r.ReadDouble("y"), 0);
        r.EndCommand(limit, "response command");
        r.ExpectMessageEnd();
        return p;
    }

    /// <summary>Controlled links: compound; int signal count; per signal int link count and one string list of 3 per link.</summary>
    public static IReadOnlyList<IReadOnlyList<TrafficLightLink>> ParseControlledLinks(ReadOnlySpan<byte> reply, string id)
    {
        const byte cmd = TraciCommand.GetTrafficLight;
        var r = new TraciReader(reply, cmd);
        int limit = BeginGetResponse(ref r, cmd, TrafficLightVariable.ControlledLinks, id);
        r.ReadCompound("links compound");
        r.ExpectType(TraciType.Int, "signal count");
        int signals = r.ReadCount("signal count", 5);
        var result = new IReadOnlyList<TrafficLightLink>[signals];
        for (int s = 0; s < signals; s++)
        {
            r.ExpectType(TraciType.Int, "link count");
            int links = r.ReadCount("link count", 5);
            var list = new TrafficLightLink[links];
            for (int l = 0; l < links; l++)
            {
                var lanes = r.ReadTypedStringList("link lanes");
                if (lanes.Length != 3)
                {
                    throw r.Error("link lanes", string.Create(CultureInfo.InvariantCulture, $"3 lanes (in, out, via), got {lanes.Length}"));
                }

                list[l] = new TrafficLightLink(lanes[0], lanes[1], lanes[2]);
            }

            result[s] = list;
        }

        r.EndCommand(limit, "response command");
        r.ExpectMessageEnd();
        return result;
    }

    /// <summary>Complete definition (0x2B): compound of logics, each a compound of 5 with phases (compounds of 6).</summary>
    public static IReadOnlyList<TrafficLightProgram> ParseCompleteDefinition(ReadOnlySpan<byte> reply, string id)
    {
        const byte cmd = TraciCommand.GetTrafficLight;
        var r = new TraciReader(reply, cmd);
        int limit = BeginGetResponse(ref r, cmd, TrafficLightVariable.CompleteDefinition, id);
        int logics = r.ReadCompound("logics");
        var programs = new TrafficLightProgram[logics];
        for (int i = 0; i < logics; i++)
        {
            r.ReadCompound("logic", 5);
            string programId = r.ReadTypedString("program id");
            int type = r.ReadTypedInt32("logic type");
            int current = r.ReadTypedInt32("current phase index");
            int phaseCount = r.ReadCompound("phases");
            var phases = new TrafficLightPhase[phaseCount];
            for (int p = 0; p < phaseCount; p++)
            {
                r.ReadCompound("phase", 6);
                double duration = r.ReadTypedDouble("phase duration");
                string state = r.ReadTypedString("phase state");
                double minDur = r.ReadTypedDouble("phase min duration");
                double maxDur = r.ReadTypedDouble("phase max duration");
                int nextCount = r.ReadCompound("phase next");
                var next = new int[nextCount];
                for (int n = 0; n < nextCount; n++) next[n] = r.ReadTypedInt32("phase next index");
                string name = r.ReadTypedString("phase name");
                phases[p] = new TrafficLightPhase(duration, state, minDur, maxDur, next, name);
            }

            int paramCount = r.ReadCompound("parameters");
            var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
            for (int k = 0; k < paramCount; k++)
            {
                var pair = r.ReadTypedStringList("parameter");
                if (pair.Length != 2)
                {
                    throw r.Error("parameter", string.Create(CultureInfo.InvariantCulture, $"a key/value pair, got {pair.Length} item(s)"));
                }

                parameters[pair[0]] = pair[1];
            }

            programs[i] = new TrafficLightProgram(programId, type, current, phases, parameters);
        }

        r.EndCommand(limit, "response command");
        r.ExpectMessageEnd();
        return programs;
    }

    /// <summary>
    /// Reads one subscription response command (0xE4 / 0xE2) content: object id, variable count, then per variable
    /// id, status and a typed value (or a typed error string when the status is not 0).
    /// </summary>
    private static void ReadSubscriptionContent(ref TraciReader r, SubscriptionResults store)
    {
        var idBytes = r.ReadStringBytes("subscription object id");
        int count = r.ReadUByte("subscription variable count");
        if (count * 3 > r.Remaining)
        {
            throw r.Error("subscription variable count", string.Create(CultureInfo.InvariantCulture,
                $"a count that fits the {r.Remaining} byte(s) left, got {count}"));
        }

        var obj = store.Touch(idBytes);
        obj.Resize(count);
        for (int i = 0; i < count; i++)
        {
            byte variable = r.ReadUByte("subscription variable id");
            byte status = r.ReadUByte("subscription variable status");
            var value = status == 0
                ? r.ReadValue("subscription value", obj.PreviousString(i, variable))
                : TraciValue.Error(r.ReadTypedString("subscription error"));
            obj.Set(i, variable, value);
        }
    }

    /// <summary>
    /// Reply to <paramref name="count"/> subscribe commands: per command a status, then (when variables were asked
    /// for) the first result.
    /// </summary>
    public static void ParseSubscribe(ReadOnlySpan<byte> reply, byte command, bool hasVariables, SubscriptionResults store, int count = 1)
    {
        var r = new TraciReader(reply, command);
        for (int i = 0; i < count; i++)
        {
            r.ReadStatus(command);
            if (hasVariables)
            {
                int limit = r.BeginCommand((byte)(command + TraciCommand.ResponseOffset), "subscription response");
                ReadSubscriptionContent(ref r, store);
                r.EndCommand(limit, "subscription response");
            }
        }

        r.ExpectMessageEnd();
    }

    /// <summary>SimulationStep reply: status, int32 number of subscription responses, the responses.</summary>
    public static void ParseSimulationStep(ReadOnlySpan<byte> reply, SubscriptionResults vehicles, SubscriptionResults trafficLights)
    {
        var r = new TraciReader(reply, TraciCommand.SimulationStep);
        r.ReadStatus(TraciCommand.SimulationStep);
        int count = r.ReadCount("subscription response count", 2);
        vehicles.BeginStep();
        trafficLights.BeginStep();
        for (int i = 0; i < count; i++)
        {
            int limit = r.BeginCommand(out byte id, "subscription response");
            switch (id)
            {
                case TraciCommand.ResponseSubscribeVehicle:
                    ReadSubscriptionContent(ref r, vehicles);
                    break;
                case TraciCommand.ResponseSubscribeTrafficLight:
                    ReadSubscriptionContent(ref r, trafficLights);
                    break;
                default:
                    throw r.Error("subscription response", string.Create(CultureInfo.InvariantCulture,
                        $"id 0x{TraciCommand.ResponseSubscribeVehicle:X2} or 0x{TraciCommand.ResponseSubscribeTrafficLight:X2}, got 0x{id:X2}"));
            }

            r.EndCommand(limit, "subscription response");
        }

        r.ExpectMessageEnd();
        vehicles.EndStep();
        trafficLights.EndStep();
    }

    /// <summary>Batch reply: per command a status, and for gets a response command with the value.</summary>
    public static void ParseBatch(ReadOnlySpan<byte> reply, TraciBatch batch)
    {
        var r = new TraciReader(reply, batch.Count > 0 ? batch.Entries[0].Command : 0);
        for (int i = 0; i < batch.Count; i++)
        {
            var e = batch.Entries[i];
            r.CommandId = e.Command;
            if (!e.IsGet)
            {
                r.ReadStatus(e.Command);
                batch.SetResult(i, default);
                continue;
            }

            int limit = BeginGetResponse(ref r, e.Command, e.Variable, e.ObjectId);
            batch.SetResult(i, r.ReadValue("value", batch.PreviousString(i)));
            r.EndCommand(limit, "response command");
        }

        r.ExpectMessageEnd();
    }
}
