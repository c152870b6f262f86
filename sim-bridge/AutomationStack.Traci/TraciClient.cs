using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace AutomationStack.Traci;

/// <summary>
/// A TraCI client for SUMO 1.15 (API version 20) over one TCP connection. Every call sends one message and reads one
/// reply, synchronously, with <see cref="Timeout"/> on each send and receive. Not thread-safe: use one client from
/// one thread (or serialise calls). After a <see cref="TraciConnectionException"/> (socket error, timeout, closed
/// connection, or a protocol error in the message length) the connection is unusable and every further call throws
/// <see cref="TraciConnectionException"/>. A <see cref="TraciCommandException"/> (SUMO refused one command) and a
/// <see cref="TraciProtocolException"/> in a reply's body leave the message framing intact (the whole reply was
/// read), but after a protocol error the peer is not trustworthy: dispose the client. Units are SI (m, s, m/s, m/s²); angles are SUMO's degrees (0 = north, clockwise).
/// </summary>
public sealed class TraciClient : IDisposable
{
    /// <summary>TraCI API version this client speaks.</summary>
    public const int ApiVersion = 20;

    /// <summary>Largest reply accepted, bytes; larger length headers are a protocol error.</summary>
    public const int MaxReplyBytes = 64 * 1024 * 1024;

    /// <summary>SUMO's "no value" double, used for open subscription begin/end and "keep angle" in moveToXY.</summary>
    internal const double InvalidDouble = -1073741824.0;

    private readonly Socket _socket;
    private readonly TraciWriter _writer = new(1024);
    private byte[] _reply = ArrayPool<byte>.Shared.Rent(64 * 1024);
    private int _replyLength;
    private bool _broken;
    private bool _disposed;

    private TraciClient(Socket socket, TimeSpan timeout)
    {
        _socket = socket;
        Timeout = timeout;
    }

    /// <summary>Send/receive timeout of each call.</summary>
    public TimeSpan Timeout
    {
        get => TimeSpan.FromMilliseconds(_socket.ReceiveTimeout);
        set
        {
            int ms = checked((int)Math.Max(1, value.TotalMilliseconds));
            _socket.ReceiveTimeout = ms;
            _socket.SendTimeout = ms;
        }
    }

    /// <summary>Vehicle subscription results, refreshed by each <see cref="SimulationStep"/>.</summary>
    public SubscriptionResults VehicleSubscriptions { get; } = new();

    /// <summary>Traffic-light subscription results, refreshed by each <see cref="SimulationStep"/>.</summary>
    public SubscriptionResults TrafficLightSubscriptions { get; } = new();

    /// <summary>Connects once to a TraCI server (no retries; see <see cref="SumoProcess"/> for that).</summary>
    /// <exception cref="TraciConnectionException">The connection failed or timed out.</exception>
    public static TraciClient Connect(IPEndPoint endPoint, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            using var cts = new CancellationTokenSource(timeout);
            socket.ConnectAsync(endPoint, cts.Token).AsTask().GetAwaiter().GetResult();
            return new TraciClient(socket, timeout);
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException)
        {
            socket.Dispose();
            throw new TraciConnectionException($"Could not connect to TraCI server at {endPoint}: {ex.Message}", ex);
        }
    }

    // ---------------------------------------------------------------- control

    /// <summary>GetVersion (0x00): the API version (20 for SUMO 1.15) and SUMO's version text.</summary>
    public (int ApiVersion, string Software) GetVersion()
    {
        BeginSingle(TraciCommand.GetVersion);
        return TraciReplies.ParseGetVersion(FinishSingle(TraciCommand.GetVersion));
    }

    /// <summary>
    /// SimulationStep (0x02): advances to <paramref name="targetTime"/> (s; 0 = exactly one step) and refreshes
    /// <see cref="VehicleSubscriptions"/> and <see cref="TrafficLightSubscriptions"/> from the reply.
    /// </summary>
    public void SimulationStep(double targetTime = 0)
    {
        BeginSingle(TraciCommand.SimulationStep);
        _writer.WriteDouble(targetTime);
        TraciReplies.ParseSimulationStep(FinishSingle(TraciCommand.SimulationStep), VehicleSubscriptions, TrafficLightSubscriptions);
    }

    /// <summary>SetOrder (0x03): this client's position among several clients (must be the first command).</summary>
    public void SetOrder(int order)
    {
        BeginSingle(TraciCommand.SetOrder);
        _writer.WriteInt32(order);
        TraciReplies.ParseStatusOnly(FinishSingle(TraciCommand.SetOrder), TraciCommand.SetOrder);
    }

    /// <summary>Close (0x7F): asks SUMO to end the simulation, then closes the socket.</summary>
    public void Close()
    {
        if (_disposed || _broken) return;
        try
        {
            BeginSingle(TraciCommand.Close);
            TraciReplies.ParseStatusOnly(FinishSingle(TraciCommand.Close), TraciCommand.Close);
        }
        finally
        {
            _broken = true;
            _socket.Dispose();
        }
    }

    /// <summary>Sends every command of <paramref name="batch"/> in one message and parses the one reply into it.</summary>
    public void Execute(TraciBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Count == 0) return;
        EnsureUsable();
        _writer.Reset();
        _writer.BeginMessage();
        _writer.WriteBytes(batch.Commands.Written);
        _writer.EndMessage();
        Send(_writer.Written, batch.Entries[0].Command);
        TraciReplies.ParseBatch(ReceiveGuarded(batch.Entries[0].Command), batch);
    }

    // ---------------------------------------------------------------- vehicles

    /// <summary>Ids of all vehicles in the network.</summary>
    public IReadOnlyList<string> GetVehicleIds() => GetStringList(TraciCommand.GetVehicle, VehicleVariable.IdList, "");

    /// <summary>Speed, m/s.</summary>
    public double GetVehicleSpeed(string vehicleId) => GetDouble(TraciCommand.GetVehicle, VehicleVariable.Speed, vehicleId);

    /// <summary>Position of the front bumper centre, m.</summary>
    public TraciPosition GetVehiclePosition(string vehicleId)
    {
        WriteGet(TraciCommand.GetVehicle, VehicleVariable.Position, vehicleId);
        return TraciReplies.ParseGetPosition(FinishSingle(TraciCommand.GetVehicle), TraciCommand.GetVehicle, VehicleVariable.Position, vehicleId);
    }

    /// <summary>Heading, degrees (0 = north, clockwise).</summary>
    public double GetVehicleAngle(string vehicleId) => GetDouble(TraciCommand.GetVehicle, VehicleVariable.Angle, vehicleId);

    /// <summary>Id of the lane the vehicle is on.</summary>
    public string GetVehicleLaneId(string vehicleId) => GetString(TraciCommand.GetVehicle, VehicleVariable.LaneId, vehicleId);

    /// <summary>Distance of the front bumper from the lane start, m.</summary>
    public double GetVehicleLanePosition(string vehicleId) => GetDouble(TraciCommand.GetVehicle, VehicleVariable.LanePosition, vehicleId);

    /// <summary>Id of the edge the vehicle is on.</summary>
    public string GetVehicleRoadId(string vehicleId) => GetString(TraciCommand.GetVehicle, VehicleVariable.RoadId, vehicleId);

    /// <summary>Acceleration, m/s².</summary>
    public double GetVehicleAcceleration(string vehicleId) => GetDouble(TraciCommand.GetVehicle, VehicleVariable.Acceleration, vehicleId);

    /// <summary>Sets the speed, m/s, from the next step on; −1 hands control back to SUMO's car-following model.</summary>
    public void SetVehicleSpeed(string vehicleId, double speed)
    {
        BeginSet(TraciCommand.SetVehicle, VehicleVariable.Speed, vehicleId);
        _writer.WriteTypedDouble(speed);
        FinishSet(TraciCommand.SetVehicle);
    }

    /// <summary>
    /// Sets a traffic light's link states (0x20 on 0xC2: one character per link from <c>rRgGyYuoOs</c>); SUMO holds
    /// the state until it is set again or the program is switched back (how an outside controller drives SUMO's lights).
    /// </summary>
    public void SetTrafficLightState(string trafficLightId, string state)
    {
        ArgumentNullException.ThrowIfNull(state);
        BeginSet(TraciCommand.SetTrafficLight, TrafficLightVariable.State, trafficLightId);
        _writer.WriteTypedString(state);
        FinishSet(TraciCommand.SetTrafficLight);
    }

    /// <summary>Sets SUMO's speed-mode bit set (e.g. 0 = ignore all safety checks, 31 = default).</summary>
    public void SetVehicleSpeedMode(string vehicleId, int mode)
    {
        BeginSet(TraciCommand.SetVehicle, VehicleVariable.SpeedMode, vehicleId);
        _writer.WriteTypedInt32(mode);
        FinishSet(TraciCommand.SetVehicle);
    }

    /// <summary>Sets SUMO's lane-change-mode bit set (e.g. 0 = no autonomous lane changes, 1621 = default).</summary>
    public void SetVehicleLaneChangeMode(string vehicleId, int mode)
    {
        BeginSet(TraciCommand.SetVehicle, VehicleVariable.LaneChangeMode, vehicleId);
        _writer.WriteTypedInt32(mode);
        FinishSet(TraciCommand.SetVehicle);
    }

    /// <summary>
    /// moveToXY (0xB4): places the vehicle at (<paramref name="x"/>, <paramref name="y"/>) m, mapped onto the
    /// network. <paramref name="edgeId"/>/<paramref name="laneIndex"/> are hints (may be "" / −1);
    /// <paramref name="angle"/> in degrees, NaN keeps SUMO's own; <paramref name="keepRoute"/> is SUMO's bit set
    /// (1 = stay on the route, 2 = anywhere, 0 = on the route's edges or nearby).
    /// </summary>
    public void MoveVehicleToXY(string vehicleId, string edgeId, int laneIndex, double x, double y, double angle = double.NaN, int keepRoute = 1)
    {
        ArgumentNullException.ThrowIfNull(edgeId);
        BeginSet(TraciCommand.SetVehicle, VehicleVariable.MoveToXY, vehicleId);
        _writer.WriteCompoundHeader(6);
        _writer.WriteTypedString(edgeId);
        _writer.WriteTypedInt32(laneIndex);
        _writer.WriteTypedDouble(x);
        _writer.WriteTypedDouble(y);
        _writer.WriteTypedDouble(double.IsNaN(angle) ? InvalidDouble : angle);
        _writer.WriteTypedByte(checked((sbyte)keepRoute));
        FinishSet(TraciCommand.SetVehicle);
    }

    /// <summary>
    /// Adds a vehicle (0x85). <paramref name="depart"/> and the depart lane/position/speed use SUMO's own syntax
    /// (e.g. "now" or a time in s; "first"/"best"/index; "base"/m; "0"/"max"/m/s).
    /// </summary>
    public void AddVehicle(string vehicleId, string routeId, string typeId = "DEFAULT_VEHTYPE", string depart = "now",
        string departLane = "first", string departPosition = "base", string departSpeed = "0")
    {
        ArgumentNullException.ThrowIfNull(routeId);
        ArgumentNullException.ThrowIfNull(typeId);
        ArgumentNullException.ThrowIfNull(depart);
        ArgumentNullException.ThrowIfNull(departLane);
        ArgumentNullException.ThrowIfNull(departPosition);
        ArgumentNullException.ThrowIfNull(departSpeed);
        BeginSet(TraciCommand.SetVehicle, VehicleVariable.AddFull, vehicleId);
        _writer.WriteCompoundHeader(14);
        _writer.WriteTypedString(routeId);
        _writer.WriteTypedString(typeId);
        _writer.WriteTypedString(depart);
        _writer.WriteTypedString(departLane);
        _writer.WriteTypedString(departPosition);
        _writer.WriteTypedString(departSpeed);
        _writer.WriteTypedString("current"); // arrival lane
        _writer.WriteTypedString("max");     // arrival position
        _writer.WriteTypedString("current"); // arrival speed
        _writer.WriteTypedString("");        // from TAZ
        _writer.WriteTypedString("");        // to TAZ
        _writer.WriteTypedString("");        // line
        _writer.WriteTypedInt32(0);          // person capacity
        _writer.WriteTypedInt32(0);          // person number
        FinishSet(TraciCommand.SetVehicle);
    }

    /// <summary>Removes a vehicle (reason 3 = vaporized by default, SUMO's REMOVE_* codes).</summary>
    public void RemoveVehicle(string vehicleId, byte reason = 3)
    {
        BeginSet(TraciCommand.SetVehicle, VehicleVariable.Remove, vehicleId);
        _writer.WriteTypedByte(unchecked((sbyte)reason));
        FinishSet(TraciCommand.SetVehicle);
    }

    /// <summary>
    /// Subscribes to vehicle variables (0xD4); results arrive in <see cref="VehicleSubscriptions"/> immediately and
    /// after every step until the vehicle leaves. An empty <paramref name="variables"/> unsubscribes.
    /// </summary>
    public void SubscribeVehicle(string vehicleId, ReadOnlySpan<byte> variables) =>
        Subscribe(TraciCommand.SubscribeVehicle, vehicleId, variables, VehicleSubscriptions);

    /// <summary>
    /// Subscribes several vehicles to the same variables in one message and one reply (e.g. the vehicles that
    /// departed in the last step). If SUMO refuses one, a <see cref="TraciCommandException"/> names it; the
    /// subscriptions before it are in place.
    /// </summary>
    public void SubscribeVehicles(IReadOnlyList<string> vehicleIds, ReadOnlySpan<byte> variables)
    {
        ArgumentNullException.ThrowIfNull(vehicleIds);
        if (vehicleIds.Count == 0) return;
        if (variables.Length > 255) throw new ArgumentOutOfRangeException(nameof(variables), "At most 255 variables.");
        EnsureUsable();
        _writer.Reset();
        _writer.BeginMessage();
        foreach (var id in vehicleIds)
        {
            ArgumentNullException.ThrowIfNull(id, nameof(vehicleIds));
            WriteSubscribeCommand(TraciCommand.SubscribeVehicle, id, variables);
        }

        _writer.EndMessage();
        Send(_writer.Written, TraciCommand.SubscribeVehicle);
        TraciReplies.ParseSubscribe(ReceiveGuarded(TraciCommand.SubscribeVehicle), TraciCommand.SubscribeVehicle,
            variables.Length > 0, VehicleSubscriptions, vehicleIds.Count);
    }

    // ---------------------------------------------------------------- routes

    /// <summary>Adds a route made of the given edges.</summary>
    public void AddRoute(string routeId, IReadOnlyList<string> edges)
    {
        ArgumentNullException.ThrowIfNull(edges);
        BeginSet(TraciCommand.SetRoute, RouteVariable.Add, routeId);
        _writer.WriteTypedStringList(edges);
        FinishSet(TraciCommand.SetRoute);
    }

    // ---------------------------------------------------------------- traffic lights

    /// <summary>Ids of all traffic lights.</summary>
    public IReadOnlyList<string> GetTrafficLightIds() => GetStringList(TraciCommand.GetTrafficLight, TrafficLightVariable.IdList, "");

    /// <summary>State string, one char per controlled link ("rRgGyYuoOs").</summary>
    public string GetTrafficLightState(string id) => GetString(TraciCommand.GetTrafficLight, TrafficLightVariable.State, id);

    /// <summary>Index of the current phase.</summary>
    public int GetTrafficLightPhase(string id) => GetInt(TraciCommand.GetTrafficLight, TrafficLightVariable.Phase, id);

    /// <summary>Id of the running program.</summary>
    public string GetTrafficLightProgram(string id) => GetString(TraciCommand.GetTrafficLight, TrafficLightVariable.Program, id);

    /// <summary>Absolute simulation time of the next phase switch, s (remaining = this − now).</summary>
    public double GetTrafficLightNextSwitch(string id) => GetDouble(TraciCommand.GetTrafficLight, TrafficLightVariable.NextSwitch, id);

    /// <summary>Lanes controlled by the light, one per link (repeats allowed).</summary>
    public IReadOnlyList<string> GetTrafficLightControlledLanes(string id) =>
        GetStringList(TraciCommand.GetTrafficLight, TrafficLightVariable.ControlledLanes, id);

    /// <summary>Links per signal index (incoming, outgoing, via lane).</summary>
    public IReadOnlyList<IReadOnlyList<TrafficLightLink>> GetTrafficLightControlledLinks(string id)
    {
        WriteGet(TraciCommand.GetTrafficLight, TrafficLightVariable.ControlledLinks, id);
        return TraciReplies.ParseControlledLinks(FinishSingle(TraciCommand.GetTrafficLight), id);
    }

    /// <summary>All programs of the light with their phases (0x2B).</summary>
    public IReadOnlyList<TrafficLightProgram> GetTrafficLightPrograms(string id)
    {
        WriteGet(TraciCommand.GetTrafficLight, TrafficLightVariable.CompleteDefinition, id);
        return TraciReplies.ParseCompleteDefinition(FinishSingle(TraciCommand.GetTrafficLight), id);
    }

    /// <summary>Subscribes to traffic-light variables (0xD2); see <see cref="SubscribeVehicle"/>.</summary>
    public void SubscribeTrafficLight(string id, ReadOnlySpan<byte> variables) =>
        Subscribe(TraciCommand.SubscribeTrafficLight, id, variables, TrafficLightSubscriptions);

    // ---------------------------------------------------------------- simulation

    /// <summary>Current simulation time, s.</summary>
    public double GetSimulationTime() => GetDouble(TraciCommand.GetSimulation, SimulationVariable.Time, "");

    /// <summary>Vehicles that departed in the last step.</summary>
    public IReadOnlyList<string> GetDepartedVehicleIds() => GetStringList(TraciCommand.GetSimulation, SimulationVariable.DepartedIds, "");

    /// <summary>Vehicles that arrived in the last step.</summary>
    public IReadOnlyList<string> GetArrivedVehicleIds() => GetStringList(TraciCommand.GetSimulation, SimulationVariable.ArrivedIds, "");

    /// <summary>Vehicles in the network plus those still waiting to depart.</summary>
    public int GetMinExpectedNumber() => GetInt(TraciCommand.GetSimulation, SimulationVariable.MinExpectedNumber, "");

    // ---------------------------------------------------------------- plumbing

    private double GetDouble(byte cmd, byte variable, string id)
    {
        WriteGet(cmd, variable, id);
        return TraciReplies.ParseGetDouble(FinishSingle(cmd), cmd, variable, id);
    }

    private int GetInt(byte cmd, byte variable, string id)
    {
        WriteGet(cmd, variable, id);
        return TraciReplies.ParseGetInt(FinishSingle(cmd), cmd, variable, id);
    }

    private string GetString(byte cmd, byte variable, string id)
    {
        WriteGet(cmd, variable, id);
        return TraciReplies.ParseGetString(FinishSingle(cmd), cmd, variable, id);
    }

    private string[] GetStringList(byte cmd, byte variable, string id)
    {
        WriteGet(cmd, variable, id);
        return TraciReplies.ParseGetStringList(FinishSingle(cmd), cmd, variable, id);
    }

    private void Subscribe(byte cmd, string id, ReadOnlySpan<byte> variables, SubscriptionResults store)
    {
        ArgumentNullException.ThrowIfNull(id);
        if (variables.Length > 255) throw new ArgumentOutOfRangeException(nameof(variables), "At most 255 variables.");
        EnsureUsable();
        _writer.Reset();
        _writer.BeginMessage();
        WriteSubscribeCommand(cmd, id, variables);
        _writer.EndMessage();
        Send(_writer.Written, cmd);
        TraciReplies.ParseSubscribe(ReceiveGuarded(cmd), cmd, variables.Length > 0, store);
    }

    /// <summary>Subscribe command: begin and end time (open), object id, variable count and ids.</summary>
    private void WriteSubscribeCommand(byte cmd, string id, ReadOnlySpan<byte> variables)
    {
        _writer.BeginCommand(cmd);
        _writer.WriteDouble(InvalidDouble);
        _writer.WriteDouble(InvalidDouble);
        _writer.WriteString(id);
        _writer.WriteUByte((byte)variables.Length);
        foreach (byte v in variables) _writer.WriteUByte(v);
        _writer.EndCommand();
    }

    private void WriteGet(byte cmd, byte variable, string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        BeginSingle(cmd);
        _writer.WriteUByte(variable);
        _writer.WriteString(id);
    }

    private void BeginSet(byte cmd, byte variable, string id) => WriteGet(cmd, variable, id);

    private void FinishSet(byte cmd) => TraciReplies.ParseStatusOnly(FinishSingle(cmd), cmd);

    private void BeginSingle(byte cmd)
    {
        EnsureUsable();
        _writer.Reset();
        _writer.BeginMessage();
        _writer.BeginCommand(cmd);
    }

    private ReadOnlySpan<byte> FinishSingle(byte cmd)
    {
        _writer.EndCommand();
        _writer.EndMessage();
        Send(_writer.Written, cmd);
        return ReceiveGuarded(cmd);
    }

    private void EnsureUsable()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_broken) throw new TraciConnectionException("The TraCI connection is closed or broken by an earlier error.");
    }

    private void Send(ReadOnlySpan<byte> message, byte cmd)
    {
        try
        {
            while (!message.IsEmpty)
            {
                int n = _socket.Send(message);
                message = message[n..];
            }
        }
        catch (SocketException ex)
        {
            _broken = true;
            throw new TraciConnectionException(string.Create(CultureInfo.InvariantCulture,
                $"Sending command 0x{cmd:X2} failed: {ex.SocketErrorCode} ({ex.Message})"), ex);
        }
    }

    private ReadOnlySpan<byte> ReceiveGuarded(byte cmd)
    {
        try
        {
            Receive(cmd);
        }
        catch (SocketException ex)
        {
            _broken = true;
            throw new TraciConnectionException(string.Create(CultureInfo.InvariantCulture,
                $"Waiting for the reply to command 0x{cmd:X2} failed: {ex.SocketErrorCode} ({ex.Message})"), ex);
        }
        catch (TraciException)
        {
            _broken = true;
            throw;
        }

        return _reply.AsSpan(0, _replyLength);
    }

    private void Receive(byte cmd)
    {
        Span<byte> header = stackalloc byte[4];
        ReceiveExact(header, cmd);
        int total = BinaryPrimitives.ReadInt32BigEndian(header);
        if (total < 4 || total > MaxReplyBytes)
        {
            throw new TraciProtocolException(cmd, "message length", string.Create(CultureInfo.InvariantCulture,
                $"4 to {MaxReplyBytes} bytes, got {total}"));
        }

        int body = total - 4;
        int received = 0;
        while (received < body)
        {
            if (_reply.Length == received)
            {
                // Grow as bytes actually arrive, so a lying length header cannot make us allocate much.
                var bigger = ArrayPool<byte>.Shared.Rent((int)Math.Min(body, (long)_reply.Length * 2));
                Buffer.BlockCopy(_reply, 0, bigger, 0, received);
                ArrayPool<byte>.Shared.Return(_reply);
                _reply = bigger;
            }

            int want = Math.Min(body, _reply.Length) - received;
            int n = _socket.Receive(_reply, received, want, SocketFlags.None);
            if (n == 0) throw new TraciConnectionException(string.Create(CultureInfo.InvariantCulture,
                $"SUMO closed the connection in the middle of the reply to command 0x{cmd:X2}."));
            received += n;
        }

        _replyLength = body;
    }

    private void ReceiveExact(Span<byte> target, byte cmd)
    {
        while (!target.IsEmpty)
        {
            int n = _socket.Receive(target);
            if (n == 0) throw new TraciConnectionException(string.Create(CultureInfo.InvariantCulture,
                $"SUMO closed the connection instead of answering command 0x{cmd:X2}."));
            target = target[n..];
        }
    }

    /// <summary>Closes the socket (without the Close command; use <see cref="Close"/> for an orderly end).</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _broken = true;
        _socket.Dispose();
        _writer.Dispose();
        var reply = _reply;
        _reply = [];
        ArrayPool<byte>.Shared.Return(reply);
    }
}
