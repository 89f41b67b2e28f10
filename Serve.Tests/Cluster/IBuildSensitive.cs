namespace Serve.Tests.Cluster;

/// <summary>The contract of <see cref="BuildSensitive"/>.</summary>
public interface IBuildSensitive
{
    /// <summary>The process the replica runs in.</summary>
    Task<int> ProcessIdAsync(CancellationToken cancellationToken = default);
}
