using System.Net;
using System.Security.Cryptography;
using Xunit.Abstractions;

namespace Serve.Tests.Cluster;

/// <summary>
/// Traces with real processes, exported by each silo's own OpenTelemetry pipeline (<see cref="SpanFileTelemetry"/>): an
/// HTTP request through a gateway to an ingress replica on one worker that calls a deployment on the other is one trace,
/// each span a child of the one that made its call, over the data plane and over Orleans alike, for calls and streams;
/// a failure marks the spans it went through as errors.
/// </summary>
[Collection(ProcessClusterCollection.Name)]
[Trait("Category", "Cluster")]
public sealed class TracingClusterTests(ProcessClusterFixture cluster, ITestOutputHelper output)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Theory]
    [InlineData("data_plane", "")]
    [InlineData("orleans", "")]
    [InlineData("data_plane", "fail=1")]
    [InlineData("orleans", "stream=3")]
    [InlineData("orleans", "stream=3&fail=1")]
    public async Task Request_GatewayToFrontToBackOnAnotherWorker_OneTraceWithEachSpanUnderItsCaller(string gatewayTransport, string query)
    {
        await cluster.EnsureAllRunningAsync();
        // A gateway without the data plane calls replicas through Orleans only.
        var settings = new Dictionary<string, string> { ["Serve__Telemetry__TraceSampleRatio"] = "1" };
        if (gatewayTransport == "orleans")
        {
            settings["Serve__Silo__ExchangeEnabled"] = "false";
        }
        var gateway = await cluster.StartGatewayAsync($"gateway-traced-{gatewayTransport}", settings);
        var application = $"traced-{Guid.NewGuid():N}"[..16];
        var fails = query.Contains("fail=1", StringComparison.Ordinal);
        var streams = query.Contains("stream=", StringComparison.Ordinal);
        try
        {
            await cluster.Serve.RunAsync(TracedFront.App(), application, $"/{application}");
            await gateway.WaitForRouteAsync($"/{application}", Patience);
            using var http = new HttpClient { BaseAddress = gateway.BaseAddress, Timeout = Patience };

            // Until one request went the way asked: the gateway's call on the transport of the case, and the front's call
            // to a back on the other worker (over the data plane once that worker's silo connected, for a call).
            var giveUp = DateTime.UtcNow + Patience;
            while (true)
            {
                Assert.True(DateTime.UtcNow < giveUp, $"no request went from the gateway over {gatewayTransport} to a front calling a back on another worker");
                var traceId = RandomNumberGenerator.GetHexString(32, lowercase: true);
                var clientSpan = RandomNumberGenerator.GetHexString(16, lowercase: true);
                using var request = new HttpRequestMessage(HttpMethod.Get, $"/{application}?{query}");
                request.Headers.Add("traceparent", $"00-{traceId}-{clientSpan}-01");
                using var response = await http.SendAsync(request);
                Assert.Equal(fails ? HttpStatusCode.InternalServerError : HttpStatusCode.OK, response.StatusCode);

                var spans = await SpansOfAsync(traceId, expected: 5);
                var root = Assert.Single(spans, s => s.ParentSpanId == clientSpan);
                Assert.Equal(("serve.http", "Server", $"GET /{application}", fails ? "Error" : "Unset"), (root.Operation, root.Kind, root.Name, root.Status));
                var toFront = Assert.Single(spans, s => s.ParentSpanId == root.SpanId);
                var front = Assert.Single(spans, s => s.ParentSpanId == toFront.SpanId);
                var toBack = Assert.Single(spans, s => s.ParentSpanId == front.SpanId);
                var back = Assert.Single(spans, s => s.ParentSpanId == toBack.SpanId);
                Assert.Equal(
                    [("serve.call", "Client", $"serve.call {application}/TracedFront"), ("serve.replica", "Server", $"serve.replica {application}/TracedFront"),
                        ("serve.call", "Client", $"serve.call {application}/TracedBack"), ("serve.replica", "Server", $"serve.replica {application}/TracedBack")],
                    new[] { toFront, front, toBack, back }.Select(s => (s.Operation, s.Kind, s.Name)));
                Assert.All(new[] { toFront, front, toBack, back }, s => Assert.Equal(application, s.Tag("serve.application")));
                Assert.Equal((gateway.ProcessId, gateway.ProcessId), (root.ProcessId, toFront.ProcessId));
                Assert.Equal(front.ProcessId, toBack.ProcessId);
                if (fails)
                {
                    // Each span the failure went through says so; the back's names what the deployment threw.
                    Assert.All(new[] { toFront, front, toBack, back }, s => Assert.Equal("Error", s.Status));
                    Assert.Equal(typeof(InvalidOperationException).FullName, back.StatusDescription);
                    Assert.Equal(typeof(DeploymentCallException).FullName, toBack.StatusDescription);
                    // And as OpenTelemetry's attribute for it, which trace back ends group failures by.
                    Assert.Equal((typeof(InvalidOperationException).FullName, typeof(DeploymentCallException).FullName), (back.Tag("error.type"), toBack.Tag("error.type")));
                }
                else
                {
                    Assert.All(spans, s => Assert.Equal("Unset", s.Status));
                }
                var crossed = back.ProcessId != front.ProcessId && front.ProcessId != gateway.ProcessId;
                if (crossed && toFront.Tag("serve.call.transport") == gatewayTransport && toBack.Tag("serve.call.transport") == (streams ? "orleans" : "data_plane"))
                {
                    break;
                }
            }
        }
        catch
        {
            output.WriteLine($"gateway wrote:{Environment.NewLine}{gateway.RecentOutput}");
            output.WriteLine(cluster.RecentOutputs());
            throw;
        }
        finally
        {
            await cluster.DeleteIfPresentAsync(application);
            await gateway.KillAsync();
        }
    }

    /// <summary>The spans of <paramref name="traceId"/>, once <paramref name="expected"/> are written (spans end just after their answers).</summary>
    private async Task<IReadOnlyList<SpanRecord>> SpansOfAsync(string traceId, int expected)
    {
        var giveUp = DateTime.UtcNow + Patience;
        while (true)
        {
            var spans = SpanFileTelemetry.Read(cluster.SpanDirectory).Where(s => s.TraceId == traceId).ToList();
            if (spans.Count >= expected)
            {
                return spans;
            }
            Assert.True(DateTime.UtcNow < giveUp, $"trace {traceId} has {spans.Count} span(s) of {expected}: {string.Join(", ", spans.Select(s => $"{s.Name} in {s.ProcessId}"))}");
            await Task.Delay(50);
        }
    }
}
