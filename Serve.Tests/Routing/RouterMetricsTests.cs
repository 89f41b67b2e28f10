using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Serve.Routing;

namespace Serve.Tests.Routing;

public sealed class RouterMetricsTests
{
    [Fact]
    public void Retried_IdempotentReplay_CountsOnServeMeterWithDeploymentAndReason()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var metrics = new RouterMetrics(services.GetRequiredService<IMeterFactory>());
        var measured = new List<(string Instrument, long Value, Dictionary<string, object?> Tags)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "Serve" && instrument.Meter.Scope == services.GetRequiredService<IMeterFactory>())
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
            measured.Add((instrument.Name, value, tags.ToArray().ToDictionary(t => t.Key, t => t.Value))));
        listener.Start();

        metrics.Retried(new DeploymentId("shop", "Ingress"), RetryReason.IdempotentReplay);
        metrics.ReplicaUnavailable(new DeploymentId("shop", "Ingress"));

        Assert.Collection(measured,
            m =>
            {
                Assert.Equal(("serve.router.retries", 1L), (m.Instrument, m.Value));
                Assert.Equal(new Dictionary<string, object?> { ["serve.application"] = "shop", ["serve.deployment"] = "Ingress", ["serve.retry.reason"] = "idempotent_replay" }, m.Tags);
            },
            m =>
            {
                Assert.Equal(("serve.router.replica_unavailable", 1L), (m.Instrument, m.Value));
                Assert.Equal(new Dictionary<string, object?> { ["serve.application"] = "shop", ["serve.deployment"] = "Ingress" }, m.Tags);
            });
    }

    [Fact]
    public void CallEnded_EachTransport_TaggedWithHowTheCallReachedItsReplica()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var metrics = new RouterMetrics(services.GetRequiredService<IMeterFactory>());
        var measured = new List<Dictionary<string, object?>>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Scope == services.GetRequiredService<IMeterFactory>() && instrument.Name == RouterMetrics.CallDurationName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<double>((_, _, tags, _) => measured.Add(tags.ToArray().ToDictionary(t => t.Key, t => t.Value)));
        listener.Start();
        var deployment = new Serve.Diagnostics.DeploymentTags(new DeploymentId("shop", "Ingress"));

        metrics.CallEnded(deployment, TimeSpan.FromMilliseconds(1), failure: null, CallTransport.InProcess);
        metrics.CallEnded(deployment, TimeSpan.FromMilliseconds(1), failure: null, CallTransport.DataPlane);
        metrics.CallEnded(deployment, TimeSpan.FromMilliseconds(1), new TimeoutException(), CallTransport.Orleans);
        metrics.CallEnded(deployment, TimeSpan.FromMilliseconds(1), new TimeoutException(), CallTransport.None);

        Assert.Equal(["in_process", "data_plane", "orleans", null], measured.Select(m => m.GetValueOrDefault("serve.call.transport")));
        Assert.All(measured, m => Assert.Equal(("shop", "Ingress"), (m["serve.application"], m["serve.deployment"])));
    }
}
