using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Serve.Tests.Infrastructure;

/// <summary>
/// A real gateway silo (Kestrel on a free loopback port) plus a second, worker silo in the same
/// cluster, so ingress replicas can live away from the gateway. Both pick replicas by load alone
/// (<see cref="ServeRoutingOptions.PreferLocalReplicas"/> off), so requests and calls reach replicas on both silos
/// whatever their timing; preferring the local replica is <c>LocalFirstRoutingTests</c>' subject.
/// </summary>
public sealed class GatewayFixture : IAsyncLifetime
{
    public const long MaxRequestBodySize = 4096;

    private WebApplication _gateway = null!;
    private IHost _worker = null!;

    public HttpClient Http { get; private set; } = null!;

    public IServeClient Serve => _gateway.Services.GetRequiredService<IServeClient>();

    public string GatewaySilo { get; private set; } = "";

    /// <summary>The gateway silo's services.</summary>
    public IServiceProvider GatewayServices => _gateway.Services;

    public async Task InitializeAsync()
    {
        var ports = FreePorts.Take(4);
        var (builder, clusterId) = TestGateway.CreateBuilder("gateway-tests", ports[0], ports[1]);
        builder.Services.Configure<ServeRoutingOptions>(o => o.PreferLocalReplicas = false);
        builder.Services.AddServeGateway(o =>
        {
            o.Port = 0;
            o.MaxRequestBodySize = MaxRequestBodySize;
        });
        _gateway = builder.Build();
        _gateway.MapServe();
        await _gateway.StartAsync();
        GatewaySilo = _gateway.Services.GetRequiredService<Orleans.Runtime.ILocalSiloDetails>().SiloAddress.ToString();

        var worker = Host.CreateApplicationBuilder();
        worker.Logging.SetMinimumLevel(LogLevel.Warning);
        FileLoggerProvider.AddIfRequested(worker.Logging);
        worker.UseOrleans(silo => silo
            .UseLocalhostClustering(ports[2], ports[3], new IPEndPoint(IPAddress.Loopback, ports[0]), serviceId: clusterId, clusterId: clusterId)
            .AddServe(TestDeployments.Register));
        worker.Services.Configure<ServeRoutingOptions>(o => o.PreferLocalReplicas = false);
        _worker = worker.Build();
        await _worker.StartAsync();

        Http = new HttpClient { BaseAddress = _gateway.ListeningAddresses().First(), Timeout = TimeSpan.FromSeconds(30) };
        await Http.WaitUntilHealthyAsync();
    }

    /// <summary>Polls <c>/-/routes</c> until the gateway's table satisfies <paramref name="condition"/>.</summary>
    public Task WaitForRoutesAsync(Func<Dictionary<string, string>, bool> condition) => Http.WaitForRoutesAsync(condition);

    /// <summary>GETs a path no application serves; a root application left by another test would make it succeed, so it is checked.</summary>
    public async Task<HttpResponseMessage> WaitForNotFoundAsync(string path)
    {
        var response = await Http.GetAsync(path);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        return response;
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        await _worker.StopAsync();
        await _gateway.StopAsync();
        _worker.Dispose();
        await _gateway.DisposeAsync();
    }
}
