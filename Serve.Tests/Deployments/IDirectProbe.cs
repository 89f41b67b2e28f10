namespace Serve.Tests.Deployments;

/// <summary>The contract of <see cref="DirectProbe"/>: what a replica called from its own silo lets user code see.</summary>
public interface IDirectProbe
{
    /// <summary>Spins a while without awaiting, then returns the most calls this instance ever saw inside that spin at once.</summary>
    Task<int> CrowdAsync(CancellationToken cancellationToken = default);

    /// <summary>Waits on the gate named <paramref name="gate"/>, then says whether the instance was disposed meanwhile.</summary>
    Task<string> HoldAsync(string gate, CancellationToken cancellationToken = default);

    /// <summary>What the call sees of Orleans' request context under <paramref name="key"/> and of <see cref="DirectProbe.CallerLocal"/>.</summary>
    Task<string> ContextAsync(string key, CancellationToken cancellationToken = default);
}
