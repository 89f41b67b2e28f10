using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Serve.Tests.Deployments.Http;
using Serve.Tests.Infrastructure;

namespace Serve.Tests.Gateway;

/// <summary>
/// <see cref="IServeClient.RunAsync(BoundDeployment, string, string?, CancellationToken)"/> returns once every live gateway
/// serves the application's route, so a request sent the moment it returns is answered, not 404: here by a gateway that
/// takes each route table in a second late (<see cref="LateRoutesFilter"/>), long after the application is RUNNING.
/// </summary>
[Trait("Category", "Cluster")]
public sealed class RunReachesGatewaysTests : IAsyncLifetime
{
    private WebApplication _gateway = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _gateway = await TestGateway.StartAsync("run-reaches-gateways", o => o.Port = 0,
            services => services.AddSingleton<IOutgoingGrainCallFilter>(new LateRoutesFilter(TimeSpan.FromSeconds(1))));
        _http = new HttpClient { BaseAddress = _gateway.ListeningAddresses().First(), Timeout = TimeSpan.FromSeconds(30) };
        await _http.WaitUntilHealthyAsync();
    }

    [Fact]
    public async Task RunAsync_GatewayTakesRoutesInLate_RequestSentAsItReturnsAnswered()
    {
        var serve = _gateway.Services.GetRequiredService<IServeClient>();
        for (var i = 0; i < 4; i++)
        {
            var app = $"reach-{i}";
            await serve.RunAsync(Deployment.For<EchoIngress>().Bind(app), app, "/" + app);

            using var response = await _http.GetAsync($"/{app}?kind=string");
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{app}: {(int)response.StatusCode} {body}");
            Assert.Equal(app, body);
        }
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _gateway.StopAsync();
        await _gateway.DisposeAsync();
    }
}
