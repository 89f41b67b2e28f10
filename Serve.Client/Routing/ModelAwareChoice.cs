namespace Serve.Routing;

/// <summary>
/// Picks a replica for a request naming a multiplexed model: among the replicas that hold the model (as published, or
/// as this router just sent it), the first with room in an order every router shares (rendezvous hashing of model and
/// replica), so one copy of each model takes its traffic and the others only its overflow. When none holds it — or,
/// once the request has waited <see cref="SpillAfter"/> for a busy holder, when none of those has room — the replica
/// with room holding the fewest models (then the least busy): it loads the model, and this router sends the model's
/// next requests there too. Null when the request should wait. Requests naming no model go to the choice it falls back on.
/// </summary>
/// <remarks>
/// A second copy of a model evicts another model, whose next request loads it again elsewhere: with as many models as
/// slots, a cascade of loads. So a request first waits for a busy holder (Ray waits 1 s for a matching replica
/// likewise); traffic goes to one preferred copy rather than spread over all (as power of two choices would), so a copy
/// made by a passing burst stops being used and becomes its replica's least recently used model; and a model held
/// nowhere goes preferably where such a copy can be given up.
/// </remarks>
internal sealed class ModelAwareChoice(IReplicaChoice fallback, TimeProvider time, Action? spilled = null) : IReplicaChoice
{
    /// <summary>Held while a model is placed on a replica that does not hold it, so that two requests never place it twice.</summary>
    private readonly Lock _placing = new();

    /// <summary>How long a model sent to a replica counts as held there before the replica's own report says so.</summary>
    internal static readonly TimeSpan AssignmentLifetime = TimeSpan.FromSeconds(5);

    /// <summary>How long a request waits for a busy replica holding its model before the model is loaded on another.</summary>
    internal static readonly TimeSpan SpillAfter = TimeSpan.FromSeconds(1);

    public TimeSpan PatienceFor(string? modelId) => modelId is null ? fallback.PatienceFor(null) : SpillAfter;

    public RoutedReplica? TryTake(RoutedReplica[] replicas, int limit, string? modelId, bool patienceOver)
    {
        if (modelId is null)
        {
            return fallback.TryTake(replicas, limit, null, patienceOver);
        }
        var chosen = Choose(replicas, limit, modelId, time, allowSpill: patienceOver, out var spill, _placing);
        if (spill)
        {
            spilled?.Invoke();
        }
        return chosen;
    }

    /// <param name="replicas">The router's replicas.</param>
    /// <param name="limit">MaxOngoingRequests per replica.</param>
    /// <param name="modelId">The request's model.</param>
    /// <param name="time">The clock that dates this router's assignments.</param>
    /// <param name="allowSpill">Whether the request waited long enough to load a copy on a replica that does not hold it.</param>
    /// <param name="spilled">Set when the model is held elsewhere but goes to a replica that will load another copy.</param>
    /// <param name="placing">
    /// The router's lock for placing a model on a replica that does not hold it, so that two requests for a model held
    /// nowhere never place it on two replicas.
    /// </param>
    public static RoutedReplica? Choose(
        RoutedReplica[] replicas, int limit, string modelId, TimeProvider time, bool allowSpill, out bool spilled, Lock placing)
    {
        spilled = false;
        if (TakeHolder(replicas, limit, modelId, time.GetTimestamp(), out var held) is { } holder)
        {
            return holder;
        }
        if (held && !allowSpill)
        {
            return null;
        }
        using (placing.EnterScope())
        {
            // Another request may have placed it meanwhile.
            var now = time.GetTimestamp();
            if (TakeHolder(replicas, limit, modelId, now, out held) is { } placed)
            {
                return placed;
            }
            if (held && !allowSpill)
            {
                return null;
            }
            var best = LeastToGiveUp(replicas, limit, modelId, now);
            if (best is null || !best.TryTake(limit))
            {
                return null;
            }
            spilled = held;
            best.Assign(modelId, now, now + (long)(AssignmentLifetime.TotalSeconds * time.TimestampFrequency));
            return best;
        }
    }

    /// <summary>The first holder with room in rendezvous order; <paramref name="held"/> says whether any replica holds it.</summary>
    private static RoutedReplica? TakeHolder(RoutedReplica[] replicas, int limit, string modelId, long now, out bool held)
    {
        var count = replicas.Length;
        Span<int> holders = count <= 64 ? stackalloc int[count] : new int[count];
        var found = 0;
        for (var i = 0; i < count; i++)
        {
            if (replicas[i].Holds(modelId, now))
            {
                holders[found++] = i;
            }
        }
        held = found > 0;
        return held ? TakeByRank(replicas, holders[..found], limit, modelId) : null;
    }

    /// <summary>
    /// The replica with room that gives up least to take a model: fewest models, not counting a copy that is not its
    /// model's preferred one (it gets only overflow, so it is likely what that replica evicts); then the least busy.
    /// </summary>
    private static RoutedReplica? LeastToGiveUp(RoutedReplica[] replicas, int limit, string modelId, long now)
    {
        var primaries = PrimaryHolders(replicas);
        RoutedReplica? best = null;
        var bestModels = int.MaxValue;
        var count = replicas.Length;
        var start = count > 1 ? Random.Shared.Next(count) : 0;
        for (var k = 0; k < count; k++)
        {
            var candidate = replicas[(start + k) % count];
            if (candidate.InFlight >= limit || candidate.Gone || candidate.Holds(modelId, now))
            {
                continue;
            }
            var models = candidate.ModelCount(now) - candidate.Models.Count(m => primaries.GetValueOrDefault(m) != candidate);
            if (best is null || models < bestModels || (models == bestModels && candidate.InFlight < best.InFlight))
            {
                (best, bestModels) = (candidate, models);
            }
        }
        return best;
    }

    /// <summary>Each published model's preferred holder: the one the rendezvous order puts first.</summary>
    private static Dictionary<string, RoutedReplica> PrimaryHolders(RoutedReplica[] replicas)
    {
        var primaries = new Dictionary<string, RoutedReplica>(StringComparer.Ordinal);
        foreach (var replica in replicas)
        {
            foreach (var model in replica.Models)
            {
                if (!primaries.TryGetValue(model, out var primary) || Score(model, replica.Id) > Score(model, primary.Id))
                {
                    primaries[model] = replica;
                }
            }
        }
        return primaries;
    }

    /// <summary>The holders in rendezvous order (highest score of model and replica first): the first with room.</summary>
    private static RoutedReplica? TakeByRank(RoutedReplica[] replicas, Span<int> indices, int limit, string modelId)
    {
        if (indices.Length == 1)
        {
            return replicas[indices[0]].TryTake(limit) ? replicas[indices[0]] : null;
        }
        Span<ulong> scores = indices.Length <= 64 ? stackalloc ulong[indices.Length] : new ulong[indices.Length];
        for (var i = 0; i < indices.Length; i++)
        {
            scores[i] = Score(modelId, replicas[indices[i]].Id);
        }
        for (var tried = 0; tried < indices.Length; tried++)
        {
            var top = 0;
            for (var i = 1; i < indices.Length; i++)
            {
                if (scores[i] > scores[top])
                {
                    top = i;
                }
            }
            if (replicas[indices[top]].TryTake(limit))
            {
                return replicas[indices[top]];
            }
            scores[top] = 0;
        }
        return null;
    }

    /// <summary>FNV-1a of the model and replica ids: the same in every process, unlike string hash codes. Never 0.</summary>
    internal static ulong Score(string modelId, string replicaId)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in modelId)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }
        hash = (hash ^ '|') * 1099511628211UL;
        foreach (var c in replicaId)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }
        return hash | 1;
    }
}
