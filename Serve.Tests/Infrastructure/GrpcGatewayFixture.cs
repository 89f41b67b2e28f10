using Serve.Hosting;
using Serve.Tests.Deployments.Grpc;
using Serve.Tests.Deployments.Http;

namespace Serve.Tests.Infrastructure;

/// <summary>
/// A real gateway silo with HTTP/1.1 on one free port and h2c (HTTP/2 with prior knowledge) on another, running two gRPC
/// applications of the probe service: "probe-declared" declares it ([GrpcService]), "probe-other" does not; and an echo
/// application at <c>/echo</c> for plain HTTP/2 requests.
/// </summary>
public sealed class GrpcGatewayFixture() : ProbeGatewayFixture("grpc-gateway-tests")
{
    /// <summary>The gateway's Serve:Http:MaxRequestBodySize: each gRPC request message is held to it.</summary>
    public const int MaxRequestBodySize = 1024 * 1024;

    /// <summary>The gateway's Serve:Http:MinRequestBodyDataRateGracePeriod, short: long-lived streams must outlive it.</summary>
    public static readonly TimeSpan BodyRateGracePeriod = TimeSpan.FromSeconds(2);

    protected override void Configure(ServeGatewayOptions options)
    {
        options.MaxRequestBodySize = MaxRequestBodySize;
        options.MinRequestBodyDataRateGracePeriod = BodyRateGracePeriod;
    }

    protected override async Task RunApplicationsAsync()
    {
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
}
