using System.Security.Cryptography;
using System.Text;
using AutomationStack.Mcap;
using AutomationStack.Platooning.Protocol;
using AutomationStack.Platooning.Security;
using AutomationStack.Traci;
using AutomationStack.Vehicle.V2x;

namespace AutomationStack.Fuzz;

/// <summary>
/// Writes the seed corpus with the project's own writers: signed and encrypted V2X envelopes from real (simulation PKI)
/// credentials, MCAP logs from <see cref="McapWriter"/>, TraCI replies in the byte layout SUMO sends (built with
/// <see cref="TraciWriter"/>), and the shipped scenarios and maps. Deterministic: the same bytes every time.
/// </summary>
internal static class Seeds
{
    public static void WriteAll(string corpusRoot, string repositoryRoot)
    {
        WriteV2x(Path.Combine(corpusRoot, "v2x"));
        WriteMcap(Path.Combine(corpusRoot, "mcap"));
        WriteTraci(Path.Combine(corpusRoot, "traci"));
        WriteScenario(Path.Combine(corpusRoot, "scenario"), repositoryRoot);
    }

    private static void Write(string directory, string name, ReadOnlySpan<byte> prefix, ReadOnlySpan<byte> data)
    {
        Directory.CreateDirectory(directory);
        var bytes = new byte[prefix.Length + data.Length];
        prefix.CopyTo(bytes);
        data.CopyTo(bytes.AsSpan(prefix.Length));
        File.WriteAllBytes(Path.Combine(directory, name), bytes);
    }

    private static void WriteV2x(string directory)
    {
        using var target = new V2xTarget();
        var pki = target.Pki;
        using var leaderSigner = V2xTarget.CreateSigner(pki.For(V2xTarget.LeaderStation));
        var receiver = pki.For(V2xTarget.ReceiverStation);
        var stamp = V2xTarget.ReceiveStampNs - 20_000_000;
        using var groupKey = GroupKey.Derive(leaderSigner, V2xTarget.PlatoonId, V2xTarget.KeyGeneration);
        var wrapped = KeyWrap.Wrap(groupKey, receiver.Certificate, leaderSigner);

        var pam = new Pam(V2xTarget.PlatoonId, PlatoonRole.Leader, 120.5, -3.5, 0.1, 22.2, "A1/0", 2, 5, true, PlatooningLevel.Psf, 6);
        var pcm = new Pcm(V2xTarget.PlatoonId, 0, 120.5, -3.5, 0.1, 22.2, -0.3, -0.5, 0.8, 16.5, PcmStatus.Braking);
        var join = new Pmm(V2xTarget.ReceiverStation, 11, new JoinResponse(true, JoinRejectReason.None, V2xTarget.PlatoonId, 2, 0.8, new WrappedGroupKey(groupKey.Id, wrapped)));
        var keyUpdate = new Pmm(V2xTarget.ReceiverStation, 12, new KeyUpdate(V2xTarget.PlatoonId, new WrappedGroupKey(groupKey.Id, wrapped)));
        var request = new Pmm(V2xTarget.LeaderStation, 5, new JoinRequest(JoinPosition.Back, null, 16.5, PlatooningLevel.Psf));
        var gap = new Pmm(V2xTarget.ReceiverStation, 13, new GapChange(V2xTarget.PlatoonId, 1.2, GapChangeReason.CutIn));
        var spat = new Spat(1, [new SignalGroupTimingEntry(1, SignalPhaseState.Green, 1, 20, 4, 50), new SignalGroupTimingEntry(2, SignalPhaseState.Red, 6, 25, 9, 30)]);
        var map = new MapData(1, 1, 888, -10, [new MapSignalGroup(1, [new MapIngressLane("A1/0", 882, 882, -5.25, ["A1/0"])]), new MapSignalGroup(2, [new MapIngressLane("B1/0", 60, 897.75, -10, [])])]);
        var signalRequest = new SignalRequest(1, 1, 1, "A1/0", 4, 9, 50, 3);
        var signalResponse = new SignalResponse(1, 1, 1, 1, SignalRequestOutcome.Granted, 9);

        // 0: envelopes as received, each the first message of a fresh sender (so it carries the certificate).
        V2xStack Fresh(StationCredentials credentials)
        {
            var stack = target.CreateStack(credentials, leaderSigner);
            stack.StopEncrypting();
            return stack;
        }

        void Envelope(string name, StationCredentials sender, V2xBody body)
        {
            using var stack = Fresh(sender);
            Write(directory, "0-" + name, [0], stack.Send(body, stamp).Payload.Span);
        }

        var leaderCredentials = pki.For(V2xTarget.LeaderStation);
        var rsuCredentials = pki.ForRoadsideUnit(V2xTarget.RoadsideStation);
        Envelope("pam", leaderCredentials, pam);
        Envelope("pcm", leaderCredentials, pcm);
        Envelope("pmm-join-response-wrapped-key", leaderCredentials, join);
        Envelope("pmm-key-update", leaderCredentials, keyUpdate);
        Envelope("pmm-join-request", pki.For(3), request);
        Envelope("spat", rsuCredentials, spat);
        Envelope("map", rsuCredentials, map);
        Envelope("signal-request", pki.For(3), signalRequest);
        Envelope("signal-response", rsuCredentials, signalResponse);

        // 5: envelopes with only the signer's digest, for a receiver that knows the signer: an encrypted PCM (never
        // carries the certificate), a clear PCM and a MAP sent right after a message that did.
        using (var encrypting = target.CreateStack(leaderCredentials, leaderSigner))
        {
            Write(directory, "5-pcm-encrypted", [5], encrypting.Send(pcm, stamp).Payload.Span);
        }

        using (var leader = Fresh(leaderCredentials))
        {
            leader.Send(gap, stamp);
            Write(directory, "5-pcm-digest-only", [5], leader.Send(pcm, stamp).Payload.Span);
        }

        using (var rsu = Fresh(rsuCredentials))
        {
            rsu.Send(signalResponse, stamp);
            Write(directory, "5-map-digest-only", [5], rsu.Send(map, stamp).Payload.Span);
        }

        // 1: messages for the decoder; 2: type + body signed by the harness.
        var header = (V2xMessageType type, uint station) => new MessageHeader(type, station, V2xTarget.EpochMs + 9_990, 3);
        var bodies = new (string Name, V2xBody Body, uint Station)[]
        {
            ("pam", pam, V2xTarget.LeaderStation), ("pcm", pcm, V2xTarget.LeaderStation), ("pmm-join-response", join, V2xTarget.LeaderStation),
            ("pmm-join-request", request, V2xTarget.LeaderStation), ("pmm-gap-change", gap, V2xTarget.LeaderStation),
            ("spat", spat, V2xTarget.RoadsideStation), ("map", map, V2xTarget.RoadsideStation),
            ("signal-request", signalRequest, V2xTarget.LeaderStation), ("signal-response", signalResponse, V2xTarget.RoadsideStation),
        };
        foreach (var (name, body, station) in bodies)
        {
            var encoded = V2xCodec.Encode(header(body.MessageType, station), body);
            Write(directory, "1-" + name, [1], encoded);
            Write(directory, "2-" + name, [2, (byte)body.MessageType], encoded.AsSpan(MessageHeader.Size));
        }

        // 3: certificates; 4: a wrapped group key for the receiver.
        Write(directory, "3-certificate-at", [3], pki.For(V2xTarget.LeaderStation).Certificate.Encoded);
        Write(directory, "3-certificate-aa", [3], pki.Authority.Encoded);
        Write(directory, "3-certificate-root", [3], pki.Root.Encoded);
        Write(directory, "4-wrapped-group-key", [4], wrapped);
    }

    private static void WriteMcap(string directory)
    {
        var full = Mcap(chunkSize: 256, metadata: true);
        Write(directory, "log-chunked", [], full);
        Write(directory, "log-truncated", [], full.AsSpan(0, full.Length * 2 / 3));
        Write(directory, "log-one-chunk", [], Mcap(chunkSize: 1 << 20, metadata: false));
    }

    private static byte[] Mcap(int chunkSize, bool metadata)
    {
        using var stream = new MemoryStream();
        using (var writer = new McapWriter(stream, new McapWriterOptions { Profile = "automationstack", ChunkSize = chunkSize }))
        {
            var schema = writer.RegisterSchema("google.protobuf.Timestamp", "protobuf",
                ProtobufSchemas.FileDescriptorSet(Google.Protobuf.WellKnownTypes.Timestamp.Descriptor));
            var clock = writer.RegisterChannel(schema, "/clock", "protobuf", new Dictionary<string, string> { ["vehicle"] = "truck-1" });
            var events = writer.RegisterChannel(0, "/events", "json");
            if (metadata)
            {
                writer.WriteMetadata("run", new Dictionary<string, string> { ["scenario"] = "platoon-hard-braking", ["seed"] = "1" });
            }

            for (var i = 0; i < 12; i++)
            {
                var time = (ulong)((i + 1) * 100_000_000L);
                var stamp = new Google.Protobuf.WellKnownTypes.Timestamp { Seconds = i / 10, Nanos = i % 10 * 100_000_000 };
                writer.WriteMessage(clock, time, time, Google.Protobuf.MessageExtensions.ToByteArray(stamp));
                if (i % 4 == 0)
                {
                    writer.WriteMessage(events, time, time, Encoding.UTF8.GetBytes($"{{\"kind\":\"tick\",\"i\":{i}}}"));
                }
            }

            writer.Finish();
        }

        return stream.ToArray();
    }

    private static void WriteTraci(string directory)
    {
        using var w = new TraciWriter();
        void Status(byte command)
        {
            w.BeginCommand(command);
            w.WriteUByte(0x00);
            w.WriteString(string.Empty);
            w.EndCommand();
        }

        void GetResponse(byte command, byte variable, string id)
        {
            Status(command);
            w.BeginCommand((byte)(command + TraciCommand.ResponseOffset));
            w.WriteUByte(variable);
            w.WriteString(id);
        }

        void Save(int parser, string name)
        {
            Write(directory, $"{parser:D2}-{name}", [(byte)parser], w.Written);
            w.Reset();
        }

        Status(TraciCommand.SetVehicle);
        Save(0, "status-ok");
        w.BeginCommand(TraciCommand.SetVehicle);
        w.WriteUByte(0xFF);
        w.WriteString("Vehicle 'v0' is not known");
        w.EndCommand();
        Save(0, "status-error");

        Status(TraciCommand.GetVersion);
        w.BeginCommand(TraciCommand.GetVersion);
        w.WriteInt32(20);
        w.WriteString("SUMO 1.15.0");
        w.EndCommand();
        Save(1, "version");

        GetResponse(TraciCommand.GetVehicle, VehicleVariable.Speed, TraciTarget.VehicleId);
        w.WriteTypedString("a string value");
        w.EndCommand();
        Save(2, "get-value");

        GetResponse(TraciCommand.GetVehicle, VehicleVariable.Speed, TraciTarget.VehicleId);
        w.WriteTypedDouble(13.89);
        w.EndCommand();
        Save(3, "get-speed");

        GetResponse(TraciCommand.GetTrafficLight, TrafficLightVariable.Phase, TraciTarget.TrafficLightId);
        w.WriteTypedInt32(2);
        w.EndCommand();
        Save(4, "get-phase");

        GetResponse(TraciCommand.GetTrafficLight, TrafficLightVariable.State, TraciTarget.TrafficLightId);
        w.WriteTypedString("GGrrGGrr");
        w.EndCommand();
        Save(5, "get-state");

        GetResponse(TraciCommand.GetSimulation, SimulationVariable.DepartedIds, string.Empty);
        w.WriteTypedStringList(["bg.0", "bg.1", "truck-1"]);
        w.EndCommand();
        Save(6, "get-departed");

        GetResponse(TraciCommand.GetVehicle, VehicleVariable.Position, TraciTarget.VehicleId);
        w.WriteUByte(TraciType.Position2D);
        w.WriteDouble(120.5);
        w.WriteDouble(-3.5);
        w.EndCommand();
        Save(7, "get-position");

        GetResponse(TraciCommand.GetTrafficLight, TrafficLightVariable.ControlledLinks, TraciTarget.TrafficLightId);
        w.WriteCompoundHeader(3);
        w.WriteTypedInt32(2);
        for (var s = 0; s < 2; s++)
        {
            w.WriteTypedInt32(1);
            w.WriteTypedStringList([$"A1_{s}", $"B1_{s}", $":J1_{s}_0"]);
        }

        w.EndCommand();
        Save(8, "controlled-links");

        GetResponse(TraciCommand.GetTrafficLight, TrafficLightVariable.CompleteDefinition, TraciTarget.TrafficLightId);
        w.WriteCompoundHeader(1);
        w.WriteCompoundHeader(5);
        w.WriteTypedString("0");
        w.WriteTypedInt32(0);
        w.WriteTypedInt32(0);
        w.WriteCompoundHeader(2);
        foreach (var (duration, state) in new[] { (31.0, "GGrr"), (4.0, "yyrr") })
        {
            w.WriteCompoundHeader(6);
            w.WriteTypedDouble(duration);
            w.WriteTypedString(state);
            w.WriteTypedDouble(duration);
            w.WriteTypedDouble(duration);
            w.WriteCompoundHeader(1);
            w.WriteTypedInt32(1);
            w.WriteTypedString(string.Empty);
        }

        w.WriteCompoundHeader(1);
        w.WriteTypedStringList(["key", "value"]);
        w.EndCommand();
        Save(9, "complete-definition");

        Status(TraciCommand.SubscribeVehicle);
        w.BeginCommand(TraciCommand.ResponseSubscribeVehicle);
        VehicleSubscription("truck-1", 13.9);
        w.EndCommand();
        Save(10, "subscribe-vehicle");

        Status(TraciCommand.SimulationStep);
        w.WriteInt32(3);
        w.BeginCommand(TraciCommand.ResponseSubscribeVehicle);
        VehicleSubscription("truck-1", 13.9);
        w.EndCommand();
        w.BeginCommand(TraciCommand.ResponseSubscribeVehicle);
        VehicleSubscription("bg.0", 22.0);
        w.EndCommand();
        w.BeginCommand(TraciCommand.ResponseSubscribeTrafficLight);
        w.WriteString(TraciTarget.TrafficLightId);
        w.WriteUByte(2);
        w.WriteUByte(TrafficLightVariable.State);
        w.WriteUByte(0x00);
        w.WriteTypedString("GGrr");
        w.WriteUByte(TrafficLightVariable.NextSwitch);
        w.WriteUByte(0xFF);
        w.WriteTypedString("no such variable");
        w.EndCommand();
        Save(11, "simulation-step");

        GetResponse(TraciCommand.GetVehicle, VehicleVariable.Speed, TraciTarget.VehicleId);
        w.WriteTypedDouble(13.89);
        w.EndCommand();
        GetResponse(TraciCommand.GetVehicle, VehicleVariable.Position, TraciTarget.VehicleId);
        w.WriteUByte(TraciType.Position2D);
        w.WriteDouble(120.5);
        w.WriteDouble(-3.5);
        w.EndCommand();
        GetResponse(TraciCommand.GetTrafficLight, TrafficLightVariable.State, TraciTarget.TrafficLightId);
        w.WriteTypedString("GGrr");
        w.EndCommand();
        Status(TraciCommand.SetVehicle);
        GetResponse(TraciCommand.GetSimulation, SimulationVariable.DepartedIds, string.Empty);
        w.WriteTypedStringList(["bg.2"]);
        w.EndCommand();
        Save(12, "batch");

        void VehicleSubscription(string id, double speed)
        {
            w.WriteString(id);
            w.WriteUByte(4);
            w.WriteUByte(VehicleVariable.Speed);
            w.WriteUByte(0x00);
            w.WriteTypedDouble(speed);
            w.WriteUByte(VehicleVariable.Position);
            w.WriteUByte(0x00);
            w.WriteUByte(TraciType.Position3D);
            w.WriteDouble(100);
            w.WriteDouble(-3.5);
            w.WriteDouble(0);
            w.WriteUByte(VehicleVariable.LaneId);
            w.WriteUByte(0x00);
            w.WriteTypedString("A1_0");
            w.WriteUByte(VehicleVariable.Acceleration);
            w.WriteUByte(0x00);
            w.WriteTypedDouble(-0.2);
        }
    }

    private static void WriteScenario(string directory, string repositoryRoot)
    {
        Directory.CreateDirectory(directory);
        foreach (var name in new[] { "platoon-hard-braking.yaml", "platoon-v2v-attacks.yaml", "signals-glosa-fixed-time.yaml", "port-terminal-platoon.yaml", "perception-lidar-corridor.yaml" })
        {
            File.Copy(Path.Combine(repositoryRoot, "sim-bridge", "scenarios", name), Path.Combine(directory, name), overwrite: true);
        }

        foreach (var name in new[] { "corridor-a.yaml", "corridor-a-signals.yaml" })
        {
            File.Copy(Path.Combine(repositoryRoot, "sim-bridge", "maps", name), Path.Combine(directory, "map-" + name), overwrite: true);
        }
    }
}
