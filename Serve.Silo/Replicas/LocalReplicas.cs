using System.Collections.Concurrent;
using Serve.Routing;

namespace Serve.Replicas;

/// <summary>The replicas started in this silo and not yet stopped, as its routers ask (<see cref="ILocalReplicas"/>).</summary>
internal sealed class LocalReplicas : ILocalReplicas
{
    private readonly ConcurrentDictionary<string, byte> _running = new(StringComparer.Ordinal);

    public bool Contains(string replicaId) => _running.ContainsKey(replicaId);

    /// <summary>The replica started here: it is in this silo's replica sets from now on.</summary>
    public void Add(string replicaId) => _running.TryAdd(replicaId, 0);

    /// <summary>The replica stopped or its activation ended.</summary>
    public void Remove(string replicaId) => _running.TryRemove(replicaId, out _);
}
