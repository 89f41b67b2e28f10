using Xunit.Abstractions;

namespace Serve.Tests.Cluster;

[Collection(ProcessClusterCollection.Name)]
public sealed class ClusterFormationTests(ProcessClusterFixture cluster, ITestOutputHelper output)
{
    [Fact]
    public async Task RunAsync_TwoWorkerProcesses_ReplicasSpreadOnBothAndBothServe()
    {
        await cluster.EnsureAllRunningAsync();
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

    [Fact]
    public async Task RunAsync_DeploymentTakingAServiceOnlyItsAssemblySetupRegisters_BothWorkerProcessesServeIt()
    {
        await cluster.EnsureAllRunningAsync();
        // Without the setup, each start fails on the missing service: two failures and the run fails.
        var app = Deployment.For<Deployments.SetupServed>().Options(o => o with { NumReplicas = 2, MaxConstructorRetryCount = 2, MaxReplicasPerSilo = 1 }).Bind();

        var handle = await cluster.Serve.RunAsync<Deployments.ISetupServed>(app, "setup-served", null);
        var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => handle.Remote.WhoAsync()));

        Assert.All(answers, a => Assert.StartsWith(Deployments.TestServiceSetup.Text, a, StringComparison.Ordinal));
        var processes = cluster.Workers.Select(w => w.ProcessId!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        Assert.All(answers, a => Assert.Contains(a.Split(' ')[^1], processes));
        await cluster.Serve.DeleteAsync("setup-served");
    }

    [Fact]
    public async Task RunAsync_HttpIngressOnGatewayAndTwoWorkers_GatewayProcessAnswersFromReplicasOnWorkersOnly()
    {
        await cluster.EnsureAllRunningAsync();
        var app = Deployment.For<WorkloadIngress>().Options(o => o with { NumReplicas = 4 }).Bind();
        await cluster.Serve.RunAsync(app, "formation-http", "/formation-http");
        await cluster.Gateway.WaitForRouteAsync("/formation-http", TimeSpan.FromSeconds(30));
        var replicas = (await cluster.Serve.GetStatusAsync()).Applications["formation-http"].Deployments[nameof(WorkloadIngress)].Replicas;
        using var http = new HttpClient { BaseAddress = cluster.Gateway.BaseAddress };
        var ledger = new CallLedger();
        var servedBy = new System.Collections.Concurrent.ConcurrentBag<int>();
        using var stop = new CancellationTokenSource();

        var callers = Enumerable.Range(0, 4)
            .Select(_ => ledger.RunAsync(idempotent: false, async () => servedBy.Add((await http.GetReplyAsync("/formation-http?ms=2")).ProcessId), stop.Token, HttpFailures.Kind))
            .ToArray();
        await ledger.WhenSucceededAsync(100).WaitAsync(TimeSpan.FromSeconds(30));
        await stop.CancelAsync();
        await Task.WhenAll(callers);
        output.WriteLine($"Requests through {cluster.Gateway.Name}: {ledger}.");

        var workers = cluster.Workers.Select(w => w.SiloAddress!).Order().ToArray();
        Assert.Equal(workers, replicas.Select(r => r.Silo!).Distinct().Order().ToArray());
        Assert.DoesNotContain(cluster.Gateway.SiloAddress, replicas.Select(r => r.Silo));
        Assert.Equal(ledger.Sent, ledger.Succeeded + ledger.Failed);
        Assert.Equal(0, ledger.Failed);
        Assert.Equal(cluster.Workers.Select(w => w.ProcessId!.Value).Order().ToArray(), servedBy.Distinct().Order().ToArray());
        await cluster.Serve.DeleteAsync("formation-http");
    }
}
