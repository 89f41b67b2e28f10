namespace Serve;

/// <summary>
/// How this process's routers pick replicas. Configure with
/// <c>services.Configure&lt;ServeRoutingOptions&gt;(o =&gt; ...)</c> on a silo or an Orleans client; a silo of
/// <c>UseServeCluster</c> also binds section <see cref="SectionName"/> of its configuration.
/// </summary>
public sealed class ServeRoutingOptions
{
    /// <summary>The configuration section a silo binds: <c>Serve:Routing</c>.</summary>
    public const string SectionName = "Serve:Routing";

    /// <summary>
    /// Whether a request naming a multiplexed model goes to a replica that holds the model. False routes by load alone,
    /// as if requests named no model (each replica then loads whatever it is sent). Read when a deployment's router is
    /// made, the first time this process calls that deployment.
    /// </summary>
    /// <value>Default is true.</value>
    public bool ModelAwareRouting { get; set; } = true;

    /// <summary>
    /// Whether a request goes to a replica in this silo (no network, no other silo's threads) when one has room and is
    /// no busier than the less busy of two replicas elsewhere; otherwise replicas are picked by load alone (power of two
    /// choices over all). Only silos host replicas, so an Orleans client routes by load either way. Read when a
    /// deployment's router is made, the first time this process calls that deployment.
    /// </summary>
    /// <value>Default is true.</value>
    public bool PreferLocalReplicas { get; set; } = true;
}
