using System.Diagnostics;
using Xunit.Abstractions;

namespace Serve.Tests.Cluster;

[Collection(ProcessClusterCollection.Name)]
public sealed class ControllerFailoverTests(ProcessClusterFixture cluster, ITestOutputHelper output)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Kill_SiloHostingController_TrafficKeepsFlowingAndControlPlaneComesBackElsewhereFromRedis()
    {
        await cluster.EnsureAllRunningAsync();
        var handle = await cluster.Serve.RunAsync<IWorkload>(Deployment.For<Workload>().Options(o => o with { NumReplicas = 4 }).Bind(), "failover", null);
        await cluster.Serve.RunAsync(Deployment.For<WorkloadIngress>().Bind(), "failover-http", "/failover-http");
        var victim = await cluster.FindControllerSiloAsync();
        // HTTP goes through a gateway that survives: the fixture's, or, when the controller is on it, one more.
        var gateway = victim == cluster.Gateway ? await cluster.StartGatewayAsync("gateway-failover") : cluster.Gateway;
        await gateway.WaitForRouteAsync("/failover-http", Patience);
        var idempotent = handle.WithOptions(handle.CallOptions with { Idempotent = true });
        using var http = new HttpClient { BaseAddress = gateway.BaseAddress };
        var (calls, requests) = (new CallLedger(), new CallLedger());
        using var stop = new CancellationTokenSource();
        var load = Enumerable.Range(0, 4)
            .Select(_ => calls.RunAsync(idempotent: true, () => idempotent.Remote.WorkAsync(10), stop.Token))
            .Concat(Enumerable.Range(0, 4).Select(_ => requests.RunAsync(idempotent: false, () => http.GetReplyAsync("/failover-http?ms=10"), stop.Token, HttpFailures.Kind)))
            .ToArray();
        try
        {
            await Task.WhenAll(calls.WhenSucceededAsync(100), requests.WhenSucceededAsync(100)).WaitAsync(Patience);

            await victim.KillAsync();
            var sinceKill = Stopwatch.StartNew();
            var (callsAtKill, requestsAtKill) = (calls.Succeeded, requests.Succeeded);
            // The control plane is back once a status comes from a controller re-activated elsewhere, read from Redis.
            await cluster.Serve.WaitForStatusAsync(s => s.Applications.ContainsKey("failover") && s.Applications.ContainsKey("failover-http"), Patience);
            var back = sinceKill.Elapsed;
            var (callsWhileAway, requestsWhileAway) = (calls.Succeeded - callsAtKill, requests.Succeeded - requestsAtKill);
            var newHome = await cluster.FindControllerSiloAsync();
            await cluster.Serve.RunAsync<IWorkload>(Deployment.For<Workload>().Options(o => o with { NumReplicas = 1 }).Bind(), "failover-new", null);
            var survivors = cluster.Workers.Where(w => w.IsRunning).Select(w => w.SiloAddress!).ToArray();
            await cluster.Serve.WaitForStatusAsync(s => s.IsHealthyOn("failover", "Workload", 4, survivors) && s.IsHealthyOn("failover-new", "Workload", 1, survivors), Patience);
            await Task.WhenAll(calls.WhenSucceededAsync(calls.Succeeded + 100), requests.WhenSucceededAsync(requests.Succeeded + 100)).WaitAsync(Patience);
            await stop.CancelAsync();
            await Task.WhenAll(load).WaitAsync(ProcessClusterFixture.ClientResponseTimeout + TimeSpan.FromSeconds(10));
            output.WriteLine($"Killed {victim.Name}, which hosted the controller; the controller answered again from {newHome.Name} {back.TotalSeconds:F1} s later.");
            output.WriteLine($"Meanwhile {callsWhileAway} handle calls and {requestsWhileAway} HTTP requests through {gateway.Name} succeeded.");
            output.WriteLine($"Handle calls: {calls}. HTTP requests: {requests}.");
            foreach (var sample in calls.Samples.Concat(requests.Samples))
            {
                output.WriteLine(sample);
            }

            Assert.True(requestsWhileAway > 0, "No HTTP request succeeded while the controller was away.");
            Assert.Equal(calls.Sent, calls.Succeeded + calls.Failed);
            Assert.Equal(requests.Sent, requests.Succeeded + requests.Failed);
            Assert.Equal(0, calls.Failed);
            Assert.Equal(0, requests.Failed);
        }
        catch
        {
            output.WriteLine($"Handle calls so far: {calls}. HTTP requests so far: {requests}.");
            output.WriteLine(cluster.RecentOutputs());
            throw;
        }
        finally
        {
            await stop.CancelAsync();
            if (gateway != cluster.Gateway)
            {
                await gateway.KillAsync();
            }
            await cluster.EnsureAllRunningAsync();
            await cluster.DeleteIfPresentAsync("failover", "failover-http", "failover-new");
        }
    }
}
