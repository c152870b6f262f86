namespace AutomationStack.Platooning.Protocol;

/// <summary>
/// The timing of one signal group in a <see cref="Spat"/>: its state and when that state ends, in s after the
/// message's generation time (0.1 s steps): at the earliest (<paramref name="MinEnd"/>), at the latest
/// (<paramref name="MaxEnd"/>) and most likely (<paramref name="LikelyEnd"/>), with
/// <paramref name="ConfidencePercent"/> (0 … 100) that it ends at the likely time. MinEnd ≤ LikelyEnd ≤ MaxEnd.
/// </summary>
public readonly record struct SignalGroupTimingEntry(
    int SignalGroupId, SignalPhaseState State, double MinEnd, double MaxEnd, double LikelyEnd, byte ConfidencePercent);

/// <summary>
/// Signal phase and timing of one intersection (SAE J2735 SPaT-like), broadcast by its roadside unit at 10 Hz.
/// Layout after the header: presence u8 (no optional fields yet, must be 0), intersection id u16, group count u8
/// (1 … <see cref="V2xLimits.MaxSignalGroups"/>), then per group (ids strictly ascending): group id u8, state u8,
/// min end u16, max end u16, likely end u16 (0.1 s after generation), confidence u8 (percent).
/// </summary>
public sealed record Spat(int IntersectionId, IReadOnlyList<SignalGroupTimingEntry> Groups) : V2xBody
{
    /// <summary>Largest encoded body, bytes.</summary>
    public const int MaxBodySize = 1 + 2 + 1 + (V2xLimits.MaxSignalGroups * 9);

    public override V2xMessageType MessageType => V2xMessageType.Spat;

    internal override void Write(ref WireWriter writer)
    {
        ArgumentNullException.ThrowIfNull(Groups, "spat.groups");
        writer.U8(0);
        Quantity.IntersectionId(ref writer, IntersectionId, "spat.intersection_id");
        Quantity.Count(ref writer, Groups.Count, V2xLimits.MaxSignalGroups, "spat.groups");
        var previous = 0;
        foreach (var g in Groups)
        {
            if (g.SignalGroupId <= previous)
            {
                throw new ArgumentOutOfRangeException("spat.groups.signal_group_id", g.SignalGroupId, "spat.groups.signal_group_id: ids must be strictly ascending");
            }

            if (!(g.MinEnd <= g.LikelyEnd && g.LikelyEnd <= g.MaxEnd))
            {
                throw new ArgumentOutOfRangeException("spat.groups.likely_end", g.LikelyEnd, "spat.groups.likely_end: expected min_end ≤ likely_end ≤ max_end");
            }

            if (g.ConfidencePercent > 100)
            {
                throw new ArgumentOutOfRangeException("spat.groups.confidence", g.ConfidencePercent, "spat.groups.confidence: expected 0 … 100 %");
            }

            previous = g.SignalGroupId;
            Quantity.GroupId(ref writer, g.SignalGroupId, "spat.groups.signal_group_id");
            Quantity.Enum(ref writer, g.State, "spat.groups.state");
            Quantity.TimeMark(ref writer, g.MinEnd, "spat.groups.min_end");
            Quantity.TimeMark(ref writer, g.MaxEnd, "spat.groups.max_end");
            Quantity.TimeMark(ref writer, g.LikelyEnd, "spat.groups.likely_end");
            writer.U8(g.ConfidencePercent);
        }
    }

    internal static Spat Read(ref WireReader reader)
    {
        Quantity.Presence(ref reader, 0, "spat.presence");
        var id = Quantity.IntersectionId(ref reader, "spat.intersection_id");
        var count = Quantity.Count(ref reader, V2xLimits.MaxSignalGroups, "spat.groups");
        var groups = new SignalGroupTimingEntry[count];
        var previous = 0;
        for (var i = 0; i < count; i++)
        {
            var groupId = Quantity.GroupId(ref reader, "spat.groups.signal_group_id");
            if (groupId <= previous)
            {
                throw new V2xDecodeException("spat.groups.signal_group_id", $"{groupId} after {previous}: ids must be strictly ascending");
            }

            previous = groupId;
            var state = Quantity.Enum<SignalPhaseState>(ref reader, "spat.groups.state");
            var min = Quantity.TimeMark(ref reader, "spat.groups.min_end");
            var max = Quantity.TimeMark(ref reader, "spat.groups.max_end");
            var likely = Quantity.TimeMark(ref reader, "spat.groups.likely_end");
            if (!(min <= likely && likely <= max))
            {
                throw new V2xDecodeException("spat.groups.likely_end", $"min {min} ≤ likely {likely} ≤ max {max} violated");
            }

            var confidence = reader.U8("spat.groups.confidence");
            if (confidence > 100)
            {
                throw new V2xDecodeException("spat.groups.confidence", $"{confidence} % above 100 %");
            }

            groups[i] = new SignalGroupTimingEntry(groupId, state, min, max, likely, confidence);
        }

        return new Spat(id, groups);
    }

    public bool Equals(Spat? other) => other is not null && IntersectionId == other.IntersectionId && Groups.SequenceEqual(other.Groups);

    public override int GetHashCode() => HashCode.Combine(IntersectionId, Groups.Count);
}

/// <summary>An ingress lane in a <see cref="MapData"/>: map lane id, stop line (arc length along the lane and its point, m) and egress lane ids.</summary>
public sealed record MapIngressLane(string LaneId, double StopLineS, double StopLineX, double StopLineY, IReadOnlyList<string> EgressLaneIds)
{
    public bool Equals(MapIngressLane? other) => other is not null && LaneId == other.LaneId && StopLineS.Equals(other.StopLineS)
        && StopLineX.Equals(other.StopLineX) && StopLineY.Equals(other.StopLineY) && EgressLaneIds.SequenceEqual(other.EgressLaneIds);

    public override int GetHashCode() => HashCode.Combine(LaneId, StopLineS, StopLineX, StopLineY);
}

/// <summary>A signal group in a <see cref="MapData"/> with its ingress lanes.</summary>
public sealed record MapSignalGroup(int SignalGroupId, IReadOnlyList<MapIngressLane> Ingress)
{
    public bool Equals(MapSignalGroup? other) => other is not null && SignalGroupId == other.SignalGroupId && Ingress.SequenceEqual(other.Ingress);

    public override int GetHashCode() => HashCode.Combine(SignalGroupId, Ingress.Count);
}

/// <summary>
/// The topology of one intersection (SAE J2735 MAP-like), broadcast by its roadside unit at 1 Hz. Layout after the
/// header: presence u8 (0), intersection id u16, revision u8, reference position x, y (i32, 0.01 m), group count u8
/// (1 … <see cref="V2xLimits.MaxSignalGroups"/>), per group (ids strictly ascending): group id u8, ingress count u8
/// (1 … <see cref="V2xLimits.MaxIngressLanesPerGroup"/>), per ingress lane: lane id (u8 length + UTF-8, ≤
/// <see cref="V2xLimits.MaxMapLaneIdBytes"/>), stop line s u32 (0.01 m), stop line x, y (i32, 0.01 m), egress count u8
/// (0 … <see cref="V2xLimits.MaxEgressLanesPerIngress"/>) and the egress lane ids.
/// </summary>
public sealed record MapData(int IntersectionId, byte Revision, double ReferenceX, double ReferenceY, IReadOnlyList<MapSignalGroup> Groups) : V2xBody
{
    private const int MaxLaneIdSize = 1 + V2xLimits.MaxMapLaneIdBytes;
    private const int MaxIngressSize = MaxLaneIdSize + 4 + 4 + 4 + 1 + (V2xLimits.MaxEgressLanesPerIngress * MaxLaneIdSize);

    /// <summary>Largest encoded body, bytes (bounds <see cref="V2xCodec.MaxMessageSize"/>).</summary>
    public const int MaxBodySize = 1 + 2 + 1 + 4 + 4 + 1 + (V2xLimits.MaxSignalGroups * (1 + 1 + (V2xLimits.MaxIngressLanesPerGroup * MaxIngressSize)));

    public override V2xMessageType MessageType => V2xMessageType.Map;

    internal override void Write(ref WireWriter writer)
    {
        ArgumentNullException.ThrowIfNull(Groups, "map.groups");
        writer.U8(0);
        Quantity.IntersectionId(ref writer, IntersectionId, "map.intersection_id");
        writer.U8(Revision);
        Quantity.Position(ref writer, ReferenceX, "map.reference_x");
        Quantity.Position(ref writer, ReferenceY, "map.reference_y");
        Quantity.Count(ref writer, Groups.Count, V2xLimits.MaxSignalGroups, "map.groups");
        var previous = 0;
        foreach (var g in Groups)
        {
            if (g.SignalGroupId <= previous)
            {
                throw new ArgumentOutOfRangeException("map.groups.signal_group_id", g.SignalGroupId, "map.groups.signal_group_id: ids must be strictly ascending");
            }

            previous = g.SignalGroupId;
            Quantity.GroupId(ref writer, g.SignalGroupId, "map.groups.signal_group_id");
            Quantity.Count(ref writer, g.Ingress.Count, V2xLimits.MaxIngressLanesPerGroup, "map.groups.ingress");
            foreach (var lane in g.Ingress)
            {
                writer.ShortString(lane.LaneId, V2xLimits.MaxMapLaneIdBytes, "map.groups.ingress.lane_id");
                Quantity.StopLineS(ref writer, lane.StopLineS, "map.groups.ingress.stop_line_s");
                Quantity.Position(ref writer, lane.StopLineX, "map.groups.ingress.stop_line_x");
                Quantity.Position(ref writer, lane.StopLineY, "map.groups.ingress.stop_line_y");
                Quantity.Count(ref writer, lane.EgressLaneIds.Count, V2xLimits.MaxEgressLanesPerIngress, "map.groups.ingress.egress", allowEmpty: true);
                foreach (var egress in lane.EgressLaneIds)
                {
                    writer.ShortString(egress, V2xLimits.MaxMapLaneIdBytes, "map.groups.ingress.egress_lane_id");
                }
            }
        }
    }

    internal static MapData Read(ref WireReader reader)
    {
        Quantity.Presence(ref reader, 0, "map.presence");
        var id = Quantity.IntersectionId(ref reader, "map.intersection_id");
        var revision = reader.U8("map.revision");
        var x = Quantity.Position(ref reader, "map.reference_x");
        var y = Quantity.Position(ref reader, "map.reference_y");
        var count = Quantity.Count(ref reader, V2xLimits.MaxSignalGroups, "map.groups");
        var groups = new MapSignalGroup[count];
        var previous = 0;
        for (var i = 0; i < count; i++)
        {
            var groupId = Quantity.GroupId(ref reader, "map.groups.signal_group_id");
            if (groupId <= previous)
            {
                throw new V2xDecodeException("map.groups.signal_group_id", $"{groupId} after {previous}: ids must be strictly ascending");
            }

            previous = groupId;
            var ingressCount = Quantity.Count(ref reader, V2xLimits.MaxIngressLanesPerGroup, "map.groups.ingress");
            var ingress = new MapIngressLane[ingressCount];
            for (var k = 0; k < ingressCount; k++)
            {
                var laneId = reader.ShortString(V2xLimits.MaxMapLaneIdBytes, "map.groups.ingress.lane_id");
                var s = Quantity.StopLineS(ref reader, "map.groups.ingress.stop_line_s");
                var sx = Quantity.Position(ref reader, "map.groups.ingress.stop_line_x");
                var sy = Quantity.Position(ref reader, "map.groups.ingress.stop_line_y");
                var egressCount = Quantity.Count(ref reader, V2xLimits.MaxEgressLanesPerIngress, "map.groups.ingress.egress", allowEmpty: true);
                var egress = new string[egressCount];
                for (var e = 0; e < egressCount; e++)
                {
                    egress[e] = reader.ShortString(V2xLimits.MaxMapLaneIdBytes, "map.groups.ingress.egress_lane_id");
                }

                ingress[k] = new MapIngressLane(laneId, s, sx, sy, egress);
            }

            groups[i] = new MapSignalGroup(groupId, ingress);
        }

        return new MapData(id, revision, x, y, groups);
    }

    public bool Equals(MapData? other) => other is not null && IntersectionId == other.IntersectionId && Revision == other.Revision
        && ReferenceX.Equals(other.ReferenceX) && ReferenceY.Equals(other.ReferenceY) && Groups.SequenceEqual(other.Groups);

    public override int GetHashCode() => HashCode.Combine(IntersectionId, Revision, ReferenceX, ReferenceY, Groups.Count);
}

/// <summary>
/// A platoon leader's priority request to an intersection (SAE J2735 SREM-like): hold the green of
/// <paramref name="SignalGroupId"/> (or of the group whose ingress lane is <paramref name="IngressLaneId"/>) until the
/// platoon's rear has cleared the stop line. Arrival times in s after the generation time (0.1 s steps). Layout after
/// the header: presence u8 (bit 0: ingress lane id), intersection id u16, request id u8, signal group u8 (0 = by
/// ingress lane, which must then be present), arrival start u16, arrival end u16 (≥ start), platoon length u16 (0.1 m),
/// vehicle count u8 (≥ 1), [ingress lane id].
/// </summary>
public sealed record SignalRequest(
    int IntersectionId,
    byte RequestId,
    int SignalGroupId,
    string? IngressLaneId,
    double ArrivalStart,
    double ArrivalEnd,
    double PlatoonLength,
    byte VehicleCount) : V2xBody
{
    private const byte LanePresent = 1 << 0;

    public const int MaxBodySize = 1 + 2 + 1 + 1 + 2 + 2 + 2 + 1 + 1 + V2xLimits.MaxMapLaneIdBytes;

    public override V2xMessageType MessageType => V2xMessageType.SignalRequest;

    internal override void Write(ref WireWriter writer)
    {
        if (SignalGroupId == 0 && IngressLaneId is null)
        {
            throw new ArgumentOutOfRangeException("signal_request.signal_group_id", SignalGroupId, "signal_request.signal_group_id: 0 needs an ingress lane id");
        }

        if (SignalGroupId is < 0 or > byte.MaxValue)
        {
            throw new ArgumentOutOfRangeException("signal_request.signal_group_id", SignalGroupId, "signal_request.signal_group_id: expected 0 … 255");
        }

        if (!(ArrivalEnd >= ArrivalStart))
        {
            throw new ArgumentOutOfRangeException("signal_request.arrival_end", ArrivalEnd, "signal_request.arrival_end: expected ≥ arrival_start");
        }

        if (VehicleCount == 0)
        {
            throw new ArgumentOutOfRangeException("signal_request.vehicle_count", VehicleCount, "signal_request.vehicle_count: expected ≥ 1");
        }

        writer.U8(IngressLaneId is null ? (byte)0 : LanePresent);
        Quantity.IntersectionId(ref writer, IntersectionId, "signal_request.intersection_id");
        writer.U8(RequestId);
        writer.U8((byte)SignalGroupId);
        Quantity.TimeMark(ref writer, ArrivalStart, "signal_request.arrival_start");
        Quantity.TimeMark(ref writer, ArrivalEnd, "signal_request.arrival_end");
        Quantity.PlatoonLength(ref writer, PlatoonLength, "signal_request.platoon_length");
        writer.U8(VehicleCount);
        if (IngressLaneId is not null)
        {
            writer.ShortString(IngressLaneId, V2xLimits.MaxMapLaneIdBytes, "signal_request.ingress_lane_id");
        }
    }

    internal static SignalRequest Read(ref WireReader reader)
    {
        var presence = Quantity.Presence(ref reader, LanePresent, "signal_request.presence");
        var id = Quantity.IntersectionId(ref reader, "signal_request.intersection_id");
        var requestId = reader.U8("signal_request.request_id");
        var group = reader.U8("signal_request.signal_group_id");
        if (group == 0 && (presence & LanePresent) == 0)
        {
            throw new V2xDecodeException("signal_request.signal_group_id", "0 without an ingress lane id");
        }

        var start = Quantity.TimeMark(ref reader, "signal_request.arrival_start");
        var end = Quantity.TimeMark(ref reader, "signal_request.arrival_end");
        if (end < start)
        {
            throw new V2xDecodeException("signal_request.arrival_end", $"{end} before arrival_start {start}");
        }

        var length = Quantity.PlatoonLength(ref reader, "signal_request.platoon_length");
        var count = reader.U8("signal_request.vehicle_count");
        if (count == 0)
        {
            throw new V2xDecodeException("signal_request.vehicle_count", "0 vehicles");
        }

        var lane = (presence & LanePresent) != 0 ? reader.ShortString(V2xLimits.MaxMapLaneIdBytes, "signal_request.ingress_lane_id") : null;
        return new SignalRequest(id, requestId, group, lane, start, end, length, count);
    }
}

/// <summary>
/// An intersection's answer to a <see cref="SignalRequest"/> (SAE J2735 SSEM-like), from its roadside unit. Layout
/// after the header: presence u8 (0), intersection id u16, requester station id u32, request id u8, signal group u8
/// (0 = could not be resolved), outcome u8, green end u16 (s after generation, 0.1 s: the earliest green end the
/// controller guarantees when granted; the maximum green end when rejected beyond it; else 0).
/// </summary>
public sealed record SignalResponse(
    int IntersectionId,
    uint RequesterStationId,
    byte RequestId,
    int SignalGroupId,
    SignalRequestOutcome Outcome,
    double GreenEnd) : V2xBody
{
    public const int MaxBodySize = 1 + 2 + 4 + 1 + 1 + 1 + 2;

    public override V2xMessageType MessageType => V2xMessageType.SignalResponse;

    internal override void Write(ref WireWriter writer)
    {
        if (SignalGroupId is < 0 or > byte.MaxValue)
        {
            throw new ArgumentOutOfRangeException("signal_response.signal_group_id", SignalGroupId, "signal_response.signal_group_id: expected 0 … 255");
        }

        writer.U8(0);
        Quantity.IntersectionId(ref writer, IntersectionId, "signal_response.intersection_id");
        writer.U32(RequesterStationId);
        writer.U8(RequestId);
        writer.U8((byte)SignalGroupId);
        Quantity.Enum(ref writer, Outcome, "signal_response.outcome");
        Quantity.TimeMark(ref writer, GreenEnd, "signal_response.green_end");
    }

    internal static SignalResponse Read(ref WireReader reader)
    {
        Quantity.Presence(ref reader, 0, "signal_response.presence");
        var id = Quantity.IntersectionId(ref reader, "signal_response.intersection_id");
        var requester = reader.U32("signal_response.requester_station_id");
        var requestId = reader.U8("signal_response.request_id");
        var group = reader.U8("signal_response.signal_group_id");
        var outcome = Quantity.Enum<SignalRequestOutcome>(ref reader, "signal_response.outcome");
        var end = Quantity.TimeMark(ref reader, "signal_response.green_end");
        return new SignalResponse(id, requester, requestId, group, outcome, end);
    }
}
