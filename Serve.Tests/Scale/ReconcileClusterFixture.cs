using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using Serve.Tests.Infrastructure;

namespace Serve.Tests.Scale;

/// <summary>
/// One silo of its own whose controller reconciles every 200 ms, whose <see cref="HeldEnsureFilter"/> can hold those calls,
/// and whose <see cref="DroppedReportFilter"/> can lose an application's status reports.
/// </summary>
public sealed class ReconcileClusterFixture : IAsyncLifetime
{
    public InProcessTestCluster Cluster { get; private set; } = null!;

    public IServeClient Serve => Cluster.Silos[0].ServiceProvider.GetRequiredService<IServeClient>();

    public async Task InitializeAsync()
    {
        var builder = ServeClusterFixture.CreateBuilder(1);
        builder.ConfigureSilo((_, silo) => silo
            .AddIncomingGrainCallFilter<HeldEnsureFilter>()
            .AddIncomingGrainCallFilter<DroppedReportFilter>()
            .AddServe(o =>
            {
                o.ControllerReconcilePeriod = TimeSpan.FromMilliseconds(200);
                TestDeployments.Register(o);
            }));
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        HeldEnsureFilter.Hold = null;
        DroppedReportFilter.Armed = false;
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
    }
}
