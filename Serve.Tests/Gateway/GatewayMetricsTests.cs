using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net;
using Serve.Diagnostics;
using Serve.Tests.Deployments.Http;
using Serve.Tests.Infrastructure;

namespace Serve.Tests.Gateway;

[Collection(GatewayCollection.Name)]
public sealed class GatewayMetricsTests(GatewayFixture fixture)
{
    [Fact]
    public async Task ForwardAsync_AnsweredRequests_RecordDurationByApplicationRouteMethodAndStatus()
    {
        var recorded = new ConcurrentQueue<(double Seconds, Dictionary<string, object?> Tags)>();
        var bothRecorded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument is { Name: GatewayMetrics.RequestDurationName, Meter.Name: ServeMeter.Name })
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<double>((_, value, tags, _) =>
        {
            var map = tags.ToArray().ToDictionary(t => t.Key, t => t.Value);
            if (map.GetValueOrDefault(ServeMeter.ApplicationTag) is "metered")
            {
                recorded.Enqueue((value, map));
                if (recorded.Count == 2)
                {
                    bothRecorded.TrySetResult();
                }
            }
        });
        listener.Start();
        await fixture.Serve.RunAsync(Deployment.For<EchoIngress>().Bind("metered"), new RunOptions { Name = "metered", RoutePrefix = "/metered" });
        await fixture.WaitForRoutesAsync(r => r.GetValueOrDefault("/metered") == "metered");

        using var ok = await fixture.Http.GetAsync("/metered/a?x=1");
        using var teapot = await fixture.Http.SendAsync(new HttpRequestMessage(new HttpMethod("BREW"), "/metered/b"));

        // The gateway records once the answer is written, which may be just after the client has read it.
        await bothRecorded.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        var measured = recorded.ToArray();
        Assert.Collection(measured,
            m => Assert.Equal(("/metered", "GET", 200), ((string)m.Tags[GatewayMetrics.RouteTag]!, (string)m.Tags[GatewayMetrics.MethodTag]!, (int)m.Tags[GatewayMetrics.StatusCodeTag]!)),
            m => Assert.Equal(("/metered", "_OTHER", (int)teapot.StatusCode), ((string)m.Tags[GatewayMetrics.RouteTag]!, (string)m.Tags[GatewayMetrics.MethodTag]!, (int)m.Tags[GatewayMetrics.StatusCodeTag]!)));
        Assert.All(measured, m => Assert.InRange(m.Seconds, 0, 30));
        await fixture.Serve.DeleteAsync("metered");
    }
}
