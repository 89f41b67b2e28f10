using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Serve.Testing;
using Serve.Tests.Deployments;
using Serve.Tests.Deployments.Http;

namespace Serve.Tests.Http;

/// <summary>
/// What minimal-API endpoints take from dependency injection, against the services they have: their own, not the silo's.
/// A real silo and gateway (local testing mode), the silo's services registered by <see cref="TestServiceSetup"/>.
/// </summary>
public sealed class IngressEndpointServicesTests
{
    private static Task<ServeTestHost> StartAsync()
    {
        var options = new ServeTestHostOptions
        {
            ConfigureServices = services => services.Configure<SiloConfiguredOptions>(o => o.Greeting = "from the silo"),
        };
        options.DeploymentAssemblies.Add(typeof(TestServiceSetup).Assembly);
        return ServeTestHost.StartAsync(options);
    }

    [Fact]
    public async Task RunAsync_EndpointsTakeSiloServicesOrAFormWithoutAntiforgery_DeployFailsNamingEachAndTheFix()
    {
        await using var serve = await StartAsync();
        var app = Deployment.For<SiloServiceEndpoints>().Options(o => o with { MaxConstructorRetryCount = 1 }).Bind();

        var error = await Assert.ThrowsAsync<DeployFailedException>(() => serve.RunAsync(app, "silo-services", "/"));

        // Before: /inferred read a new SetupRegisteredService from the body (200, not the service), /asked and /upload
        // failed every request with 500, and /options answered the defaults and /settings null.
        Assert.Contains("endpoint HTTP: GET /asked, parameter 'service' (SetupRegisteredService): [FromServices] asks the endpoints' services for it, and only the silo registered it", error.Reason);
        Assert.Contains("endpoint HTTP: POST /inferred, parameter 'service' (SetupRegisteredService): only the silo registered it, so the endpoint would read it from the request body as JSON", error.Reason);
        Assert.Contains("endpoint HTTP: GET /options, parameter 'options' (IOptions<SiloConfiguredOptions>): the silo configures SiloConfiguredOptions and the endpoints' services do not", error.Reason);
        Assert.Contains("Fix: take SetupRegisteredService in the deployment's constructor", error.Reason);
        Assert.Contains("endpoint HTTP: POST /upload takes a form, which ASP.NET Core checks for an antiforgery token, and the ingress has no antiforgery. Fix: call .DisableAntiforgery() on it", error.Reason);
        Assert.Contains("endpoint HTTP: GET /settings, parameter 'configuration' (IConfiguration): the endpoints' configuration is not the silo's", error.Reason);
        Assert.DoesNotContain("/fine", error.Reason);
    }

    [Fact]
    public async Task RunAsync_SiloServiceThroughTheConstructorAndFormWithoutAntiforgery_Serve()
    {
        await using var serve = await StartAsync();
        await serve.RunAsync(Deployment.For<ConstructorServiceEndpoints>().Bind(), "constructor-services", "/");

        Assert.Equal(TestServiceSetup.Text, await serve.Http.GetStringAsync("/service"));
        using var form = new MultipartFormDataContent { { new StringContent("model weights"), "file", "weights.bin" } };
        using var response = await serve.Http.PostAsync("/upload", form);
        Assert.Equal((HttpStatusCode.OK, "weights.bin: model weights"), (response.StatusCode, await response.Content.ReadAsStringAsync()));
    }
}
