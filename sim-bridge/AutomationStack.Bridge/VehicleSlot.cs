using System.Threading.Channels;
using AutomationStack.Bridge.Protocol;
using Grpc.Core;

namespace AutomationStack.Bridge;

/// <summary>Lifecycle of a stack truck's connection, owned by the step loop.</summary>
internal enum SlotState
{
    Waiting,
    Attached,
    Failed,
}

/// <summary>
/// One stack-controlled truck as the bridge sees it: its response stream (written only by the step loop after
/// attach), the commands its Drive call delivers, and counters. The Drive handler thread and the step loop meet
/// here; everything the loop reads is either immutable or passed through the channel / volatile fields.
/// </summary>
internal sealed class VehicleSlot
{
    private const int CommandQueueCapacity = 64;

    private readonly TaskCompletionSource _attached = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private IServerStreamWriter<BridgeToVehicle>? _writer;
    private volatile string? _disconnectReason;
    private int _attachClaimed;

    public VehicleSlot(string id, uint stationId, int controlPeriodSteps, int index)
    {
        Id = id;
        StationId = stationId;
        ControlPeriodSteps = controlPeriodSteps;
        Index = index;
        // Answers to frames the loop has moved past (real-time mode) are stale and dropped, oldest first; an answer to a
        // frame never sent is caught by the loop as a protocol violation.
        Commands = Channel.CreateBounded<Command>(new BoundedChannelOptions(CommandQueueCapacity)
        {
            SingleReader = true,
            SingleWriter = true,
            // The step loop continues on the thread that delivered the command: one thread hop less per frame.
            AllowSynchronousContinuations = true,
            FullMode = BoundedChannelFullMode.DropOldest,
        });
    }

    public string Id { get; }

    public uint StationId { get; }

    public int ControlPeriodSteps { get; }

    /// <summary>Position among the scenario's stack trucks (KPI order).</summary>
    public int Index { get; }

    public SlotState State { get; set; } = SlotState.Waiting;

    /// <summary>Lidar period (frame / period steps) of the last scan sent; 0 at first, so the first scan comes at frame PeriodSteps. Loop only.</summary>
    public long LastLidarPeriod { get; set; }

    /// <summary>Lidar scans sent to this truck so far (the recording keeps every RecordEvery-th, starting with the first). Loop only.</summary>
    public long LidarScansSent { get; set; }

    /// <summary>Camera period (frame / period steps) of the last image sent; 0 at first, like the lidar. Loop only.</summary>
    public long LastCameraPeriod { get; set; }

    /// <summary>Camera images sent to this truck so far (recording decimation). Loop only.</summary>
    public long CameraImagesSent { get; set; }

    public Channel<Command> Commands { get; }

    public Task AttachedTask => _attached.Task;

    /// <summary>Completes when the run no longer needs this vehicle's stream (end of run or failure).</summary>
    public Task ReleasedTask => _released.Task;

    public IServerStreamWriter<BridgeToVehicle>? Writer => _writer;

    public string? DisconnectReason => _disconnectReason;

    public Command? LastCommand { get; set; }

    /// <summary>The platoon diagnostics of the last command that carried them (null while platooning is off).</summary>
    public PlatoonDiagnostics? Platoon { get; set; }

    /// <summary>V2X drops by reason as last reported.</summary>
    public Dictionary<string, long> V2xDrops { get; } = new(StringComparer.Ordinal);

    /// <summary>ACC spacing policy from the scenario parameters (desired gap = standstill + time gap × speed) for KPIs of trucks that report none.</summary>
    public (double TimeGap, double StandstillGap) AccPolicy { get; set; } = (1.5, 5.0);

    public long LastAnsweredFrame { get; set; }

    /// <summary>Frames answered in time (counted once each).</summary>
    public long FramesAnswered { get; set; }

    public int MissedFrames { get; set; }

    public int LateFrames { get; set; }

    public int StaleCommands { get; set; }

    public long FailureStampNs { get; set; }

    public string FailureReason { get; set; } = string.Empty;

    /// <summary>Claims the slot for one Drive call; false when another call holds or held it.</summary>
    public bool TryClaim() => Interlocked.Exchange(ref _attachClaimed, 1) == 0;

    public void CompleteAttach(IServerStreamWriter<BridgeToVehicle> writer)
    {
        _writer = writer;
        _attached.TrySetResult();
    }

    public void MarkDisconnected(string reason)
    {
        _disconnectReason ??= reason;
        Commands.Writer.TryComplete();
    }

    public void Release() => _released.TrySetResult();
}
