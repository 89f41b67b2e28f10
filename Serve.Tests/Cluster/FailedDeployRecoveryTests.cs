using System.Collections.Concurrent;
using Xunit.Abstractions;

namespace Serve.Tests.Cluster;

/// <summary>
/// A deployment that went DEPLOY_FAILED because its replicas could not start on the workers present (the only worker that
/// offers what it needs runs a broken build) comes back by itself when a worker that can run it joins: no serve deploy.
/// Each worker that joins is one retry, on it, and no more.
/// </summary>
[Collection(ProcessClusterCollection.Name)]
[Trait("Category", "Cluster")]
public sealed class FailedDeployRecoveryTests(ProcessClusterFixture cluster, ITestOutputHelper output)
{
    private const string App = "recovers-when-a-worker-joins";

    /// <summary>Offered only by the workers this test starts, so the deployment's replica goes nowhere else.</summary>
    private const string Resource = "recovery";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private static Dictionary<string, string> Offering(bool broken)
    {
        var settings = new Dictionary<string, string> { [$"Serve__Silo__Resources__Custom__{Resource}"] = "1" };
        if (broken)
        {
            settings["ServeTests__BrokenBuild"] = "true";
        }
        return settings;
    }

    [Fact]
    public async Task SiloJoins_DeploymentFailedOnTheOnlyWorkerThatFits_ServesFromTheNewWorkerWithoutARedeploy()
    {
        await cluster.EnsureAllRunningAsync();
        WorkerProcess? broken = null;
        WorkerProcess? alsoBroken = null;
        WorkerProcess? good = null;
        var lines = new ConcurrentQueue<string>();
        var failedStarts = new ConcurrentDictionary<string, int>();
        void Collect(SiloProcess silo, string line)
        {
            if (line.Contains("DEPLOY_FAILED", StringComparison.Ordinal))
            {
                lines.Enqueue($"{silo.Name}: {line}");
            }
            if (line.Contains($"Replica {App}/", StringComparison.Ordinal) && line.Contains(" failed to start ", StringComparison.Ordinal))
            {
                failedStarts.AddOrUpdate(silo.Name, 1, (_, n) => n + 1);
            }
        }
        cluster.SiloLineWritten += Collect;
        try
        {
            broken = await cluster.StartWorkerAsync("worker-broken-build", Offering(broken: true));
            var app = Deployment.For<BuildSensitive>()
                .Options(o => o with
                {
                    NumReplicas = 1,
                    MaxConstructorRetryCount = 3,
                    Resources = new ReplicaResources { Custom = new Dictionary<string, double> { [Resource] = 1 } },
                })
                .Bind();

            await Assert.ThrowsAsync<DeployFailedException>(() => cluster.Serve.RunAsync<IBuildSensitive>(app, App, null).WaitAsync(Patience));
            var failed = (await cluster.Serve.GetStatusAsync()).Applications[App];
            Assert.Equal(ApplicationState.DeployFailed, failed.State);
            Assert.Contains("this worker's build of the model cannot load it", failed.Message, StringComparison.Ordinal);

            // Another worker with the broken build joins: one retry, there (not on the first), failing as many times as any
            // attempt, and DEPLOY_FAILED again, saying it was retried; no loop.
            alsoBroken = await cluster.StartWorkerAsync("worker-broken-build-too", Offering(broken: true));
            var failedAgain = await cluster.Serve.WaitForStatusAsync(
                s => s.Applications.TryGetValue(App, out var a) && a.State == ApplicationState.DeployFailed
                    && a.Message.Contains($"It had been retried because silo {alsoBroken.SiloAddress} joined the cluster.", StringComparison.Ordinal),
                Patience);
            Assert.Contains("It is retried when a silo joins the cluster", failedAgain.Applications[App].Message, StringComparison.Ordinal);

            good = await cluster.StartWorkerAsync("worker-fixed-build", Offering(broken: false));

            var running = await cluster.Serve.WaitForStatusAsync(
                s => s.Applications.TryGetValue(App, out var a) && a.State == ApplicationState.Running, Patience);
            var replica = Assert.Single(running.Applications[App].Deployments[nameof(BuildSensitive)].Replicas);
            Assert.Equal(good.SiloAddress, replica.Silo);
            var handle = await cluster.Serve.GetAppHandleAsync<IBuildSensitive>(App).WaitAsync(Patience);
            Assert.Equal(good.ProcessId!.Value, await handle.Remote.ProcessIdAsync().WaitAsync(Patience));
            // Why it came back, in the controller's and the deployment's lines: retried because the new silo joined.
            Assert.Contains(lines, l => l.Contains($"because silo {good.SiloAddress} joined the cluster", StringComparison.Ordinal));
            // Each broken worker ran the constructor MaxConstructorRetryCount times, once per attempt: none retried there again.
            Assert.Equal(3, failedStarts.GetValueOrDefault(broken.Name));
            Assert.Equal(3, failedStarts.GetValueOrDefault(alsoBroken.Name));
            Assert.Equal(0, failedStarts.GetValueOrDefault(good.Name));
        }
        catch
        {
            output.WriteLine(cluster.RecentOutputs());
            throw;
        }
        finally
        {
            cluster.SiloLineWritten -= Collect;
            await cluster.DeleteIfPresentAsync(App).WaitAsync(Patience);
            foreach (var worker in new[] { broken, alsoBroken, good })
            {
                if (worker is not null)
                {
                    await worker.KillAsync();
                }
            }
            await cluster.WaitForActiveSilosAsync();
        }
    }
}
