namespace AutomationStack.Platooning.Protocol.Tests;

internal sealed class SignalMessageCodecTests
{
    private static readonly MessageHeader SpatHeader = new(V2xMessageType.Spat, 9001, 1_767_225_600_000, 5);

    private static Spat SampleSpat() => new(1,
    [
        new SignalGroupTimingEntry(1, SignalPhaseState.Green, 2.5, 27.5, 5, 50),
        new SignalGroupTimingEntry(2, SignalPhaseState.Red, 7.5, 32.5, 10, 30),
    ]);

    private static MapData SampleMap() => new(1, 1, 888, -10,
    [
        new MapSignalGroup(1, [new MapIngressLane("A1/0", 882, 882, -5.25, ["A1/0"]), new MapIngressLane("A1/1", 882, 882, -1.75, ["A1/1"])]),
        new MapSignalGroup(2, [new MapIngressLane("B1/0", 60, 897.75, -10, ["B1/0"])]),
    ]);

    private static SignalRequest SampleRequest() => new(1, 3, 1, "A1/0", 4.2, 9.8, 66.5, 3);

    private static SignalResponse SampleResponse() => new(1, 7, 3, 1, SignalRequestOutcome.Granted, 9.8);

    private static IEnumerable<TestCaseData> Bodies()
    {
        yield return new TestCaseData(SampleSpat()).SetArgDisplayNames("Spat");
        yield return new TestCaseData(SampleMap()).SetArgDisplayNames("Map");
        yield return new TestCaseData(SampleRequest()).SetArgDisplayNames("SignalRequest");
        yield return new TestCaseData(new SignalRequest(1, 4, 0, "B1/1", 0, 0, 0, 1)).SetArgDisplayNames("SignalRequestByLane");
        yield return new TestCaseData(new SignalRequest(1, 4, 2, null, 1, 2, 17, 1)).SetArgDisplayNames("SignalRequestByGroup");
        yield return new TestCaseData(SampleResponse()).SetArgDisplayNames("SignalResponse");
        yield return new TestCaseData(new SignalResponse(65535, 1, 0, 0, SignalRequestOutcome.UnknownGroup, 0)).SetArgDisplayNames("SignalResponseRejected");
    }

    private static byte[] Encode(V2xBody body) => V2xCodec.Encode(SpatHeader with { Type = body.MessageType }, body);

    [TestCaseSource(nameof(Bodies))]
    public void Decode_EncodedBody_RoundTripsExactly(V2xBody body)
    {
        var (header, decoded) = V2xCodec.Decode(Encode(body));

        Assert.That(header.Type, Is.EqualTo(body.MessageType));
        Assert.That(decoded, Is.EqualTo(body));
    }

    [TestCaseSource(nameof(Bodies))]
    public void Decode_EveryTruncation_ThrowsTruncated(V2xBody body)
    {
        var bytes = Encode(body);
        for (var length = 0; length < bytes.Length; length++)
        {
            var ex = Assert.Throws<V2xDecodeException>(() => V2xCodec.Decode(bytes.AsSpan(0, length)), $"length {length}");
            Assert.That(ex!.Message, Does.Contain("truncated"), $"length {length}");
        }
    }

    [TestCaseSource(nameof(Bodies))]
    public void Decode_TrailingByte_ThrowsTrailing(V2xBody body)
    {
        var bytes = Encode(body).Append((byte)0).ToArray();

        var ex = Assert.Throws<V2xDecodeException>(() => V2xCodec.Decode(bytes));

        Assert.That(ex!.Message, Does.Contain("trailing"));
    }

    [Test]
    public void Encode_Spat_LayoutSizes()
    {
        Assert.That(Encode(SampleSpat()), Has.Length.EqualTo(MessageHeader.Size + 4 + (2 * 9)));
        Assert.That(Encode(SampleResponse()), Has.Length.EqualTo(MessageHeader.Size + SignalResponse.MaxBodySize));
    }

    [Test]
    public void Encode_MapAtItsLimits_IsMaxMessageSize()
    {
        var lane = new string('L', V2xLimits.MaxMapLaneIdBytes);
        var groups = Enumerable.Range(1, V2xLimits.MaxSignalGroups)
            .Select(g => new MapSignalGroup(g, Enumerable.Range(0, V2xLimits.MaxIngressLanesPerGroup)
                .Select(_ => new MapIngressLane(lane, 1, 2, 3, Enumerable.Repeat(lane, V2xLimits.MaxEgressLanesPerIngress).ToArray())).ToArray()))
            .ToArray();

        var bytes = Encode(new MapData(1, 1, 0, 0, groups));

        Assert.That(bytes, Has.Length.EqualTo(V2xCodec.MaxMessageSize));
        Assert.That(V2xCodec.MaxMessageSize, Is.EqualTo(2095), "docs/traffic-lights.md");
        Assert.That(V2xCodec.Decode(bytes).Body, Is.EqualTo(new MapData(1, 1, 0, 0, groups)));
    }

    [Test]
    public void Encode_CorridorCrossingMap_FitsInAFewHundredBytes()
    {
        Assert.That(Encode(SampleMap()).Length, Is.LessThan(200));
    }

    // Offsets: header 0–17, presence 18.
    [TestCase("Spat", 19, new byte[] { 0, 0 }, "spat.intersection_id")]
    [TestCase("Spat", 21, new byte[] { 0 }, "spat.groups")]
    [TestCase("Spat", 21, new byte[] { 9 }, "spat.groups")]
    [TestCase("Spat", 22, new byte[] { 0 }, "spat.groups.signal_group_id")]
    [TestCase("Spat", 23, new byte[] { 4 }, "spat.groups.state")]
    [TestCase("Spat", 24, new byte[] { 0xFF, 0xFF }, "spat.groups.likely_end")]
    [TestCase("Spat", 30, new byte[] { 101 }, "spat.groups.confidence")]
    [TestCase("Spat", 31, new byte[] { 1 }, "spat.groups.signal_group_id")]
    [TestCase("Spat", 18, new byte[] { 1 }, "spat.presence")]
    [TestCase("Map", 18, new byte[] { 2 }, "map.presence")]
    [TestCase("Map", 30, new byte[] { 0 }, "map.groups")]
    [TestCase("Map", 32, new byte[] { 5 }, "map.groups.ingress")]
    [TestCase("Map", 33, new byte[] { 17 }, "map.groups.ingress.lane_id")]
    [TestCase("SignalRequest", 22, new byte[] { 0 }, "signal_request.signal_group_id")]
    [TestCase("SignalRequest", 25, new byte[] { 0, 0 }, "signal_request.arrival_end")]
    [TestCase("SignalRequest", 29, new byte[] { 0 }, "signal_request.vehicle_count")]
    [TestCase("SignalResponse", 27, new byte[] { 6 }, "signal_response.outcome")]
    public void Decode_FieldOutOfRange_ThrowsNamingField(string name, int offset, byte[] patch, string field)
    {
        var body = name switch
        {
            "Spat" => (V2xBody)SampleSpat(),
            "Map" => SampleMap(),
            // Group 0 needs the ingress lane: patch the group of a request without one.
            "SignalRequest" => offset == 22 ? new SignalRequest(1, 3, 1, null, 4.2, 9.8, 66.5, 3) : SampleRequest(),
            _ => SampleResponse(),
        };
        var bytes = Encode(body);
        patch.CopyTo(bytes.AsSpan(offset));

        var ex = Assert.Throws<V2xDecodeException>(() => V2xCodec.Decode(bytes));

        Assert.That(ex!.Field, Is.EqualTo(field), ex.Message);
    }

    [Test]
    public void Encode_InvalidFields_ThrowNamingField()
    {
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => Encode(new Spat(0, SampleSpat().Groups)))!.ParamName, Is.EqualTo("spat.intersection_id"));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => Encode(new Spat(1, [])))!.ParamName, Is.EqualTo("spat.groups"));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => Encode(new Spat(1, [new SignalGroupTimingEntry(1, SignalPhaseState.Red, 5, 4, 4, 50)])))!.ParamName,
            Is.EqualTo("spat.groups.likely_end"));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => Encode(new Spat(1, [new SignalGroupTimingEntry(1, SignalPhaseState.Red, 1, 7000, 2, 50)])))!.ParamName,
            Is.EqualTo("spat.groups.max_end"));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => Encode(new Spat(1, [new SignalGroupTimingEntry(2, SignalPhaseState.Red, 1, 1, 1, 50), new SignalGroupTimingEntry(2, SignalPhaseState.Red, 1, 1, 1, 50)])))!.ParamName,
            Is.EqualTo("spat.groups.signal_group_id"));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => Encode(new Spat(1, [new SignalGroupTimingEntry(1, (SignalPhaseState)9, 1, 1, 1, 50)])))!.ParamName,
            Is.EqualTo("spat.groups.state"));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => Encode(new MapData(1, 1, double.NaN, 0, SampleMap().Groups)))!.ParamName, Is.EqualTo("map.reference_x"));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => Encode(new MapData(1, 1, 0, 0, [new MapSignalGroup(1, [new MapIngressLane(new string('x', 17), 1, 1, 1, [])])])))!.ParamName,
            Is.EqualTo("map.groups.ingress.lane_id"));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => Encode(new SignalRequest(1, 1, 0, null, 1, 2, 3, 1)))!.ParamName, Is.EqualTo("signal_request.signal_group_id"));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => Encode(new SignalRequest(1, 1, 1, null, 3, 2, 3, 1)))!.ParamName, Is.EqualTo("signal_request.arrival_end"));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => Encode(new SignalRequest(1, 1, 1, null, 1, 2, 3, 0)))!.ParamName, Is.EqualTo("signal_request.vehicle_count"));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => Encode(new SignalResponse(1, 1, 1, 1, (SignalRequestOutcome)77, 0)))!.ParamName, Is.EqualTo("signal_response.outcome"));
    }

    [Test]
    public void Decode_SeededBitFlipsOfSignalMessages_DecodeOrThrowV2xDecodeException()
    {
        var rng = new Random(7_2026);
        var samples = Bodies().Select(c => Encode((V2xBody)c.Arguments[0]!)).ToArray();
        var rejected = 0;
        for (var i = 0; i < 20_000; i++)
        {
            var bytes = (byte[])samples[i % samples.Length].Clone();
            bytes[rng.Next(bytes.Length)] ^= (byte)(1 << rng.Next(8));
            try
            {
                V2xCodec.Decode(bytes);
            }
            catch (V2xDecodeException)
            {
                rejected++;
            }
        }

        Assert.That(rejected, Is.GreaterThan(0));
    }
}
