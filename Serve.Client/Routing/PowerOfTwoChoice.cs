namespace Serve.Routing;

/// <summary>
/// Power of two choices on in-flight counts: two replicas sampled at random, the less busy one taken, the other if the
/// first is full, and any other with room if both are (rather than queue while capacity exists). Stateless, so one
/// instance serves every router.
/// </summary>
internal sealed class PowerOfTwoChoice : IReplicaChoice
{
    public static readonly PowerOfTwoChoice Instance = new();

    private PowerOfTwoChoice()
    {
    }

    public TimeSpan PatienceFor(string? modelId) => TimeSpan.Zero;

    public RoutedReplica? TryTake(RoutedReplica[] replicas, int limit, string? modelId, bool patienceOver)
    {
        var count = replicas.Length;
        if (count <= 1)
        {
            return count == 1 && replicas[0].TryTake(limit) ? replicas[0] : null;
        }
        var a = Random.Shared.Next(count);
        var b = Random.Shared.Next(count - 1);
        if (b >= a)
        {
            b++;
        }
        var (first, second) = replicas[a].InFlight <= replicas[b].InFlight ? (replicas[a], replicas[b]) : (replicas[b], replicas[a]);
        if (first.TryTake(limit))
        {
            return first;
        }
        if (second.TryTake(limit))
        {
            return second;
        }
        for (var i = 1; i < count; i++)
        {
            var candidate = replicas[(a + i) % count];
            if (candidate != second && candidate.TryTake(limit))
            {
                return candidate;
            }
        }
        return null;
    }
}
