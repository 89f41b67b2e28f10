namespace Serve.Routing;

/// <summary>
/// How a router picks the replica for a request, as a load-balancing policy is picked per cluster in YARP: power of two
/// choices on in-flight counts by default (<see cref="PowerOfTwoChoice"/>), a replica in the router's own silo first
/// while it is no busier than one elsewhere (<see cref="LocalFirstChoice"/>), and where the request's multiplexed model
/// is loaded for requests naming one (<see cref="ModelAwareChoice"/>). One per router, chosen when the router is made
/// (<see cref="ReplicaDirectory"/>); each wraps the one it falls back on.
/// </summary>
/// <remarks>
/// A choice never picks a replica that is full (<see cref="RoutedReplica.TryTake"/> refuses past the limit) or gone;
/// null sends the request to the admission queue, which asks again each time a slot is freed or the set changes.
/// </remarks>
internal interface IReplicaChoice
{
    /// <summary>
    /// How long a request waits in the queue for a replica this choice prefers (one holding its model) before it takes
    /// any with room; zero when every replica serves it as well. A request with patience is woken on every freed slot,
    /// since the slot it waits for may not be the one the next waiter waits for.
    /// </summary>
    TimeSpan PatienceFor(string? modelId);

    /// <summary>Takes a slot on a replica for the request, or null when it should wait.</summary>
    /// <param name="replicas">The router's replicas now.</param>
    /// <param name="limit">MaxOngoingRequests per replica.</param>
    /// <param name="modelId">The request's multiplexed model, if any.</param>
    /// <param name="patienceOver">Whether the request waited its <see cref="PatienceFor"/> out: any replica with room will do.</param>
    RoutedReplica? TryTake(RoutedReplica[] replicas, int limit, string? modelId, bool patienceOver);
}
