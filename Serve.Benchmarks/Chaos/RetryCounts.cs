namespace Serve.Benchmarks.Chaos;

/// <summary>The gateway routers' <c>serve.router.*</c> counters at one moment.</summary>
internal readonly record struct RetryCounts(long NeverDelivered, long IdempotentReplay, long ReplicaGone, long ReplicaUnavailable)
{
    public long Retries => NeverDelivered + IdempotentReplay + ReplicaGone;

    public static RetryCounts operator -(RetryCounts a, RetryCounts b) => new(
        a.NeverDelivered - b.NeverDelivered, a.IdempotentReplay - b.IdempotentReplay, a.ReplicaGone - b.ReplicaGone, a.ReplicaUnavailable - b.ReplicaUnavailable);
}
