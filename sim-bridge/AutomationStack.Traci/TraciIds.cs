namespace AutomationStack.Traci;

/// <summary>TraCI command ids (SUMO 1.15, API 20).</summary>
internal static class TraciCommand
{
    public const byte GetVersion = 0x00;
    public const byte SimulationStep = 0x02;
    public const byte SetOrder = 0x03;
    public const byte Close = 0x7F;
    public const byte GetTrafficLight = 0xA2;
    public const byte GetVehicle = 0xA4;
    public const byte GetRoute = 0xA6;
    public const byte GetSimulation = 0xAB;
    public const byte SetTrafficLight = 0xC2;
    public const byte SetVehicle = 0xC4;
    public const byte SetRoute = 0xC6;
    public const byte SubscribeTrafficLight = 0xD2;
    public const byte SubscribeVehicle = 0xD4;
    public const byte ResponseSubscribeTrafficLight = 0xE2;
    public const byte ResponseSubscribeVehicle = 0xE4;
    public const byte ResponseOffset = 0x10;
}

/// <summary>TraCI data type tags.</summary>
internal static class TraciType
{
    public const byte Position2D = 0x01;
    public const byte Position3D = 0x03;
    public const byte UByte = 0x07;
    public const byte Byte = 0x08;
    public const byte Int = 0x09;
    public const byte Double = 0x0B;
    public const byte String = 0x0C;
    public const byte StringList = 0x0E;
    public const byte Compound = 0x0F;
    public const byte DoubleList = 0x10;
}

/// <summary>Vehicle variable ids usable with <see cref="TraciClient.SubscribeVehicle"/> and batches.</summary>
public static class VehicleVariable
{
    /// <summary>ID list (domain-wide, object id "").</summary>
    public const byte IdList = 0x00;
    /// <summary>Speed, m/s (double).</summary>
    public const byte Speed = 0x40;
    /// <summary>Position of the front bumper centre, m (2D position).</summary>
    public const byte Position = 0x42;
    /// <summary>Heading in degrees, 0 = north, clockwise (double).</summary>
    public const byte Angle = 0x43;
    /// <summary>Edge id (string).</summary>
    public const byte RoadId = 0x50;
    /// <summary>Lane id (string).</summary>
    public const byte LaneId = 0x51;
    /// <summary>Distance from the lane start, m (double).</summary>
    public const byte LanePosition = 0x56;
    /// <summary>Acceleration, m/s² (double).</summary>
    public const byte Acceleration = 0x72;
    /// <summary>Set: remove (byte reason).</summary>
    internal const byte Remove = 0x81;
    /// <summary>Set: add with all fields (compound of 14).</summary>
    internal const byte AddFull = 0x85;
    /// <summary>Set: speed mode bit set (int).</summary>
    internal const byte SpeedMode = 0xB3;
    /// <summary>Set: move to x/y (compound).</summary>
    internal const byte MoveToXY = 0xB4;
    /// <summary>Set: lane-change mode bit set (int).</summary>
    internal const byte LaneChangeMode = 0xB6;
}

/// <summary>Traffic-light variable ids usable with <see cref="TraciClient.SubscribeTrafficLight"/> and batches.</summary>
public static class TrafficLightVariable
{
    /// <summary>ID list (domain-wide, object id "").</summary>
    public const byte IdList = 0x00;
    /// <summary>State string, one char per controlled link from "rRgGyYuoOs" (string).</summary>
    public const byte State = 0x20;
    /// <summary>Controlled lanes (string list).</summary>
    public const byte ControlledLanes = 0x26;
    /// <summary>Controlled links (compound).</summary>
    internal const byte ControlledLinks = 0x27;
    /// <summary>Current phase index (int).</summary>
    public const byte Phase = 0x28;
    /// <summary>Current program id (string).</summary>
    public const byte Program = 0x29;
    /// <summary>Complete red-yellow-green definition (compound).</summary>
    internal const byte CompleteDefinition = 0x2B;
    /// <summary>Absolute simulation time of the next phase switch, s (double).</summary>
    public const byte NextSwitch = 0x2D;
}

/// <summary>Simulation variable ids.</summary>
public static class SimulationVariable
{
    /// <summary>Current simulation time, s (double).</summary>
    public const byte Time = 0x66;

    /// <summary>Ids of the vehicles that departed in the last step (string list).</summary>
    public const byte DepartedIds = 0x74;

    /// <summary>Ids of the vehicles that arrived in the last step (string list).</summary>
    public const byte ArrivedIds = 0x7A;

    /// <summary>Vehicles in the network plus those still waiting to depart (int).</summary>
    public const byte MinExpectedNumber = 0x7D;
}

/// <summary>Route variable ids.</summary>
internal static class RouteVariable
{
    public const byte Add = 0x80;
}
