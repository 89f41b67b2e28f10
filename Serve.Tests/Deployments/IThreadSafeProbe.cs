namespace Serve.Tests.Deployments;

/// <summary>The contract of <see cref="ThreadSafeProbe"/>: what a thread-safe replica called from its own silo lets user code see.</summary>
public interface IThreadSafeProbe
{
    /// <summary>
    /// Blocks its thread, without awaiting, until <paramref name="count"/> calls have arrived (or 10 s pass); then returns
    /// its thread's id, or -1 when they never met. Calls meet only when they run on several threads at once.
    /// </summary>
    Task<int> MeetAsync(int count, CancellationToken cancellationToken = default);

    /// <summary>Uses the instance a little, recording a use after it was disposed; returns the instance's id.</summary>
    Task<string> UseAsync(CancellationToken cancellationToken = default);

    /// <summary>Waits on the gate named <paramref name="gate"/>; returns the instance's id.</summary>
    Task<string> HoldAsync(string gate, CancellationToken cancellationToken = default);

    /// <summary>Throws <see cref="InvalidOperationException"/> with <paramref name="message"/>.</summary>
    Task<string> FailAsync(string message, CancellationToken cancellationToken = default);

    /// <summary>What the call sees of Orleans' request context under <paramref name="key"/> and of <see cref="DirectProbe.CallerLocal"/>.</summary>
    Task<string> ContextAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>Whether the call runs under a grain's scheduler ("scheduled") or not ("free"), before and after an await.</summary>
    Task<string> WhereAsync(CancellationToken cancellationToken = default);
}
