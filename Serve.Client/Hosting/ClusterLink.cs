namespace Serve.Hosting;

/// <summary>
/// An external client's link to its cluster, as Orleans reports it, and what a handle call does given it: the decisions
/// of <see cref="ClusterConnection"/>, kept pure so that they are tested without a cluster. Like gRPC's fail-fast
/// channels: before the first connection calls wait for it (a client starting); once connected, a call made while every
/// gateway connection is closed fails at once unless it asked to wait for the cluster (<see cref="CallOptions.WaitForReady"/>).
/// </summary>
/// <param name="State">Connecting, connected, or lost.</param>
/// <param name="Gateways">Gateway connections open, as last counted by Orleans.</param>
/// <param name="LostAt">When the link was lost (meaningful in <see cref="ClusterLinkState.Lost"/> only).</param>
internal sealed record ClusterLink(ClusterLinkState State, int Gateways, DateTimeOffset LostAt)
{
    /// <summary>A client that has not connected yet.</summary>
    public static ClusterLink Connecting { get; } = new(ClusterLinkState.Connecting, 0, default);

    /// <summary>
    /// The client's start reached the point where it has connected (its lifecycle's Active stage). Orleans connects to a
    /// gateway before then, so the link counts as up whatever the gateway count says.
    /// </summary>
    public ClusterLink Started() => State == ClusterLinkState.Connecting ? this with { State = ClusterLinkState.Connected } : this;

    /// <summary>Orleans counted the open gateway connections again: none left loses the link, one or more after a loss restores it.</summary>
    public ClusterLink GatewaysChanged(int gateways, DateTimeOffset now) => (State, gateways) switch
    {
        (ClusterLinkState.Connected, <= 0) => new(ClusterLinkState.Lost, 0, now),
        (ClusterLinkState.Lost, > 0) => new(ClusterLinkState.Connected, gateways, default),
        _ => this with { Gateways = Math.Max(0, gateways) },
    };

    /// <summary>Orleans said the connection to the cluster was lost (its last gateway connection closed).</summary>
    public ClusterLink ConnectionLost(DateTimeOffset now) =>
        State == ClusterLinkState.Connected ? new(ClusterLinkState.Lost, 0, now) : this;

    /// <summary>What a call does now; <paramref name="waitForReady"/>: it asked to wait for the cluster rather than fail.</summary>
    public ClusterCallVerdict Admit(bool waitForReady) => State switch
    {
        _ when waitForReady => ClusterCallVerdict.SendAndWait,
        ClusterLinkState.Lost => ClusterCallVerdict.Refuse,
        _ => ClusterCallVerdict.SendUntilLost,
    };
}
