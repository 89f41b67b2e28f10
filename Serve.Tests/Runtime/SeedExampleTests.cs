using Serve.Samples;
using Serve.Samples.Composition;
using Serve.Samples.FirstDeployment;
using Serve.Tests.Infrastructure;

namespace Serve.Tests.Runtime;

[Collection(SingleSiloCollection.Name)]
public sealed class SeedExampleTests(SingleSiloFixture fixture)
{
    [Fact]
    public async Task RunAsync_FirstDeployment_HandleReturnsBoundMessage()
    {
        var handle = await fixture.Serve.RunAsync<IMessage>(MyFirstDeployment.App(), "seed-first", routePrefix: null);

        Assert.Equal("Hello world!", await handle.Remote.CallAsync());
        Assert.Equal("Hello world!", await handle.CallAsync<string>());
        await fixture.Serve.DeleteAsync("seed-first");
    }

    [Fact]
    public async Task RunAsync_Composition_IngressJoinsBothChildHandles()
    {
        var handle = await fixture.Serve.RunAsync<IMessage>(Ingress.App(), "seed-composition", routePrefix: null);

        Assert.Equal("Hello world!", await handle.Remote.CallAsync());
        var status = await fixture.Serve.GetStatusAsync();
        Assert.Equal(["Hello", "Ingress", "World"], status.Applications["seed-composition"].Deployments.Keys.Order());
        Assert.Equal(ApplicationState.Running, status.Applications["seed-composition"].State);
        await fixture.Serve.DeleteAsync("seed-composition");
    }
}
