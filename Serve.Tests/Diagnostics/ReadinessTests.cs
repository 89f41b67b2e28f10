using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging.Abstractions;
using Serve.Health;
using Serve.Routing;
using Serve.Tests.Infrastructure;

namespace Serve.Tests.Diagnostics;

[Collection(SingleSiloCollection.Name)]
public sealed class ReadinessTests(SingleSiloFixture fixture)
{
    [Fact]
    public async Task Readiness_BeforeAndAfterRouteTableLoads_UnhealthyThenHealthy()
    {
        var grains = fixture.Cluster.Silos[0].ServiceProvider.GetRequiredService<IGrainFactory>();
        var watcher = new RouteTableWatcher(grains, fixture.Cluster.Silos[0].ServiceProvider, TimeProvider.System, NullLogger<RouteTableWatcher>.Instance);
        await using var services = new ServiceCollection()
            .AddLogging()
            .AddSingleton(watcher)
            .AddHealthChecks().AddCheck<RouteTableHealthCheck>(RouteTableHealthCheck.Name, tags: [ServeHealth.Ready]).Services
            .BuildServiceProvider();
        var health = services.GetRequiredService<HealthCheckService>();

        var before = await health.CheckHealthAsync(r => r.Tags.Contains(ServeHealth.Ready));
        Assert.Equal(HealthStatus.Unhealthy, before.Status);
        Assert.Equal("no route table from the controller yet", before.Entries[RouteTableHealthCheck.Name].Description);

        await watcher.StartAsync(CancellationToken.None);
        try
        {
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            HealthReport after;
            while ((after = await health.CheckHealthAsync(r => r.Tags.Contains(ServeHealth.Ready), deadline.Token)).Status != HealthStatus.Healthy)
            {
                await Task.Delay(20, deadline.Token);
            }
            Assert.True(watcher.HasTable);
        }
        finally
        {
            await watcher.StopAsync(CancellationToken.None);
        }
    }
}
