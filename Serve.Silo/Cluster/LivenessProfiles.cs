using Orleans.Configuration;

namespace Serve.Cluster;

/// <summary>What each <see cref="LivenessProfile"/> sets in Orleans' options.</summary>
internal static class LivenessProfiles
{
    /// <summary>Probe timeout of the fast profile; a killed silo refuses connections, so each probe fails at once and two fail within about 1–2 s.</summary>
    public static readonly TimeSpan FastProbeTimeout = TimeSpan.FromSeconds(1);

    public const int FastMissedProbesLimit = 2;

    /// <summary>
    /// How often a silo of the fast profile re-reads the membership table (Orleans' default is 1 min). Each read also
    /// retries declaring the silo's own previous incarnation dead, which a restart at the same address can fail to do
    /// on a write conflict when several silos restart at once; until then that incarnation blocks joins and rebalancing.
    /// </summary>
    public static readonly TimeSpan FastTableRefreshTimeout = TimeSpan.FromSeconds(5);

    /// <summary>How often a client of the fast profile re-reads the gateway list (Orleans' default is 1 min).</summary>
    public static readonly TimeSpan FastGatewayListRefreshPeriod = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How often every silo writes its heartbeat (IAmAlive) to the membership table, whatever the profile (Orleans'
    /// default is 30 s). An active entry without one for three periods is stale: a joining silo no longer waits to reach
    /// it, and silos probe it. A cluster whose every silo died uncleanly and that starts again at other addresses (new
    /// pods, containers given new IPs) waited about 95 s for the dead entries to go stale, serving nothing; with 5 s,
    /// about 15 s. The price is one small write per silo every 5 s to Redis.
    /// </summary>
    public static readonly TimeSpan IAmAlivePeriod = TimeSpan.FromSeconds(5);

    public static void Apply(LivenessProfile profile, ClusterMembershipOptions options)
    {
        options.IAmAliveTablePublishTimeout = IAmAlivePeriod;
        if (profile == LivenessProfile.Fast)
        {
            options.ProbeTimeout = FastProbeTimeout;
            options.NumMissedProbesLimit = FastMissedProbesLimit;
            options.TableRefreshTimeout = FastTableRefreshTimeout;
        }
    }

    /// <summary>
    /// With the fast profile, Serve's grain directory (<see cref="Serve.Hosting.ServeGrainDirectory"/>) holds a dead
    /// silo's grains for one membership-table refresh after the silo is declared dead, not Orleans' 30 s from its failure
    /// (22 s after the declaration with this profile's 8 s detection window), which kept the control plane, and replacements
    /// of the dead silo's replicas, away that long after every crash. A silo declared dead that still runs (paused, or cut
    /// off) stops itself when it next reads the table, within that refresh; one cut off from the table is cut off from the
    /// state store too, whose ETags refuse its writes. Orleans' lease counts from the estimated failure, one detection
    /// window before the declaration, hence the sum.
    /// The default profile keeps Orleans' setting (its 60 s detection window already exceeds it: no hold).
    /// </summary>
    public static void Apply(LivenessProfile profile, ClusterMembershipOptions membership, GrainDirectoryOptions directory)
    {
        if (profile == LivenessProfile.Fast)
        {
            directory.RangeLeaseDuration = membership.MaxProbeTimeout * membership.NumMissedProbesLimit + membership.TableRefreshTimeout;
        }
    }

    public static void Apply(LivenessProfile profile, GatewayOptions options)
    {
        if (profile == LivenessProfile.Fast)
        {
            options.GatewayListRefreshPeriod = FastGatewayListRefreshPeriod;
        }
    }
}
