namespace Serve;

/// <summary>
/// How this process's routers pick replicas. Configure with
/// <c>services.Configure&lt;ServeRoutingOptions&gt;(o =&gt; ...)</c> on a silo or an Orleans client.
/// </summary>
public sealed class ServeRoutingOptions
{
    /// <summary>
    /// Whether a request naming a multiplexed model goes to a replica that holds the model. False routes by load alone,
    /// as if requests named no model (each replica then loads whatever it is sent). Read when a deployment's router is
    /// made, the first time this process calls that deployment.
    /// </summary>
    /// <value>Default is true.</value>
    public bool ModelAwareRouting { get; set; } = true;
}
