using System.Collections.Concurrent;
using Serve.Routing;

namespace Serve.Replicas;

/// <summary>The replicas started in this silo and not yet stopped, as its routers ask (<see cref="ILocalReplicas"/>).</summary>
internal sealed class LocalReplicas : ILocalReplicas
{
    private readonly ConcurrentDictionary<string, InProcessReplica> _running = new(StringComparer.Ordinal);

    public bool Contains(string replicaId) => _running.ContainsKey(replicaId);

    public ILocalReplica? Find(string replicaId) => _running.TryGetValue(replicaId, out var replica) ? replica : null;

    /// <summary>The replica started here: it is in this silo's replica sets from now on, and its calls from here go direct.</summary>
    public void Add(string replicaId, InProcessReplica replica) => _running[replicaId] = replica;

    /// <summary>The replica stops or its activation ends: calls from here go through Orleans again, which answers that it is gone.</summary>
    public void Remove(string replicaId) => _running.TryRemove(replicaId, out _);
}
