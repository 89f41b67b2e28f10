using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Serve.Tests.Deployments.Grpc;
using Serve.Tests.Deployments.Http;

namespace Serve.Tests.Infrastructure;

/// <summary>
/// A real gateway silo with a short <c>Serve:Http:StreamIdleTimeout</c>, HTTP/1.1 on one free port and h2c on another,
/// running WebSocket endpoints at <c>/ws</c> and the gRPC probe service, each with one request at a time and no queue,
/// so that a call still holding its slot shows as a refused one.
/// </summary>
public sealed class StreamIdleGatewayFixture : IAsyncLifetime
{
    /// <summary>The gateway's stream idle timeout: short, yet long enough for a loaded machine to pass a message within it.</summary>
    public static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(2);

    private WebApplication _gateway = null!;

    public IServeClient Serve => _gateway.Services.GetRequiredService<IServeClient>();

    public HttpClient Http { get; private set; } = null!;

    public Uri WebSocketAddress { get; private set; } = null!;

    public GrpcChannel Channel { get; private set; } = null!;

    public GrpcProbe.GrpcProbeClient Probe { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var ports = FreePorts.Take(2);
        _gateway = await TestGateway.StartAsync("stream-idle-tests", o =>
        {
            o.Port = ports[0];
            o.Http2Port = ports[1];
            o.StreamIdleTimeout = IdleTimeout;
        });
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{ports[0]}"), Timeout = TimeSpan.FromSeconds(30) };
        WebSocketAddress = new Uri($"ws://127.0.0.1:{ports[0]}");
        Channel = GrpcChannel.ForAddress(new Uri($"http://127.0.0.1:{ports[1]}"));
        Probe = new GrpcProbe.GrpcProbeClient(Channel);

        await Serve.RunAsync(Deployment.For<WebSocketEndpoints>().Options(o => o with { MaxOngoingRequests = 1, MaxQueuedRequests = 0 }).Bind(), "ws", "/ws");
        await Serve.RunAsync(Deployment.For<GrpcProbeIngress>().Options(o => o with { MaxOngoingRequests = 1, MaxQueuedRequests = 0 }).Bind("idle"), "probe", "/probe");
        await Http.WaitForRoutesAsync(routes => routes.GetValueOrDefault("/ws") == "ws" && routes.GetValueOrDefault("/probe") == "probe");
    }

    public async Task DisposeAsync()
    {
        Channel.Dispose();
        Http.Dispose();
        await _gateway.StopAsync();
        await _gateway.DisposeAsync();
    }
}
