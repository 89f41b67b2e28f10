using System.Diagnostics;
using System.Net;
using Serve.Samples.Composition;
using Serve.Tests.Deployments.Http;
using Serve.Tests.Infrastructure;

namespace Serve.Tests.Diagnostics;

[Collection(GatewayCollection.Name)]
public sealed class TracingTests(GatewayFixture fixture)
{
    [Fact]
    public async Task Request_WithTraceParent_OneTraceFromGatewayThroughIngressToBothComposedDeployments()
    {
        using var recorder = new ServeSpans();
        var stopped = recorder.Stopped;
        await fixture.Serve.RunAsync(Ingress.App(), new RunOptions { Name = "traced", RoutePrefix = "/traced" });
        await fixture.WaitForRoutesAsync(r => r.GetValueOrDefault("/traced") == "traced");
        var client = ActivityContext.Parse("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", null);

        using var request = new HttpRequestMessage(HttpMethod.Get, "/traced");
        request.Headers.Add("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
        using var response = await fixture.Http.SendAsync(request);
        Assert.Equal((HttpStatusCode.OK, "Hello world!"), (response.StatusCode, await response.Content.ReadAsStringAsync()));
        var requestId = response.Headers.GetValues("x-request-id").Single();

        // The gateway's span ends once the answer is written, which may be just after the client has read it.
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (stopped.Count(a => a.TraceId == client.TraceId) < 7)
        {
            await Task.Delay(10, deadline.Token);
        }
        var spans = stopped.Where(a => a.TraceId == client.TraceId).ToArray();
        Assert.Equal(7, spans.Length);
        var gateway = Assert.Single(spans, a => a.OperationName == "serve.http");
        Assert.Equal((client.SpanId, ActivityKind.Server, "GET /traced"), (gateway.ParentSpanId, gateway.Kind, gateway.DisplayName));
        var toIngress = Assert.Single(spans, a => a.OperationName == "serve.call" && Tag(a, "serve.deployment") == "Ingress");
        Assert.Equal(gateway.SpanId, toIngress.ParentSpanId);
        var ingress = Assert.Single(spans, a => a.OperationName == "serve.replica" && Tag(a, "serve.deployment") == "Ingress");
        Assert.Equal(toIngress.SpanId, ingress.ParentSpanId);
        foreach (var composed in new[] { "Hello", "World" })
        {
            var call = Assert.Single(spans, a => a.OperationName == "serve.call" && Tag(a, "serve.deployment") == composed);
            Assert.Equal((ingress.SpanId, ActivityKind.Client), (call.ParentSpanId, call.Kind));
            var replica = Assert.Single(spans, a => a.OperationName == "serve.replica" && Tag(a, "serve.deployment") == composed);
            Assert.Equal((call.SpanId, ActivityKind.Server), (replica.ParentSpanId, replica.Kind));
            Assert.StartsWith($"traced/{composed}/", Tag(replica, "serve.replica"), StringComparison.Ordinal);
        }
        Assert.All(spans, a => Assert.Equal(("traced", requestId), (Tag(a, "serve.application"), Tag(a, "serve.request_id"))));
        await fixture.Serve.DeleteAsync("traced");
    }

    [Fact]
    public async Task Request_ReplicaThrows_ReplicaSpanHasExceptionEventWithStackAndCallerSpansWithout()
    {
        using var recorder = new ServeSpans();
        var stopped = recorder.Stopped;
        await fixture.Serve.RunAsync(Deployment.For<EchoIngress>().Bind("thrown"), new RunOptions { Name = "thrown", RoutePrefix = "/thrown" });
        await fixture.WaitForRoutesAsync(r => r.GetValueOrDefault("/thrown") == "thrown");
        var client = ActivityContext.Parse("00-1af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", null);

        using var request = new HttpRequestMessage(HttpMethod.Get, "/thrown/?kind=fail");
        request.Headers.Add("traceparent", "00-1af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
        using var response = await fixture.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);

        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (stopped.Count(a => a.TraceId == client.TraceId) < 3)
        {
            await Task.Delay(10, deadline.Token);
        }
        var spans = stopped.Where(a => a.TraceId == client.TraceId).ToArray();
        var replica = Assert.Single(spans, a => a.OperationName == "serve.replica");
        var thrown = Assert.Single(replica.Events);
        Assert.Equal(("exception", "System.InvalidOperationException", "echo failed on purpose"),
            (thrown.Name, EventTag(thrown, "exception.type"), EventTag(thrown, "exception.message")));
        // Where it was thrown, the stack of the code that threw it.
        Assert.Contains(nameof(EchoIngress.HandleAsync), EventTag(thrown, "exception.stacktrace"), StringComparison.Ordinal);

        // The gateway's call learnt of it as a DeploymentCallException: its span names that and the message, and carries
        // no stack trace, nor anything of the replica's.
        var call = Assert.Single(spans, a => a.OperationName == "serve.call");
        var learnt = Assert.Single(call.Events);
        Assert.Equal(("exception", typeof(DeploymentCallException).FullName), (learnt.Name, EventTag(learnt, "exception.type")));
        Assert.Contains("echo failed on purpose", EventTag(learnt, "exception.message"), StringComparison.Ordinal);
        Assert.DoesNotContain(learnt.Tags, t => t.Key == "exception.stacktrace");
        Assert.All(spans.Where(a => a != replica).SelectMany(a => a.Events).SelectMany(e => e.Tags), t =>
            Assert.DoesNotContain(nameof(EchoIngress.HandleAsync), t.Value as string ?? "", StringComparison.Ordinal));
        await fixture.Serve.DeleteAsync("thrown");
    }

    private static string? EventTag(ActivityEvent e, string key) => e.Tags.FirstOrDefault(t => t.Key == key).Value as string;

    private static string? Tag(Activity activity, string key) => activity.GetTagItem(key) as string;
}
