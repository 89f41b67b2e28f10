namespace Serve.Routing;

/// <summary>
/// Picks a replica for a request naming a multiplexed model: power of two choices among the replicas that hold the
/// model (as published, or as this router just sent it) and have room. When none holds it — or, once the request has
/// waited <see cref="SpillAfter"/> for a busy holder, when none of those has room — the replica with room holding the
/// fewest models (then the least busy): it loads the model, and this router sends the model's next requests there too.
/// Null when the request should wait.
/// </summary>
/// <remarks>
/// Spilling at once when a holder is busy would load a second copy, evicting another model, whose next request loads
/// it again elsewhere: with as many models as slots, a cascade. Waiting first keeps copies for sustained demand
/// (Ray waits 1 s for a matching replica likewise).
/// </remarks>
internal static class ModelAwareChoice
{
    /// <summary>How long a model sent to a replica counts as held there before the replica's own report says so.</summary>
    internal static readonly TimeSpan AssignmentLifetime = TimeSpan.FromSeconds(5);

    /// <summary>How long a request waits for a busy replica holding its model before the model is loaded on another.</summary>
    internal static readonly TimeSpan SpillAfter = TimeSpan.FromSeconds(1);

    /// <param name="replicas">The router's replicas.</param>
    /// <param name="limit">MaxOngoingRequests per replica.</param>
    /// <param name="modelId">The request's model.</param>
    /// <param name="time">The clock that dates this router's assignments.</param>
    /// <param name="allowSpill">Whether the request waited long enough to load a copy on a replica that does not hold it.</param>
    /// <param name="spilled">Set when the model is held elsewhere but goes to a replica that will load another copy.</param>
    public static RoutedReplica? Choose(RoutedReplica[] replicas, int limit, string modelId, TimeProvider time, bool allowSpill, out bool spilled)
    {
        spilled = false;
        var now = time.GetTimestamp();
        var count = replicas.Length;
        Span<int> holders = count <= 64 ? stackalloc int[count] : new int[count];
        var held = 0;
        for (var i = 0; i < count; i++)
        {
            if (replicas[i].Holds(modelId, now))
            {
                holders[held++] = i;
            }
        }
        if (held > 0)
        {
            if (TakeAmong(replicas, holders[..held], limit) is { } holder)
            {
                return holder;
            }
            if (!allowSpill)
            {
                return null;
            }
        }

        // Nowhere it is held has room: the replica that can take it with the least to give up.
        RoutedReplica? best = null;
        var bestModels = int.MaxValue;
        var start = count > 1 ? Random.Shared.Next(count) : 0;
        for (var k = 0; k < count; k++)
        {
            var candidate = replicas[(start + k) % count];
            if (candidate.InFlight >= limit || candidate.Gone || candidate.Holds(modelId, now))
            {
                continue;
            }
            var models = candidate.ModelCount(now);
            if (best is null || models < bestModels || (models == bestModels && candidate.InFlight < best.InFlight))
            {
                (best, bestModels) = (candidate, models);
            }
        }
        if (best is null || !best.TryTake(limit))
        {
            return null;
        }
        spilled = held > 0;
        best.Assign(modelId, now, now + (long)(AssignmentLifetime.TotalSeconds * time.TimestampFrequency));
        return best;
    }

    /// <summary>Power of two choices among <paramref name="indices"/>; then any of them with room.</summary>
    private static RoutedReplica? TakeAmong(RoutedReplica[] replicas, ReadOnlySpan<int> indices, int limit)
    {
        if (indices.Length == 1)
        {
            return replicas[indices[0]].TryTake(limit) ? replicas[indices[0]] : null;
        }
        var a = Random.Shared.Next(indices.Length);
        var b = Random.Shared.Next(indices.Length - 1);
        if (b >= a)
        {
            b++;
        }
        var (first, second) = replicas[indices[a]].InFlight <= replicas[indices[b]].InFlight
            ? (replicas[indices[a]], replicas[indices[b]])
            : (replicas[indices[b]], replicas[indices[a]]);
        if (first.TryTake(limit))
        {
            return first;
        }
        if (second.TryTake(limit))
        {
            return second;
        }
        for (var i = 0; i < indices.Length; i++)
        {
            var candidate = replicas[indices[(a + i) % indices.Length]];
            if (candidate.TryTake(limit))
            {
                return candidate;
            }
        }
        return null;
    }
}
