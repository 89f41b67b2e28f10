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
}
