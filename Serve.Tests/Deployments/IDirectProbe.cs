namespace Serve.Tests.Deployments;

/// <summary>The contract of <see cref="DirectProbe"/>: what a replica called from its own silo lets user code see.</summary>
public interface IDirectProbe
{
    /// <summary>Spins a while without awaiting, twice, an await between, then returns the most this instance ever saw inside a spin at once.</summary>
    Task<int> CrowdAsync(CancellationToken cancellationToken = default);

    /// <summary>Spins as <see cref="CrowdAsync"/> does before each of <paramref name="count"/> items, each the most seen so far.</summary>
    IAsyncEnumerable<int> CrowdStreamAsync(int count, CancellationToken cancellationToken = default);

    /// <summary>The most calls, stream steps and health checks this instance ever saw inside their spins at once.</summary>
    Task<int> MostInsideAsync(CancellationToken cancellationToken = default);

    /// <summary>The managed id of the thread the call ran on, answered synchronously.</summary>
    Task<int> ThreadAsync(CancellationToken cancellationToken = default);

    /// <summary>Waits on the gate named <paramref name="gate"/>, then says whether the instance was disposed meanwhile.</summary>
    Task<string> HoldAsync(string gate, CancellationToken cancellationToken = default);

    /// <summary>What the call sees of Orleans' request context under <paramref name="key"/> and of <see cref="DirectProbe.CallerLocal"/>.</summary>
    Task<string> ContextAsync(string key, CancellationToken cancellationToken = default);
}
