using System.Net.Sockets;
using Google.Protobuf;

namespace AutomationStack.Bridge.Protocol;

/// <summary>
/// Protobuf messages over a connected stream socket, each preceded by its length as a base-128 varint (the framing of
/// protobuf's <c>writeDelimitedTo</c>). It carries the local Drive lane: the same <see cref="VehicleToBridge"/> and
/// <see cref="BridgeToVehicle"/> messages as the gRPC <c>Drive</c> stream, without HTTP/2 framing, between processes
/// of one machine. One reader and one writer at a time; not thread-safe beyond that.
/// </summary>
public sealed class DelimitedMessageSocket : IDisposable
{
    /// <summary>Largest message accepted or sent, the same limit as the bridge's gRPC messages.</summary>
    public const int MaxMessageBytes = 64 * 1024 * 1024;

    private const int MaxLengthPrefixBytes = 5;
    private const int InitialBufferBytes = 16 * 1024;

    private readonly Socket _socket;
    // Plain arrays, not pooled: a pending read may still hold the receive buffer while another thread disposes.
    private byte[] _receive = new byte[InitialBufferBytes];
    private byte[] _send = new byte[InitialBufferBytes];
    private int _start;
    private int _end;
    private int _disposed;

    public DelimitedMessageSocket(Socket socket)
    {
        ArgumentNullException.ThrowIfNull(socket);
        if (socket.SocketType != SocketType.Stream)
        {
            throw new ArgumentException("a stream socket is required", nameof(socket));
        }

        _socket = socket;
    }

    /// <summary>Connects to a Unix domain socket and wraps it.</summary>
    public static async Task<DelimitedMessageSocket> ConnectUnixAsync(string path, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), cancellationToken).ConfigureAwait(false);
            return new DelimitedMessageSocket(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Reads the next message; null when the peer closed the connection cleanly between two messages.
    /// </summary>
    /// <exception cref="EndOfStreamException">The connection closed inside a message.</exception>
    /// <exception cref="InvalidDataException">The length prefix is malformed or over <see cref="MaxMessageBytes"/>, or
    /// the body does not parse as <typeparamref name="T"/>.</exception>
    public async ValueTask<T?> ReadAsync<T>(MessageParser<T> parser, CancellationToken cancellationToken)
        where T : class, IMessage<T>
    {
        ArgumentNullException.ThrowIfNull(parser);
        if (_end == _start && !await FillAsync(1, cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        int length;
        int prefix;
        while (!TryReadLength(out length, out prefix))
        {
            await FillAsync(_end - _start + 1, cancellationToken).ConfigureAwait(false);
        }

        await FillAsync(prefix + length, cancellationToken).ConfigureAwait(false);
        return Consume(parser, prefix, length);
    }

    /// <summary>Writes one message (length prefix and body in one send).</summary>
    public async ValueTask WriteAsync(IMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var size = message.CalculateSize();
        if (size > MaxMessageBytes)
        {
            throw new InvalidDataException($"message of {size} bytes exceeds the limit of {MaxMessageBytes} bytes");
        }

        var prefix = CodedOutputStream.ComputeLengthSize(size);
        var total = prefix + size;
        if (_send.Length < total)
        {
            _send = new byte[Math.Max(total, _send.Length * 2)];
        }

        var span = _send.AsSpan(0, total);
        var value = (uint)size;
        var i = 0;
        while (value >= 0x80)
        {
            span[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        span[i] = (byte)value;
        message.WriteTo(span[prefix..]);
        var sent = 0;
        while (sent < total)
        {
            sent += await _socket.SendAsync(_send.AsMemory(sent, total - sent), SocketFlags.None, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Half-closes the sending side: the peer reads a clean end of stream after the last message.</summary>
    public void CompleteWrites()
    {
        try
        {
            _socket.Shutdown(SocketShutdown.Send);
        }
        catch (SocketException)
        {
            // Already disconnected.
        }
        catch (ObjectDisposedException)
        {
            // Already disposed.
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _socket.Dispose();
    }

    private bool TryReadLength(out int length, out int prefix)
    {
        ulong value = 0;
        var available = _end - _start;
        for (var i = 0; i < MaxLengthPrefixBytes; i++)
        {
            if (i >= available)
            {
                length = prefix = 0;
                return false;
            }

            var b = _receive[_start + i];
            value |= (ulong)(b & 0x7F) << (7 * i);
            if ((b & 0x80) == 0)
            {
                if (value > MaxMessageBytes)
                {
                    throw new InvalidDataException($"message length {value} exceeds the limit of {MaxMessageBytes} bytes");
                }

                length = (int)value;
                prefix = i + 1;
                return true;
            }
        }

        throw new InvalidDataException($"malformed length prefix: no terminating byte within {MaxLengthPrefixBytes} bytes");
    }

    private T Consume<T>(MessageParser<T> parser, int prefix, int length)
        where T : class, IMessage<T>
    {
        T message;
        try
        {
            message = parser.ParseFrom(new ReadOnlySpan<byte>(_receive, _start + prefix, length));
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw new InvalidDataException($"a {length}-byte message does not parse as {typeof(T).Name}: {ex.Message}", ex);
        }

        _start += prefix + length;
        if (_start == _end)
        {
            _start = _end = 0;
        }

        return message;
    }

    /// <summary>Ensures <paramref name="needed"/> bytes are buffered; false on a clean end of stream with none buffered.</summary>
    private async ValueTask<bool> FillAsync(int needed, CancellationToken cancellationToken)
    {
        while (_end - _start < needed)
        {
            MakeRoom(needed);
            var read = await _socket.ReceiveAsync(_receive.AsMemory(_end), SocketFlags.None, cancellationToken).ConfigureAwait(false);
            if (!Advance(read, needed))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Moves buffered bytes to the front, and grows the buffer, so that <paramref name="needed"/> bytes fit.</summary>
    private void MakeRoom(int needed)
    {
        if (_receive.Length - _start >= needed)
        {
            return;
        }

        var buffered = _end - _start;
        var target = _receive.Length < needed ? new byte[Math.Max(needed, _receive.Length * 2)] : _receive;
        Buffer.BlockCopy(_receive, _start, target, 0, buffered);
        _receive = target;

        _start = 0;
        _end = buffered;
    }

    private bool Advance(int read, int needed)
    {
        if (read == 0)
        {
            if (_end == _start)
            {
                return false;
            }

            throw new EndOfStreamException($"connection closed inside a message ({_end - _start} of {needed} bytes received)");
        }

        _end += read;
        return true;
    }
}
