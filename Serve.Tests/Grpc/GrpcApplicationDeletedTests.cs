using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Serve.Routing;
using Serve.Tests.Deployments.Grpc;
using Serve.Tests.Infrastructure;

namespace Serve.Tests.Grpc;

/// <summary>
/// A gRPC call whose application is deleted while the call waits in the gateway for its ingress (at capacity with a call
/// held at a gate): it is answered as a call a moment later is, by a table without the route (UNIMPLEMENTED for its
/// service, NOT_FOUND for the application it named), saying the application was deleted; not UNAVAILABLE, which tells a
/// client that the same call may succeed if it tries again. A gateway of its own: a call naming no application reaches
/// the only routed one.
/// </summary>
[Trait("Category", "Cluster")]
public sealed class GrpcApplicationDeletedTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private WebApplication _gateway = null!;
    private GrpcChannel _channel = null!;

    public async Task InitializeAsync()
    {
        var ports = FreePorts.Take(2);
        _gateway = await TestGateway.StartAsync("grpc-deleted-tests", o =>
        {
            o.Port = ports[0];
            o.Http2Port = ports[1];
        });
        _channel = GrpcChannel.ForAddress($"http://127.0.0.1:{ports[1]}");
    }

    [Theory]
    [InlineData(false, StatusCode.Unimplemented)]
    [InlineData(true, StatusCode.NotFound)]
    public async Task Echo_ApplicationDeletedWhileCallWaitsForItsIngress_AnsweredAsWithoutItsRouteSayingItWasDeleted(bool named, StatusCode expected)
    {
        var app = named ? "deleted-named" : "deleted";
        var serve = _gateway.Services.GetRequiredService<IServeClient>();
        await serve.RunAsync(Deployment.For<UndeclaredGrpcProbeIngress>().Options(o => o with { MaxOngoingRequests = 1 }).Bind(app), app, "/" + app);
        var probe = new GrpcProbe.GrpcProbeClient(_channel);
        var metadata = named ? new Metadata { { "application", app } } : [];
        var gate = Gate.Create(Guid.NewGuid().ToString("N"));
        var holding = probe.WaitAsync(new ProbeRequest { Gate = gate.Name }, metadata).ResponseAsync;
        try
        {
            await gate.WhenArrivedAsync(1).WaitAsync(Patience);
            var waiting = probe.EchoAsync(new ProbeRequest { Text = "late" }, metadata).ResponseAsync;
            var router = _gateway.Services.GetRequiredService<ReplicaDirectory>().GetRouter(new DeploymentId(app, nameof(UndeclaredGrpcProbeIngress)));
            await Poll.UntilAsync(() => router.QueuedRequests == 1 || waiting.IsCompleted, Patience);

            var deleting = serve.DeleteAsync(app);
            var error = await Assert.ThrowsAsync<RpcException>(() => waiting.WaitAsync(Patience));

            Assert.True(error.StatusCode == expected, $"{error.StatusCode}: {error.Status.Detail}");
            Assert.Contains($"application '{app}'", error.Status.Detail);
            Assert.Contains("was deleted", error.Status.Detail);
            gate.Open();
            await deleting.WaitAsync(Patience);
        }
        finally
        {
            gate.Open();
            await Record.ExceptionAsync(() => holding);
        }
    }

    [Fact]
    public async Task Echo_CallWaitingForAnIngressRenamedMeanwhile_AnsweredByTheNewIngress()
    {
        const string app = "handover";
        var serve = _gateway.Services.GetRequiredService<IServeClient>();
        await serve.RunAsync(Deployment.For<UndeclaredGrpcProbeIngress>().Options(o => o with { Name = "first", MaxOngoingRequests = 1 }).Bind("first"), app, "/" + app);
        var probe = new GrpcProbe.GrpcProbeClient(_channel);
        var gate = Gate.Create(Guid.NewGuid().ToString("N"));
        var holding = probe.WaitAsync(new ProbeRequest { Gate = gate.Name }).ResponseAsync;
        try
        {
            await gate.WhenArrivedAsync(1).WaitAsync(Patience);
            var waiting = probe.EchoAsync(new ProbeRequest { Text = "late" }).ResponseAsync;
            var router = _gateway.Services.GetRequiredService<ReplicaDirectory>().GetRouter(new DeploymentId(app, "first"));
            await Poll.UntilAsync(() => router.QueuedRequests == 1 || waiting.IsCompleted, Patience);

            var update = serve.RunAsync(Deployment.For<UndeclaredGrpcProbeIngress>().Options(o => o with { Name = "second" }).Bind("second"), app, "/" + app);
            var reply = await waiting.WaitAsync(Patience);

            Assert.Equal(("late", "second"), (reply.Text, reply.Label));
            gate.Open();
            await update.WaitAsync(Patience);
        }
        finally
        {
            gate.Open();
            await Record.ExceptionAsync(() => holding);
        }
        await serve.DeleteAsync(app);
    }

    public async Task DisposeAsync()
    {
        _channel.Dispose();
        await _gateway.StopAsync();
        await _gateway.DisposeAsync();
    }
}
