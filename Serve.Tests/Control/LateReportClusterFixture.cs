using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using Serve.Tests.Infrastructure;

namespace Serve.Tests.Control;

/// <summary>
/// One silo of its own whose <see cref="LateReportFilter"/> can deliver a status report late. Its controller reconciles
/// once, at start (a pass would mend a lost status and hide it), and its long polls answer after a second unchanged.
/// </summary>
public sealed class LateReportClusterFixture : IAsyncLifetime
{
    public InProcessTestCluster Cluster { get; private set; } = null!;

    public IServeClient Serve => Cluster.Silos[0].ServiceProvider.GetRequiredService<IServeClient>();

    public async Task InitializeAsync()
    {
        var builder = ServeClusterFixture.CreateBuilder(1);
        builder.ConfigureSilo((_, silo) => silo
            .AddIncomingGrainCallFilter<LateReportFilter>()
            .AddServe(o =>
            {
                o.ControllerReconcilePeriod = TimeSpan.FromHours(1);
                o.LongPollTimeout = TimeSpan.FromSeconds(1);
                TestDeployments.Register(o);
            }));
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        LateReportFilter.Armed = null;
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
    }
}
