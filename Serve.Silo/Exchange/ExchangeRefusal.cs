namespace Serve.Exchange;

/// <summary>Why the data plane closed a connection it did not serve, or stopped serving (<see cref="None"/>: it did not).</summary>
internal enum ExchangeRefusal
{
    /// <summary>Admitted.</summary>
    None,

    /// <summary>The silo held <see cref="Cluster.ServeSiloOptions.ExchangeMaxConnections"/> connections already: closed before any handshake.</summary>
    TooManyConnections,

    /// <summary><see cref="Cluster.ServeSiloOptions.ExchangeMaxHandshakes"/> handshakes were under way already: closed before any handshake.</summary>
    TooManyHandshakes,

    /// <summary>
    /// <see cref="Cluster.ServeSiloOptions.ExchangeMaxHandshakesPerAddress"/> handshakes from the connection's address
    /// (for IPv6, its /64: <see cref="AddressGroup"/>) were under way already: closed before any handshake, while other
    /// addresses are still admitted.
    /// </summary>
    TooManyHandshakesFromAddress,

    /// <summary>The TLS handshake failed or did not end in time (no certificate, one from another CA, not TLS, silence).</summary>
    HandshakeFailed,

    /// <summary>The peer did not open with the data plane's preface: something else, or nothing in time.</summary>
    NoPreface,

    /// <summary>The peer's preface named a data-plane version this silo does not speak (a router of another Serve release).</summary>
    UnsupportedVersion,

    /// <summary>A frame was over <see cref="Cluster.ServeSiloOptions.ExchangeMaxFrameBytes"/>.</summary>
    FrameTooLarge,

    /// <summary>A frame broke the wire's rules (an unknown type, a call that cannot be read, a call id in use).</summary>
    BadFrame,
}
