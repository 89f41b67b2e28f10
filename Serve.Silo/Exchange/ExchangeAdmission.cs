using System.Net;

namespace Serve.Exchange;

/// <summary>
/// Which new data-plane connections a silo takes: at most <see cref="MaxConnections"/> open at once (authenticated or
/// not), at most <see cref="MaxHandshakes"/> of them still in their TLS handshake, and at most
/// <see cref="MaxHandshakesPerAddress"/> of those from any one remote address. Past any bound a new connection is
/// refused before its handshake, so a stranger who reaches the port holds no more than that of the silo's sockets and
/// tasks, and one host cannot take every handshake slot from the gateways. Thread-safe: the accept loop admits, each
/// connection's task releases what it held.
/// </summary>
internal sealed class ExchangeAdmission
{
    /// <summary>Far above what a cluster uses: each gateway (any router) shares one connection per silo.</summary>
    public const int DefaultMaxConnections = 1024;

    /// <summary>Handshakes are short (a silo's routers connect once and keep the connection), so a few dozen at once is plenty.</summary>
    public const int DefaultMaxHandshakes = 64;

    /// <summary>A gateway process opens one connection per silo, so even a few behind one address (NAT, one host) stay far below it.</summary>
    public const int DefaultMaxHandshakesPerAddress = 8;

    private readonly Lock _lock = new();
    // Only addresses with a handshake under way: at most MaxHandshakes entries, whatever the number of strangers.
    private readonly Dictionary<IPAddress, int> _handshakingFrom = [];
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

    /// <summary>Connections from <paramref name="address"/> admitted whose handshake has not ended.</summary>
    public int HandshakingFrom(IPAddress address)
    {
        lock (_lock)
        {
            return _handshakingFrom.GetValueOrDefault(Normal(address));
        }
    }

    /// <summary>
    /// Admits a new connection from <paramref name="address"/> (counting it open, and handshaking when
    /// <paramref name="handshake"/>), or says why not. Each admitted connection calls <see cref="HandshakeEnded"/> once
    /// its handshake ends (if it had one) and <see cref="Closed"/> once it closes.
    /// </summary>
    public ExchangeRefusal TryAdmit(IPAddress address, bool handshake)
    {
        address = Normal(address);
        lock (_lock)
        {
            if (_open >= MaxConnections)
            {
                return ExchangeRefusal.TooManyConnections;
            }
            if (handshake)
            {
                // Before the global bound: when one address holds its share, that is the reason to give it.
                var from = _handshakingFrom.GetValueOrDefault(address);
                if (from >= MaxHandshakesPerAddress)
                {
                    return ExchangeRefusal.TooManyHandshakesFromAddress;
                }
                if (_handshaking >= MaxHandshakes)
                {
                    return ExchangeRefusal.TooManyHandshakes;
                }
                _handshakingFrom[address] = from + 1;
                _handshaking++;
            }
            _open++;
            return ExchangeRefusal.None;
        }
    }

    /// <summary>An admitted connection's handshake ended, whichever way.</summary>
    public void HandshakeEnded(IPAddress address)
    {
        address = Normal(address);
        lock (_lock)
        {
            if (!_handshakingFrom.TryGetValue(address, out var from))
            {
                throw new InvalidOperationException($"No data-plane handshake from {address} is under way.");
            }
            if (from == 1)
            {
                _handshakingFrom.Remove(address);
            }
            else
            {
                _handshakingFrom[address] = from - 1;
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

    /// <summary>A v4 peer on a dual-stack socket is the same host as over v4.</summary>
    private static IPAddress Normal(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
}
