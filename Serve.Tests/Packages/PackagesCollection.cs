namespace Serve.Tests.Packages;

/// <summary>The tests that use the packed packages share one instantiation and one build of the template.</summary>
[CollectionDefinition(Name)]
public sealed class PackagesCollection : ICollectionFixture<PackagesFixture>
{
    public const string Name = "Packages";
}
