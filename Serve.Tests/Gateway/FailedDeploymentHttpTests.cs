using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Serve.Tests.Deployments.Http;
using Serve.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Serve.Tests.Gateway;

[Collection(GatewayCollection.Name)]
public sealed class FailedDeploymentHttpTests(GatewayFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public async Task Get_IngressDeployFailed_Answers503NamingTheStateWithoutWaitingForTheTimeout()
    {
        var broken = Deployment.For<FailingIngress>().Options(o => o with { MaxConstructorRetryCount = 1 }).Bind("no weights file");
        await Assert.ThrowsAsync<DeployFailedException>(() =>
            fixture.Serve.RunAsync(broken, new RunOptions { Name = "failed-http", RoutePrefix = "/failed-http", RequestTimeout = TimeSpan.FromSeconds(60) }));
        await fixture.WaitForRoutesAsync(r => r.ContainsKey("/failed-http"));
        // Shorter than the route's request timeout: a request held until then fails this test.
        using var http = new HttpClient { BaseAddress = fixture.Http.BaseAddress, Timeout = TimeSpan.FromSeconds(10) };

        var clock = Stopwatch.StartNew();
        using var response = await http.GetAsync("/failed-http/x");
        output.WriteLine($"503 after {clock.Elapsed.TotalMilliseconds:F0} ms");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("DEPLOY_FAILED", body.RootElement.GetProperty("state").GetString());
        Assert.Contains("no weights file", body.RootElement.GetProperty("error").GetString());
        await fixture.Serve.DeleteAsync("failed-http");
    }
}
