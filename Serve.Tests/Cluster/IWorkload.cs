namespace Serve.Tests.Cluster;

/// <summary>The contract of the deployment the process-cluster tests call.</summary>
public interface IWorkload
{
    /// <summary>Works for <paramref name="milliseconds"/>, then returns the id of the process it ran in.</summary>
    Task<int> WorkAsync(int milliseconds, CancellationToken cancellationToken = default);
}
