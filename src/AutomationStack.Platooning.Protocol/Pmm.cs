namespace AutomationStack.Platooning.Protocol;

/// <summary>
/// Platoon management message: addressed to one station, acknowledged with an <see cref="Ack"/> carrying
/// <paramref name="TransactionId"/> (a retry repeats the transaction id), with a kind-specific <paramref name="Body"/>.
/// </summary>
/// <param name="DestinationStationId">The station the message is addressed to.</param>
/// <param name="TransactionId">Identifies the exchange for acknowledgement and retry.</param>
/// <param name="Body">What the message asks for or reports; its <see cref="PmmBody.Kind"/> goes on the wire.</param>
public sealed record Pmm(uint DestinationStationId, uint TransactionId, PmmBody Body) : V2xBody
{
    public override V2xMessageType MessageType => V2xMessageType.Pmm;

    internal override void Write(ref WireWriter writer)
    {
        if (Body is null)
        {
            throw new ArgumentNullException("pmm.body");
        }

        writer.U8(Body.Presence);
        writer.U32(DestinationStationId);
        writer.U32(TransactionId);
        Quantity.Enum(ref writer, Body.Kind, "pmm.kind");
        Body.Write(ref writer);
    }

    internal static Pmm Read(ref WireReader reader)
    {
        // The bits defined depend on the kind, which follows: check them once it is known.
        var presence = reader.U8("pmm.presence");
        var destination = reader.U32("pmm.destination_station_id");
        var transaction = reader.U32("pmm.transaction_id");
        var kind = Quantity.Enum<PmmKind>(ref reader, "pmm.kind");
        var defined = kind switch
        {
            PmmKind.JoinRequest => JoinRequest.DefinedPresence,
            PmmKind.JoinResponse => JoinResponse.DefinedPresence,
            _ => (byte)0,
        };
        if ((presence & ~defined) != 0)
        {
            throw new V2xDecodeException("pmm.presence", $"undefined presence bit(s) 0x{presence & ~defined:X2} for kind {kind}");
        }

        PmmBody body = kind switch
        {
            PmmKind.JoinRequest => JoinRequest.Read(ref reader, presence),
            PmmKind.JoinResponse => JoinResponse.Read(ref reader, presence),
            PmmKind.JoinComplete => new JoinComplete(reader.U32("pmm.join_complete.platoon_id")),
            PmmKind.LeaveNotice => new LeaveNotice(reader.U32("pmm.leave_notice.platoon_id"), reader.U8("pmm.leave_notice.index")),
            PmmKind.SplitRequest => new SplitRequest(reader.U32("pmm.split_request.platoon_id"), reader.U8("pmm.split_request.split_before_index")),
            PmmKind.MergeRequest => new MergeRequest(
                reader.U32("pmm.merge_request.front_platoon_id"),
                reader.U32("pmm.merge_request.rear_platoon_id"),
                reader.U8("pmm.merge_request.rear_platoon_size")),
            PmmKind.Dissolve => new Dissolve(reader.U32("pmm.dissolve.platoon_id")),
            PmmKind.GapChange => new GapChange(
                reader.U32("pmm.gap_change.platoon_id"),
                Quantity.TimeGap(ref reader, "pmm.gap_change.time_gap"),
                Quantity.Enum<GapChangeReason>(ref reader, "pmm.gap_change.reason")),
            PmmKind.EmergencyBrake => new EmergencyBrake(Quantity.Deceleration(ref reader, "pmm.emergency_brake.deceleration")),
            PmmKind.Ack => new Ack(reader.U32("pmm.ack.acknowledged_transaction_id"), Quantity.Enum<AckResult>(ref reader, "pmm.ack.result")),
            PmmKind.KeyUpdate => KeyUpdate.Read(ref reader),
            _ => throw new V2xDecodeException("pmm.kind", $"unknown kind {kind}"),
        };
        return new Pmm(destination, transaction, body);
    }
}

/// <summary>The kind-specific part of a <see cref="Pmm"/>.</summary>
public abstract record PmmBody
{
    private protected PmmBody()
    {
    }

    /// <summary>The kind that goes on the wire and selects this body on decode.</summary>
    public abstract PmmKind Kind { get; }

    /// <summary>The PMM presence bitmap for this body's optional fields.</summary>
    internal virtual byte Presence => 0;

    internal abstract void Write(ref WireWriter writer);
}

/// <summary>A joiner asks the leader to join its platoon.</summary>
/// <param name="Position">Where the joiner wants to enter.</param>
/// <param name="Index">The desired index: present exactly when <paramref name="Position"/> is <see cref="JoinPosition.Index"/>.</param>
/// <param name="VehicleLength">The joiner's length (m).</param>
/// <param name="Level">The platooning level the joiner supports.</param>
public sealed record JoinRequest(JoinPosition Position, byte? Index, double VehicleLength, PlatooningLevel Level) : PmmBody
{
    internal const byte IndexPresent = 1 << 0;
    internal const byte DefinedPresence = IndexPresent;

    public override PmmKind Kind => PmmKind.JoinRequest;

    internal override byte Presence => Index is null ? (byte)0 : IndexPresent;

    internal override void Write(ref WireWriter writer)
    {
        if ((Position == JoinPosition.Index) != Index.HasValue)
        {
            throw new ArgumentException("pmm.join_request.index: required exactly when the position is Index", "pmm.join_request.index");
        }

        Quantity.Enum(ref writer, Position, "pmm.join_request.position");
        Quantity.VehicleLength(ref writer, VehicleLength, "pmm.join_request.vehicle_length");
        Quantity.Enum(ref writer, Level, "pmm.join_request.level");
        if (Index is { } index)
        {
            writer.U8(index);
        }
    }

    internal static JoinRequest Read(ref WireReader reader, byte presence)
    {
        var position = Quantity.Enum<JoinPosition>(ref reader, "pmm.join_request.position");
        var length = Quantity.VehicleLength(ref reader, "pmm.join_request.vehicle_length");
        var level = Quantity.Enum<PlatooningLevel>(ref reader, "pmm.join_request.level");
        var hasIndex = (presence & IndexPresent) != 0;
        if ((position == JoinPosition.Index) != hasIndex)
        {
            throw new V2xDecodeException("pmm.join_request.index", "present exactly when the position is Index");
        }

        byte? index = hasIndex ? reader.U8("pmm.join_request.index") : null;
        return new JoinRequest(position, index, length, level);
    }
}

/// <summary>The leader answers a <see cref="JoinRequest"/>.</summary>
/// <param name="Accepted">Whether the join is accepted.</param>
/// <param name="RejectReason"><see cref="JoinRejectReason.None"/> exactly when accepted.</param>
/// <param name="PlatoonId">The platoon to join.</param>
/// <param name="AssignedIndex">The joiner's index once joined.</param>
/// <param name="TimeGap">The target time gap the joiner is to keep (s).</param>
/// <param name="GroupKey">The platoon's group key wrapped for the joiner (optional).</param>
public sealed record JoinResponse(
    bool Accepted,
    JoinRejectReason RejectReason,
    uint PlatoonId,
    byte AssignedIndex,
    double TimeGap,
    WrappedGroupKey? GroupKey) : PmmBody
{
    internal const byte GroupKeyPresent = 1 << 0;
    internal const byte DefinedPresence = GroupKeyPresent;

    public override PmmKind Kind => PmmKind.JoinResponse;

    internal override byte Presence => GroupKey is null ? (byte)0 : GroupKeyPresent;

    internal override void Write(ref WireWriter writer)
    {
        writer.Bool(Accepted);
        Quantity.Enum(ref writer, RejectReason, "pmm.join_response.reject_reason");
        if (Accepted != (RejectReason == JoinRejectReason.None))
        {
            throw new ArgumentException("pmm.join_response.reject_reason: None exactly when accepted", "pmm.join_response.reject_reason");
        }

        writer.U32(PlatoonId);
        writer.U8(AssignedIndex);
        Quantity.TimeGap(ref writer, TimeGap, "pmm.join_response.time_gap");
        if (GroupKey is not null)
        {
            writer.U32(GroupKey.KeyId);
            writer.ShortBytes(GroupKey.WrappedKey.Span, V2xLimits.MaxWrappedKeyBytes, "pmm.join_response.group_key");
        }
    }

    internal static JoinResponse Read(ref WireReader reader, byte presence)
    {
        var accepted = reader.Bool("pmm.join_response.accepted");
        var reason = Quantity.Enum<JoinRejectReason>(ref reader, "pmm.join_response.reject_reason");
        if (accepted != (reason == JoinRejectReason.None))
        {
            throw new V2xDecodeException("pmm.join_response.reject_reason", $"{reason} does not fit accepted = {accepted}");
        }

        var platoonId = reader.U32("pmm.join_response.platoon_id");
        var index = reader.U8("pmm.join_response.assigned_index");
        var timeGap = Quantity.TimeGap(ref reader, "pmm.join_response.time_gap");
        WrappedGroupKey? key = null;
        if ((presence & GroupKeyPresent) != 0)
        {
            var keyId = reader.U32("pmm.join_response.group_key_id");
            key = new WrappedGroupKey(keyId, reader.ShortBytes(V2xLimits.MaxWrappedKeyBytes, "pmm.join_response.group_key").ToArray());
        }

        return new JoinResponse(accepted, reason, platoonId, index, timeGap, key);
    }
}

/// <summary>
/// A new platoon group key for one member, wrapped to its authorisation ticket: sent by the leader when membership
/// changes, and by a merging rear leader to forward the front platoon's key to its own members.
/// </summary>
/// <param name="PlatoonId">The platoon the key is for.</param>
/// <param name="GroupKey">The key, wrapped for the receiver.</param>
public sealed record KeyUpdate(uint PlatoonId, WrappedGroupKey GroupKey) : PmmBody
{
    public override PmmKind Kind => PmmKind.KeyUpdate;

    internal override void Write(ref WireWriter writer)
    {
        if (GroupKey is null)
        {
            throw new ArgumentNullException("pmm.key_update.group_key");
        }

        writer.U32(PlatoonId);
        writer.U32(GroupKey.KeyId);
        writer.ShortBytes(GroupKey.WrappedKey.Span, V2xLimits.MaxWrappedKeyBytes, "pmm.key_update.group_key");
    }

    internal static KeyUpdate Read(ref WireReader reader)
    {
        var platoonId = reader.U32("pmm.key_update.platoon_id");
        var keyId = reader.U32("pmm.key_update.group_key_id");
        var wrapped = reader.ShortBytes(V2xLimits.MaxWrappedKeyBytes, "pmm.key_update.group_key").ToArray();
        return new KeyUpdate(platoonId, new WrappedGroupKey(keyId, wrapped));
    }
}

/// <summary>
/// A platoon group key wrapped (encrypted) for one receiver: opaque here, at most
/// <see cref="V2xLimits.MaxWrappedKeyBytes"/> bytes. Equality compares the bytes.
/// </summary>
/// <param name="KeyId">Identifies the group key (for rollover).</param>
/// <param name="WrappedKey">The wrapped key bytes.</param>
public sealed record WrappedGroupKey(uint KeyId, ReadOnlyMemory<byte> WrappedKey)
{
    public bool Equals(WrappedGroupKey? other) =>
        other is not null && KeyId == other.KeyId && WrappedKey.Span.SequenceEqual(other.WrappedKey.Span);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(KeyId);
        hash.AddBytes(WrappedKey.Span);
        return hash.ToHashCode();
    }
}

/// <summary>The joiner reports that it has reached its position in the platoon.</summary>
public sealed record JoinComplete(uint PlatoonId) : PmmBody
{
    public override PmmKind Kind => PmmKind.JoinComplete;

    internal override void Write(ref WireWriter writer) => writer.U32(PlatoonId);
}

/// <summary>A member announces that it leaves the platoon.</summary>
/// <param name="PlatoonId">The platoon being left.</param>
/// <param name="Index">The leaving member's index.</param>
public sealed record LeaveNotice(uint PlatoonId, byte Index) : PmmBody
{
    public override PmmKind Kind => PmmKind.LeaveNotice;

    internal override void Write(ref WireWriter writer)
    {
        writer.U32(PlatoonId);
        writer.U8(Index);
    }
}

/// <summary>The leader splits the platoon in front of <paramref name="SplitBeforeIndex"/>.</summary>
/// <param name="PlatoonId">The platoon to split.</param>
/// <param name="SplitBeforeIndex">The member that becomes the leader of the rear part.</param>
public sealed record SplitRequest(uint PlatoonId, byte SplitBeforeIndex) : PmmBody
{
    public override PmmKind Kind => PmmKind.SplitRequest;

    internal override void Write(ref WireWriter writer)
    {
        writer.U32(PlatoonId);
        writer.U8(SplitBeforeIndex);
    }
}

/// <summary>The rear platoon's leader asks the front platoon's leader to merge.</summary>
/// <param name="FrontPlatoonId">The platoon ahead.</param>
/// <param name="RearPlatoonId">The requesting platoon.</param>
/// <param name="RearPlatoonSize">Vehicles in the requesting platoon.</param>
public sealed record MergeRequest(uint FrontPlatoonId, uint RearPlatoonId, byte RearPlatoonSize) : PmmBody
{
    public override PmmKind Kind => PmmKind.MergeRequest;

    internal override void Write(ref WireWriter writer)
    {
        writer.U32(FrontPlatoonId);
        writer.U32(RearPlatoonId);
        writer.U8(RearPlatoonSize);
    }
}

/// <summary>The leader dissolves the platoon.</summary>
public sealed record Dissolve(uint PlatoonId) : PmmBody
{
    public override PmmKind Kind => PmmKind.Dissolve;

    internal override void Write(ref WireWriter writer) => writer.U32(PlatoonId);
}

/// <summary>The leader changes the platoon's target time gap.</summary>
/// <param name="PlatoonId">The platoon.</param>
/// <param name="TimeGap">The new target time gap (s).</param>
/// <param name="Reason">Why.</param>
public sealed record GapChange(uint PlatoonId, double TimeGap, GapChangeReason Reason) : PmmBody
{
    public override PmmKind Kind => PmmKind.GapChange;

    internal override void Write(ref WireWriter writer)
    {
        writer.U32(PlatoonId);
        Quantity.TimeGap(ref writer, TimeGap, "pmm.gap_change.time_gap");
        Quantity.Enum(ref writer, Reason, "pmm.gap_change.reason");
    }
}

/// <summary>Orders the receiver to brake at <paramref name="Deceleration"/> (m/s², positive).</summary>
public sealed record EmergencyBrake(double Deceleration) : PmmBody
{
    public override PmmKind Kind => PmmKind.EmergencyBrake;

    internal override void Write(ref WireWriter writer) =>
        Quantity.Deceleration(ref writer, Deceleration, "pmm.emergency_brake.deceleration");
}

/// <summary>Acknowledges the PMM with transaction id <paramref name="AcknowledgedTransactionId"/>.</summary>
/// <param name="AcknowledgedTransactionId">The acknowledged PMM's transaction id.</param>
/// <param name="Result">Whether the receiver accepted it.</param>
public sealed record Ack(uint AcknowledgedTransactionId, AckResult Result) : PmmBody
{
    public override PmmKind Kind => PmmKind.Ack;

    internal override void Write(ref WireWriter writer)
    {
        writer.U32(AcknowledgedTransactionId);
        Quantity.Enum(ref writer, Result, "pmm.ack.result");
    }
}
