namespace Serve.Placement;

/// <summary>An active silo as the placer sees it: what it offers and the replicas already placed on it.</summary>
/// <param name="Silo">The silo's address.</param>
/// <param name="Capacity">What it declared; null when its metadata is not known yet (it is skipped for now).</param>
/// <param name="Placed">The demands of the replicas already placed on it.</param>
/// <param name="PlacedOfDeployment">How many of those belong to the deployment being placed.</param>
/// <param name="Suspected">Suspected by the cluster or found unreachable: skipped until it is trusted again or declared dead.</param>
/// <param name="InManifest">
/// The deciding silo's cluster manifest lists the replica grain on it. A silo that just joined is active before its
/// manifest arrives, and a replica sent there meanwhile fails to start: it is skipped until then.
/// </param>
/// <param name="FailedHere">
/// A start of the deployment failed here in its own code (a worker with a broken build, a setting it lacks): chosen only
/// when no other silo fits, so a retry goes to a silo that may run it.
/// </param>
internal sealed record PlacementCandidate(
    string Silo, SiloCapacity? Capacity, IReadOnlyList<ReplicaResources> Placed, int PlacedOfDeployment, bool Suspected = false, bool InManifest = true, bool FailedHere = false);
