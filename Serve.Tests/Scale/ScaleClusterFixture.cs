using Serve.Tests.Infrastructure;

namespace Serve.Tests.Scale;

/// <summary>Three silos of their own, so a thousand replicas disturb no other test's cluster.</summary>
public sealed class ScaleClusterFixture() : ServeClusterFixture(3);
