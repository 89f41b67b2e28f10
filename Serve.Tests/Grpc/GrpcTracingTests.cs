using System.Collections.Concurrent;
using System.Diagnostics;
using Grpc.Core;
using Serve.Tests.Deployments.Grpc;
using Serve.Tests.Infrastructure;

namespace Serve.Tests.Grpc;

/// <summary>A gRPC call through the gateway is one trace with the client's, as an HTTP request is (TracingTests).</summary>
[Collection(GrpcGatewayCollection.Name)]
public sealed class GrpcTracingTests(GrpcGatewayFixture fixture)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Echo_WithTraceParent_GatewaySpanChildOfTheClientsAndParentOfTheReplicas()
    {
        using var recorder = new ServeSpans();
        var stopped = recorder.Stopped;
        var client = ActivityContext.Parse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", null);

        var reply = await fixture.Probe.EchoAsync(new ProbeRequest { Text = "hi" }, TraceParent(client));

        Assert.Equal("hi", reply.Text);
        var spans = await SpansAsync(stopped, client.TraceId, 3);
        var gateway = Assert.Single(spans, a => a.OperationName == "serve.grpc");
        Assert.Equal((client.SpanId, ActivityKind.Server, "serve.tests.GrpcProbe/Echo", ActivityStatusCode.Unset),
            (gateway.ParentSpanId, gateway.Kind, gateway.DisplayName, gateway.Status));
        Assert.Equal(("grpc", "serve.tests.GrpcProbe", "Echo", (object)0),
            (Tag(gateway, "rpc.system"), Tag(gateway, "rpc.service"), Tag(gateway, "rpc.method"), gateway.GetTagItem("rpc.grpc.status_code")));
        var call = Assert.Single(spans, a => a.OperationName == "serve.call");
        Assert.Equal(gateway.SpanId, call.ParentSpanId);
        var replica = Assert.Single(spans, a => a.OperationName == "serve.replica");
        Assert.Equal(call.SpanId, replica.ParentSpanId);
        Assert.Equal(Tag(gateway, "serve.application"), Tag(replica, "serve.application"));
    }

    [Fact]
    public async Task Fail_HandlerThrows_GatewaySpanFailedWithTheStatus()
    {
        using var recorder = new ServeSpans();
        var stopped = recorder.Stopped;
        var client = ActivityContext.Parse("00-5bf92f3577b34da6a3ce929d0e0e4737-00f067aa0ba902b8-01", null);

        var error = await Assert.ThrowsAsync<RpcException>(() => fixture.Probe.FailAsync(new ProbeRequest(), TraceParent(client)).ResponseAsync);

        Assert.Equal(StatusCode.Unknown, error.StatusCode);
        var gateway = Assert.Single(await SpansAsync(stopped, client.TraceId, 1), a => a.OperationName == "serve.grpc");
        Assert.Equal((ActivityStatusCode.Error, (object)(int)StatusCode.Unknown), (gateway.Status, gateway.GetTagItem("rpc.grpc.status_code")));
    }

    private static Metadata TraceParent(ActivityContext client) => new() { { "traceparent", $"00-{client.TraceId}-{client.SpanId}-01" } };

    /// <summary>The spans of <paramref name="traceId"/> once its gateway span and at least <paramref name="count"/> in all have ended.</summary>
    private static async Task<Activity[]> SpansAsync(ConcurrentQueue<Activity> stopped, ActivityTraceId traceId, int count)
    {
        // The gateway's span ends once the call's trailers are written, which may be just after the client has read them.
        using var deadline = new CancellationTokenSource(Patience);
        while (stopped.Count(a => a.TraceId == traceId) < count || !stopped.Any(a => a.TraceId == traceId && a.OperationName == "serve.grpc"))
        {
            await Task.Delay(10, deadline.Token);
        }
        return stopped.Where(a => a.TraceId == traceId).ToArray();
    }

    private static string? Tag(Activity activity, string key) => activity.GetTagItem(key) as string;
}
