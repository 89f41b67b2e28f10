namespace Serve.Cluster;

/// <summary>How quickly a silo that stopped answering is declared dead.</summary>
public enum LivenessProfile
{
    /// <summary>Orleans' defaults (probe timeout 5 s, 3 missed probes): a killed silo is declared dead after 13–17 s.</summary>
    Default,

    /// <summary>
    /// For small clusters on a fast network: probe timeout 1 s and 2 missed probes, so a killed silo is declared
    /// dead in about 1–2 s (0.7–1 s measured on loopback: a dead process refuses connections, so probes fail at
    /// once), and clients re-read their gateway list every 5 s instead of every minute. The control plane's grains a dead
    /// silo hosted start elsewhere 5 s after its death is declared (one membership-table refresh, in which a silo declared
    /// dead that still runs stops itself), not Orleans' 22 s for this detection window. The price is more probe
    /// traffic and a higher chance that a silo starved of CPU for over a second is declared dead (it then stops;
    /// restart it). Orleans clients still wait their response timeout (<c>ClientMessagingOptions.ResponseTimeout</c>,
    /// 30 s by default) on calls already sent through a gateway that died.
    /// </summary>
    Fast,
}
