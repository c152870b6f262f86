namespace AutomationStack.Traci;

/// <summary>Base of every error the TraCI client raises.</summary>
public abstract class TraciException : Exception
{
    /// <summary>Creates the exception.</summary>
    protected TraciException(string message, Exception? inner = null) : base(message, inner) { }
}

/// <summary>
/// A reply from SUMO did not have the shape the protocol prescribes (truncated, wrong type tag, wrong command id,
/// impossible length, trailing bytes). The message names the command id, the field and what was expected.
/// </summary>
public sealed class TraciProtocolException : TraciException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="commandId">Id of the command whose reply was malformed.</param>
    /// <param name="field">The field being read.</param>
    /// <param name="expected">What the reader expected and what it found.</param>
    public TraciProtocolException(int commandId, string field, string expected)
        : base($"TraCI protocol error in reply to command 0x{commandId:X2}, field '{field}': {expected}")
    {
        CommandId = commandId;
        Field = field;
    }

    /// <summary>Id of the command whose reply was malformed.</summary>
    public int CommandId { get; }

    /// <summary>The field being read when the error was found.</summary>
    public string Field { get; }
}

/// <summary>SUMO answered a command with status 0x01 (not implemented) or 0xFF (error).</summary>
public sealed class TraciCommandException : TraciException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="commandId">Id of the failed command.</param>
    /// <param name="result">Result byte SUMO returned (0x01 or 0xFF).</param>
    /// <param name="description">SUMO's description of the failure.</param>
    public TraciCommandException(int commandId, int result, string description)
        : base($"SUMO rejected command 0x{commandId:X2} ({(result == 0x01 ? "not implemented" : "error")}): {description}")
    {
        CommandId = commandId;
        Result = result;
        Description = description;
    }

    /// <summary>Id of the failed command.</summary>
    public int CommandId { get; }

    /// <summary>Result byte: 0x01 not implemented, 0xFF error.</summary>
    public int Result { get; }

    /// <summary>SUMO's description of the failure.</summary>
    public string Description { get; }
}

/// <summary>The connection to SUMO failed, timed out or was closed, or SUMO could not be started.</summary>
public sealed class TraciConnectionException : TraciException
{
    /// <summary>Creates the exception.</summary>
    public TraciConnectionException(string message, Exception? inner = null) : base(message, inner) { }
}
