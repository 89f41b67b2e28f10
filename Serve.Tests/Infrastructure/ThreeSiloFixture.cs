namespace Serve.Tests.Infrastructure;

/// <summary>Three silos, for placement and cross-silo calls.</summary>
public sealed class ThreeSiloFixture() : ServeClusterFixture(3);
