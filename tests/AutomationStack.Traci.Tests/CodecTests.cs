using System.Buffers.Binary;

namespace AutomationStack.Traci.Tests;

[TestFixture]
internal sealed class CodecTests
{
    private const byte GetVehicle = 0xA4;

    [Test]
    public void Writer_TypedValues_RoundTripThroughReader()
    {
        using var w = new TraciWriter(8);
        w.BeginMessage();
        w.BeginCommand(0xC4);
        w.WriteUByte(0x40);
        w.WriteString("veh-ü");
        w.WriteTypedDouble(12.5);
        w.WriteTypedInt32(-7);
        w.WriteTypedString("lane_0");
        w.WriteTypedStringList(["a", "", "ccc"]);
        w.WriteTypedByte(-2);
        w.WriteTypedUByte(200);
        w.WriteCompoundHeader(1);
        w.WriteTypedInt32(9);
        w.EndCommand();
        w.EndMessage();

        var bytes = w.Written;
        Assert.That(BinaryPrimitives.ReadInt32BigEndian(bytes), Is.EqualTo(bytes.Length));
        var r = new TraciReader(bytes[4..], 0xC4);
        int limit = r.BeginCommand(0xC4, "cmd");
        byte variable = r.ReadUByte("var");
        string id = r.ReadString("id");
        var d = r.ReadValue("d");
        var i = r.ReadValue("i");
        var s = r.ReadValue("s");
        var l = r.ReadValue("l");
        var b = r.ReadValue("b");
        var ub = r.ReadValue("ub");
        int compound = r.ReadCompound("c", 1);
        int item = r.ReadTypedInt32("item");
        r.EndCommand(limit, "cmd");
        r.ExpectMessageEnd();
        Assert.Multiple(() =>
        {
            Assert.That(variable, Is.EqualTo(0x40));
            Assert.That(id, Is.EqualTo("veh-ü"));
            Assert.That(d.AsDouble(), Is.EqualTo(12.5));
            Assert.That(i.AsInt(), Is.EqualTo(-7));
            Assert.That(s.AsString(), Is.EqualTo("lane_0"));
            Assert.That(l.AsStringList(), Is.EqualTo(new[] { "a", "", "ccc" }));
            Assert.That(b.AsInt(), Is.EqualTo(-2));
            Assert.That(ub.AsInt(), Is.EqualTo(200));
            Assert.That(compound, Is.EqualTo(1));
            Assert.That(item, Is.EqualTo(9));
        });
    }

    [Test]
    public void Writer_CommandOver255Bytes_UsesLongForm()
    {
        using var w = new TraciWriter(16);
        string longId = new('x', 400);
        w.BeginMessage();
        w.BeginCommand(0xA4);
        w.WriteUByte(0x40);
        w.WriteString(longId);
        w.EndCommand();
        w.BeginCommand(0xA4);
        w.WriteUByte(0x40);
        w.WriteString("short");
        w.EndCommand();
        w.EndMessage();

        var bytes = w.Written.ToArray();
        Assert.Multiple(() =>
        {
            Assert.That(bytes[4], Is.EqualTo(0), "long form starts with 0");
            Assert.That(BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(5)), Is.EqualTo(1 + 4 + 1 + 1 + 4 + 400));
            Assert.That(bytes[9], Is.EqualTo(0xA4));
        });
        var r = new TraciReader(bytes.AsSpan(4), 0xA4);
        int limit = r.BeginCommand(0xA4, "long");
        r.ReadUByte("var");
        Assert.That(r.ReadString("id"), Is.EqualTo(longId));
        r.EndCommand(limit, "long");
        limit = r.BeginCommand(0xA4, "short");
        r.ReadUByte("var");
        Assert.That(r.ReadString("id"), Is.EqualTo("short"));
        r.EndCommand(limit, "short");
        r.ExpectMessageEnd();
    }

    [Test]
    public void Writer_CommandOfExactly255Bytes_UsesShortForm()
    {
        using var w = new TraciWriter();
        w.BeginCommand(0x01);
        w.WriteBytes(new byte[253]);
        w.EndCommand();
        Assert.That(w.Written[0], Is.EqualTo(255));
        w.Reset();
        w.BeginCommand(0x01);
        w.WriteBytes(new byte[254]);
        w.EndCommand();
        Assert.Multiple(() =>
        {
            Assert.That(w.Written[0], Is.EqualTo(0));
            Assert.That(w.Length, Is.EqualTo(260));
        });
    }

    [Test]
    public void ParseGetVersion_ValidReply_ReturnsApiAndSoftware()
    {
        var reply = new Bytes().Status(0x00).Command(0x00, new Bytes().I32(20).Str("SUMO 1.15.0")).ToArray();
        var (api, software) = TraciReplies.ParseGetVersion(reply);
        Assert.Multiple(() =>
        {
            Assert.That(api, Is.EqualTo(20));
            Assert.That(software, Is.EqualTo("SUMO 1.15.0"));
        });
    }

    [Test]
    public void ParseGetDouble_LongFormResponse_IsAccepted()
    {
        string id = new('v', 300);
        var reply = new Bytes().GetReply(GetVehicle, 0x40, id, new Bytes().TDouble(3.25)).ToArray();
        Assert.That(TraciReplies.ParseGetDouble(reply, GetVehicle, 0x40, id), Is.EqualTo(3.25));
    }

    [TestCase(0x01, "not implemented")]
    [TestCase(0xFF, "Vehicle 'x' is not known")]
    public void ParseGetDouble_ErrorStatus_ThrowsCommandExceptionWithDescription(int result, string description)
    {
        var reply = new Bytes().Status(GetVehicle, result, description).ToArray();
        var ex = Assert.Throws<TraciCommandException>(() => TraciReplies.ParseGetDouble(reply, GetVehicle, 0x40, "x"));
        Assert.Multiple(() =>
        {
            Assert.That(ex!.Description, Is.EqualTo(description));
            Assert.That(ex.Result, Is.EqualTo(result));
            Assert.That(ex.CommandId, Is.EqualTo(GetVehicle));
            Assert.That(ex.Message, Does.Contain(description).And.Contain("0xA4"));
        });
    }

    private static IEnumerable<TestCaseData> MalformedDoubleReplies()
    {
        var ok = new Bytes().GetReply(GetVehicle, 0x40, "v0", new Bytes().TDouble(1)).ToArray();
        yield return new TestCaseData(Array.Empty<byte>(), "status").SetName("ParseGetDouble_EmptyReply_ThrowsProtocolException");
        for (int cut = 1; cut < ok.Length; cut += 3)
        {
            yield return new TestCaseData(ok[..cut], null).SetName($"ParseGetDouble_TruncatedAt{cut}_ThrowsProtocolException");
        }

        yield return new TestCaseData(new Bytes().Status(0x99).ToArray(), "status")
            .SetName("ParseGetDouble_StatusForOtherCommand_ThrowsProtocolException");
        yield return new TestCaseData(new Bytes().Status(GetVehicle, 0x05).ToArray(), "status result")
            .SetName("ParseGetDouble_UnknownStatusResult_ThrowsProtocolException");
        yield return new TestCaseData(new Bytes().U8(200).U8(GetVehicle).U8(0).Str("").ToArray(), "status")
            .SetName("ParseGetDouble_CommandLengthBeyondReply_ThrowsProtocolException");
        yield return new TestCaseData(new Bytes().U8(1).U8(GetVehicle).ToArray(), "status")
            .SetName("ParseGetDouble_CommandLengthTooSmall_ThrowsProtocolException");
        yield return new TestCaseData(new Bytes().U8(0).I32(3).U8(GetVehicle).ToArray(), "status")
            .SetName("ParseGetDouble_LongFormLengthTooSmall_ThrowsProtocolException");
        yield return new TestCaseData(new Bytes().U8(0).I32(int.MaxValue).U8(GetVehicle).ToArray(), "status")
            .SetName("ParseGetDouble_LongFormLengthHuge_ThrowsProtocolException");
        yield return new TestCaseData(new Bytes().U8(7).U8(GetVehicle).U8(0).I32(-5).ToArray(), "status description")
            .SetName("ParseGetDouble_NegativeStringLength_ThrowsProtocolException");
        yield return new TestCaseData(new Bytes().U8(7).U8(GetVehicle).U8(0).I32(1000).ToArray(), "status description")
            .SetName("ParseGetDouble_StringLongerThanCommand_ThrowsProtocolException");
        yield return new TestCaseData(new Bytes().U8(8).U8(GetVehicle).U8(0).Str("").U8(1).ToArray(), "status")
            .SetName("ParseGetDouble_TrailingByteInStatus_ThrowsProtocolException");
        yield return new TestCaseData(new Bytes().Status(GetVehicle).Command(0xB5, new Bytes().U8(0x40).Str("v0").TDouble(1)).ToArray(), "response command")
            .SetName("ParseGetDouble_WrongResponseId_ThrowsProtocolException");
        yield return new TestCaseData(new Bytes().GetReply(GetVehicle, 0x41, "v0", new Bytes().TDouble(1)).ToArray(), "response variable")
            .SetName("ParseGetDouble_WrongVariable_ThrowsProtocolException");
        yield return new TestCaseData(new Bytes().GetReply(GetVehicle, 0x40, "v1", new Bytes().TDouble(1)).ToArray(), "response object id")
            .SetName("ParseGetDouble_WrongObjectId_ThrowsProtocolException");
        yield return new TestCaseData(new Bytes().GetReply(GetVehicle, 0x40, "v0", new Bytes().TInt(1)).ToArray(), "value")
            .SetName("ParseGetDouble_WrongTypeTag_ThrowsProtocolException");
        yield return new TestCaseData(new Bytes().GetReply(GetVehicle, 0x40, "v0", new Bytes().TDouble(1).U8(0)).ToArray(), "response command")
            .SetName("ParseGetDouble_TrailingByteInResponse_ThrowsProtocolException");
        yield return new TestCaseData(new Bytes().Raw(ok).U8(0).ToArray(), "message")
            .SetName("ParseGetDouble_TrailingByteInMessage_ThrowsProtocolException");
    }

    [TestCaseSource(nameof(MalformedDoubleReplies))]
    public void ParseGetDouble_MalformedReply_ThrowsProtocolException(byte[] reply, string? field)
    {
        var ex = Assert.Throws<TraciProtocolException>(() => TraciReplies.ParseGetDouble(reply, GetVehicle, 0x40, "v0"));
        Assert.That(ex!.Message, Does.Contain("0x"));
        if (field is not null) Assert.That(ex.Field, Is.EqualTo(field));
    }

    [Test]
    public void ParseGetStringList_CountBeyondRemainingBytes_ThrowsBeforeAllocating()
    {
        var reply = new Bytes().GetReply(GetVehicle, 0x00, "", new Bytes().U8(0x0E).I32(int.MaxValue)).ToArray();
        var ex = Assert.Throws<TraciProtocolException>(() => TraciReplies.ParseGetStringList(reply, GetVehicle, 0x00, ""));
        Assert.That(ex!.Message, Does.Contain("count"));
    }

    [Test]
    public void ParseGetStringList_ValidReply_ReturnsItems()
    {
        var reply = new Bytes().GetReply(GetVehicle, 0x00, "", new Bytes().TStrList("a", "b")).ToArray();
        Assert.That(TraciReplies.ParseGetStringList(reply, GetVehicle, 0x00, ""), Is.EqualTo(new[] { "a", "b" }));
    }

    [Test]
    public void ParseGetPosition_ValidReply_ReturnsXY()
    {
        var reply = new Bytes().GetReply(GetVehicle, 0x42, "v", new Bytes().U8(0x01).F64(1.5).F64(-2)).ToArray();
        Assert.That(TraciReplies.ParseGetPosition(reply, GetVehicle, 0x42, "v"), Is.EqualTo(new TraciPosition(1.5, -2, 0)));
    }

    private static Bytes Phase(double duration, string state, params int[] next)
    {
        var b = new Bytes().Compound(6).TDouble(duration).TStr(state).TDouble(duration).TDouble(duration).Compound(next.Length);
        foreach (int n in next) b.TInt(n);
        return b.TStr("");
    }

    private static Bytes Definition(int logicItems = 5, int phaseCount = 2) =>
        new Bytes().Compound(1).Compound(logicItems).TStr("0").TInt(0).TInt(1).Compound(phaseCount)
            .Raw(Phase(31, "GGrr").ToArray()).Raw(Phase(4, "yyrr", 0).ToArray())
            .Compound(1).TStrList("key", "value");

    [Test]
    public void ParseCompleteDefinition_ValidReply_ReturnsProgram()
    {
        var reply = new Bytes().GetReply(0xA2, 0x2B, "J", Definition()).ToArray();
        var programs = TraciReplies.ParseCompleteDefinition(reply, "J");
        Assert.That(programs, Has.Count.EqualTo(1));
        var p = programs[0];
        Assert.Multiple(() =>
        {
            Assert.That(p.ProgramId, Is.EqualTo("0"));
            Assert.That(p.CurrentPhaseIndex, Is.EqualTo(1));
            Assert.That(p.Phases.Select(x => x.State), Is.EqualTo(new[] { "GGrr", "yyrr" }));
            Assert.That(p.Phases[0].Duration, Is.EqualTo(31));
            Assert.That(p.Phases[1].Next, Is.EqualTo(new[] { 0 }));
            Assert.That(p.Parameters["key"], Is.EqualTo("value"));
        });
    }

    [Test]
    public void ParseCompleteDefinition_LogicWithWrongItemCount_ThrowsProtocolException()
    {
        var reply = new Bytes().GetReply(0xA2, 0x2B, "J", Definition(logicItems: 4)).ToArray();
        var ex = Assert.Throws<TraciProtocolException>(() => TraciReplies.ParseCompleteDefinition(reply, "J"));
        Assert.That(ex!.Field, Is.EqualTo("logic"));
    }

    [Test]
    public void ParseCompleteDefinition_PhaseCountBeyondData_ThrowsProtocolException()
    {
        var reply = new Bytes().GetReply(0xA2, 0x2B, "J", Definition(phaseCount: 1_000_000)).ToArray();
        var ex = Assert.Throws<TraciProtocolException>(() => TraciReplies.ParseCompleteDefinition(reply, "J"));
        Assert.That(ex!.Field, Is.EqualTo("phases"));
    }

    [Test]
    public void ParseControlledLinks_ValidReply_ReturnsLinksPerSignal()
    {
        var value = new Bytes().Compound(3).TInt(2)
            .TInt(1).TStrList("in0", "out0", "via0")
            .TInt(1).TStrList("in1", "out1", "");
        var reply = new Bytes().GetReply(0xA2, 0x27, "J", value).ToArray();
        var links = TraciReplies.ParseControlledLinks(reply, "J");
        Assert.Multiple(() =>
        {
            Assert.That(links, Has.Count.EqualTo(2));
            Assert.That(links[0][0], Is.EqualTo(new TrafficLightLink("in0", "out0", "via0")));
            Assert.That(links[1][0].ViaLane, Is.Empty);
        });
    }

    [Test]
    public void ParseControlledLinks_LinkWithTwoLanes_ThrowsProtocolException()
    {
        var value = new Bytes().Compound(2).TInt(1).TInt(1).TStrList("in0", "out0");
        var reply = new Bytes().GetReply(0xA2, 0x27, "J", value).ToArray();
        var ex = Assert.Throws<TraciProtocolException>(() => TraciReplies.ParseControlledLinks(reply, "J"));
        Assert.That(ex!.Field, Is.EqualTo("link lanes"));
    }

    private static Bytes VehicleSubscription(string id, double speed, double x, double y, string road) =>
        new Bytes().Str(id).U8(3)
            .U8(0x40).U8(0).TDouble(speed)
            .U8(0x42).U8(0).U8(0x01).F64(x).F64(y)
            .U8(0x50).U8(0).TStr(road);

    [Test]
    public void ParseSimulationStep_SubscriptionResults_AreStoredAndReused()
    {
        var vehicles = new SubscriptionResults();
        var lights = new SubscriptionResults();
        var step1 = new Bytes().Status(0x02).I32(3)
            .Command(0xE4, VehicleSubscription("a", 1, 2, 3, "e1"))
            .Command(0xE4, VehicleSubscription("b", 4, 5, 6, "e2"))
            .Command(0xE2, new Bytes().Str("J").U8(1).U8(0x20).U8(0).TStr("GrGr")).ToArray();
        TraciReplies.ParseSimulationStep(step1, vehicles, lights);
        Assert.That(vehicles.TryGet("a", out var a1), Is.True);
        string road1 = a1.GetString(0x50);
        Assert.Multiple(() =>
        {
            Assert.That(vehicles.Current.Select(v => v.Id), Is.EqualTo(new[] { "a", "b" }));
            Assert.That(a1.GetDouble(0x40), Is.EqualTo(1));
            Assert.That(a1.GetPosition(0x42), Is.EqualTo(new TraciPosition(2, 3, 0)));
            Assert.That(lights.Current.Single().GetString(0x20), Is.EqualTo("GrGr"));
        });

        var step2 = new Bytes().Status(0x02).I32(1).Command(0xE4, VehicleSubscription("a", 7, 8, 9, "e1")).ToArray();
        TraciReplies.ParseSimulationStep(step2, vehicles, lights);
        Assert.That(vehicles.TryGet("a", out var a2), Is.True);
        Assert.Multiple(() =>
        {
            Assert.That(a2, Is.SameAs(a1), "object reused");
            Assert.That(a2.GetString(0x50), Is.SameAs(road1), "unchanged string reused");
            Assert.That(a2.GetDouble(0x40), Is.EqualTo(7));
            Assert.That(vehicles.TryGet("b", out _), Is.False, "b had no result this step");
            Assert.That(lights.Current, Is.Empty);
        });
    }

    [Test]
    public void ParseSimulationStep_VariableError_StoresNoValueWithErrorText()
    {
        var vehicles = new SubscriptionResults();
        var step = new Bytes().Status(0x02).I32(1)
            .Command(0xE4, new Bytes().Str("a").U8(1).U8(0x40).U8(0xFF).TStr("no such thing")).ToArray();
        TraciReplies.ParseSimulationStep(step, vehicles, new SubscriptionResults());
        var a = vehicles.Current.Single();
        Assert.Multiple(() =>
        {
            Assert.That(a.TryGet(0x40, out var value), Is.False);
            Assert.That(value.ErrorText, Is.EqualTo("no such thing"));
        });
    }

    private static IEnumerable<TestCaseData> MalformedStepReplies()
    {
        yield return new TestCaseData(new Bytes().Status(0x02).I32(5).ToArray(), "subscription response count")
            .SetName("ParseSimulationStep_CountBeyondData_ThrowsProtocolException");
        yield return new TestCaseData(new Bytes().Status(0x02).I32(-1).ToArray(), "subscription response count")
            .SetName("ParseSimulationStep_NegativeCount_ThrowsProtocolException");
        yield return new TestCaseData(new Bytes().Status(0x02).I32(1).Command(0xE7, new Bytes().Str("a").U8(0)).ToArray(), "subscription response")
            .SetName("ParseSimulationStep_UnknownResponseId_ThrowsProtocolException");
        yield return new TestCaseData(new Bytes().Status(0x02).I32(1).Command(0xE4, new Bytes().Str("a").U8(200).U8(0x40)).ToArray(), "subscription variable count")
            .SetName("ParseSimulationStep_VariableCountBeyondData_ThrowsProtocolException");
        yield return new TestCaseData(new Bytes().Status(0x02).I32(1).Command(0xE4, new Bytes().Str("a").U8(1).U8(0x40).U8(0).U8(0x0F).I32(0)).ToArray(), "subscription value")
            .SetName("ParseSimulationStep_CompoundValue_ThrowsProtocolException");
        yield return new TestCaseData(new Bytes().Status(0x02).I32(0).U8(9).ToArray(), "message")
            .SetName("ParseSimulationStep_TrailingBytes_ThrowsProtocolException");
    }

    [TestCaseSource(nameof(MalformedStepReplies))]
    public void ParseSimulationStep_MalformedReply_ThrowsProtocolException(byte[] reply, string field)
    {
        var ex = Assert.Throws<TraciProtocolException>(() =>
            TraciReplies.ParseSimulationStep(reply, new SubscriptionResults(), new SubscriptionResults()));
        Assert.Multiple(() =>
        {
            Assert.That(ex!.Field, Is.EqualTo(field));
            Assert.That(ex.CommandId, Is.EqualTo(0x02));
        });
    }

    [Test]
    public void ParseBatch_GetsAndSets_FillResultsInOrder()
    {
        using var batch = new TraciBatch();
        int speed = batch.AddVehicleGet(VehicleVariable.Speed, "a");
        int set = batch.AddSetVehicleSpeed("a", 3);
        int lane = batch.AddVehicleGet(VehicleVariable.LaneId, "a");
        var reply = new Bytes()
            .GetReply(GetVehicle, 0x40, "a", new Bytes().TDouble(5))
            .Status(0xC4)
            .GetReply(GetVehicle, 0x51, "a", new Bytes().TStr("e_0")).ToArray();
        TraciReplies.ParseBatch(reply, batch);
        Assert.Multiple(() =>
        {
            Assert.That(batch[speed].AsDouble(), Is.EqualTo(5));
            Assert.That(batch[set].Kind, Is.EqualTo(TraciValueKind.None));
            Assert.That(batch[lane].AsString(), Is.EqualTo("e_0"));
        });
    }

    [Test]
    public void ParseBatch_MissingSecondAnswer_ThrowsProtocolExceptionNamingItsCommand()
    {
        using var batch = new TraciBatch();
        batch.AddVehicleGet(VehicleVariable.Speed, "a");
        batch.AddTrafficLightGet(TrafficLightVariable.State, "J");
        var reply = new Bytes().GetReply(GetVehicle, 0x40, "a", new Bytes().TDouble(5)).ToArray();
        var ex = Assert.Throws<TraciProtocolException>(() => TraciReplies.ParseBatch(reply, batch));
        Assert.That(ex!.CommandId, Is.EqualTo(0xA2));
    }

    [Test]
    public void Parsers_RandomlyCorruptedReplies_ThrowOnlyTraciExceptions()
    {
        var valid = new[]
        {
            new Bytes().Status(0x02).I32(2).Command(0xE4, VehicleSubscription("a", 1, 2, 3, "e1"))
                .Command(0xE2, new Bytes().Str("J").U8(1).U8(0x20).U8(0).TStr("GrGr")).ToArray(),
            new Bytes().GetReply(0xA2, 0x2B, "J", Definition()).ToArray(),
            new Bytes().GetReply(0xA2, 0x27, "J", new Bytes().Compound(2).TInt(1).TInt(1).TStrList("i", "o", "v")).ToArray(),
        };
        var random = new Random(1234);
        int rejected = 0;
        for (int iteration = 0; iteration < 20_000; iteration++)
        {
            var source = valid[iteration % valid.Length];
            var data = (byte[])source.Clone();
            int mutations = 1 + random.Next(4);
            for (int m = 0; m < mutations; m++) data[random.Next(data.Length)] = (byte)random.Next(256);
            if (random.Next(4) == 0) data = data[..random.Next(data.Length)];
            try
            {
                switch (iteration % valid.Length)
                {
                    case 0: TraciReplies.ParseSimulationStep(data, new SubscriptionResults(), new SubscriptionResults()); break;
                    case 1: TraciReplies.ParseCompleteDefinition(data, "J"); break;
                    default: TraciReplies.ParseControlledLinks(data, "J"); break;
                }
            }
            catch (TraciProtocolException)
            {
                rejected++;
            }
            catch (TraciCommandException)
            {
                rejected++;
            }
        }

        Assert.That(rejected, Is.GreaterThan(10_000));
    }

    [Test]
    public void ParseSimulationStep_300VehiclesAfterWarmUp_AllocatesNothing()
    {
        var b = new Bytes().Status(0x02).I32(300);
        for (int i = 0; i < 300; i++)
        {
            b.Command(0xE4, new Bytes().Str("v" + i).U8(3).U8(0x40).U8(0).TDouble(i)
                .U8(0x42).U8(0).U8(0x01).F64(i).F64(-i).U8(0x51).U8(0).TStr("edge_" + (i % 7) + "_0"));
        }

        var reply = b.ToArray();
        var vehicles = new SubscriptionResults();
        var lights = new SubscriptionResults();
        using var batch = new TraciBatch();
        var bb = new Bytes();
        for (int i = 0; i < 300; i++)
        {
            batch.AddVehicleGet(VehicleVariable.Speed, "v" + i);
            batch.AddVehicleGet(VehicleVariable.Position, "v" + i);
            bb.GetReply(GetVehicle, 0x40, "v" + i, new Bytes().TDouble(i)).GetReply(GetVehicle, 0x42, "v" + i, new Bytes().U8(1).F64(i).F64(i));
        }

        var batchReply = bb.ToArray();

        // Warm up long enough for tiered compilation to replace the tier-0 code.
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (watch.ElapsedMilliseconds < 800)
        {
            TraciReplies.ParseSimulationStep(reply, vehicles, lights);
            TraciReplies.ParseBatch(batchReply, batch);
        }

        const int rounds = 1000;
        long before = GC.GetAllocatedBytesForCurrentThread();
        watch.Restart();
        for (int i = 0; i < rounds; i++) TraciReplies.ParseSimulationStep(reply, vehicles, lights);
        watch.Stop();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        TestContext.Out.WriteLine(FormattableString.Invariant(
            $"parse of a 300-vehicle step reply ({reply.Length} B, 3 variables each): {watch.Elapsed.TotalMicroseconds / rounds:F1} µs, {allocated} B allocated in {rounds} rounds"));

        long beforeBatch = GC.GetAllocatedBytesForCurrentThread();
        watch.Restart();
        for (int i = 0; i < rounds; i++) TraciReplies.ParseBatch(batchReply, batch);
        watch.Stop();
        long allocatedBatch = GC.GetAllocatedBytesForCurrentThread() - beforeBatch;
        TestContext.Out.WriteLine(FormattableString.Invariant(
            $"parse of a 600-get batch reply ({batchReply.Length} B): {watch.Elapsed.TotalMicroseconds / rounds:F1} µs, {allocatedBatch} B allocated in {rounds} rounds"));
        Assert.Multiple(() =>
        {
            Assert.That(allocated, Is.Zero);
            Assert.That(allocatedBatch, Is.Zero);
            Assert.That(vehicles.Current, Has.Count.EqualTo(300));
        });
    }
}
