using System.Net;

namespace Serve.Exchange;

/// <summary>
/// Which new data-plane connections a silo takes: at most <see cref="MaxConnections"/> open at once (authenticated or
/// not), at most <see cref="MaxHandshakes"/> of them still in their TLS handshake, and at most
/// <see cref="MaxHandshakesPerAddress"/> of those from any one remote peer: an IPv4 address, or an IPv6 /64, which one
/// host is normally given whole (<see cref="AddressGroup"/>). Past any bound a new connection is refused before its
/// handshake, so a stranger who reaches the port holds no more than that of the silo's sockets and tasks, and one host
/// (however many addresses of its /64 it connects from) cannot take every handshake slot from the gateways. Thread-safe:
/// the accept loop admits, each connection's task releases what it held.
/// </summary>
internal sealed class ExchangeAdmission
{
    /// <summary>Far above what a cluster uses: each gateway (any router) shares one connection per silo.</summary>
    public const int DefaultMaxConnections = 1024;

    /// <summary>Handshakes are short (a silo's routers connect once and keep the connection), so a few dozen at once is plenty.</summary>
    public const int DefaultMaxHandshakes = 64;

    /// <summary>A gateway process opens one connection per silo, so even a few behind one address or /64 (NAT, one host) stay far below it.</summary>
    public const int DefaultMaxHandshakesPerAddress = 8;

    private readonly Lock _lock = new();
    // Only peers with a handshake under way: at most MaxHandshakes entries, whatever the number of strangers.
    private readonly Dictionary<AddressGroup, int> _handshakingFrom = [];
    private int _open;
    private int _handshaking;

    public ExchangeAdmission(int maxConnections, int maxHandshakes, int maxHandshakesPerAddress)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxConnections);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxHandshakes);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxHandshakesPerAddress);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxHandshakesPerAddress, maxHandshakes);
        MaxConnections = maxConnections;
        MaxHandshakes = maxHandshakes;
        MaxHandshakesPerAddress = maxHandshakesPerAddress;
    }

    public int MaxConnections { get; }

    public int MaxHandshakes { get; }

    public int MaxHandshakesPerAddress { get; }

    /// <summary>Connections admitted and not yet closed.</summary>
    public int Open => Volatile.Read(ref _open);

    /// <summary>Connections admitted whose handshake has not ended.</summary>
    public int Handshaking => Volatile.Read(ref _handshaking);

    /// <summary>Connections from <paramref name="address"/>'s peer (its /64 for IPv6) admitted whose handshake has not ended.</summary>
    public int HandshakingFrom(IPAddress address)
    {
        var peer = AddressGroup.Of(address);
        lock (_lock)
        {
            return _handshakingFrom.GetValueOrDefault(peer);
        }
    }

    /// <summary>
    /// Admits a new connection from <paramref name="address"/> (counting it open, and handshaking when
    /// <paramref name="handshake"/>, against its peer's share: its /64 for IPv6), or says why not. Each admitted connection calls <see cref="HandshakeEnded"/> once
    /// its handshake ends (if it had one) and <see cref="Closed"/> once it closes.
    /// </summary>
    public ExchangeRefusal TryAdmit(IPAddress address, bool handshake)
    {
        var peer = AddressGroup.Of(address);
        lock (_lock)
        {
            if (_open >= MaxConnections)
            {
                return ExchangeRefusal.TooManyConnections;
            }
            if (handshake)
            {
                // Before the global bound: when one peer holds its share, that is the reason to give it.
                var from = _handshakingFrom.GetValueOrDefault(peer);
                if (from >= MaxHandshakesPerAddress)
                {
                    return ExchangeRefusal.TooManyHandshakesFromAddress;
                }
                if (_handshaking >= MaxHandshakes)
                {
                    return ExchangeRefusal.TooManyHandshakes;
                }
                _handshakingFrom[peer] = from + 1;
                _handshaking++;
            }
            _open++;
            return ExchangeRefusal.None;
        }
    }

    /// <summary>An admitted connection's handshake ended, whichever way.</summary>
    public void HandshakeEnded(IPAddress address)
    {
        var peer = AddressGroup.Of(address);
        lock (_lock)
        {
            if (!_handshakingFrom.TryGetValue(peer, out var from))
            {
                throw new InvalidOperationException($"No data-plane handshake from {peer} is under way.");
            }
            if (from == 1)
            {
                _handshakingFrom.Remove(peer);
            }
            else
            {
                _handshakingFrom[peer] = from - 1;
            }
            _handshaking--;
        }
    }

    /// <summary>An admitted connection closed.</summary>
    public void Closed()
    {
        lock (_lock)
        {
            if (_open == 0)
            {
                throw new InvalidOperationException("No data-plane connection is open.");
            }
            _open--;
        }
    }
}
