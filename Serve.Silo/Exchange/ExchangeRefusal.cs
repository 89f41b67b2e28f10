namespace Serve.Exchange;

/// <summary>Why the data plane closed a connection before serving it (<see cref="None"/>: it did not).</summary>
internal enum ExchangeRefusal
{
    /// <summary>Admitted.</summary>
    None,

    /// <summary>The silo held <see cref="Cluster.ServeSiloOptions.ExchangeMaxConnections"/> connections already: closed before any handshake.</summary>
    TooManyConnections,

    /// <summary><see cref="Cluster.ServeSiloOptions.ExchangeMaxHandshakes"/> handshakes were under way already: closed before any handshake.</summary>
    TooManyHandshakes,

    /// <summary>The TLS handshake failed or did not end in time (no certificate, one from another CA, not TLS, silence).</summary>
    HandshakeFailed,
}
