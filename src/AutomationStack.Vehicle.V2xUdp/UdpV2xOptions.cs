using System.Globalization;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace AutomationStack.Vehicle.V2xUdp;

/// <summary>A bad V2X-over-UDP setting; <see cref="Option"/> names the setting (e.g. <c>--v2x-udp</c>).</summary>
public sealed class UdpV2xConfigurationException : Exception
{
    public UdpV2xConfigurationException()
        : this(string.Empty, "bad V2X UDP setting")
    {
    }

    public UdpV2xConfigurationException(string message)
        : this(string.Empty, message)
    {
    }

    public UdpV2xConfigurationException(string message, Exception innerException)
        : base(message, innerException)
    {
        Option = string.Empty;
    }

    public UdpV2xConfigurationException(string option, string message, Exception? innerException = null)
        : base(string.IsNullOrEmpty(option) ? message : $"{option}: {message}", innerException)
    {
        Option = option;
    }

    /// <summary>The option the message is about (empty when none applies).</summary>
    public string Option { get; }
}

/// <summary>
/// Where V2X datagrams go: an IPv4 broadcast address (a subnet's directed broadcast such as 10.200.0.255, or
/// 255.255.255.255) or an IPv4 multicast group (224.0.0.0/4), and a port; optionally the local IPv4 address of the
/// interface to send and join on. Every station of one platoon uses the same destination.
/// </summary>
public sealed record UdpV2xOptions
{
    /// <summary>Name of the vehicle process option for <see cref="Destination"/>.</summary>
    public const string DestinationOption = "--v2x-udp";

    /// <summary>Name of the vehicle process option for <see cref="Interface"/>.</summary>
    public const string InterfaceOption = "--v2x-udp-interface";

    /// <summary>Default capacity of the receive queue (datagrams); the oldest is dropped when it is full.</summary>
    public const int DefaultQueueCapacity = 1024;

    /// <summary>Largest UDP payload over IPv4.</summary>
    public const int MaxDatagramSize = 65_507;

    /// <summary>Broadcast or multicast address and port (port 1–65535).</summary>
    public required IPEndPoint Destination { get; init; }

    /// <summary>Local IPv4 address of the interface to use; null lets routing choose (and joins on any interface).</summary>
    public IPAddress? Interface { get; init; }

    /// <summary>Datagrams held between two frames at most; beyond that the oldest is dropped and counted.</summary>
    public int QueueCapacity { get; init; } = DefaultQueueCapacity;

    /// <summary>Multicast hop limit (TTL); 1 keeps V2X on the local link. Ignored for broadcast.</summary>
    public int MulticastTimeToLive { get; init; } = 1;

    /// <summary>Whether <see cref="Destination"/> is a multicast group (else it is treated as a broadcast address).</summary>
    public bool IsMulticast => IsMulticastAddress(Destination.Address);

    /// <summary>
    /// Parses the command-line values: <paramref name="destination"/> as <c>address:port</c>, <paramref name="interfaceAddress"/>
    /// as an IPv4 address of this host (or null). Errors name the option.
    /// </summary>
    /// <exception cref="UdpV2xConfigurationException">A value is malformed or not usable.</exception>
    public static UdpV2xOptions Parse(string destination, string? interfaceAddress)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var endpoint = ParseEndpoint(destination);
        IPAddress? iface = null;
        if (interfaceAddress is not null)
        {
            if (!IPAddress.TryParse(interfaceAddress, out iface) || iface.AddressFamily != AddressFamily.InterNetwork || !IsDottedQuad(interfaceAddress))
            {
                throw new UdpV2xConfigurationException(InterfaceOption, $"expected the IPv4 address of a local interface, got '{interfaceAddress}'");
            }
        }

        var options = new UdpV2xOptions { Destination = endpoint, Interface = iface };
        options.Validate();
        return options;
    }

    /// <summary>Checks the values (address family, port range, broadcast/multicast, interface is local, capacity).</summary>
    /// <exception cref="UdpV2xConfigurationException">A value is not usable.</exception>
    public void Validate()
    {
        var address = Destination.Address;
        var text = Destination.ToString();
        if (address.AddressFamily != AddressFamily.InterNetwork)
        {
            throw new UdpV2xConfigurationException(DestinationOption, $"'{text}' is not IPv4 (only IPv4 broadcast and multicast are supported)");
        }

        if (Destination.Port is < 1 or > IPEndPoint.MaxPort)
        {
            throw new UdpV2xConfigurationException(DestinationOption, $"port must be 1–65535, got {Destination.Port.ToString(CultureInfo.InvariantCulture)}");
        }

        if (address.Equals(IPAddress.Any) || IPAddress.IsLoopback(address) && !IsLoopbackBroadcast(address))
        {
            throw new UdpV2xConfigurationException(DestinationOption, $"'{address}' is not a broadcast address or multicast group");
        }

        if (!IsMulticastAddress(address) && LocalUnicastAddresses().Contains(address))
        {
            throw new UdpV2xConfigurationException(DestinationOption, $"'{address}' is a unicast address of this host; use the subnet's broadcast address (e.g. x.y.z.255) or a multicast group (224.0.0.0/4)");
        }

        if (Interface is { } iface)
        {
            if (iface.AddressFamily != AddressFamily.InterNetwork || iface.Equals(IPAddress.Any) || IsMulticastAddress(iface))
            {
                throw new UdpV2xConfigurationException(InterfaceOption, $"expected the IPv4 address of a local interface, got '{iface}'");
            }

            if (!LocalUnicastAddresses().Contains(iface))
            {
                throw new UdpV2xConfigurationException(InterfaceOption, $"'{iface}' is not an address of this host");
            }
        }

        if (QueueCapacity < 1)
        {
            throw new UdpV2xConfigurationException(nameof(QueueCapacity), $"must be at least 1, got {QueueCapacity.ToString(CultureInfo.InvariantCulture)}");
        }

        if (MulticastTimeToLive is < 1 or > 255)
        {
            throw new UdpV2xConfigurationException(nameof(MulticastTimeToLive), $"must be 1–255, got {MulticastTimeToLive.ToString(CultureInfo.InvariantCulture)}");
        }
    }

    internal static bool IsMulticastAddress(IPAddress address)
    {
        if (address.AddressFamily != AddressFamily.InterNetwork)
        {
            return false;
        }

        Span<byte> bytes = stackalloc byte[4];
        address.TryWriteBytes(bytes, out _);
        return bytes[0] is >= 224 and <= 239;
    }

    private static bool IsLoopbackBroadcast(IPAddress address) => address.Equals(IPAddress.Parse("127.255.255.255"));

    private static IPEndPoint ParseEndpoint(string text)
    {
        var colon = text.LastIndexOf(':');
        if (colon <= 0 || colon == text.Length - 1)
        {
            throw new UdpV2xConfigurationException(DestinationOption, $"expected <IPv4 address>:<port>, got '{text}'");
        }

        var host = text[..colon];
        var portText = text[(colon + 1)..];
        if (!IPAddress.TryParse(host, out var address) || address.AddressFamily != AddressFamily.InterNetwork || !IsDottedQuad(host))
        {
            throw new UdpV2xConfigurationException(DestinationOption, $"'{host}' is not an IPv4 address (expected <IPv4 address>:<port>, e.g. 10.200.0.255:47000)");
        }

        if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > IPEndPoint.MaxPort)
        {
            throw new UdpV2xConfigurationException(DestinationOption, $"port must be 1–65535, got '{portText}'");
        }

        return new IPEndPoint(address, port);
    }

    /// <summary>IPAddress.TryParse accepts "10" or "10.1" as IPv4; a V2X destination must be written out in full.</summary>
    private static bool IsDottedQuad(string text) => text.Count(c => c == '.') == 3;

    private static HashSet<IPAddress> LocalUnicastAddresses()
    {
        var set = new HashSet<IPAddress>();
        foreach (var nic in NetworkInterface.GetAllNetworkInterfaces())
        {
            foreach (var unicast in nic.GetIPProperties().UnicastAddresses)
            {
                set.Add(unicast.Address);
            }
        }

        return set;
    }
}
