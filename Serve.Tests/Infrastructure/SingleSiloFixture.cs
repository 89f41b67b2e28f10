namespace Serve.Tests.Infrastructure;

/// <summary>One silo: the embedded mode's shape.</summary>
public sealed class SingleSiloFixture() : ServeClusterFixture(1);
