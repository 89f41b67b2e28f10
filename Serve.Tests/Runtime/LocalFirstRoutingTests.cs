using Microsoft.Extensions.DependencyInjection;
using Serve.Tests.Deployments;
using Serve.Tests.Infrastructure;

namespace Serve.Tests.Runtime;

/// <summary>
/// Routers on silos prefer a replica of their own silo (<see cref="ServeRoutingOptions.PreferLocalReplicas"/>, on by
/// default): one replica per silo of three, called one call at a time, so every replica is idle at each pick.
/// </summary>
[Collection(ThreeSiloCollection.Name)]
public sealed class LocalFirstRoutingTests(ThreeSiloFixture fixture)
{
    private const int Calls = 30;

    private static async Task<HashSet<string>> AnsweredByAsync(IProbe probe)
    {
        var instances = new HashSet<string>();
        for (var i = 0; i < Calls; i++)
        {
            instances.Add(await probe.WhoAsync());
        }
        return instances;
    }

    [Fact]
    public async Task Call_FromEachSiloWithAReplicaThere_EveryCallAnsweredByThatSilosReplica()
    {
        await fixture.Serve.RunAsync<IProbe>(Deployment.For<Probe>().Options(o => o with { NumReplicas = 3 }).Bind(), "local-first", null);
        var replicas = (await fixture.Serve.WaitForAsync(s => s.Deployment("local-first", "Probe").RunningReplicas == 3)).Deployment("local-first", "Probe").Replicas;
        Assert.Equal(3, replicas.Select(r => r.Silo).Distinct().Count());

        // Power of two choices alone would answer 30 idle calls from one replica of three once in 3^29.
        var bySilo = new List<string>();
        foreach (var silo in fixture.Cluster.Silos)
        {
            var handle = silo.ServiceProvider.GetRequiredService<IServeClient>().GetDeploymentHandle<IProbe>("Probe", "local-first");
            bySilo.Add(Assert.Single(await AnsweredByAsync(handle.Remote)));
        }

        Assert.Equal(3, bySilo.Distinct().Count());
        await fixture.Serve.DeleteAsync("local-first");
    }

    [Fact]
    public async Task Call_FromAnOrleansClient_SpreadOverReplicasByLoad()
    {
        var handle = await fixture.ExternalServe.RunAsync<IProbe>(Deployment.For<Probe>().Options(o => o with { NumReplicas = 3 }).Bind(), "local-first-client", null);
        await fixture.Serve.WaitForAsync(s => s.Deployment("local-first-client", "Probe").RunningReplicas == 3);

        // No replica is local to a client: its idle calls go to random replicas (all 30 to one, once in 3^29).
        Assert.True((await AnsweredByAsync(handle.Remote)).Count > 1);
        await fixture.ExternalServe.DeleteAsync("local-first-client");
    }
}
