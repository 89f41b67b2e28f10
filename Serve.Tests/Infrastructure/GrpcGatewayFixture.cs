using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Serve.Tests.Deployments.Grpc;
using Serve.Tests.Deployments.Http;

namespace Serve.Tests.Infrastructure;

/// <summary>
/// A real gateway silo with HTTP/1.1 on one free port and h2c (HTTP/2 with prior knowledge) on another, running two gRPC
/// applications of the probe service: "probe-declared" declares it ([GrpcService]), "probe-other" does not; and an echo
/// application at <c>/echo</c> for plain HTTP/2 requests.
/// </summary>
public sealed class GrpcGatewayFixture : IAsyncLifetime
{
    /// <summary>The gateway's Serve:Http:MaxRequestBodySize: each gRPC request message is held to it.</summary>
    public const int MaxRequestBodySize = 1024 * 1024;

    /// <summary>The gateway's Serve:Http:MinRequestBodyDataRateGracePeriod, short: long-lived streams must outlive it.</summary>
    public static readonly TimeSpan BodyRateGracePeriod = TimeSpan.FromSeconds(2);

    private WebApplication _gateway = null!;

    public IServeClient Serve => _gateway.Services.GetRequiredService<IServeClient>();

    /// <summary>The gateway's services, for a test that puts a part of the gateway before the same cluster.</summary>
    public IServiceProvider Services => _gateway.Services;

    /// <summary>HTTP/1.1 to the gateway's HTTP port.</summary>
    public HttpClient Http { get; private set; } = null!;

    /// <summary>The gateway's h2c port.</summary>
    public Uri Http2Address { get; private set; } = null!;

    public GrpcChannel Channel { get; private set; } = null!;

    public GrpcProbe.GrpcProbeClient Probe { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var ports = FreePorts.Take(2);
        _gateway = await TestGateway.StartAsync("grpc-gateway-tests", o =>
        {
            o.Port = ports[0];
            o.Http2Port = ports[1];
            o.MaxRequestBodySize = MaxRequestBodySize;
            o.MinRequestBodyDataRateGracePeriod = BodyRateGracePeriod;
        });
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{ports[0]}"), Timeout = TimeSpan.FromSeconds(30) };
        Http2Address = new Uri($"http://127.0.0.1:{ports[1]}");
        Channel = GrpcChannel.ForAddress(Http2Address);
        Probe = new GrpcProbe.GrpcProbeClient(Channel);

        await RunAsync(Deployment.For<GrpcProbeIngress>().Bind("declared"), "probe-declared");
        await RunAsync(Deployment.For<UndeclaredGrpcProbeIngress>().Bind("other"), "probe-other");
        await RunAsync(Deployment.For<EchoIngress>().Bind("echo"), "echo");
    }

    /// <summary>Runs <paramref name="app"/> at <c>/name</c> and waits until the gateway routes it.</summary>
    public async Task RunAsync(BoundDeployment app, string name, TimeSpan? requestTimeout = null)
    {
        await Serve.RunAsync(app, new RunOptions { Name = name, RoutePrefix = "/" + name, RequestTimeout = requestTimeout });
        await Http.WaitForRoutesAsync(routes => routes.GetValueOrDefault("/" + name) == name);
    }

    public async Task DisposeAsync()
    {
        Channel.Dispose();
        Http.Dispose();
        await _gateway.StopAsync();
        await _gateway.DisposeAsync();
    }
}
