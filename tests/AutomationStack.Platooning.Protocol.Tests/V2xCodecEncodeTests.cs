namespace AutomationStack.Platooning.Protocol.Tests;

internal sealed class V2xCodecEncodeTests
{
    private static IEnumerable<TestCaseData> OutOfRangeFields()
    {
        var pam = Samples.Pam();
        foreach (var (field, value) in Physical("pam.position_x", -V2xLimits.MaxPositionMagnitude, V2xLimits.MaxPositionMagnitude))
        {
            yield return Case(field, value, pam with { PositionX = value });
        }

        foreach (var (field, value) in Physical("pam.position_y", -V2xLimits.MaxPositionMagnitude, V2xLimits.MaxPositionMagnitude))
        {
            yield return Case(field, value, pam with { PositionY = value });
        }

        foreach (var (field, value) in Physical("pam.heading", -Math.PI, Math.PI))
        {
            yield return Case(field, value, pam with { Heading = value });
        }

        foreach (var (field, value) in Physical("pam.speed", 0, V2xLimits.MaxSpeed))
        {
            yield return Case(field, value, pam with { Speed = value });
        }

        foreach (var (field, value) in Physical("pam.max_deceleration", 0, V2xLimits.MaxDeceleration))
        {
            yield return Case(field, value, pam with { MaxDeceleration = value });
        }

        yield return Case("pam.role", "undefined", pam with { Role = (PlatoonRole)4 });
        yield return Case("pam.level", "undefined", pam with { Level = (PlatooningLevel)2 });
        yield return Case("pam.lane_id", "33 bytes", pam with { LaneId = new string('a', 33) });
        yield return Case("pam.lane_id", "17 two-byte chars", pam with { LaneId = new string('ä', 17) });
        yield return Case("pam.platoon_size", "above max size", pam with { PlatoonSize = 6, MaxPlatoonSize = 5 });

        var pcm = Samples.Pcm();
        foreach (var (field, value) in Physical("pcm.position_x", -V2xLimits.MaxPositionMagnitude, V2xLimits.MaxPositionMagnitude))
        {
            yield return Case(field, value, pcm with { PositionX = value });
        }

        foreach (var (field, value) in Physical("pcm.position_y", -V2xLimits.MaxPositionMagnitude, V2xLimits.MaxPositionMagnitude))
        {
            yield return Case(field, value, pcm with { PositionY = value });
        }

        foreach (var (field, value) in Physical("pcm.heading", -Math.PI, Math.PI))
        {
            yield return Case(field, value, pcm with { Heading = value });
        }

        foreach (var (field, value) in Physical("pcm.speed", 0, V2xLimits.MaxSpeed))
        {
            yield return Case(field, value, pcm with { Speed = value });
        }

        foreach (var (field, value) in Physical("pcm.acceleration", -V2xLimits.MaxAccelerationMagnitude, V2xLimits.MaxAccelerationMagnitude))
        {
            yield return Case(field, value, pcm with { Acceleration = value });
        }

        foreach (var (field, value) in Physical("pcm.desired_acceleration", -V2xLimits.MaxAccelerationMagnitude, V2xLimits.MaxAccelerationMagnitude))
        {
            yield return Case(field, value, pcm with { DesiredAcceleration = value });
        }

        foreach (var (field, value) in Physical("pcm.time_gap", 0, V2xLimits.MaxTimeGap))
        {
            yield return Case(field, value, pcm with { TimeGap = value });
        }

        foreach (var (field, value) in Physical("pcm.vehicle_length", 0, V2xLimits.MaxVehicleLength))
        {
            yield return Case(field, value, pcm with { VehicleLength = value });
        }

        yield return Case("pcm.status", "undefined bit", pcm with { Status = (PcmStatus)0x10 });

        var joinRequest = new JoinRequest(JoinPosition.Back, null, 16.5, PlatooningLevel.Psf);
        foreach (var (field, value) in Physical("pmm.join_request.vehicle_length", 0, V2xLimits.MaxVehicleLength))
        {
            yield return Case(field, value, Samples.Pmm(joinRequest with { VehicleLength = value }));
        }

        yield return Case("pmm.join_request.position", "undefined", Samples.Pmm(joinRequest with { Position = (JoinPosition)3 }));
        yield return Case("pmm.join_request.level", "undefined", Samples.Pmm(joinRequest with { Level = (PlatooningLevel)9 }));

        var joinResponse = new JoinResponse(true, JoinRejectReason.None, 42, 3, 0.6, Samples.Key(16));
        foreach (var (field, value) in Physical("pmm.join_response.time_gap", 0, V2xLimits.MaxTimeGap))
        {
            yield return Case(field, value, Samples.Pmm(joinResponse with { TimeGap = value }));
        }

        yield return Case("pmm.join_response.reject_reason", "undefined", Samples.Pmm(joinResponse with { Accepted = false, RejectReason = (JoinRejectReason)7 }));
        yield return Case("pmm.join_response.group_key", "161 bytes", Samples.Pmm(joinResponse with { GroupKey = Samples.Key(V2xLimits.MaxWrappedKeyBytes + 1) }));
        yield return Case("pmm.key_update.group_key", "161 bytes", Samples.Pmm(new KeyUpdate(42, Samples.Key(V2xLimits.MaxWrappedKeyBytes + 1))));

        var gapChange = new GapChange(42, 1.2, GapChangeReason.CutIn);
        foreach (var (field, value) in Physical("pmm.gap_change.time_gap", 0, V2xLimits.MaxTimeGap))
        {
            yield return Case(field, value, Samples.Pmm(gapChange with { TimeGap = value }));
        }

        yield return Case("pmm.gap_change.reason", "undefined", Samples.Pmm(gapChange with { Reason = (GapChangeReason)4 }));

        foreach (var (field, value) in Physical("pmm.emergency_brake.deceleration", 0, V2xLimits.MaxDeceleration))
        {
            yield return Case(field, value, Samples.Pmm(new EmergencyBrake(value)));
        }

        yield return Case("pmm.ack.result", "undefined", Samples.Pmm(new Ack(1, (AckResult)2)));
    }

    [TestCaseSource(nameof(OutOfRangeFields))]
    public void Encode_FieldOutOfRange_ThrowsNamingField(V2xBody body, string field)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => Samples.Encode(body));

        Assert.That(ex!.ParamName, Is.EqualTo(field));
        Assert.That(ex.Message, Does.Contain(field));
    }

    [Test]
    public void Encode_FieldOutOfRange_LeavesDestinationUntouched()
    {
        var buffer = new byte[64];
        Array.Fill(buffer, (byte)0xAB);

        Assert.Throws<ArgumentOutOfRangeException>(() =>
            V2xCodec.Encode(Samples.Header(V2xMessageType.Pcm), Samples.Pcm() with { VehicleLength = double.NaN }, buffer));
        Assert.That(buffer, Is.All.EqualTo((byte)0xAB));
    }

    [Test]
    public void Encode_HeaderTypeDiffersFromBody_ThrowsArgumentException()
    {
        var ex = Assert.Throws<ArgumentException>(() => V2xCodec.Encode(Samples.Header(V2xMessageType.Pam), Samples.Pcm()));

        Assert.That(ex!.ParamName, Is.EqualTo("header"));
    }

    [Test]
    public void Encode_DestinationTooSmall_ThrowsAndWritesNothing()
    {
        var buffer = new byte[Pcm.EncodedSize - 1];

        var ex = Assert.Throws<ArgumentException>(() => V2xCodec.Encode(Samples.Header(V2xMessageType.Pcm), Samples.Pcm(), buffer));

        Assert.That(ex!.ParamName, Is.EqualTo("destination"));
        Assert.That(buffer, Is.All.Zero);
    }

    [Test]
    public void Encode_NullBody_ThrowsArgumentNullException()
    {
        Assert.Throws<ArgumentNullException>(() => V2xCodec.Encode(Samples.Header(V2xMessageType.Pcm), null!));
        Assert.Throws<ArgumentNullException>(() => Samples.Encode(new Pmm(1, 2, null!)));
    }

    [TestCase(JoinPosition.Index, null)]
    [TestCase(JoinPosition.Back, (byte)3)]
    [TestCase(JoinPosition.Front, (byte)0)]
    public void Encode_JoinRequestIndexNotMatchingPosition_ThrowsNamingIndex(JoinPosition position, byte? index)
    {
        var ex = Assert.Throws<ArgumentException>(() => Samples.Encode(Samples.Pmm(new JoinRequest(position, index, 16, PlatooningLevel.Psf))));

        Assert.That(ex!.ParamName, Is.EqualTo("pmm.join_request.index"));
    }

    [TestCase(true, JoinRejectReason.Busy)]
    [TestCase(false, JoinRejectReason.None)]
    public void Encode_JoinResponseReasonNotMatchingAccepted_ThrowsNamingReason(bool accepted, JoinRejectReason reason)
    {
        var ex = Assert.Throws<ArgumentException>(() => Samples.Encode(Samples.Pmm(new JoinResponse(accepted, reason, 1, 1, 1, null))));

        Assert.That(ex!.ParamName, Is.EqualTo("pmm.join_response.reject_reason"));
    }

    /// <summary>NaN, ±infinity and one resolution step beyond each end of [min, max].</summary>
    private static IEnumerable<(string Field, double Value)> Physical(string field, double min, double max)
    {
        yield return (field, double.NaN);
        yield return (field, double.PositiveInfinity);
        yield return (field, double.NegativeInfinity);
        yield return (field, min - 0.01);
        yield return (field, max + 0.01);
    }

    private static TestCaseData Case(string field, double value, V2xBody body) => Case(field, value.ToString(System.Globalization.CultureInfo.InvariantCulture), body);

    private static TestCaseData Case(string field, string what, V2xBody body) =>
        new TestCaseData(body, field).SetArgDisplayNames(field, what);
}
