namespace Serve.Tests.Cluster;

[Collection(ProcessClusterCollection.Name)]
public sealed class ClusterFormationTests(ProcessClusterFixture cluster)
{
    [Fact]
    public async Task RunAsync_TwoWorkerProcesses_ReplicasSpreadOnBothAndBothServe()
    {
        await cluster.EnsureAllWorkersRunningAsync();
        var app = Deployment.For<Workload>().Options(o => o with { NumReplicas = 4 }).Bind();

        var handle = await cluster.Serve.RunAsync<IWorkload>(app, "formation", null);
        var replicas = (await cluster.Serve.GetStatusAsync()).Applications["formation"].Deployments["Workload"].Replicas;
        var servedBy = await Task.WhenAll(Enumerable.Range(0, 40).Select(_ => handle.Remote.WorkAsync(5)));

        var workers = cluster.Workers.Select(w => w.SiloAddress!).Order().ToArray();
        Assert.Equal(workers, replicas.Select(r => r.Silo!).Distinct().Order().ToArray());
        Assert.All(replicas.GroupBy(r => r.Silo), silo => Assert.Equal(2, silo.Count()));
        Assert.Equal(cluster.Workers.Select(w => w.ProcessId!.Value).Order().ToArray(), servedBy.Distinct().Order().ToArray());
        await cluster.Serve.DeleteAsync("formation");
    }
}
