using Serve.Placement;

namespace Serve.Deployments;

/// <summary>A silo of the cluster as a deployment's reconciler sees it.</summary>
/// <param name="Address">The silo's address.</param>
/// <param name="Condition">Whether replicas may go there.</param>
/// <param name="Capacity">What it declared; null while its metadata is not known yet.</param>
/// <param name="InManifest">This silo's cluster manifest lists the replica grain on it; false for a while after it joins.</param>
internal sealed record SiloMember(string Address, SiloCondition Condition, SiloCapacity? Capacity, bool InManifest = true);
