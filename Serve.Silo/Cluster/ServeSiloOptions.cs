namespace Serve.Cluster;

/// <summary>
/// This silo's role and capacity in a Serve cluster, bound from the configuration section <see cref="SectionName"/>
/// (e.g. <c>Serve__Silo__HostsReplicas=false</c>, <c>Serve__Silo__Resources__NumGpus=2</c>) and published to
/// every silo as Orleans silo metadata, so placement only puts a replica where its resources are free.
/// </summary>
public sealed class ServeSiloOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string SectionName = "Serve:Silo";

    /// <summary>Whether replicas may be placed on this silo; false for a gateway that only routes. Default is true.</summary>
    public bool HostsReplicas { get; set; } = true;

    /// <summary>What this silo offers to replicas. Default is this machine's CPUs and memory, no GPUs.</summary>
    public SiloResources Resources { get; set; } = new();

    /// <summary>
    /// Whether, in a multi-process cluster, this silo opens the data plane: a port of its own (<see cref="ExchangePort"/>)
    /// on which routers of other silos send HTTP exchanges for its replicas directly rather than as Orleans messages.
    /// Mutual TLS with the cluster certificate when <c>Serve:Cluster:Tls</c> is set. Default is true; never in the
    /// embedded one-process mode, where nothing is remote.
    /// </summary>
    public bool ExchangeEnabled { get; set; } = true;

    /// <summary>The data plane's port, on the silo's address. 0 (the default): one the system picks.</summary>
    public int ExchangePort { get; set; }

    /// <summary>The largest data-plane frame (a call with its inline body, or a whole answer) read or written. Default 100 MiB, as Orleans' message bodies.</summary>
    public int ExchangeMaxFrameBytes { get; set; } = Exchange.ExchangeLimits.DefaultMaxFrameBytes;

    /// <summary>
    /// How long this silo's routers wait for any sign of life from another silo whose data-plane connection they pinged
    /// (each pings after a quarter of this without hearing from it, busy or idle): past it, that silo is taken for frozen
    /// or cut off, its connection is closed as broken (its calls end as lost: idempotent ones retried elsewhere, others
    /// fail as <see cref="ReplicaUnavailableException"/>, HTTP 503), and its replicas get no new calls until a connection
    /// to it works again (at most 30 s), rather than all of this waiting for the cluster to declare it dead. Keep it well
    /// above a long GC pause and below that declaration (about 8.5 s with the fast liveness profile, 13–17 s by default).
    /// From 1 s to 1 min. Default 4 s.
    /// </summary>
    public TimeSpan ExchangePingTimeout { get; set; } = Exchange.ExchangeLimits.DefaultPingTimeout;

    /// <summary>
    /// The most bytes of one stream's items a replica on this silo holds ahead of a consumer that reads slower than it
    /// produces: a streamed handle call's results (which Orleans carries in batches) and a streamed HTTP response's chunks,
    /// at each hop. Past it the producer waits for the consumer; nothing is dropped, and an item larger than this still
    /// goes, alone. An item's size is estimated from the arrays, strings and collections it holds. At least 65536. Default 4 MiB.
    /// </summary>
    public long StreamMaxBufferedBytes { get; set; } = Replicas.StreamBufferLimit.DefaultBytes;

    /// <summary>Calls one data-plane connection may have running on this silo at once; past it, a new call is answered as full (the router backs off and tries again) and cancels still arrive. Default 4096.</summary>
    public int ExchangeMaxCallsInFlight { get; set; } = Exchange.ExchangeLimits.DefaultMaxCallsInFlight;

    /// <summary>
    /// Data-plane connections this silo holds open at once, authenticated or not; past it, a new one is closed at once,
    /// before its handshake (and counted in a warning). Each gateway (any router) shares one connection per silo, so a
    /// cluster stays far below it. Default 1024.
    /// </summary>
    public int ExchangeMaxConnections { get; set; } = Exchange.ExchangeAdmission.DefaultMaxConnections;

    /// <summary>
    /// Data-plane handshakes under way at once: connections still opening, their TLS handshake (with TLS) and their
    /// preface (each ends within 10 s); past it, a new connection is closed at once, before its handshake. Default 64.
    /// </summary>
    public int ExchangeMaxHandshakes { get; set; } = Exchange.ExchangeAdmission.DefaultMaxHandshakes;

    /// <summary>
    /// Data-plane handshakes (as <see cref="ExchangeMaxHandshakes"/> counts them) under way at once from any one remote
    /// address, an IPv6 address counting with its whole
    /// /64 (at most <see cref="ExchangeMaxHandshakes"/>); past it, that address's new connection is closed at once, before its
    /// handshake, while other addresses are still admitted: one host cannot take every handshake from the gateways.
    /// Default 8.
    /// </summary>
    public int ExchangeMaxHandshakesPerAddress { get; set; } = Exchange.ExchangeAdmission.DefaultMaxHandshakesPerAddress;
}
