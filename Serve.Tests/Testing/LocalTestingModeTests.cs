using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Serve.Samples;
using Serve.Samples.BasicIngress;
using Serve.Samples.Composition;
using Serve.Samples.FastApiIngress;
using Serve.Samples.FirstDeployment;
using Serve.Testing;

namespace Serve.Tests.Testing;

/// <summary>Local testing mode running the seed's four examples: handles, composition and HTTP through the in-memory test server.</summary>
public sealed class LocalTestingModeTests
{
    [Fact]
    public async Task StartAsync_FirstDeployment_HandleAndHttpAnswerTheBoundMessage()
    {
        await using var serve = await ServeTestHost.StartAsync(MyFirstDeployment.App());

        var handle = await serve.Client.GetAppHandleAsync<IMessage>();
        Assert.Equal("Hello world!", await handle.Remote.CallAsync());
        Assert.Equal("Hello world!", await serve.Http.GetStringAsync("/"));
    }

    [Fact]
    public async Task StartAsync_Composition_IngressJoinsBothChildrenOverHandlesAndHttp()
    {
        await using var serve = await ServeTestHost.StartAsync(Ingress.App());

        var handle = await serve.Client.GetAppHandleAsync<IMessage>();
        Assert.Equal("Hello world!", await handle.Remote.CallAsync());
        Assert.Equal("Hello world!", await serve.Http.GetStringAsync("/"));
        var status = await serve.Client.GetStatusAsync();
        Assert.Equal(["Hello", "Ingress", "World"], status.Applications["default"].Deployments.Keys.Order());
    }

    [Fact]
    public async Task StartAsync_BasicIngress_GreetsTheJsonBodysName()
    {
        await using var serve = await ServeTestHost.StartAsync(MostBasicIngress.App());

        using var request = new HttpRequestMessage(HttpMethod.Get, "/") { Content = JsonContent.Create(new { name = "Corey" }) };
        using var response = await serve.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Hello Corey!", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task StartAsync_FastApiIngress_RoutesTheMinimalApiEndpoint()
    {
        await using var serve = await ServeTestHost.StartAsync(FastApiIngress.App());

        Assert.Equal("Hello Corey!", await serve.Http.GetStringAsync("/Corey"));
        Assert.Equal(HttpStatusCode.NotFound, (await serve.Http.GetAsync("/Corey/extra")).StatusCode);
    }

    private sealed record FixedSalutation(string Text) : ISalutation;

    [Fact]
    public async Task StartAsync_ConfigureServices_DeploymentConstructorGetsTheRegisteredService()
    {
        var options = new ServeTestHostOptions { ConfigureServices = services => services.AddSingleton<ISalutation>(new FixedSalutation("Howdy")) };
        options.DeploymentAssemblies.Add(typeof(SalutationMessage).Assembly);
        await using var serve = await ServeTestHost.StartAsync(options);

        var handle = await serve.RunAsync<IMessage>(Deployment.For<SalutationMessage>().Bind(), "salutation", routePrefix: null);

        Assert.Equal("Howdy world!", await handle.Remote.CallAsync());
    }

    [Fact]
    public async Task StartAsync_DeploymentAssemblyWithAServiceSetup_DeploymentConstructorGetsItsService()
    {
        var options = new ServeTestHostOptions();
        options.DeploymentAssemblies.Add(typeof(Deployments.SetupServed).Assembly);
        await using var serve = await ServeTestHost.StartAsync(options);

        var handle = await serve.RunAsync<Deployments.ISetupServed>(Deployment.For<Deployments.SetupServed>().Bind(), "setup-served", routePrefix: null);

        Assert.StartsWith(Deployments.TestServiceSetup.Text, await handle.Remote.WhoAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_SeveralApplications_EachAnswersUnderItsRoutePrefix()
    {
        var options = new ServeTestHostOptions();
        options.DeploymentAssemblies.Add(typeof(MyFirstDeployment).Assembly);
        await using var serve = await ServeTestHost.StartAsync(options);

        await serve.RunAsync(MyFirstDeployment.App(), "first", "/first");
        var composition = await serve.RunAsync<IMessage>(Ingress.App(), "composition", "/composition");

        Assert.Equal("Hello world!", await serve.Http.GetStringAsync("/first"));
        Assert.Equal("Hello world!", await serve.Http.GetStringAsync("/composition"));
        Assert.Equal("Hello world!", await composition.Remote.CallAsync());
    }

    [Fact]
    public async Task RunAsync_DeploymentAssemblyNotRegistered_FailsNamingTheAssembly()
    {
        await using var serve = await ServeTestHost.StartAsync(new ServeTestHostOptions());

        // One refused start is enough to fail (the default retries 20 times, with backoff).
        var app = Deployment.For<MyFirstDeployment>().Options(o => o with { MaxConstructorRetryCount = 1 }).Bind("Hello world!");

        var error = await Assert.ThrowsAnyAsync<ServeException>(() => serve.RunAsync(app));

        Assert.Contains("Serve.Samples", error.Message);
    }
}
