using System.Diagnostics;
using Xunit.Abstractions;

namespace Serve.Tests.Cluster;

[Collection(ProcessClusterCollection.Name)]
public sealed class FullRestartTests(ProcessClusterFixture cluster, ITestOutputHelper output)
{
    [Fact]
    public async Task RestartAllWorkers_ApplicationRunningBefore_ComesBackFromRedisAndServesWithoutRedeploy()
    {
        await cluster.EnsureAllRunningAsync();
        var app = Deployment.For<Workload>().Options(o => o with { NumReplicas = 2 }).Bind();
        var handle = await cluster.Serve.RunAsync<IWorkload>(app, "restart", null);
        var before = await handle.Remote.WorkAsync(0);

        var sinceKill = Stopwatch.StartNew();
        await cluster.RestartAllWorkersAsync();
        var restarted = sinceKill.Elapsed;
        var workers = cluster.Workers.Select(w => w.SiloAddress!).ToArray();
        var status = await cluster.Serve.WaitForStatusAsync(s => s.IsHealthyOn("restart", "Workload", 2, workers), TimeSpan.FromSeconds(45));
        // The status is the controller's word: this client's router may still hold the replicas that died with their
        // workers for a moment, and a call it sends to one of them may have run there as far as it knows, so only an
        // idempotent call goes on to the new ones (a non-idempotent one fails fast, failed once in a full run).
        var after = await handle.WithOptions(handle.CallOptions with { Idempotent = true }).Remote.WorkAsync(0);
        output.WriteLine($"Workers killed and active again after {restarted.TotalSeconds:F1} s; application healthy again after {sinceKill.Elapsed.TotalSeconds:F1} s.");

        Assert.Equal(ApplicationState.Running, status.Applications["restart"].State);
        Assert.Contains(after, cluster.Workers.Select(w => w.ProcessId!.Value));
        Assert.DoesNotContain(before, cluster.Workers.Select(w => w.ProcessId!.Value));
        await cluster.Serve.DeleteAsync("restart");
    }
}
