namespace AutomationStack.Platooning.Protocol.Tests;

internal sealed class V2xCodecDecodeTests
{
    private static IEnumerable<TestCaseData> MessageNames() =>
        Samples.Messages.Keys.Select(name => new TestCaseData(name).SetArgDisplayNames(name));

    [TestCaseSource(nameof(MessageNames))]
    public void Decode_EveryTruncation_ThrowsV2xDecodeException(string name)
    {
        var bytes = Samples.Encoded(name);
        for (var length = 0; length < bytes.Length; length++)
        {
            var ex = Assert.Throws<V2xDecodeException>(() => V2xCodec.Decode(bytes.AsSpan(0, length)), $"length {length} of {bytes.Length}");
            Assert.That(ex!.Message, Does.Contain("truncated"), $"length {length} of {bytes.Length}");
        }
    }

    [TestCaseSource(nameof(MessageNames))]
    public void Decode_TrailingByte_ThrowsNamingMessage(string name)
    {
        var bytes = Samples.Encoded(name);
        var longer = bytes.Append((byte)0).ToArray();

        var ex = Assert.Throws<V2xDecodeException>(() => V2xCodec.Decode(longer));

        Assert.That(ex!.Field, Is.EqualTo(name[..3].ToLowerInvariant()));
        Assert.That(ex.Message, Does.Contain("trailing"));
    }

    // Offsets: the header is bytes 0–17; the PAM/PCM/PMM presence bitmap is byte 18. See docs/platooning-protocol.md.
    [TestCase("Pam", 23, new byte[] { 4 }, "pam.role")]
    [TestCase("Pam", 39, new byte[] { 2 }, "pam.level")]
    [TestCase("Pam", 38, new byte[] { 2 }, "pam.joinable")]
    [TestCase("Pcm", 44, new byte[] { 0x10 }, "pcm.status")]
    [TestCase("PmmDissolve", 27, new byte[] { 0 }, "pmm.kind")]
    [TestCase("PmmDissolve", 27, new byte[] { 12 }, "pmm.kind")]
    [TestCase("PmmJoinRequestBack", 28, new byte[] { 3 }, "pmm.join_request.position")]
    [TestCase("PmmJoinRequestBack", 31, new byte[] { 2 }, "pmm.join_request.level")]
    [TestCase("PmmJoinResponseRejected", 29, new byte[] { 7 }, "pmm.join_response.reject_reason")]
    [TestCase("PmmJoinResponseRejected", 28, new byte[] { 2 }, "pmm.join_response.accepted")]
    [TestCase("PmmGapChange", 34, new byte[] { 4 }, "pmm.gap_change.reason")]
    [TestCase("PmmAck", 32, new byte[] { 2 }, "pmm.ack.result")]
    public void Decode_UnknownEnumValue_ThrowsNamingField(string name, int offset, byte[] patch, string field) =>
        AssertPatchRejected(name, offset, patch, field);

    [TestCase("Pam", 24, new byte[] { 0x7F, 0xFF, 0xFF, 0xFF }, "pam.position_x")]
    [TestCase("Pam", 28, new byte[] { 0x80, 0x00, 0x00, 0x00 }, "pam.position_y")]
    [TestCase("Pam", 32, new byte[] { 0x7F, 0xFF }, "pam.heading")]
    [TestCase("Pam", 40, new byte[] { 0x07, 0xD1 }, "pam.max_deceleration")]
    [TestCase("Pcm", 32, new byte[] { 0x85, 0x00 }, "pcm.heading")]
    [TestCase("Pcm", 36, new byte[] { 0x07, 0xD1 }, "pcm.acceleration")]
    [TestCase("Pcm", 38, new byte[] { 0xF8, 0x2F }, "pcm.desired_acceleration")]
    [TestCase("Pcm", 40, new byte[] { 0x03, 0xE9 }, "pcm.time_gap")]
    [TestCase("Pcm", 42, new byte[] { 0x0F, 0xA1 }, "pcm.vehicle_length")]
    [TestCase("PmmJoinRequestBack", 29, new byte[] { 0xFF, 0xFF }, "pmm.join_request.vehicle_length")]
    [TestCase("PmmJoinResponseRejected", 35, new byte[] { 0xFF, 0xFF }, "pmm.join_response.time_gap")]
    [TestCase("PmmGapChange", 32, new byte[] { 0xFF, 0xFF }, "pmm.gap_change.time_gap")]
    [TestCase("PmmEmergencyBrake", 28, new byte[] { 0xFF, 0xFF }, "pmm.emergency_brake.deceleration")]
    public void Decode_RawValueOutOfRange_ThrowsNamingField(string name, int offset, byte[] patch, string field) =>
        AssertPatchRejected(name, offset, patch, field);

    [TestCase("Pam", 0x02, "pam.presence")]
    [TestCase("Pam", 0x80, "pam.presence")]
    [TestCase("Pcm", 0x01, "pcm.presence")]
    [TestCase("PmmJoinRequestIndex", 0x03, "pmm.presence")]
    [TestCase("PmmJoinResponseAccepted", 0x02, "pmm.presence")]
    [TestCase("PmmDissolve", 0x01, "pmm.presence")]
    [TestCase("PmmAck", 0x01, "pmm.presence")]
    public void Decode_UndefinedPresenceBit_ThrowsNamingPresence(string name, byte presence, string field) =>
        AssertPatchRejected(name, 18, [presence], field);

    [TestCase("PmmJoinRequestBack", 0x01)]
    [TestCase("PmmJoinRequestIndex", 0x00)]
    public void Decode_JoinRequestIndexPresenceNotMatchingPosition_ThrowsNamingIndex(string name, byte presence) =>
        AssertPatchRejected(name, 18, [presence], "pmm.join_request.index");

    [Test]
    public void Decode_JoinResponseAcceptedWithReason_ThrowsNamingReason() =>
        AssertPatchRejected("PmmJoinResponseRejected", 28, [1], "pmm.join_response.reject_reason");

    [Test]
    public void Decode_PlatoonSizeAboveMax_ThrowsNamingSize() =>
        AssertPatchRejected("Pam", 36, [6], "pam.platoon_size");

    [Test]
    public void Decode_LaneIdLongerThanLimit_ThrowsNamingLaneId()
    {
        var bytes = Samples.Encode(Samples.Pam() with { LaneId = new string('a', V2xLimits.MaxLaneIdBytes) });
        bytes[42] = V2xLimits.MaxLaneIdBytes + 1;
        bytes = [.. bytes, (byte)'a'];

        var ex = Assert.Throws<V2xDecodeException>(() => V2xCodec.Decode(bytes));

        Assert.That(ex!.Field, Is.EqualTo("pam.lane_id"));
    }

    [Test]
    public void Decode_LaneIdNotUtf8_ThrowsNamingLaneId()
    {
        var bytes = Samples.Encoded("Pam");
        bytes[43] = 0xC3; // a lead byte followed by an ASCII byte

        var ex = Assert.Throws<V2xDecodeException>(() => V2xCodec.Decode(bytes));

        Assert.That(ex!.Field, Is.EqualTo("pam.lane_id"));
    }

    [Test]
    public void Decode_GroupKeyLongerThanLimit_ThrowsNamingGroupKey()
    {
        var bytes = Samples.Encode(Samples.Pmm(new JoinResponse(true, JoinRejectReason.None, 1, 1, 1, Samples.Key(V2xLimits.MaxWrappedKeyBytes))));
        bytes[41] = V2xLimits.MaxWrappedKeyBytes + 1;
        bytes = [.. bytes, 0];

        var ex = Assert.Throws<V2xDecodeException>(() => V2xCodec.Decode(bytes));

        Assert.That(ex!.Field, Is.EqualTo("pmm.join_response.group_key"));
    }

    [Test]
    public void Decode_HeadingRawJustAbovePi_DecodesClampedToPi()
    {
        // π encodes as raw 31416 (3.1416 rad); it decodes to π so the message re-encodes unchanged.
        var bytes = Samples.Encode(Samples.Pcm() with { Heading = Math.PI });

        var pcm = (Pcm)V2xCodec.Decode(bytes).Body;

        Assert.That(pcm.Heading, Is.EqualTo(Math.PI));
        Assert.That(Samples.Encode(pcm), Is.EqualTo(bytes));
    }

    private static void AssertPatchRejected(string name, int offset, byte[] patch, string field)
    {
        var bytes = Samples.Encoded(name);
        Assert.That(V2xCodec.Decode(bytes).Body, Is.Not.Null, "the unpatched message decodes");
        patch.CopyTo(bytes, offset);

        var ex = Assert.Throws<V2xDecodeException>(() => V2xCodec.Decode(bytes));

        Assert.That(ex!.Field, Is.EqualTo(field));
        Assert.That(ex.Message, Does.StartWith(field));
    }
}
