using System.Net;
using System.Net.Sockets;

namespace Serve.Exchange;

/// <summary>
/// The remote peer a bound per address counts: an IPv4 address (also one mapped into IPv6 by a dual-stack socket) is
/// itself, an IPv6 address is its /64. An IPv6 host is normally given a whole /64 to connect from (2^64 addresses), so a
/// bound per full IPv6 address would not hold even one stranger; rate limiters and fail2ban key IPv6 peers by /64 for
/// the same reason. IPv6 loopback (<c>::1</c>) stays itself. A scope id (the interface a link-local address is on) is
/// dropped. Value equality, so it keys a dictionary; its text names the group (<c>10.0.0.1</c>, <c>2001:db8:1:2::/64</c>).
/// </summary>
internal readonly record struct AddressGroup
{
    /// <summary>How much of an IPv6 address names its peer: the network part, what one host or subscriber is given.</summary>
    public const int IPv6PrefixLength = 64;

    private AddressGroup(IPAddress address, int prefixLength)
    {
        Address = address;
        PrefixLength = prefixLength;
    }

    /// <summary>The IPv4 address, IPv6 loopback, or the IPv6 /64 with its low 64 bits zero and no scope id.</summary>
    public IPAddress Address { get; }

    /// <summary>The bits of <see cref="Address"/> that name the peer: 32 (IPv4), 128 (IPv6 loopback) or 64 (any other IPv6).</summary>
    public int PrefixLength { get; }

    /// <summary>Whether the group is many addresses (an IPv6 /64), not one.</summary>
    public bool IsPrefix => Address.AddressFamily == AddressFamily.InterNetworkV6 && PrefixLength < 128;

    /// <summary>The group <paramref name="address"/> counts in.</summary>
    public static AddressGroup Of(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            return new AddressGroup(address, 32);
        }
        if (address.IsIPv4MappedToIPv6)
        {
            return new AddressGroup(address.MapToIPv4(), 32);
        }
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            throw new ArgumentException($"{address} is neither IPv4 nor IPv6.", nameof(address));
        }
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        // By its bytes: IPAddress.IsLoopback would take ::1 with a scope id for another address.
        if (bytes[..15].IndexOfAnyExcept((byte)0) < 0 && bytes[15] == 1)
        {
            return new AddressGroup(new IPAddress(bytes), 128);
        }
        bytes[(IPv6PrefixLength / 8)..].Clear();
        return new AddressGroup(new IPAddress(bytes), IPv6PrefixLength);
    }

    public override string ToString() => IsPrefix ? $"{Address}/{PrefixLength}" : Address.ToString();
}
