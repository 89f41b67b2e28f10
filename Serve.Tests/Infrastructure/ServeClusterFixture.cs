using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.TestingHost;
using Serve.Cluster;
using Serve.Hosting;
using Serve.Replicas;

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

    /// <summary>The replicas the first silo hosts, by id: where a same-silo call goes direct.</summary>
    internal LocalReplicas LocalReplicas => Cluster.Silos[0].ServiceProvider.GetRequiredService<LocalReplicas>();

    /// <summary>The one replica of <paramref name="application"/>'s <paramref name="deployment"/>, as the first silo hosts it.</summary>
    internal async Task<(string Id, InProcessReplica Replica)> LocalReplicaAsync(string application, string deployment)
    {
        var id = (await Serve.GetStatusAsync()).Deployment(application, deployment).Replicas.Single().ReplicaId;
        return (id, Assert.IsType<InProcessReplica>(LocalReplicas.Find(id)));
    }

    public async Task InitializeAsync()
    {
        var builder = CreateBuilder(_silos);
        builder.ConfigureSilo((_, silo) =>
        {
            ConfigureSilo(silo);
            silo.AddServe(o =>
            {
                o.ControllerReconcilePeriod = TimeSpan.FromSeconds(2);
                ConfigureServe(o);
                TestDeployments.Register(o);
            });
        });
        builder.ConfigureClientHost(host => host.Logging.SetMinimumLevel(LogLevel.Warning));
        builder.ConfigureClient(client => client.AddServeClient());
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    /// <summary>What a derived fixture adds to each silo before Serve: grain call filters, say.</summary>
    protected virtual void ConfigureSilo(ISiloBuilder silo)
    {
    }

    /// <summary>What a derived fixture changes of Serve's options (the controller reconciles every 2 s unless it does).</summary>
    protected virtual void ConfigureServe(ServeOptions options)
    {
    }

    /// <summary>
    /// A builder for an in-process cluster of <paramref name="silos"/> silos whose hosts log at <paramref name="level"/>
    /// and above, to no file; the caller adds Serve and what its test needs to each silo.
    /// </summary>
    public static InProcessTestClusterBuilder CreateBuilder(short silos, LogLevel level = LogLevel.Warning)
    {
        var builder = new InProcessTestClusterBuilder(silos);
        builder.Options.ConfigureFileLogging = false;
        builder.ConfigureSiloHost((_, host) => host.Logging.SetMinimumLevel(level));
        return builder;
    }

    /// <summary>
    /// A builder for an in-process cluster of <paramref name="silos"/> silos of which one routes and hosts no replicas
    /// while every other (one added later too) hosts them, each with Serve and the test deployments;
    /// <paramref name="capacity"/> changes every silo's capacity, <paramref name="configure"/> adds what the test needs
    /// to each silo before Serve, and <paramref name="configureRouter"/> what it needs on the router alone.
    /// </summary>
    public static InProcessTestClusterBuilder CreateRouterAndWorkersBuilder(
        short silos,
        Action<ServeSiloOptions>? capacity = null,
        Action<ISiloBuilder>? configure = null,
        Action<ISiloBuilder>? configureRouter = null)
    {
        var builder = CreateBuilder(silos);
        // The cluster starts its silos concurrently, so which silo is configured first is a race: the one that is, is
        // the router. A test finds it by its options (HostsReplicas), never by its index or the order of configuring.
        var configured = 0;
        builder.ConfigureSilo((_, silo) =>
        {
            var router = Interlocked.Increment(ref configured) == 1;
            silo.AddServeSiloCapacity(new ConfigurationBuilder().Build(), o =>
            {
                o.HostsReplicas = !router;
                capacity?.Invoke(o);
            });
            configure?.Invoke(silo);
            if (router)
            {
                configureRouter?.Invoke(silo);
            }
            silo.AddServe(TestDeployments.Register);
        });
        return builder;
    }

    public virtual async Task DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
    }
}
