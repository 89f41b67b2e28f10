namespace Serve.Routing;

/// <summary>
/// Picks a replica for a request naming a multiplexed model: power of two choices among the replicas that hold the
/// model (as published, or as this router just sent it) and have room; when none has room or none holds it, the
/// replica with room holding the fewest models (then the least busy) — it loads the model, and this router sends the
/// model's next requests there too. Null when no replica has room.
/// </summary>
internal static class ModelAwareChoice
{
    /// <summary>How long a model sent to a replica counts as held there before the replica's own report says so.</summary>
    internal static readonly TimeSpan AssignmentLifetime = TimeSpan.FromSeconds(5);

    public static RoutedReplica? Choose(RoutedReplica[] replicas, int limit, string modelId, TimeProvider time)
    {
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
        if (held > 0 && TakeAmong(replicas, holders[..held], limit) is { } holder)
        {
            return holder;
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
