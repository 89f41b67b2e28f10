using System.Diagnostics;
using Serve.Grains;
using Xunit.Abstractions;

namespace Serve.Tests.Cluster;

[Collection(ProcessClusterCollection.Name)]
public sealed class RedisPauseTests(ProcessClusterFixture cluster, ITestOutputHelper output)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    /// <summary>Longer than the fast liveness profile takes to declare a silo dead (two missed 1 s probes) and than a Redis call's timeout (5 s).</summary>
    private static readonly TimeSpan Pause = TimeSpan.FromSeconds(8);

    [Fact]
    public async Task Pause_RedisUnderLoad_ServingContinuesDeployFailsClearlyAndAllRecoversOnResume()
    {
        await cluster.EnsureAllRunningAsync();
        var handle = await cluster.Serve.RunAsync<IWorkload>(Deployment.For<Workload>().Bind(), "pause", null);
        await cluster.Serve.RunAsync(Deployment.For<WorkloadIngress>().Bind(), "pause-http", "/pause-http");
        await cluster.Gateway.WaitForRouteAsync("/pause-http", Patience);
        var silosBefore = cluster.Silos.Where(s => s.IsRunning).Select(s => s.SiloAddress!).Order().ToArray();
        using var http = new HttpClient { BaseAddress = cluster.Gateway.BaseAddress };
        var (calls, requests) = (new CallLedger(), new CallLedger());
        using var stop = new CancellationTokenSource();
        var load = Enumerable.Range(0, 2)
            .Select(_ => calls.RunAsync(idempotent: false, () => handle.Remote.WorkAsync(10), stop.Token))
            .Concat(Enumerable.Range(0, 2).Select(_ => requests.RunAsync(idempotent: false, () => http.GetReplyAsync("/pause-http?ms=10"), stop.Token, HttpFailures.Kind)))
            .ToArray();
        var paused = false;
        try
        {
            await Task.WhenAll(calls.WhenSucceededAsync(100), requests.WhenSucceededAsync(100)).WaitAsync(Patience);

            await cluster.Redis.PauseAsync();
            paused = true;
            var sincePause = Stopwatch.StartNew();
            var (callsAtPause, requestsAtPause) = (calls.Succeeded, requests.Succeeded);
            var deploy = cluster.Serve.RunAsync<IWorkload>(Deployment.For<Workload>().Options(o => o with { NumReplicas = 1 }).Bind(), "pause-new", null);
            Exception? deployError = null;
            try
            {
                await deploy.WaitAsync(Patience);
            }
            catch (Exception e)
            {
                deployError = e;
            }
            var deployEnded = sincePause.Elapsed;
            if (sincePause.Elapsed < Pause)
            {
                // The pause itself is what is under test: it lasts its set time, however fast the deploy gave up.
                await Task.Delay(Pause - sincePause.Elapsed);
            }
            var (callsDuringPause, requestsDuringPause) = (calls.Succeeded - callsAtPause, requests.Succeeded - requestsAtPause);
            await cluster.Redis.ResumeAsync();
            paused = false;
            output.WriteLine($"Redis paused {sincePause.Elapsed.TotalSeconds:F1} s; the deploy ended after {deployEnded.TotalSeconds:F1} s with {deployError?.GetType().Name ?? "success"}: {deployError?.Message}");
            output.WriteLine($"During the pause {callsDuringPause} handle calls and {requestsDuringPause} HTTP requests succeeded.");

            // The timed-out write may have reached Redis when it resumed. Either way the change is whole or absent: listed
            // and RUNNING, or neither listed nor holding replicas.
            var status = await cluster.Serve.WaitForStatusAsync(s => !s.Applications.TryGetValue("pause-new", out var app) || app.State == ApplicationState.Running, Patience);
            var stored = status.Applications.ContainsKey("pause-new");
            output.WriteLine($"{sincePause.Elapsed.TotalSeconds:F1} s after the pause began: the controller answers again.");
            var orphan = await cluster.Client.GetGrain<IDeploymentGrain>(new DeploymentId("pause-new", nameof(Workload)).Key).GetStatusAsync();
            output.WriteLine($"After resume the status lists {string.Join(", ", status.Applications.Keys)}; pause-new's deployment has {orphan.Replicas.Count} replica(s).");
            await cluster.Serve.RunAsync<IWorkload>(Deployment.For<Workload>().Options(o => o with { NumReplicas = 1 }).Bind(), "pause-after", null);
            await cluster.WaitForActiveSilosAsync();
            output.WriteLine($"{sincePause.Elapsed.TotalSeconds:F1} s after the pause began: a new deploy succeeded and every silo is active.");
            await Task.WhenAll(calls.WhenSucceededAsync(calls.Succeeded + 100), requests.WhenSucceededAsync(requests.Succeeded + 100)).WaitAsync(Patience);
            await stop.CancelAsync();
            await Task.WhenAll(load).WaitAsync(ProcessClusterFixture.ClientResponseTimeout + TimeSpan.FromSeconds(10));
            output.WriteLine($"Handle calls: {calls}. HTTP requests: {requests}.");
            foreach (var sample in calls.Samples.Concat(requests.Samples))
            {
                output.WriteLine(sample);
            }

            var refused = Assert.IsType<StateStoreUnavailableException>(deployError);
            Assert.Equal("application 'pause-new'", refused.Change);
            Assert.True(stored || orphan.Replicas.Count == 0, $"pause-new is not listed, yet its deployment runs {orphan.Replicas.Count} replica(s).");
            Assert.True(callsDuringPause > 0 && requestsDuringPause > 0, "Serving stopped while Redis was paused.");
            Assert.Equal(silosBefore, cluster.Silos.Where(s => s.IsRunning).Select(s => s.SiloAddress!).Order().ToArray());
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
            if (paused)
            {
                await cluster.Redis.ResumeAsync();
            }
            await cluster.EnsureAllRunningAsync();
            await cluster.DeleteIfPresentAsync("pause", "pause-http", "pause-new", "pause-after");
        }
    }
}
