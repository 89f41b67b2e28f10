using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Serve.Replicas;
using Serve.Tests.Deployments.Http;
using Serve.Tests.Infrastructure;

namespace Serve.Tests.Gateway;

[Collection(GatewayCollection.Name)]
public sealed class LocalExchangeTests(GatewayFixture fixture)
{
    [Fact]
    public async Task Forward_ReplicaInGatewaySilo_ExchangeGoesDirectOtherThroughOrleans()
    {
        await fixture.Serve.RunAsync(Deployment.For<EchoIngress>().Options(o => o with { NumReplicas = 2 }).Bind("local"),
            new RunOptions { Name = "local-http", RoutePrefix = "/local-http" });
        await fixture.WaitForRoutesAsync(r => r.GetValueOrDefault("/local-http") == "local-http");
        var replicas = (await fixture.Serve.GetStatusAsync()).Deployment("local-http", "EchoIngress").Replicas;
        var here = replicas.Single(r => r.Silo == fixture.GatewaySilo).ReplicaId;
        var local = Assert.IsType<InProcessReplica>(fixture.GatewayServices.GetRequiredService<LocalReplicas>().Find(here));
        var before = local.Calls;

        var served = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            served.Add((await fixture.Http.GetFromJsonAsync<EchoReply>("/local-http"))!.Silo);
        }

        Assert.Equal(served.Count(s => s == fixture.GatewaySilo), local.Calls - before);
        await fixture.Serve.DeleteAsync("local-http");
    }

    [Fact]
    [Trait("Category", "Cluster")]
    public async Task Forward_ManyExchangesAtOnce_IngressNeverRunsOnTwoThreadsAtOnce()
    {
        // One replica in the gateway's silo (its exchanges go direct, from Kestrel's threads) and one away (through Orleans).
        await fixture.Serve.RunAsync(Deployment.For<CrowdIngress>().Options(o => o with { NumReplicas = 2 }).Bind(),
            new RunOptions { Name = "crowd-http", RoutePrefix = "/crowd-http" });
        await fixture.WaitForRoutesAsync(r => r.GetValueOrDefault("/crowd-http") == "crowd-http");

        var answers = await Task.WhenAll(Enumerable.Range(0, 64).Select(_ => fixture.Http.GetStringAsync("/crowd-http")))
            .WaitAsync(TimeSpan.FromSeconds(30));

        Assert.All(answers, a => Assert.Equal("1", a));
        await fixture.Serve.DeleteAsync("crowd-http");
    }
}
