using System.Globalization;
using AutomationStack.Contracts;

namespace AutomationStack.Vehicle.V2xUdp;

/// <summary>
/// An <see cref="IVehicleInterface"/> decorator that carries V2X over UDP instead of the world's V2X channel: every
/// message of <see cref="VehicleOutput.V2xToSend"/> goes out as one datagram and is removed from what the inner
/// interface sends (so the simulator's channel model does not also carry it); datagrams received since the previous
/// frame are appended to the next frame's <see cref="SensorFrame.V2x"/> after the world's own messages, in arrival
/// order, with the sender station id from the envelope's message header and the frame's stamp. Own echoes are
/// ignored by station id. Receive order is the only time notion here: no clock. A few log lines (first datagram
/// received, first send error, first queue overflow) ride along with the outputs, stamped with the frame's time.
/// </summary>
public sealed class UdpV2xVehicleInterface : IVehicleInterface
{
    private readonly IVehicleInterface _inner;
    private readonly bool _leaveInnerOpen;
    private readonly UdpV2xTransport _transport;
    private readonly List<UdpV2xDatagram> _drained = [];
    private readonly List<VehicleLogLine> _log = [];
    private long _lastStampNs;
    private bool _reportedFirstReceive;
    private bool _reportedSendError;
    private bool _reportedOverflow;
    private bool _disposed;

    /// <summary>Opens the sockets now, so that a bad address fails before the world is contacted.</summary>
    /// <exception cref="UdpV2xConfigurationException">The options are invalid or the sockets cannot be bound.</exception>
    public UdpV2xVehicleInterface(IVehicleInterface inner, UdpV2xOptions options, bool leaveInnerOpen = false)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(options);
        _inner = inner;
        _leaveInnerOpen = leaveInnerOpen;
        _transport = new UdpV2xTransport(options);
    }

    public VehicleSession Session => _inner.Session;

    /// <summary>Datagram counters so far.</summary>
    public UdpV2xCounters Counters => _transport.Counters;

    /// <summary>Where datagrams go.</summary>
    public System.Net.IPEndPoint Destination => _transport.Destination;

    public async Task ConnectAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        await _inner.ConnectAsync(cancellationToken).ConfigureAwait(false);
        _transport.Start(_inner.Session.StationId);
    }

    public async ValueTask<SensorFrame?> NextFrameAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var frame = await _inner.NextFrameAsync(cancellationToken).ConfigureAwait(false);
        if (frame is null)
        {
            return null;
        }

        _lastStampNs = frame.StampNs;
        _drained.Clear();
        if (_transport.Drain(_drained) == 0)
        {
            return frame;
        }

        if (!_reportedFirstReceive)
        {
            _reportedFirstReceive = true;
            Report(LogLevel.Info, string.Create(CultureInfo.InvariantCulture, $"v2x-udp: first datagram received from station {_drained[0].SenderStationId} on {_transport.Destination}"));
        }

        var messages = new List<V2xMessage>(frame.V2x.Count + _drained.Count);
        messages.AddRange(frame.V2x);
        foreach (var d in _drained)
        {
            messages.Add(new V2xMessage(d.SenderStationId, frame.StampNs, d.Envelope));
        }

        return frame with { V2x = messages };
    }

    public ValueTask SendAsync(VehicleOutput output, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(output);
        foreach (var m in output.V2xToSend)
        {
            if (!_transport.Send(m.Payload.Span) && !_reportedSendError)
            {
                _reportedSendError = true;
                Report(LogLevel.Warning, $"v2x-udp: sending to {_transport.Destination} failed (further failures are only counted)");
            }
        }

        if (!_reportedOverflow && _transport.Counters.QueueOverflow > 0)
        {
            _reportedOverflow = true;
            Report(LogLevel.Warning, "v2x-udp: receive queue overflowed, oldest datagrams dropped (further drops are only counted)");
        }

        var forward = output;
        if (output.V2xToSend.Count > 0 || _log.Count > 0)
        {
            forward = output with
            {
                V2xToSend = [],
                Log = _log.Count == 0 ? output.Log : [.. output.Log, .. _log],
            };
            _log.Clear();
        }

        return _inner.SendAsync(forward, cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _transport.Dispose();
        if (!_leaveInnerOpen)
        {
            await _inner.DisposeAsync().ConfigureAwait(false);
        }
    }

    private void Report(LogLevel level, string text) => _log.Add(new VehicleLogLine(_lastStampNs, level, text));
}
