namespace Serve.Tests.Cluster;

/// <summary>
/// The multi-process cluster tests: sequential, and not in parallel with other collections, whose CPU use
/// would blur the fast liveness timings they rely on.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessClusterCollection : ICollectionFixture<ProcessClusterFixture>
{
    public const string Name = "process cluster";
}
