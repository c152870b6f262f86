using AutomationStack.Traci;

namespace AutomationStack.Fuzz;

/// <summary>
/// The TraCI reply parsers: what SUMO sends back, as the client reads it after the int32 message length (the socket
/// layer bounds that length before reading). The first input byte picks the parser (mod <see cref="Parsers"/>), the rest
/// is the reply: status-only, version, the typed gets (value, double, int, string, string list, position), controlled
/// links, complete traffic-light definition, subscribe, simulation step (parsed twice into the same stores, as two
/// steps) and a fixed batch. The documented bad-input outcomes are <see cref="TraciProtocolException"/> (malformed
/// reply) and <see cref="TraciCommandException"/> (SUMO reported an error status).
/// </summary>
internal sealed class TraciTarget : FuzzTarget
{
    public const int Parsers = 13;
    public const string VehicleId = "v0";
    public const string TrafficLightId = "J1";

    public override string Name => "traci";

    public override string Description => "TraCI reply parsers (status, gets, traffic-light definitions, subscriptions, simulation step, batch)";

    public override IReadOnlyList<Type> ExpectedExceptions { get; } = [typeof(TraciProtocolException), typeof(TraciCommandException)];

    public override IReadOnlyList<string> InstrumentedAssemblies { get; } = ["AutomationStack.Traci.dll"];

    /// <summary>The batch the batch parser reads replies for (the shape the SUMO backend sends each step).</summary>
    public static TraciBatch CreateBatch()
    {
        var batch = new TraciBatch();
        batch.AddVehicleGet(VehicleVariable.Speed, VehicleId);
        batch.AddVehicleGet(VehicleVariable.Position, VehicleId);
        batch.AddTrafficLightGet(TrafficLightVariable.State, TrafficLightId);
        batch.AddSetVehicleSpeed(VehicleId, 12.5);
        batch.AddSimulationGet(SimulationVariable.DepartedIds);
        return batch;
    }

    public override void Execute(ReadOnlySpan<byte> input)
    {
        if (input.IsEmpty)
        {
            return;
        }

        var reply = input[1..];
        try
        {
            Parse(input[0] % Parsers, reply);
        }
        catch (TraciProtocolException) when (!Strict)
        {
            // documented bad-input outcome
        }
        catch (TraciCommandException) when (!Strict)
        {
            // documented outcome of an error status
        }
    }

    private static void Parse(int parser, ReadOnlySpan<byte> reply)
    {
        switch (parser)
        {
            case 0:
                TraciReplies.ParseStatusOnly(reply, TraciCommand.SetVehicle);
                break;
            case 1:
                TraciReplies.ParseGetVersion(reply);
                break;
            case 2:
                TraciReplies.ParseGet(reply, TraciCommand.GetVehicle, VehicleVariable.Speed, VehicleId);
                break;
            case 3:
                TraciReplies.ParseGetDouble(reply, TraciCommand.GetVehicle, VehicleVariable.Speed, VehicleId);
                break;
            case 4:
                TraciReplies.ParseGetInt(reply, TraciCommand.GetTrafficLight, TrafficLightVariable.Phase, TrafficLightId);
                break;
            case 5:
                TraciReplies.ParseGetString(reply, TraciCommand.GetTrafficLight, TrafficLightVariable.State, TrafficLightId);
                break;
            case 6:
                TraciReplies.ParseGetStringList(reply, TraciCommand.GetSimulation, SimulationVariable.DepartedIds, string.Empty);
                break;
            case 7:
                TraciReplies.ParseGetPosition(reply, TraciCommand.GetVehicle, VehicleVariable.Position, VehicleId);
                break;
            case 8:
                TraciReplies.ParseControlledLinks(reply, TrafficLightId);
                break;
            case 9:
                TraciReplies.ParseCompleteDefinition(reply, TrafficLightId);
                break;
            case 10:
                TraciReplies.ParseSubscribe(reply, TraciCommand.SubscribeVehicle, hasVariables: true, new SubscriptionResults());
                break;
            case 11:
            {
                var vehicles = new SubscriptionResults();
                var trafficLights = new SubscriptionResults();
                TraciReplies.ParseSimulationStep(reply, vehicles, trafficLights);
                TraciReplies.ParseSimulationStep(reply, vehicles, trafficLights);
                break;
            }

            default:
            {
                using var batch = CreateBatch();
                TraciReplies.ParseBatch(reply, batch);
                TraciReplies.ParseBatch(reply, batch);
                break;
            }
        }
    }
}
