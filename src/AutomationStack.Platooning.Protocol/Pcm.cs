namespace AutomationStack.Platooning.Protocol;

/// <summary>
/// Platoon control message (20 Hz while in or joining a platoon): the state the followers' gap controllers need.
/// Encoded (header included) it is <see cref="EncodedSize"/> bytes.
/// </summary>
/// <param name="PlatoonId">The platoon the sender is in or joining.</param>
/// <param name="Index">The sender's index in the platoon, 0 for the leader.</param>
/// <param name="PositionX">Map-frame x (m).</param>
/// <param name="PositionY">Map-frame y (m).</param>
/// <param name="Heading">Map-frame heading (rad, [-π, π]).</param>
/// <param name="Speed">Speed (m/s, ≥ 0).</param>
/// <param name="Acceleration">Actual longitudinal acceleration (m/s², negative when slowing down).</param>
/// <param name="DesiredAcceleration">The acceleration the sender's controller currently requests (m/s²).</param>
/// <param name="TimeGap">The sender's current target time gap to its predecessor (s).</param>
/// <param name="VehicleLength">The sender's length (m).</param>
/// <param name="Status">Status bits.</param>
public sealed record Pcm(
    uint PlatoonId,
    byte Index,
    double PositionX,
    double PositionY,
    double Heading,
    double Speed,
    double Acceleration,
    double DesiredAcceleration,
    double TimeGap,
    double VehicleLength,
    PcmStatus Status) : V2xBody
{
    /// <summary>Size of an encoded PCM, header included (the PCM has no optional fields).</summary>
    public const int EncodedSize = MessageHeader.Size + 27;

    // No optional fields yet: the bitmap is reserved for later versions and must be 0.
    private const byte DefinedPresence = 0;
    private const PcmStatus DefinedStatus = PcmStatus.Braking | PcmStatus.EmergencyBrake | PcmStatus.AboutToLeave | PcmStatus.IntruderDetected;

    public override V2xMessageType MessageType => V2xMessageType.Pcm;

    internal override void Write(ref WireWriter writer)
    {
        if ((Status & ~DefinedStatus) != 0)
        {
            throw new ArgumentOutOfRangeException("pcm.status", Status, "pcm.status: undefined status bit(s)");
        }

        writer.U8(0);
        writer.U32(PlatoonId);
        writer.U8(Index);
        Quantity.Position(ref writer, PositionX, "pcm.position_x");
        Quantity.Position(ref writer, PositionY, "pcm.position_y");
        Quantity.Heading(ref writer, Heading, "pcm.heading");
        Quantity.Speed(ref writer, Speed, "pcm.speed");
        Quantity.Acceleration(ref writer, Acceleration, "pcm.acceleration");
        Quantity.Acceleration(ref writer, DesiredAcceleration, "pcm.desired_acceleration");
        Quantity.TimeGap(ref writer, TimeGap, "pcm.time_gap");
        Quantity.VehicleLength(ref writer, VehicleLength, "pcm.vehicle_length");
        writer.U8((byte)Status);
    }

    internal static Pcm Read(ref WireReader reader)
    {
        Quantity.Presence(ref reader, DefinedPresence, "pcm.presence");
        var platoonId = reader.U32("pcm.platoon_id");
        var index = reader.U8("pcm.index");
        var x = Quantity.Position(ref reader, "pcm.position_x");
        var y = Quantity.Position(ref reader, "pcm.position_y");
        var heading = Quantity.Heading(ref reader, "pcm.heading");
        var speed = Quantity.Speed(ref reader, "pcm.speed");
        var acceleration = Quantity.Acceleration(ref reader, "pcm.acceleration");
        var desired = Quantity.Acceleration(ref reader, "pcm.desired_acceleration");
        var timeGap = Quantity.TimeGap(ref reader, "pcm.time_gap");
        var length = Quantity.VehicleLength(ref reader, "pcm.vehicle_length");
        var status = (PcmStatus)reader.U8("pcm.status");
        if ((status & ~DefinedStatus) != 0)
        {
            throw new V2xDecodeException("pcm.status", $"undefined status bit(s) 0x{(byte)(status & ~DefinedStatus):X2}");
        }

        return new Pcm(platoonId, index, x, y, heading, speed, acceleration, desired, timeGap, length, status);
    }
}
