namespace AutomationStack.Bridge.Protocol;

/// <summary>Version of the bridge protocol; bumped on every incompatible change of bridge.proto.</summary>
public static class ProtocolInfo
{
    public const uint Version = 1;

    /// <summary>The error both sides give on a mismatch, naming both versions.</summary>
    public static string MismatchMessage(uint bridgeVersion, uint clientVersion) =>
        $"bridge protocol version mismatch: bridge speaks v{bridgeVersion}, client speaks v{clientVersion}; run a vehicle process and bridge from the same release";
}
