namespace Serve.Exchange;

/// <summary>
/// Which new data-plane connections a silo takes: at most <see cref="MaxConnections"/> open at once (authenticated or
/// not) and at most <see cref="MaxHandshakes"/> of them still in their TLS handshake. Past either bound a new connection
/// is refused before its handshake, so a stranger who reaches the port holds no more than that of the silo's sockets and
/// tasks. Thread-safe: the accept loop admits, each connection's task releases what it held.
/// </summary>
internal sealed class ExchangeAdmission
{
    /// <summary>Far above what a cluster uses: each gateway (any router) shares one connection per silo.</summary>
    public const int DefaultMaxConnections = 1024;

    /// <summary>Handshakes are short (a silo's routers connect once and keep the connection), so a few dozen at once is plenty.</summary>
    public const int DefaultMaxHandshakes = 64;

    private readonly Lock _lock = new();
    private int _open;
    private int _handshaking;

    public ExchangeAdmission(int maxConnections, int maxHandshakes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxConnections);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxHandshakes);
        MaxConnections = maxConnections;
        MaxHandshakes = maxHandshakes;
    }

    public int MaxConnections { get; }

    public int MaxHandshakes { get; }

    /// <summary>Connections admitted and not yet closed.</summary>
    public int Open => Volatile.Read(ref _open);

    /// <summary>Connections admitted whose handshake has not ended.</summary>
    public int Handshaking => Volatile.Read(ref _handshaking);

    /// <summary>
    /// Admits a new connection (counting it open, and handshaking when <paramref name="handshake"/>), or says why not.
    /// Each admitted connection calls <see cref="HandshakeEnded"/> once its handshake ends (if it had one) and
    /// <see cref="Closed"/> once it closes.
    /// </summary>
    public ExchangeRefusal TryAdmit(bool handshake)
    {
        lock (_lock)
        {
            if (_open >= MaxConnections)
            {
                return ExchangeRefusal.TooManyConnections;
            }
            if (handshake && _handshaking >= MaxHandshakes)
            {
                return ExchangeRefusal.TooManyHandshakes;
            }
            _open++;
            if (handshake)
            {
                _handshaking++;
            }
            return ExchangeRefusal.None;
        }
    }

    /// <summary>An admitted connection's handshake ended, whichever way.</summary>
    public void HandshakeEnded()
    {
        lock (_lock)
        {
            if (_handshaking == 0)
            {
                throw new InvalidOperationException("No data-plane handshake is under way.");
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
