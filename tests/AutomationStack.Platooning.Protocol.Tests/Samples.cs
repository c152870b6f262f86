using System.Text;

namespace AutomationStack.Platooning.Protocol.Tests;

/// <summary>Typical and seeded-random messages, and a comparison that allows half a resolution step.</summary>
internal static class Samples
{
    public static MessageHeader Header(V2xMessageType type) => new(type, 0x0A0B0C0D, 1_764_000_000_123UL, 7);

    public static Pam Pam() =>
        new(42, PlatoonRole.Leader, 12_345.67, -9_876.54, 1.2345, 22.22, "lane-7", 3, 5, true, PlatooningLevel.Paf, 6.5);

    public static Pcm Pcm() =>
        new(42, 1, 12_321.12, -9_870.01, -2.5, 22.5, -0.35, -0.4, 0.8, 16.5, PcmStatus.Braking | PcmStatus.IntruderDetected);

    public static Pmm Pmm(PmmBody body) => new(0x11223344, 9001, body);

    public static WrappedGroupKey Key(int length) => new(0xCAFE0001, Enumerable.Range(0, length).Select(i => (byte)(i * 7)).ToArray());

    /// <summary>One typical body of every PMM kind (both join request shapes, both join response shapes).</summary>
    public static IReadOnlyDictionary<string, PmmBody> PmmBodies { get; } = new Dictionary<string, PmmBody>
    {
        ["JoinRequestBack"] = new JoinRequest(JoinPosition.Back, null, 16.5, PlatooningLevel.Psf),
        ["JoinRequestIndex"] = new JoinRequest(JoinPosition.Index, 2, 18.75, PlatooningLevel.Paf),
        ["JoinResponseAccepted"] = new JoinResponse(true, JoinRejectReason.None, 42, 3, 0.6, Key(48)),
        ["JoinResponseRejected"] = new JoinResponse(false, JoinRejectReason.LevelMismatch, 42, 0, 0, null),
        ["JoinComplete"] = new JoinComplete(42),
        ["LeaveNotice"] = new LeaveNotice(42, 2),
        ["SplitRequest"] = new SplitRequest(42, 2),
        ["MergeRequest"] = new MergeRequest(42, 43, 3),
        ["Dissolve"] = new Dissolve(42),
        ["GapChange"] = new GapChange(42, 1.2, GapChangeReason.Intersection),
        ["EmergencyBrake"] = new EmergencyBrake(7.5),
        ["Ack"] = new Ack(9000, AckResult.Rejected),
        ["KeyUpdate"] = new KeyUpdate(42, Key(130)),
    };

    /// <summary>Every typical message by name: PAM with and without lane id, PCM, every PMM sample.</summary>
    public static IReadOnlyDictionary<string, V2xBody> Messages { get; } = BuildMessages();

    public static byte[] Encode(V2xBody body) => V2xCodec.Encode(Header(body.MessageType), body);

    public static byte[] Encoded(string name) => Encode(Messages[name]);

    public static V2xBody RandomBody(Random rng, V2xMessageType type) => type switch
    {
        V2xMessageType.Pam => RandomPam(rng),
        V2xMessageType.Pcm => RandomPcm(rng),
        _ => RandomPmm(rng),
    };

    public static MessageHeader RandomHeader(Random rng, V2xMessageType type) =>
        new(type, RandomU32(rng), (ulong)rng.NextInt64(), RandomU32(rng));

    /// <summary>Null when <paramref name="actual"/> equals <paramref name="expected"/> up to half a resolution step per physical field.</summary>
    public static string? Diff(V2xBody expected, V2xBody actual)
    {
        var (expectedRest, expectedValues) = Split(expected);
        var (actualRest, actualValues) = Split(actual);
        if (!expectedRest.Equals(actualRest))
        {
            return $"expected {expectedRest}, got {actualRest}";
        }

        for (var i = 0; i < expectedValues.Length; i++)
        {
            var (name, value, resolution) = expectedValues[i];
            var got = actualValues[i].Value;
            var tolerance = (resolution / 2) + (Math.Abs(value) * 1e-12) + 1e-12;
            if (!(Math.Abs(value - got) <= tolerance))
            {
                return $"{name}: expected {value} ± {resolution / 2}, got {got}";
            }
        }

        return null;
    }

    private static Dictionary<string, V2xBody> BuildMessages()
    {
        var messages = new Dictionary<string, V2xBody>
        {
            ["Pam"] = Pam(),
            ["PamWithoutLane"] = Pam() with { LaneId = null, Role = PlatoonRole.StandAlone, PlatoonId = 0, PlatoonSize = 0 },
            ["Pcm"] = Pcm(),
        };
        foreach (var (name, body) in PmmBodies)
        {
            messages["Pmm" + name] = Pmm(body);
        }

        return messages;
    }

    private static (object Others, (string Name, double Value, double Resolution)[] Values) Split(V2xBody body) => body switch
    {
        Pam p => (p with { PositionX = 0, PositionY = 0, Heading = 0, Speed = 0, MaxDeceleration = 0 },
        [
            ("position_x", p.PositionX, V2xLimits.PositionResolution),
            ("position_y", p.PositionY, V2xLimits.PositionResolution),
            ("heading", p.Heading, V2xLimits.HeadingResolution),
            ("speed", p.Speed, V2xLimits.SpeedResolution),
            ("max_deceleration", p.MaxDeceleration, V2xLimits.DecelerationResolution),
        ]),
        Pcm c => (c with { PositionX = 0, PositionY = 0, Heading = 0, Speed = 0, Acceleration = 0, DesiredAcceleration = 0, TimeGap = 0, VehicleLength = 0 },
        [
            ("position_x", c.PositionX, V2xLimits.PositionResolution),
            ("position_y", c.PositionY, V2xLimits.PositionResolution),
            ("heading", c.Heading, V2xLimits.HeadingResolution),
            ("speed", c.Speed, V2xLimits.SpeedResolution),
            ("acceleration", c.Acceleration, V2xLimits.AccelerationResolution),
            ("desired_acceleration", c.DesiredAcceleration, V2xLimits.AccelerationResolution),
            ("time_gap", c.TimeGap, V2xLimits.TimeGapResolution),
            ("vehicle_length", c.VehicleLength, V2xLimits.VehicleLengthResolution),
        ]),
        Pmm { Body: JoinRequest j } m => (m with { Body = j with { VehicleLength = 0 } }, [("vehicle_length", j.VehicleLength, V2xLimits.VehicleLengthResolution)]),
        Pmm { Body: JoinResponse r } m => (m with { Body = r with { TimeGap = 0 } }, [("time_gap", r.TimeGap, V2xLimits.TimeGapResolution)]),
        Pmm { Body: GapChange g } m => (m with { Body = g with { TimeGap = 0 } }, [("time_gap", g.TimeGap, V2xLimits.TimeGapResolution)]),
        Pmm { Body: EmergencyBrake b } m => (m with { Body = b with { Deceleration = 0 } }, [("deceleration", b.Deceleration, V2xLimits.DecelerationResolution)]),
        _ => (body, []),
    };

    private static Pam RandomPam(Random rng)
    {
        var maxSize = (byte)rng.Next(256);
        return new Pam(
            rng.Next(4) == 0 ? 0 : RandomU32(rng),
            (PlatoonRole)rng.Next(4),
            Value(rng, -V2xLimits.MaxPositionMagnitude, V2xLimits.MaxPositionMagnitude),
            Value(rng, -V2xLimits.MaxPositionMagnitude, V2xLimits.MaxPositionMagnitude),
            Value(rng, -Math.PI, Math.PI),
            Value(rng, 0, V2xLimits.MaxSpeed),
            rng.Next(3) == 0 ? null : RandomLaneId(rng),
            (byte)rng.Next(maxSize + 1),
            maxSize,
            rng.Next(2) == 1,
            (PlatooningLevel)rng.Next(2),
            Value(rng, 0, V2xLimits.MaxDeceleration));
    }

    private static Pcm RandomPcm(Random rng) => new(
        RandomU32(rng),
        (byte)rng.Next(256),
        Value(rng, -V2xLimits.MaxPositionMagnitude, V2xLimits.MaxPositionMagnitude),
        Value(rng, -V2xLimits.MaxPositionMagnitude, V2xLimits.MaxPositionMagnitude),
        Value(rng, -Math.PI, Math.PI),
        Value(rng, 0, V2xLimits.MaxSpeed),
        Value(rng, -V2xLimits.MaxAccelerationMagnitude, V2xLimits.MaxAccelerationMagnitude),
        Value(rng, -V2xLimits.MaxAccelerationMagnitude, V2xLimits.MaxAccelerationMagnitude),
        Value(rng, 0, V2xLimits.MaxTimeGap),
        Value(rng, 0, V2xLimits.MaxVehicleLength),
        (PcmStatus)rng.Next(16));

    private static Pmm RandomPmm(Random rng)
    {
        PmmBody body = (PmmKind)rng.Next(1, 12) switch
        {
            PmmKind.JoinRequest => RandomJoinRequest(rng),
            PmmKind.JoinResponse => RandomJoinResponse(rng),
            PmmKind.JoinComplete => new JoinComplete(RandomU32(rng)),
            PmmKind.LeaveNotice => new LeaveNotice(RandomU32(rng), (byte)rng.Next(256)),
            PmmKind.SplitRequest => new SplitRequest(RandomU32(rng), (byte)rng.Next(256)),
            PmmKind.MergeRequest => new MergeRequest(RandomU32(rng), RandomU32(rng), (byte)rng.Next(256)),
            PmmKind.Dissolve => new Dissolve(RandomU32(rng)),
            PmmKind.GapChange => new GapChange(RandomU32(rng), Value(rng, 0, V2xLimits.MaxTimeGap), (GapChangeReason)rng.Next(4)),
            PmmKind.EmergencyBrake => new EmergencyBrake(Value(rng, 0, V2xLimits.MaxDeceleration)),
            PmmKind.KeyUpdate => new KeyUpdate(RandomU32(rng), RandomWrappedKey(rng)),
            _ => new Ack(RandomU32(rng), (AckResult)rng.Next(2)),
        };
        return new Pmm(RandomU32(rng), RandomU32(rng), body);
    }

    private static JoinRequest RandomJoinRequest(Random rng)
    {
        var position = (JoinPosition)rng.Next(3);
        byte? index = position == JoinPosition.Index ? (byte)rng.Next(256) : null;
        return new JoinRequest(position, index, Value(rng, 0, V2xLimits.MaxVehicleLength), (PlatooningLevel)rng.Next(2));
    }

    private static WrappedGroupKey RandomWrappedKey(Random rng)
    {
        var bytes = new byte[rng.Next(V2xLimits.MaxWrappedKeyBytes + 1)];
        rng.NextBytes(bytes);
        return new WrappedGroupKey(RandomU32(rng), bytes);
    }

    private static JoinResponse RandomJoinResponse(Random rng)
    {
        var accepted = rng.Next(2) == 1;
        var reason = accepted ? JoinRejectReason.None : (JoinRejectReason)rng.Next(1, 7);
        var key = rng.Next(2) == 1 ? RandomWrappedKey(rng) : null;
        return new JoinResponse(accepted, reason, RandomU32(rng), (byte)rng.Next(256), Value(rng, 0, V2xLimits.MaxTimeGap), key);
    }

    /// <summary>Mostly uniform in [min, max], with the end points themselves one time in ten.</summary>
    private static double Value(Random rng, double min, double max) => rng.Next(20) switch
    {
        0 => min,
        1 => max,
        _ => min + (rng.NextDouble() * (max - min)),
    };

    private static uint RandomU32(Random rng) => (uint)rng.NextInt64(0, 1L << 32);

    private static string RandomLaneId(Random rng)
    {
        const string alphabet = "abcdefghijklmnopqrstuvwxyz0123456789-_.äöüßé→";
        var budget = rng.Next(V2xLimits.MaxLaneIdBytes + 1);
        var builder = new StringBuilder();
        while (true)
        {
            var next = alphabet[rng.Next(alphabet.Length)];
            if (Encoding.UTF8.GetByteCount(builder.ToString() + next) > budget)
            {
                return builder.ToString();
            }

            builder.Append(next);
        }
    }
}
