using Serve.Hosting;
using Serve.Tests.Deployments.Grpc;
using Serve.Tests.Deployments.Http;

namespace Serve.Tests.Infrastructure;

/// <summary>
/// A real gateway silo with a short <c>Serve:Http:StreamIdleTimeout</c>, running WebSocket endpoints at <c>/ws</c> and
/// the gRPC probe service, each with one request at a time and no queue, so that a call still holding its slot shows as
/// a refused one.
/// </summary>
public sealed class StreamIdleGatewayFixture() : ProbeGatewayFixture("stream-idle-tests")
{
    /// <summary>
    /// The gateway's stream idle timeout: short, yet long enough for a loaded machine to pass a message within it (2 s
    /// was not: CI's two cores once stalled a busy call's messages for over 1.6 s and it was ended).
    /// </summary>
    public static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(5);

    /// <summary>The gateway's HTTP port, for WebSocket clients.</summary>
    public Uri WebSocketAddress => new(Http.BaseAddress!.ToString().Replace("http://", "ws://", StringComparison.Ordinal));

    protected override void Configure(ServeGatewayOptions options) => options.StreamIdleTimeout = IdleTimeout;

    protected override async Task RunApplicationsAsync()
    {
        await Serve.RunAsync(Deployment.For<WebSocketEndpoints>().Options(o => o with { MaxOngoingRequests = 1, MaxQueuedRequests = 0 }).Bind(), "ws", "/ws");
        await Serve.RunAsync(Deployment.For<GrpcProbeIngress>().Options(o => o with { MaxOngoingRequests = 1, MaxQueuedRequests = 0 }).Bind("idle"), "probe", "/probe");
        await Http.WaitForRoutesAsync(routes => routes.GetValueOrDefault("/ws") == "ws" && routes.GetValueOrDefault("/probe") == "probe");
    }
}
