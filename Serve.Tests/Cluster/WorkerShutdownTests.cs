using System.Diagnostics;
using Xunit.Abstractions;

namespace Serve.Tests.Cluster;

/// <summary>SIGTERM on a worker: its replicas are replaced elsewhere first, then drained and disposed; a rolling restart loses nothing.</summary>
[Collection(ProcessClusterCollection.Name), Trait("Category", "Cluster")]
public sealed class WorkerShutdownTests(ProcessClusterFixture cluster, ITestOutputHelper output)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Terminate_WorkerWithReplicasAndCallsInFlight_ReplacedElsewhereCallsFinishAndInstancesDisposed()
    {
        await cluster.EnsureAllRunningAsync();
        var marks = Directory.CreateTempSubdirectory("serve-disposal-").FullName;
        var (survivor, victim) = (cluster.Workers[0], cluster.Workers[1]);
        try
        {
            var handle = await cluster.Serve.RunAsync<IWorkload>(Deployment.For<DisposalMarks>().Bind(marks), "sigterm", null);
            var status = await cluster.Serve.WaitForStatusAsync(s => s.IsHealthyOn("sigterm", nameof(DisposalMarks), 4, [survivor.SiloAddress!, victim.SiloAddress!]), Patience);
            var onVictim = status.Applications["sigterm"].Deployments[nameof(DisposalMarks)].Replicas.Count(r => r.Silo == victim.SiloAddress);
            var victimPid = victim.ProcessId!.Value;
            // Long calls on every replica (two per replica), so some are in flight on the victim when it is told to stop.
            var calls = Enumerable.Range(0, 8).Select(_ => handle.Remote.WorkAsync(3000)).ToArray();
            await Task.Delay(500);

            var clock = Stopwatch.StartNew();
            var exitCode = await victim.TerminateAsync(Patience);
            output.WriteLine($"{victim.Name} exited with {exitCode} {clock.Elapsed.TotalSeconds:F1} s after SIGTERM.");
            var answeredBy = await Task.WhenAll(calls).WaitAsync(Patience);

            Assert.Equal(0, exitCode);
            Assert.Contains(victimPid, answeredBy);
            Assert.True(onVictim > 0, "the test needs replicas on the victim");
            Assert.Equal(onVictim, DisposalMarks.DisposedBy(marks, victimPid));
            await cluster.Serve.WaitForStatusAsync(s => s.IsHealthyOn("sigterm", nameof(DisposalMarks), 4, [survivor.SiloAddress!]), Patience);
            Assert.Equal(survivor.ProcessId, await handle.Remote.WorkAsync(0));
        }
        catch
        {
            output.WriteLine(cluster.RecentOutputs());
            throw;
        }
        finally
        {
            await cluster.EnsureAllRunningAsync();
            await cluster.DeleteIfPresentAsync("sigterm");
            Directory.Delete(marks, recursive: true);
        }
    }

    [Fact]
    public async Task Terminate_EachWorkerInTurnUnderHttpLoad_NoIdempotentRequestFails()
    {
        await cluster.EnsureAllRunningAsync();
        await cluster.Serve.RunAsync(Deployment.For<WorkloadIngress>().Options(o => o with { NumReplicas = 4 }).Bind(), "rolling-restart", "/rolling-restart");
        await cluster.Gateway.WaitForRouteAsync("/rolling-restart", Patience);
        using var http = new HttpClient { BaseAddress = cluster.Gateway.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        var ledger = new CallLedger();
        using var stop = new CancellationTokenSource();
        // GETs are idempotent; each takes 20 ms in its replica, so some are in flight on a worker when it stops.
        var load = Enumerable.Range(0, 6)
            .Select(_ => ledger.RunAsync(idempotent: true, () => http.GetReplyAsync("/rolling-restart?ms=20"), stop.Token, HttpFailures.Kind))
            .ToArray();
        var clock = Stopwatch.StartNew();
        try
        {
            await ledger.WhenSucceededAsync(100).WaitAsync(Patience);
            foreach (var worker in cluster.Workers)
            {
                var exitCode = await worker.TerminateAsync(Patience);
                output.WriteLine($"{clock.Elapsed.TotalSeconds:F1} s: {worker.Name} exited with {exitCode}; calls so far: {ledger}.");
                Assert.Equal(0, exitCode);
                await worker.StartAsync(ProcessClusterFixture.StartTimeout);
                await cluster.WaitForActiveSilosAsync();
                // Replicas move back onto the restarted worker, one at a time, before the next one stops.
                await cluster.Serve.WaitForStatusAsync(s => s.IsHealthyOn("rolling-restart", nameof(WorkloadIngress), 4, cluster.Workers.Select(w => w.SiloAddress!).ToArray())
                    && s.Applications["rolling-restart"].Deployments[nameof(WorkloadIngress)].Replicas.Count(r => r.Silo == worker.SiloAddress) == 2, Patience);
                output.WriteLine($"{clock.Elapsed.TotalSeconds:F1} s: {worker.Name} is back with 2 replicas.");
            }
            await ledger.WhenSucceededAsync(ledger.Succeeded + 100).WaitAsync(Patience);
            await stop.CancelAsync();
            await Task.WhenAll(load).WaitAsync(Patience);
            output.WriteLine($"Rolling restart of {cluster.Workers.Count} workers under load: {ledger}.");
            foreach (var sample in ledger.Samples)
            {
                output.WriteLine(sample);
            }

            Assert.Equal(ledger.Sent, ledger.Succeeded + ledger.Failed);
            Assert.Equal(0, ledger.Failed);
        }
        catch
        {
            output.WriteLine($"Calls so far: {ledger}.");
            foreach (var sample in ledger.Samples)
            {
                output.WriteLine(sample);
            }
            output.WriteLine(cluster.RecentOutputs());
            throw;
        }
        finally
        {
            await stop.CancelAsync();
            await cluster.EnsureAllRunningAsync();
            await cluster.DeleteIfPresentAsync("rolling-restart");
        }
    }
}
