namespace Serve.Tests.Cluster;

/// <summary>The contract of <see cref="Relay"/>.</summary>
public interface IRelay
{
    /// <summary>Calls <see cref="IWorkload"/> <paramref name="calls"/> times through its handle, one after another.</summary>
    Task<RelayReport> RelayAsync(int calls, CancellationToken cancellationToken = default);
}
