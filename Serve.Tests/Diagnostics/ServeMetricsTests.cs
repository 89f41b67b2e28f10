using System.Net;
using Serve.Tests.Deployments.Http;
using Serve.Tests.Infrastructure;

namespace Serve.Tests.Diagnostics;

[Collection(GatewayCollection.Name)]
public sealed class ServeMetricsTests(GatewayFixture fixture)
{
    [Fact]
    public async Task Requests_KnownTraffic_MeasuredPerDeploymentReplicaAndCaller()
    {
        using var metrics = new MetricRecorder("measured");
        await fixture.Serve.RunAsync(Deployment.For<EchoIngress>().Bind("measured"), new RunOptions { Name = "measured", RoutePrefix = "/measured" });
        await fixture.WaitForRoutesAsync(r => r.GetValueOrDefault("/measured") == "measured");
        var gate = Gate.Create($"measured-{Guid.NewGuid():N}");

        using var first = await fixture.Http.GetAsync("/measured/?kind=string");
        using var second = await fixture.Http.GetAsync("/measured/?kind=string");
        using var failed = await fixture.Http.GetAsync("/measured/?kind=fail");
        var held = fixture.Http.GetAsync($"/measured/?kind=hold&gate={gate.Name}");
        await gate.WhenArrivedAsync(1).WaitAsync(TimeSpan.FromSeconds(30));

        // While one request is held inside the replica: the gauges, read as a collector would.
        metrics.Observe();
        var ongoing = Assert.Single(metrics.Of("serve.replica.ongoing_requests"));
        Assert.Equal(1, ongoing.Value);
        var replica = (string)ongoing.Tags["serve.replica"]!;
        Assert.StartsWith("measured/EchoIngress/", replica, StringComparison.Ordinal);
        Assert.Equal(1, Assert.Single(metrics.Of("serve.deployment.replicas"), m => (string)m.Tags["serve.replica.state"]! == "RUNNING").Value);
        Assert.Equal(1, Assert.Single(metrics.Of("serve.autoscaling.target_replicas")).Value);
        var healthy = Assert.Single(metrics.Of("serve.replica.healthy"));
        Assert.Equal((1.0, replica), (healthy.Value, (string)healthy.Tags["serve.replica"]!));
        Assert.Equal(0, Assert.Single(metrics.Of("serve.router.queued_requests")).Value);

        gate.Open();
        using var heldResponse = await held;
        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.InternalServerError, HttpStatusCode.OK),
            (first.StatusCode, second.StatusCode, failed.StatusCode, heldResponse.StatusCode));

        // Four requests processed by the one replica, one of them failed; the gateway's four handle calls likewise.
        var processed = metrics.Of("serve.deployment.request.duration");
        Assert.Equal(4, processed.Length);
        Assert.All(processed, m => Assert.Equal(("EchoIngress", false), ((string)m.Tags["serve.deployment"]!, m.Tags.ContainsKey("serve.replica"))));
        Assert.Equal("System.InvalidOperationException", Assert.Single(processed, m => m.Tags.ContainsKey("error.type")).Tags["error.type"]);
        var calls = await WaitForAsync(() => metrics.Of("serve.handle.call.duration"), 4);
        Assert.Equal("Serve.DeploymentCallException", Assert.Single(calls, m => m.Tags.ContainsKey("error.type")).Tags["error.type"]);
        // How the gateway reached the replica: in its own process, or on the worker silo as an Orleans call (no data plane
        // without Redis mode).
        var replicaSilo = (await fixture.Serve.GetStatusAsync()).Deployment("measured", "EchoIngress").Replicas.Single().Silo;
        var transport = replicaSilo == fixture.GatewaySilo ? "in_process" : "orleans";
        Assert.All(calls, m => Assert.Equal(transport, m.Tags["serve.call.transport"]));
        Assert.Equal(1, Assert.Single(metrics.Of("serve.replica.starts")).Value);
        metrics.Observe();
        Assert.Equal(0, Assert.Single(metrics.Of("serve.replica.ongoing_requests")).Value);

        await fixture.Serve.DeleteAsync("measured");
        metrics.Observe();
        Assert.Empty(metrics.Of("serve.replica.ongoing_requests"));
        Assert.Empty(metrics.Of("serve.deployment.replicas"));
    }

    /// <summary>The caller records a call once its answer is handed on, which may be just after the client has it.</summary>
    private static async Task<MetricRecorder.Recorded[]> WaitForAsync(Func<MetricRecorder.Recorded[]> read, int count)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (read().Length < count)
        {
            await Task.Delay(10, deadline.Token);
        }
        return read();
    }
}
