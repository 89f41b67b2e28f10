using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Serve.Testing;
using Serve.Tests.Deployments;
using Serve.Tests.Deployments.Http;

namespace Serve.Tests.Http;

/// <summary>
/// What minimal-API endpoints take from dependency injection: their own services, then the silo's. A real silo and
/// gateway (local testing mode), the silo's services registered by <see cref="TestServiceSetup"/> and the host's options.
/// </summary>
public sealed class IngressEndpointServicesTests
{
    private const string SiloGreeting = "from the silo's settings";

    private static Task<ServeTestHost> StartAsync()
    {
        var options = new ServeTestHostOptions
        {
            ConfigureServices = services => services
                .Configure<SiloConfiguredOptions>(o => o.Greeting = "from the silo")
                .AddScoped<SiloScopedService>(),
        };
        options.Configuration["Team:Greeting"] = SiloGreeting;
        options.DeploymentAssemblies.Add(typeof(TestServiceSetup).Assembly);
        return ServeTestHost.StartAsync(options);
    }

    [Fact]
    public async Task RunAsync_EndpointsTakeTheSilosServicesOptionsAndSettings_ServedFromTheSilo()
    {
        await using var serve = await StartAsync();
        await serve.RunAsync(Deployment.For<SiloServiceEndpoints>().Bind(), "silo-services", "/");

        // Before: the replica refused to start. Before that check: /inferred read a new SetupRegisteredService from the
        // body, /asked failed every request with 500, /options answered the defaults and /settings null.
        Assert.Equal(TestServiceSetup.Text, await serve.Http.GetStringAsync("/asked"));
        using var inferred = await serve.Http.PostAsync("/inferred", content: null);
        Assert.Equal((HttpStatusCode.OK, TestServiceSetup.Text), (inferred.StatusCode, await inferred.Content.ReadAsStringAsync()));
        Assert.Equal("from the silo", await serve.Http.GetStringAsync("/options"));
        Assert.Equal(SiloGreeting, await serve.Http.GetStringAsync("/settings"));
        // The silo's scoped service: one instance through a request, another for the next.
        var first = await serve.Http.GetStringAsync("/scoped");
        var second = await serve.Http.GetStringAsync("/scoped");
        Assert.True(Guid.TryParse(first, out _), first);
        Assert.True(Guid.TryParse(second, out _), second);
        Assert.NotEqual(first, second);
    }

    [Fact]
    public async Task RunAsync_FormEndpointWithoutAntiforgery_DeployFailsNamingItAndTheFix()
    {
        await using var serve = await StartAsync();
        var app = Deployment.For<FormWithoutAntiforgeryEndpoints>().Options(o => o with { MaxConstructorRetryCount = 1 }).Bind();

        var error = await Assert.ThrowsAsync<DeployFailedException>(() => serve.RunAsync(app, "form", "/"));

        // Before: every request to /upload failed with 500, telling to call app.UseAntiforgery(), which an ingress cannot.
        Assert.Contains("endpoint HTTP: POST /upload takes a form, which ASP.NET Core checks for an antiforgery token, and the ingress has no antiforgery. Fix: call .DisableAntiforgery() on it", error.Reason);
        Assert.DoesNotContain("/fine", error.Reason);
    }

    [Fact]
    public async Task Post_FormToAnIngressWithAntiforgery_TakenWithItsTokenRefusedWithout()
    {
        await using var serve = await StartAsync();
        await serve.RunAsync(Deployment.For<AntiforgeryFormEndpoints>().Bind(), "antiforgery", "/");
        using var issued = await serve.Http.GetAsync("/token");
        var token = await issued.Content.ReadAsStringAsync();
        var cookie = Assert.Single(issued.Headers.GetValues("Set-Cookie")).Split(';')[0];

        using var withToken = await PostFormAsync(serve.Http, cookie, token);
        using var without = await PostFormAsync(serve.Http, cookie, token: null);

        // Serve runs the antiforgery middleware between routing and the endpoints once the ingress registers it.
        Assert.Equal((HttpStatusCode.OK, "weights.bin"), (withToken.StatusCode, await withToken.Content.ReadAsStringAsync()));
        Assert.Equal(HttpStatusCode.BadRequest, without.StatusCode);
        Assert.Contains("anti-forgery token", await without.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private static Task<HttpResponseMessage> PostFormAsync(HttpClient http, string cookie, string? token)
    {
        var form = new MultipartFormDataContent { { new StringContent("model weights"), "file", "weights.bin" } };
        if (token is not null)
        {
            form.Add(new StringContent(token), "__RequestVerificationToken");
        }
        var request = new HttpRequestMessage(HttpMethod.Post, "/upload") { Content = form };
        request.Headers.Add("Cookie", cookie);
        return http.SendAsync(request);
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
