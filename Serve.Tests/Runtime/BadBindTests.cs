using Serve.Samples.Composition;
using Serve.Tests.Deployments;
using Serve.Tests.Infrastructure;

namespace Serve.Tests.Runtime;

[Collection(SingleSiloCollection.Name)]
public sealed class BadBindTests(SingleSiloFixture fixture)
{
    [Fact]
    public async Task RunAsync_BadBind_ThrowsClearErrorAndDeploysNothing()
    {
        var error = await Assert.ThrowsAsync<InvalidApplicationException>(() =>
            fixture.Serve.RunAsync(Deployment.For<Greeter>().Bind(3.14), "bad-bind", null));

        Assert.Contains("parameter 'greeting' of Greeter is String but Bind gave a Double", error.Message);
        Assert.False((await fixture.Serve.GetStatusAsync()).Applications.ContainsKey("bad-bind"));
    }

    [Fact]
    public async Task RunAsync_HandleMissingFromBind_ThrowsAtOnceAndDeploysNothing()
    {
        // Before, the graph was accepted and each replica start failed ("register DeploymentHandle<IMessage> in the
        // silo's services") until the deployment gave up, seconds later on one silo and 20 starts later on a cluster.
        var error = await Assert.ThrowsAsync<InvalidApplicationException>(() =>
            fixture.Serve.RunAsync(Deployment.For<Ingress>().Bind(Deployment.For<Hello>().Bind()), "unbound-handle", null));

        Assert.Contains("parameter 'world' (DeploymentHandle<IMessage>) of Ingress(", error.Message);
        Assert.False((await fixture.Serve.GetStatusAsync()).Applications.ContainsKey("unbound-handle"));
    }

    [Fact]
    public async Task RunAsync_PrefixTakenByAnotherApp_ThrowsAndKeepsFirst()
    {
        await fixture.Serve.RunAsync(Deployment.For<Greeter>().Bind("one"), "prefix-one", "/taken");

        var error = await Assert.ThrowsAsync<InvalidApplicationException>(() =>
            fixture.Serve.RunAsync(Deployment.For<Greeter>().Bind("two"), "prefix-two", "/taken"));

        Assert.Contains("route prefix '/taken' is already served by application 'prefix-one'", error.Message);
        var status = await fixture.Serve.GetStatusAsync();
        Assert.False(status.Applications.ContainsKey("prefix-two"));
        Assert.Equal(ApplicationState.Running, status.Applications["prefix-one"].State);
        await fixture.Serve.DeleteAsync("prefix-one");
    }
}
