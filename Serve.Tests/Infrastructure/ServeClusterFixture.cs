using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.TestingHost;

namespace Serve.Tests.Infrastructure;

/// <summary>A real in-process Orleans cluster with Serve on every silo and an external client.</summary>
public abstract class ServeClusterFixture : IAsyncLifetime
{
    private readonly short _silos;

    protected ServeClusterFixture(short silos) => _silos = silos;

    public InProcessTestCluster Cluster { get; private set; } = null!;

    /// <summary>The <see cref="IServeClient"/> of the first silo.</summary>
    public IServeClient Serve => Cluster.Silos[0].ServiceProvider.GetRequiredService<IServeClient>();

    /// <summary>The <see cref="IServeClient"/> of the external Orleans client (another host, not a silo).</summary>
    public IServeClient ExternalServe => Cluster.Client.ServiceProvider.GetRequiredService<IServeClient>();

    public async Task InitializeAsync()
    {
        var builder = new InProcessTestClusterBuilder(_silos);
        builder.Options.ConfigureFileLogging = false;
        builder.ConfigureSiloHost((_, host) => host.Logging.SetMinimumLevel(LogLevel.Warning));
        builder.ConfigureSilo((_, silo) => silo.AddServe(o =>
        {
            o.ControllerReconcilePeriod = TimeSpan.FromSeconds(2);
            TestDeployments.Register(o);
        }));
        builder.ConfigureClientHost(host => host.Logging.SetMinimumLevel(LogLevel.Warning));
        builder.ConfigureClient(client => client.AddServeClient());
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
    }
}
