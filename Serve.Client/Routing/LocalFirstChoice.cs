namespace Serve.Routing;

/// <summary>
/// Prefers a replica in the router's own silo (<see cref="RoutedReplica.IsLocal"/>), whose calls skip the network and
/// the other silo's threads: the less busy of two sampled local replicas takes the request when it has room and is no
/// busier than the less busy of two sampled replicas elsewhere. So an idle or lightly loaded silo keeps its requests
/// (and a composition's calls) at home, while a local replica that is busier than one elsewhere sends the request there,
/// and load stays spread as power of two choices spreads it, rather than piling on the local replica until it is full.
/// When every replica is local, or none is, it is the choice it falls back on; so too when neither sampled replica can
/// take the request.
/// </summary>
/// <remarks>
/// Ray Serve's proxies and handles prefer replicas on their own node too, but fill them up to
/// <c>max_ongoing_requests</c> before they use another: a model replica whose calls queue inside it then serves
/// slowly while one on the next node idles. Comparing loads keeps the locality where it costs nothing.
/// </remarks>
internal sealed class LocalFirstChoice(IReplicaChoice fallback) : IReplicaChoice
{
    public TimeSpan PatienceFor(string? modelId) => fallback.PatienceFor(modelId);

    public RoutedReplica? TryTake(RoutedReplica[] replicas, int limit, string? modelId, bool patienceOver)
    {
        var locals = 0;
        foreach (var replica in replicas)
        {
            if (replica.IsLocal)
            {
                locals++;
            }
        }
        if (locals == 0 || locals == replicas.Length)
        {
            return fallback.TryTake(replicas, limit, modelId, patienceOver);
        }
        var local = LessBusyOfTwo(replicas, local: true, locals);
        var elsewhere = LessBusyOfTwo(replicas, local: false, replicas.Length - locals);
        if (local.InFlight <= elsewhere.InFlight)
        {
            if (local.TryTake(limit))
            {
                return local;
            }
        }
        else if (elsewhere.TryTake(limit))
        {
            return elsewhere;
        }
        return fallback.TryTake(replicas, limit, modelId, patienceOver);
    }

    /// <summary>The less busy of two replicas sampled at random among the <paramref name="count"/> that are (or are not) local.</summary>
    private static RoutedReplica LessBusyOfTwo(RoutedReplica[] replicas, bool local, int count)
    {
        var first = Random.Shared.Next(count);
        if (count == 1)
        {
            return Nth(replicas, local, first);
        }
        var second = Random.Shared.Next(count - 1);
        if (second >= first)
        {
            second++;
        }
        var a = Nth(replicas, local, first);
        var b = Nth(replicas, local, second);
        return a.InFlight <= b.InFlight ? a : b;
    }

    private static RoutedReplica Nth(RoutedReplica[] replicas, bool local, int n)
    {
        foreach (var replica in replicas)
        {
            if (replica.IsLocal == local && n-- == 0)
            {
                return replica;
            }
        }
        throw new InvalidOperationException("Fewer replicas than counted.");
    }
}
