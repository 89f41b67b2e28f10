using System.Diagnostics;
using Xunit.Abstractions;

namespace Serve.Tests.Cluster;

[Collection(ProcessClusterCollection.Name)]
public sealed class WorkerCrashTests(ProcessClusterFixture cluster, ITestOutputHelper output)
{
    private const int Callers = 8;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Kill_WorkerUnderSteadyHandleLoad_EveryCallAccountedForAndReplicasBackOnSurvivor()
    {
        await cluster.EnsureAllRunningAsync();
        var app = Deployment.For<Workload>().Options(o => o with { NumReplicas = 4, MaxOngoingRequests = 8 }).Bind();
        var handle = await cluster.Serve.RunAsync<IWorkload>(app, "crash", null);
        var idempotent = handle.WithOptions(handle.CallOptions with { Idempotent = true });
        var (survivor, victim) = (cluster.Workers[0], cluster.Workers[1]);
        var ledger = new CallLedger();
        using var stop = new CancellationTokenSource();
        try
        {
            // Half the callers make idempotent calls, half not; each call takes 20 ms, so some are in flight on the victim.
            var callers = Enumerable.Range(0, Callers)
                .Select(i => i % 2 == 0
                    ? ledger.RunAsync(idempotent: true, () => idempotent.Remote.WorkAsync(20), stop.Token)
                    : ledger.RunAsync(idempotent: false, () => handle.Remote.WorkAsync(20), stop.Token))
                .ToArray();
            await ledger.WhenSucceededAsync(200).WaitAsync(Patience);

            await victim.KillAsync();
            var sinceKill = Stopwatch.StartNew();
            await cluster.Serve.WaitForStatusAsync(s => s.IsHealthyOn("crash", "Workload", 4, [survivor.SiloAddress!]), Patience);
            var recovered = sinceKill.Elapsed;
            await ledger.WhenSucceededAsync(ledger.Succeeded + 200).WaitAsync(Patience);
            await stop.CancelAsync();
            // No call outlives the client's response timeout, the longest an Orleans client waits on a dead gateway.
            await Task.WhenAll(callers).WaitAsync(ProcessClusterFixture.ClientResponseTimeout + TimeSpan.FromSeconds(10));
            output.WriteLine($"Back at 4 healthy replicas on the survivor {recovered.TotalSeconds:F1} s after the kill; calls: {ledger}.");
            foreach (var sample in ledger.Samples)
            {
                output.WriteLine(sample);
            }

            Assert.Equal(ledger.Sent, ledger.Succeeded + ledger.Failed);
            Assert.Empty(ledger.Failures(idempotent: true));
            Assert.All(ledger.Failures(idempotent: false), kind => Assert.Equal(nameof(ReplicaUnavailableException), kind.Key));
        }
        catch
        {
            output.WriteLine($"Calls so far: {ledger}.");
            output.WriteLine($"{survivor.Name} (survivor) wrote:{Environment.NewLine}{survivor.RecentOutput}");
            output.WriteLine($"{victim.Name} (killed) wrote:{Environment.NewLine}{victim.RecentOutput}");
            throw;
        }
        finally
        {
            await stop.CancelAsync();
            await cluster.EnsureAllRunningAsync();
            await cluster.Serve.DeleteAsync("crash");
        }
    }
}
