using Serve.Tests.Deployments;
using Serve.Tests.Infrastructure;

namespace Serve.Tests.Runtime;

[Collection(ThreeSiloCollection.Name)]
public sealed class PlacementTests(ThreeSiloFixture fixture)
{
    [Fact]
    public async Task RunAsync_SixReplicasOnThreeSilos_SpreadsTwoPerSilo()
    {
        var app = Deployment.For<Probe>().Options(o => o with { NumReplicas = 6 }).Bind();
        await fixture.Serve.RunAsync(app, "spread", null);

        var replicas = (await fixture.Serve.GetStatusAsync()).Deployment("spread", "Probe").Replicas;

        Assert.Equal(6, replicas.Count);
        Assert.All(replicas, r => Assert.Equal(ReplicaState.Running, r.State));
        var silos = fixture.Cluster.Silos.Select(s => s.SiloAddress.ToString()).Order().ToArray();
        Assert.Equal(silos, replicas.Select(r => r.Silo!).Distinct().Order().ToArray());
        Assert.All(replicas.GroupBy(r => r.Silo), g => Assert.Equal(2, g.Count()));
        await fixture.Serve.DeleteAsync("spread");
    }

    [Fact]
    public async Task Composition_AcrossSilos_ExternalClientRunsAndCalls()
    {
        var handle = await fixture.ExternalServe.RunAsync<Serve.Samples.IMessage>(Serve.Samples.Composition.Ingress.App(), "remote-composition", null);

        Assert.Equal("Hello world!", await handle.Remote.CallAsync());
        await fixture.ExternalServe.DeleteAsync("remote-composition");
    }
}
