namespace AutomationStack.Platooning.Protocol;

/// <summary>
/// Platooning awareness message (1–2 Hz while platoon-capable): who I am, where, and whether my platoon takes joiners.
/// </summary>
/// <param name="PlatoonId">The sender's platoon, 0 when in none.</param>
/// <param name="Role">The sender's platooning role.</param>
/// <param name="PositionX">Map-frame x (m).</param>
/// <param name="PositionY">Map-frame y (m).</param>
/// <param name="Heading">Map-frame heading (rad, [-π, π]).</param>
/// <param name="Speed">Speed (m/s, ≥ 0).</param>
/// <param name="LaneId">The map lane the sender drives in (optional, at most 32 UTF-8 bytes).</param>
/// <param name="PlatoonSize">Vehicles in the sender's platoon (≤ <paramref name="MaxPlatoonSize"/>).</param>
/// <param name="MaxPlatoonSize">Most vehicles the sender's platoon accepts.</param>
/// <param name="Joinable">Whether the platoon currently accepts join requests.</param>
/// <param name="Level">The platooning level the sender supports or its platoon runs at.</param>
/// <param name="MaxDeceleration">The sender's maximum deceleration capability (m/s², positive).</param>
public sealed record Pam(
    uint PlatoonId,
    PlatoonRole Role,
    double PositionX,
    double PositionY,
    double Heading,
    double Speed,
    string? LaneId,
    byte PlatoonSize,
    byte MaxPlatoonSize,
    bool Joinable,
    PlatooningLevel Level,
    double MaxDeceleration) : V2xBody
{
    private const byte LaneIdPresent = 1 << 0;
    private const byte DefinedPresence = LaneIdPresent;

    public override V2xMessageType MessageType => V2xMessageType.Pam;

    internal override void Write(ref WireWriter writer)
    {
        if (PlatoonSize > MaxPlatoonSize)
        {
            throw new ArgumentOutOfRangeException("pam.platoon_size", PlatoonSize, $"pam.platoon_size: exceeds pam.max_platoon_size {MaxPlatoonSize}");
        }

        writer.U8(LaneId is null ? (byte)0 : LaneIdPresent);
        writer.U32(PlatoonId);
        Quantity.Enum(ref writer, Role, "pam.role");
        Quantity.Position(ref writer, PositionX, "pam.position_x");
        Quantity.Position(ref writer, PositionY, "pam.position_y");
        Quantity.Heading(ref writer, Heading, "pam.heading");
        Quantity.Speed(ref writer, Speed, "pam.speed");
        writer.U8(PlatoonSize);
        writer.U8(MaxPlatoonSize);
        writer.Bool(Joinable);
        Quantity.Enum(ref writer, Level, "pam.level");
        Quantity.Deceleration(ref writer, MaxDeceleration, "pam.max_deceleration");
        if (LaneId is not null)
        {
            writer.ShortString(LaneId, V2xLimits.MaxLaneIdBytes, "pam.lane_id");
        }
    }

    internal static Pam Read(ref WireReader reader)
    {
        var presence = Quantity.Presence(ref reader, DefinedPresence, "pam.presence");
        var platoonId = reader.U32("pam.platoon_id");
        var role = Quantity.Enum<PlatoonRole>(ref reader, "pam.role");
        var x = Quantity.Position(ref reader, "pam.position_x");
        var y = Quantity.Position(ref reader, "pam.position_y");
        var heading = Quantity.Heading(ref reader, "pam.heading");
        var speed = Quantity.Speed(ref reader, "pam.speed");
        var size = reader.U8("pam.platoon_size");
        var maxSize = reader.U8("pam.max_platoon_size");
        if (size > maxSize)
        {
            throw new V2xDecodeException("pam.platoon_size", $"{size} exceeds pam.max_platoon_size {maxSize}");
        }

        var joinable = reader.Bool("pam.joinable");
        var level = Quantity.Enum<PlatooningLevel>(ref reader, "pam.level");
        var maxDeceleration = Quantity.Deceleration(ref reader, "pam.max_deceleration");
        var laneId = (presence & LaneIdPresent) != 0 ? reader.ShortString(V2xLimits.MaxLaneIdBytes, "pam.lane_id") : null;
        return new Pam(platoonId, role, x, y, heading, speed, laneId, size, maxSize, joinable, level, maxDeceleration);
    }
}
