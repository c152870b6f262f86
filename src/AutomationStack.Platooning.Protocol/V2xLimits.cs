using System.Runtime.CompilerServices;

namespace AutomationStack.Platooning.Protocol;

/// <summary>
/// Resolutions and ranges of the fixed-point fields of PAM, PCM and PMM (SI units). A value outside its range is
/// rejected on encode (<see cref="ArgumentOutOfRangeException"/>) and on decode (<see cref="V2xDecodeException"/>); a
/// value inside it survives a round trip within half a resolution step.
/// </summary>
public static class V2xLimits
{
    /// <summary>Map-frame position (m), i32 in steps of 0.01 m.</summary>
    public const double PositionResolution = 0.01;

    /// <summary>Largest |x| or |y| (m).</summary>
    public const double MaxPositionMagnitude = 21_000_000;

    /// <summary>Heading (rad, map frame, counter-clockwise from +x), i16 in steps of 1e-4 rad, range [-π, π].</summary>
    public const double HeadingResolution = 1e-4;

    /// <summary>Speed (m/s), u16 in steps of 0.01 m/s, range [0, <see cref="MaxSpeed"/>].</summary>
    public const double SpeedResolution = 0.01;

    public const double MaxSpeed = 655.35;

    /// <summary>Longitudinal acceleration (m/s²), i16 in steps of 0.01 m/s², range ±<see cref="MaxAccelerationMagnitude"/>.</summary>
    public const double AccelerationResolution = 0.01;

    public const double MaxAccelerationMagnitude = 20;

    /// <summary>Deceleration (m/s², positive when slowing down), u16 in steps of 0.01 m/s², range [0, <see cref="MaxDeceleration"/>].</summary>
    public const double DecelerationResolution = 0.01;

    public const double MaxDeceleration = 20;

    /// <summary>Time gap (s), u16 in steps of 0.01 s, range [0, <see cref="MaxTimeGap"/>].</summary>
    public const double TimeGapResolution = 0.01;

    public const double MaxTimeGap = 10;

    /// <summary>Vehicle length (m), u16 in steps of 0.01 m, range [0, <see cref="MaxVehicleLength"/>].</summary>
    public const double VehicleLengthResolution = 0.01;

    public const double MaxVehicleLength = 40;

    /// <summary>Longest lane id (UTF-8 bytes) in a PAM.</summary>
    public const int MaxLaneIdBytes = 32;

    /// <summary>Longest wrapped group key (bytes) in a join response.</summary>
    public const int MaxWrappedKeyBytes = 160;

    /// <summary>
    /// Time marks of SPaT and signal requests/responses (s, relative to the message's generation time), u16 in steps of
    /// 0.1 s, range [0, <see cref="MaxTimeMark"/>].
    /// </summary>
    public const double TimeMarkResolution = 0.1;

    public const double MaxTimeMark = 6553.5;

    /// <summary>Platoon length in a signal request (m), u16 in steps of 0.1 m, range [0, <see cref="MaxPlatoonLength"/>].</summary>
    public const double PlatoonLengthResolution = 0.1;

    public const double MaxPlatoonLength = 6553.5;

    /// <summary>Stop-line arc length along its lane in a MAP (m), u32 in steps of 0.01 m, range [0, <see cref="MaxStopLineS"/>].</summary>
    public const double StopLineSResolution = 0.01;

    public const double MaxStopLineS = 1_000_000;

    /// <summary>Most signal groups in one SPaT or MAP (an intersection with more cannot be described).</summary>
    public const int MaxSignalGroups = 8;

    /// <summary>Most ingress lanes of one signal group in a MAP.</summary>
    public const int MaxIngressLanesPerGroup = 4;

    /// <summary>Most egress lanes of one ingress lane in a MAP.</summary>
    public const int MaxEgressLanesPerIngress = 2;

    /// <summary>Longest lane id (UTF-8 bytes) in a MAP or signal request.</summary>
    public const int MaxMapLaneIdBytes = 16;
}

/// <summary>Writes and reads the protocol's physical quantities and enums, each checked against its range.</summary>
internal static class Quantity
{
    public static void Position(ref WireWriter writer, double value, string field) =>
        writer.I32(FixedPoint.ToInt32(value, V2xLimits.PositionResolution, -V2xLimits.MaxPositionMagnitude, V2xLimits.MaxPositionMagnitude, field));

    public static double Position(ref WireReader reader, string field) =>
        FixedPoint.FromInt(reader.I32(field), V2xLimits.PositionResolution, -V2xLimits.MaxPositionMagnitude, V2xLimits.MaxPositionMagnitude, field);

    public static void Heading(ref WireWriter writer, double value, string field) =>
        writer.I16((short)FixedPoint.ToInt32(value, V2xLimits.HeadingResolution, -Math.PI, Math.PI, field));

    public static double Heading(ref WireReader reader, string field) =>
        FixedPoint.FromInt(reader.I16(field), V2xLimits.HeadingResolution, -Math.PI, Math.PI, field);

    public static void Speed(ref WireWriter writer, double value, string field) =>
        writer.U16((ushort)FixedPoint.ToInt32(value, V2xLimits.SpeedResolution, 0, V2xLimits.MaxSpeed, field));

    public static double Speed(ref WireReader reader, string field) =>
        FixedPoint.FromInt(reader.U16(field), V2xLimits.SpeedResolution, 0, V2xLimits.MaxSpeed, field);

    public static void Acceleration(ref WireWriter writer, double value, string field) =>
        writer.I16((short)FixedPoint.ToInt32(value, V2xLimits.AccelerationResolution, -V2xLimits.MaxAccelerationMagnitude, V2xLimits.MaxAccelerationMagnitude, field));

    public static double Acceleration(ref WireReader reader, string field) =>
        FixedPoint.FromInt(reader.I16(field), V2xLimits.AccelerationResolution, -V2xLimits.MaxAccelerationMagnitude, V2xLimits.MaxAccelerationMagnitude, field);

    public static void Deceleration(ref WireWriter writer, double value, string field) =>
        writer.U16((ushort)FixedPoint.ToInt32(value, V2xLimits.DecelerationResolution, 0, V2xLimits.MaxDeceleration, field));

    public static double Deceleration(ref WireReader reader, string field) =>
        FixedPoint.FromInt(reader.U16(field), V2xLimits.DecelerationResolution, 0, V2xLimits.MaxDeceleration, field);

    public static void TimeGap(ref WireWriter writer, double value, string field) =>
        writer.U16((ushort)FixedPoint.ToInt32(value, V2xLimits.TimeGapResolution, 0, V2xLimits.MaxTimeGap, field));

    public static double TimeGap(ref WireReader reader, string field) =>
        FixedPoint.FromInt(reader.U16(field), V2xLimits.TimeGapResolution, 0, V2xLimits.MaxTimeGap, field);

    public static void VehicleLength(ref WireWriter writer, double value, string field) =>
        writer.U16((ushort)FixedPoint.ToInt32(value, V2xLimits.VehicleLengthResolution, 0, V2xLimits.MaxVehicleLength, field));

    public static double VehicleLength(ref WireReader reader, string field) =>
        FixedPoint.FromInt(reader.U16(field), V2xLimits.VehicleLengthResolution, 0, V2xLimits.MaxVehicleLength, field);

    public static void TimeMark(ref WireWriter writer, double value, string field) =>
        writer.U16((ushort)FixedPoint.ToInt32(value, V2xLimits.TimeMarkResolution, 0, V2xLimits.MaxTimeMark, field));

    public static double TimeMark(ref WireReader reader, string field) =>
        FixedPoint.FromInt(reader.U16(field), V2xLimits.TimeMarkResolution, 0, V2xLimits.MaxTimeMark, field);

    public static void PlatoonLength(ref WireWriter writer, double value, string field) =>
        writer.U16((ushort)FixedPoint.ToInt32(value, V2xLimits.PlatoonLengthResolution, 0, V2xLimits.MaxPlatoonLength, field));

    public static double PlatoonLength(ref WireReader reader, string field) =>
        FixedPoint.FromInt(reader.U16(field), V2xLimits.PlatoonLengthResolution, 0, V2xLimits.MaxPlatoonLength, field);

    public static void StopLineS(ref WireWriter writer, double value, string field) =>
        writer.U32((uint)FixedPoint.ToInt32(value, V2xLimits.StopLineSResolution, 0, V2xLimits.MaxStopLineS, field));

    public static double StopLineS(ref WireReader reader, string field) =>
        FixedPoint.FromInt(reader.U32(field), V2xLimits.StopLineSResolution, 0, V2xLimits.MaxStopLineS, field);

    /// <summary>Writes a count (u8) from 1 (or 0 when <paramref name="allowEmpty"/>) to <paramref name="max"/>.</summary>
    public static void Count(ref WireWriter writer, int count, int max, string field, bool allowEmpty = false)
    {
        if (count > max || count < (allowEmpty ? 0 : 1))
        {
            throw new ArgumentOutOfRangeException(field, count, $"{field}: expected {(allowEmpty ? 0 : 1)} … {max} entries");
        }

        writer.U8((byte)count);
    }

    public static int Count(ref WireReader reader, int max, string field, bool allowEmpty = false)
    {
        var count = reader.U8(field);
        if (count > max || count < (allowEmpty ? 0 : 1))
        {
            throw new V2xDecodeException(field, $"{count} entries, expected {(allowEmpty ? 0 : 1)} … {max}");
        }

        return count;
    }

    /// <summary>Writes a non-zero id as u8 (signal group) after checking its range.</summary>
    public static void GroupId(ref WireWriter writer, int value, string field)
    {
        if (value is < 1 or > byte.MaxValue)
        {
            throw new ArgumentOutOfRangeException(field, value, $"{field}: expected a signal group id from 1 to 255");
        }

        writer.U8((byte)value);
    }

    public static int GroupId(ref WireReader reader, string field)
    {
        var value = reader.U8(field);
        return value == 0 ? throw new V2xDecodeException(field, "signal group id 0 (ids are 1 … 255)") : value;
    }

    /// <summary>Writes a non-zero intersection id as u16.</summary>
    public static void IntersectionId(ref WireWriter writer, int value, string field)
    {
        if (value is < 1 or > ushort.MaxValue)
        {
            throw new ArgumentOutOfRangeException(field, value, $"{field}: expected an intersection id from 1 to 65535");
        }

        writer.U16((ushort)value);
    }

    public static int IntersectionId(ref WireReader reader, string field)
    {
        var value = reader.U16(field);
        return value == 0 ? throw new V2xDecodeException(field, "intersection id 0 (ids are 1 … 65535)") : value;
    }

    /// <summary>Writes a u8 enum value, rejecting values the enum does not define.</summary>
    public static void Enum<T>(ref WireWriter writer, T value, string field)
        where T : struct, Enum
    {
        if (!System.Enum.IsDefined(value))
        {
            throw new ArgumentOutOfRangeException(field, value, $"{field}: undefined {typeof(T).Name} value");
        }

        writer.U8(Unsafe.BitCast<T, byte>(value));
    }

    /// <summary>Reads a u8 enum value, rejecting values the enum does not define.</summary>
    public static T Enum<T>(ref WireReader reader, string field)
        where T : struct, Enum
    {
        var raw = reader.U8(field);
        var value = Unsafe.BitCast<byte, T>(raw);
        if (!System.Enum.IsDefined(value))
        {
            throw new V2xDecodeException(field, $"unknown {typeof(T).Name} value {raw}");
        }

        return value;
    }

    /// <summary>Reads a presence bitmap, rejecting bits outside <paramref name="defined"/>.</summary>
    public static byte Presence(ref WireReader reader, byte defined, string field)
    {
        var presence = reader.U8(field);
        if ((presence & ~defined) != 0)
        {
            throw new V2xDecodeException(field, $"undefined presence bit(s) 0x{presence & ~defined:X2}");
        }

        return presence;
    }
}
