namespace Serve.Tests.Infrastructure;

/// <summary>
/// Tests of what Serve does when nothing listens to its spans: not in parallel with other collections, whose tests
/// listen to Serve's activity source in this same process.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class UntracedCollection : ICollectionFixture<SingleSiloFixture>
{
    public const string Name = "untraced";
}
