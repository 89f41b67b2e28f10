using Xunit.Abstractions;

namespace Serve.Tests.Cluster;

[Collection(ProcessClusterCollection.Name)]
public sealed class GatewayCrashTests(ProcessClusterFixture cluster, ITestOutputHelper output)
{
    private const int CallersPerGateway = 4;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Kill_OneOfTwoGatewaysUnderHttpLoad_OtherServesWithoutFailureAndOnlyRequestsInFlightOnTheDeadOneFail()
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await cluster.EnsureAllRunningAsync();
        await cluster.Serve.RunAsync(Deployment.For<WorkloadIngress>().Bind(), "gateway-crash", "/gateway-crash");
        var survivor = cluster.Gateway;
        await using var victim = await cluster.StartGatewayAsync("gateway-victim");
        await Task.WhenAll(survivor.WaitForRouteAsync("/gateway-crash", Patience), victim.WaitForRouteAsync("/gateway-crash", Patience));
        using var survivorHttp = new HttpClient { BaseAddress = survivor.BaseAddress };
        using var victimHttp = new HttpClient { BaseAddress = victim.BaseAddress };
        var (served, died) = (new CallLedger(), new CallLedger());
        using var stopSurvivor = new CancellationTokenSource();
        using var stopVictim = new CancellationTokenSource();
        // Each request takes 20 ms in its replica, so requests are in flight on the victim when it dies.
        var load = Enumerable.Range(0, CallersPerGateway)
            .Select(_ => served.RunAsync(idempotent: false, () => survivorHttp.GetReplyAsync("/gateway-crash?ms=20"), stopSurvivor.Token, HttpFailures.Kind))
            .Concat(Enumerable.Range(0, CallersPerGateway).Select(_ => died.RunAsync(idempotent: false, () => victimHttp.GetReplyAsync("/gateway-crash?ms=20"), stopVictim.Token, HttpFailures.Kind)))
            .ToArray();
        try
        {
            await Task.WhenAll(served.WhenSucceededAsync(100), died.WhenSucceededAsync(100)).WaitAsync(Patience);
            output.WriteLine($"{clock.Elapsed.TotalSeconds:F1} s: both gateways served 100 requests; killing {victim.Name}.");

            // Like a load balancer taking the gateway out of rotation as it dies: no new request goes to it after this.
            // A request in flight on a kept-alive connection that breaks is retried once by HttpClient on a new one, which
            // the dead gateway refuses: such requests fail as ConnectionError, not ResponseEnded.
            await stopVictim.CancelAsync();
            var inFlightAtKill = died.InFlight;
            await victim.KillAsync();
            var servedAtKill = served.Succeeded;
            await Task.WhenAll(load.Skip(CallersPerGateway)).WaitAsync(Patience);
            // The cluster has declared the victim's silo dead (and moved whatever grains it hosted) while the survivor served.
            await cluster.WaitForActiveSilosAsync();
            output.WriteLine($"{clock.Elapsed.TotalSeconds:F1} s: the cluster declared {victim.Name} dead.");
            await served.WhenSucceededAsync(served.Succeeded + 200).WaitAsync(Patience);
            await stopSurvivor.CancelAsync();
            await Task.WhenAll(load).WaitAsync(Patience);
            var diedWithRequest = died.Failures(idempotent: false);
            output.WriteLine($"{clock.Elapsed.TotalSeconds:F1} s: load stopped.");
            output.WriteLine($"Through the survivor: {served} ({served.Succeeded - servedAtKill} after the kill).");
            output.WriteLine($"Through the victim: {died}; {inFlightAtKill} in flight when it was killed.");
            foreach (var sample in served.Samples.Concat(died.Samples))
            {
                output.WriteLine(sample);
            }

            Assert.Equal(served.Sent, served.Succeeded + served.Failed);
            Assert.Equal(0, served.Failed);
            Assert.Equal(died.Sent, died.Succeeded + died.Failed);
            Assert.All(diedWithRequest, kind => Assert.True(HttpFailures.IsNoAnswer(kind.Key), $"{kind.Value} request(s) through the victim failed with {kind.Key}, not by its death."));
            Assert.InRange(died.Failed, 0, inFlightAtKill);
        }
        catch
        {
            output.WriteLine($"Through the survivor so far: {served}. Through the victim: {died}.");
            output.WriteLine(cluster.RecentOutputs());
            throw;
        }
        finally
        {
            await stopSurvivor.CancelAsync();
            await stopVictim.CancelAsync();
            await victim.KillAsync();
            await cluster.EnsureAllRunningAsync();
            await cluster.DeleteIfPresentAsync("gateway-crash");
        }
    }
}
