namespace Serve.Tests.Infrastructure;

/// <summary>Config, admin API and CLI tests: they apply whole configs, which delete every other application, so they share one gateway and run one at a time.</summary>
[CollectionDefinition(Name)]
public sealed class AdminCollection : ICollectionFixture<AdminFixture>
{
    public const string Name = "admin";
}
