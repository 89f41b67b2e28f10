namespace Serve.Tests.Infrastructure;

/// <summary>
/// Tests that follow a silo's own Prometheus scrape across several deployments: not in parallel with other collections.
/// Every host in this process makes <c>Serve</c> meters of its own, and OpenTelemetry's SDK stops collecting the
/// instruments of every meter of a name once one meter of that name is disposed (open-telemetry/opentelemetry-dotnet#6412):
/// another test stopping its host meanwhile would empty this test's scrape.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ScrapedAloneCollection
{
    public const string Name = "scraped alone";
}
