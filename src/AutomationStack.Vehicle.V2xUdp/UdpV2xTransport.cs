using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;

namespace AutomationStack.Vehicle.V2xUdp;

/// <summary>A received datagram: the sender station id read from its envelope and the envelope bytes.</summary>
public readonly record struct UdpV2xDatagram(uint SenderStationId, ReadOnlyMemory<byte> Envelope);

/// <summary>Counters of a <see cref="UdpV2xTransport"/> (a snapshot).</summary>
public readonly record struct UdpV2xCounters(
    long Sent,
    long SendErrors,
    long Received,
    long OwnIgnored,
    long Malformed,
    long QueueOverflow,
    long ReceiveErrors);

/// <summary>
/// The sockets of V2X over UDP: one envelope per datagram, no extra framing. A send socket (broadcast enabled, or the
/// multicast interface and TTL set; bound to the interface address when one is given) and a receive socket bound to
/// the destination address and port (SO_REUSEADDR, so that several stations on one host share it; joined to the
/// group for multicast). A background loop reads datagrams into a bounded queue that drops the oldest when full
/// (counted); datagrams whose envelope cannot name a sender, and this station's own echoes, are dropped there
/// (counted). <see cref="Drain"/> hands out what arrived, in arrival order. No clock anywhere.
/// </summary>
public sealed class UdpV2xTransport : IDisposable
{
    private const int ReceiveBufferSize = 1 << 16;

    private readonly UdpV2xOptions _options;
    private readonly Socket _send;
    private readonly Socket _receive;
    private readonly Channel<UdpV2xDatagram> _queue;
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;
    private long _sent;
    private long _sendErrors;
    private long _received;
    private long _ownIgnored;
    private long _malformed;
    private long _overflow;
    private long _receiveErrors;
    private uint _stationId;
    private bool _disposed;

    /// <summary>Opens and binds both sockets; nothing is received until <see cref="Start"/>.</summary>
    /// <exception cref="UdpV2xConfigurationException">The options are invalid or the sockets cannot be bound to them.</exception>
    public UdpV2xTransport(UdpV2xOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _queue = Channel.CreateBounded<UdpV2xDatagram>(
            new BoundedChannelOptions(options.QueueCapacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true, SingleWriter = true },
            _ => Interlocked.Increment(ref _overflow));
        Socket? send = null;
        Socket? receive = null;
        try
        {
            send = OpenSendSocket(options);
            receive = OpenReceiveSocket(options);
        }
        catch
        {
            send?.Dispose();
            receive?.Dispose();
            throw;
        }

        _send = send;
        _receive = receive;
    }

    /// <summary>Where datagrams go.</summary>
    public IPEndPoint Destination => _options.Destination;

    /// <summary>The local endpoint datagrams are sent from (after the first send when no interface was given).</summary>
    public EndPoint? LocalSendEndPoint => _send.LocalEndPoint;

    public UdpV2xCounters Counters => new(
        Interlocked.Read(ref _sent),
        Interlocked.Read(ref _sendErrors),
        Interlocked.Read(ref _received),
        Interlocked.Read(ref _ownIgnored),
        Interlocked.Read(ref _malformed),
        Interlocked.Read(ref _overflow),
        Interlocked.Read(ref _receiveErrors));

    /// <summary>Starts the receive loop; datagrams from <paramref name="ownStationId"/> are ignored.</summary>
    public void Start(uint ownStationId)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_loop is not null)
        {
            throw new InvalidOperationException("the receive loop is already running");
        }

        _stationId = ownStationId;
        _loop = Task.Run(() => ReceiveLoopAsync(_stop.Token));
    }

    /// <summary>Sends one envelope as one datagram. False (and counted) when the socket refuses it.</summary>
    public bool Send(ReadOnlySpan<byte> envelope)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (envelope.Length > UdpV2xOptions.MaxDatagramSize)
        {
            Interlocked.Increment(ref _sendErrors);
            return false;
        }

        try
        {
            _send.SendTo(envelope, SocketFlags.None, _options.Destination);
            Interlocked.Increment(ref _sent);
            return true;
        }
        catch (SocketException)
        {
            Interlocked.Increment(ref _sendErrors);
            return false;
        }
    }

    /// <summary>Moves every queued datagram, oldest first, into <paramref name="into"/>; returns how many.</summary>
    public int Drain(ICollection<UdpV2xDatagram> into)
    {
        ArgumentNullException.ThrowIfNull(into);
        var n = 0;
        while (_queue.Reader.TryRead(out var datagram))
        {
            into.Add(datagram);
            n++;
        }

        return n;
    }

    /// <summary>Stops the loop and closes both sockets.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _stop.Cancel();
        _receive.Dispose();
        _send.Dispose();
        try
        {
            _loop?.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // The loop ends with the socket; whatever it threw while closing does not matter any more.
        }

        _queue.Writer.TryComplete();
        _stop.Dispose();
    }

    private async Task ReceiveLoopAsync(CancellationToken cancellationToken)
    {
        var buffer = new byte[ReceiveBufferSize];
        while (!cancellationToken.IsCancellationRequested)
        {
            int length;
            try
            {
                length = await _receive.ReceiveAsync(buffer.AsMemory(), SocketFlags.None, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException)
            {
                // E.g. an ICMP error reported on the socket: count it and keep listening.
                Interlocked.Increment(ref _receiveErrors);
                continue;
            }

            var span = buffer.AsSpan(0, length);
            if (!EnvelopeStation.TryRead(span, out var station))
            {
                Interlocked.Increment(ref _malformed);
                continue;
            }

            if (station == _stationId)
            {
                Interlocked.Increment(ref _ownIgnored);
                continue;
            }

            Interlocked.Increment(ref _received);
            _queue.Writer.TryWrite(new UdpV2xDatagram(station, span.ToArray()));
        }
    }

    private static Socket OpenSendSocket(UdpV2xOptions options)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            if (options.IsMulticast)
            {
                socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastTimeToLive, options.MulticastTimeToLive);
                // Other stations on this host (and this one: echoes are dropped by station id) hear the group too.
                socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastLoopback, true);
                if (options.Interface is { } iface)
                {
                    socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastInterface, iface.GetAddressBytes());
                }
            }
            else
            {
                socket.EnableBroadcast = true;
            }

            if (options.Interface is { } local)
            {
                socket.Bind(new IPEndPoint(local, 0));
            }

            return socket;
        }
        catch (SocketException ex)
        {
            socket.Dispose();
            throw new UdpV2xConfigurationException(
                options.Interface is null ? UdpV2xOptions.DestinationOption : UdpV2xOptions.InterfaceOption,
                $"cannot open the send socket for {options.Destination}{(options.Interface is { } i ? $" on {i}" : string.Empty)}: {ex.Message}",
                ex);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static Socket OpenReceiveSocket(UdpV2xOptions options)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            // Bound to the broadcast address or group itself (Linux accepts both): only V2X traffic to that
            // destination is received, never unicast traffic to this host's addresses.
            socket.Bind(options.Destination);
            if (options.IsMulticast)
            {
                socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.AddMembership, new MulticastOption(options.Destination.Address, options.Interface ?? IPAddress.Any));
            }

            return socket;
        }
        catch (SocketException ex)
        {
            socket.Dispose();
            var hint = ex.SocketErrorCode == SocketError.AddressNotAvailable
                ? " (not a broadcast address of a subnet of this host, nor a multicast group)"
                : string.Empty;
            throw new UdpV2xConfigurationException(UdpV2xOptions.DestinationOption, $"cannot receive on {options.Destination}{hint}: {ex.Message}", ex);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
