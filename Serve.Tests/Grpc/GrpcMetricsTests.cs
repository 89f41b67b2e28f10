using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Grpc.Core;
using Serve.Diagnostics;
using Serve.Tests.Deployments.Grpc;
using Serve.Tests.Infrastructure;

namespace Serve.Tests.Grpc;

/// <summary>
/// A gRPC call's outcome is in the gateway's metrics: its HTTP status is 200 whatever the call's end, so the gateway records
/// each call with its gRPC status as well.
/// </summary>
[Collection(GrpcGatewayCollection.Name)]
public sealed class GrpcMetricsTests(GrpcGatewayFixture fixture)
{
    [Fact]
    public async Task GrpcCallAnswered_OneCallSucceedsOneFails_EachRecordedWithItsServiceAndStatus()
    {
        var recorded = new ConcurrentQueue<Dictionary<string, object?>>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument is { Name: GatewayMetrics.GrpcCallDurationName, Meter.Name: ServeMeter.Name })
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<double>((_, _, tags, _) => recorded.Enqueue(tags.ToArray().ToDictionary(t => t.Key, t => t.Value)));
        listener.Start();

        await fixture.Probe.EchoAsync(new ProbeRequest { Text = "hi" });
        await Assert.ThrowsAsync<RpcException>(() => fixture.Probe.FailAsync(new ProbeRequest()).ResponseAsync);

        // The gateway records once the trailers are written, which may be just after the client has read them; calls of
        // other tests of the collection may be recorded too.
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!recorded.Any(Failed) || !recorded.Any(Succeeded))
        {
            await Task.Delay(10, deadline.Token);
        }
        Assert.All(recorded.Where(t => Failed(t) || Succeeded(t)), tags =>
            Assert.Equal(("serve.tests.GrpcProbe", false), (tags[GatewayMetrics.RpcServiceTag], string.IsNullOrEmpty(tags[ServeMeter.ApplicationTag] as string))));

        static bool Succeeded(Dictionary<string, object?> tags) => tags.GetValueOrDefault(GatewayMetrics.GrpcStatusCodeTag) is (int)StatusCode.OK;
        static bool Failed(Dictionary<string, object?> tags) => tags.GetValueOrDefault(GatewayMetrics.GrpcStatusCodeTag) is (int)StatusCode.Unknown;
    }
}
