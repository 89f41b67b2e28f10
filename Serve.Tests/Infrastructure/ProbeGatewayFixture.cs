using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Serve.Hosting;
using Serve.Tests.Deployments.Grpc;

namespace Serve.Tests.Infrastructure;

/// <summary>
/// A real gateway silo with HTTP/1.1 on one free port and h2c (HTTP/2 with prior knowledge) on another, with the
/// gateway's options a derived fixture sets, and a gRPC probe client on the h2c port; the derived fixture runs its
/// applications.
/// </summary>
public abstract class ProbeGatewayFixture(string name) : IAsyncLifetime
{
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

    /// <summary>Sets the gateway's options beyond its two ports.</summary>
    protected abstract void Configure(ServeGatewayOptions options);

    /// <summary>Runs the fixture's applications once the gateway has started.</summary>
    protected abstract Task RunApplicationsAsync();

    public async Task InitializeAsync()
    {
        var ports = FreePorts.Take(2);
        _gateway = await TestGateway.StartAsync(name, o =>
        {
            o.Port = ports[0];
            o.Http2Port = ports[1];
            Configure(o);
        });
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{ports[0]}"), Timeout = TimeSpan.FromSeconds(30) };
        Http2Address = new Uri($"http://127.0.0.1:{ports[1]}");
        Channel = GrpcChannel.ForAddress(Http2Address);
        Probe = new GrpcProbe.GrpcProbeClient(Channel);
        await RunApplicationsAsync();
    }

    public async Task DisposeAsync()
    {
        Channel.Dispose();
        Http.Dispose();
        await _gateway.StopAsync();
        await _gateway.DisposeAsync();
    }
}
