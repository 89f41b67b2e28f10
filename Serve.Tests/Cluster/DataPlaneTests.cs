using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Serve.Exchange;
using Serve.Tests.Diagnostics;
using Xunit.Abstractions;

namespace Serve.Tests.Cluster;

/// <summary>
/// The data plane with real processes (and the fixture's mutual TLS): a gateway's HTTP exchange with a replica on a
/// worker goes over the worker's exchange port, not as an Orleans message, and cancellation, the deadline and the
/// worker's death reach it there as they would through Orleans. A replica's handle calls to another worker's replicas go
/// that way too.
/// </summary>
[Collection(ProcessClusterCollection.Name)]
[Trait("Category", "Cluster")]
public sealed class DataPlaneTests(ProcessClusterFixture cluster, ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private static readonly Dictionary<string, string> Traced = new() { ["Logging__LogLevel__Serve.Exchange"] = "Debug" };
    private readonly WorkerFiles _files = new("serve-dataplane-", Patience);

    [Fact]
    public Task Get_ClientCancelsWhileRemoteReplicaHoldsIt_SentOverDataPlaneAndReplicaFreed() =>
        OnGatewayAsync("dp-cancel", Traced, async (gateway, http) =>
        {
            var (holds, never) = (_files.PathOf("holds"), _files.PathOf("never"));
            using var cancel = new CancellationTokenSource();
            var requestId = Guid.NewGuid().ToString("N");
            using var held = new HttpRequestMessage(HttpMethod.Get, $"/dp-cancel?hold={Uri.EscapeDataString(holds)}&release={Uri.EscapeDataString(never)}");
            held.Headers.Add("x-request-id", requestId);
            var sending = http.SendAsync(held, cancel.Token);
            await _files.WaitForLinesAsync(holds, 1);
            await SentOverDataPlaneAsync(gateway, requestId);

            // The replica's one slot is taken until the cancellation reaches it: only then is the next request served.
            await cancel.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => sending);
            using var next = await http.GetAsync("/dp-cancel").WaitAsync(TimeSpan.FromSeconds(20));
            Assert.Equal(HttpStatusCode.OK, next.StatusCode);
        });

    [Fact]
    public Task Get_DeadlinePassesWhileRemoteReplicaHoldsIt_TimeoutAndReplicaFreed() =>
        OnGatewayAsync("dp-deadline", new Dictionary<string, string>(Traced) { ["Serve__Http__RequestTimeout"] = "00:00:02" }, async (gateway, http) =>
        {
            var (holds, never) = (_files.PathOf("holds"), _files.PathOf("never"));
            var requestId = Guid.NewGuid().ToString("N");
            using var held = new HttpRequestMessage(HttpMethod.Get, $"/dp-deadline?hold={Uri.EscapeDataString(holds)}&release={Uri.EscapeDataString(never)}");
            held.Headers.Add("x-request-id", requestId);
            using var timedOut = await http.SendAsync(held).WaitAsync(Patience);

            Assert.Equal(HttpStatusCode.RequestTimeout, timedOut.StatusCode);
            await SentOverDataPlaneAsync(gateway, requestId);
            using var next = await http.GetAsync("/dp-deadline").WaitAsync(Patience);
            Assert.Equal(HttpStatusCode.OK, next.StatusCode);
        });

    [Fact]
    public Task Kill_WorkerHoldingExchangesOnDataPlane_IdempotentRetriedElsewhereOtherFailsUnavailable()
    {
        var (holds, release) = (_files.PathOf("holds"), _files.PathOf("release"));
        return OnGatewayAsync("dp-kill", Traced, maxOngoing: 4, releaseHeld: () => File.WriteAllTextAsync(release, ""), body: async (gateway, http) =>
        {
            var (getId, postId) = (Guid.NewGuid().ToString("N"), Guid.NewGuid().ToString("N"));
            var query = $"?hold={Uri.EscapeDataString(holds)}&release={Uri.EscapeDataString(release)}";
            using var get = new HttpRequestMessage(HttpMethod.Get, "/dp-kill" + query);
            get.Headers.Add("x-request-id", getId);
            using var post = new HttpRequestMessage(HttpMethod.Post, "/dp-kill" + query) { Content = new StringContent("once") };
            post.Headers.Add("x-request-id", postId);
            var getting = http.SendAsync(get);
            var posting = http.SendAsync(post);
            var serving = await _files.WaitForLinesAsync(holds, 2);
            Assert.Equal(serving[0], serving[1]);
            await SentOverDataPlaneAsync(gateway, getId);
            await SentOverDataPlaneAsync(gateway, postId);
            var victim = cluster.Workers.Single(w => w.ProcessId.ToString() == serving[0]);

            await victim.KillAsync();
            await File.WriteAllTextAsync(release, "");
            using var got = await getting.WaitAsync(Patience);
            using var posted = await posting.WaitAsync(Patience);

            Assert.Equal(HttpStatusCode.OK, got.StatusCode);
            var reply = await got.Content.ReadFromJsonAsync<WorkloadReply>();
            Assert.NotEqual(serving[0], reply!.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, posted.StatusCode);
            // The POST ran once, on the victim: never again elsewhere.
            Assert.Equal(3, (await File.ReadAllLinesAsync(holds)).Length);
        });
    }

    [Fact]
    public Task Freeze_WorkerHoldingAnExchangeOnDataPlane_ItFailsUnavailableAndNewRequestsGoToTheSurvivorBeforeItsDeathIsDeclared()
    {
        var (holds, never) = (_files.PathOf("holds"), _files.PathOf("never"));
        WorkerProcess? victim = null;
        // A short ping timeout, for a wide margin below the fast profile's declaration of death (~8.5 s) on a loaded machine.
        var settings = new Dictionary<string, string>(Traced) { ["Logging__LogLevel__Serve.Routing"] = "Debug", ["Serve__Silo__ExchangePingTimeout"] = "00:00:02" };
        const string Other = "dp-freeze-other";
        return OnGatewayAsync("dp-freeze", settings, others: [Other], releaseHeld: () => victim?.KillAsync() ?? Task.CompletedTask, body: async (gateway, http) =>
        {
            // Another application with a replica on each worker, whose router in the gateway has no call on the frozen one:
            // only the frozen silo's avoidance keeps its new requests away from it.
            await cluster.Serve.RunAsync(Deployment.For<WorkloadIngress>().Options(o => o with { NumReplicas = 2, MaxOngoingRequests = 8 }).Bind(), Other, $"/{Other}");
            await gateway.WaitForRouteAsync($"/{Other}", Patience);
            await cluster.Serve.WaitForStatusAsync(
                s => s.Applications.TryGetValue(Other, out var app) && app.Deployments.Values.Single().Replicas is { Count: 2 } replicas
                    && replicas.All(r => r.State == ReplicaState.Running) && replicas.Select(r => r.Silo).Distinct().Count() == 2,
                Patience);
            Assert.Equal(2, (await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => http.GetFromJsonAsync<WorkloadReply>($"/{Other}")))).Select(r => r!.ProcessId).Distinct().Count());

            var postId = Guid.NewGuid().ToString("N");
            using var post = new HttpRequestMessage(HttpMethod.Post, $"/dp-freeze?hold={Uri.EscapeDataString(holds)}&release={Uri.EscapeDataString(never)}")
            {
                Content = new StringContent("once"),
            };
            post.Headers.Add("x-request-id", postId);
            var posting = http.SendAsync(post);
            var serving = await _files.WaitForLinesAsync(holds, 1);
            await SentOverDataPlaneAsync(gateway, postId);
            victim = cluster.Workers.Single(w => w.ProcessId.ToString() == serving[0]);

            // Its connection stays up and its kernel acknowledges: only its silence tells, when the gateway's ping goes unanswered.
            victim.Freeze();
            output.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} froze {victim.Name} ({victim.SiloAddress})");
            using var posted = await posting.WaitAsync(Patience);
            output.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} the held call ended {(int)posted.StatusCode}");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, posted.StatusCode);
            Assert.False(await DeclaredDeadAsync(victim), "the held call ended only once the frozen worker was declared dead");

            // New requests, as many as both replicas have room for: none goes to the frozen worker's replica (a POST is not retried).
            var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(async i =>
            {
                using var answer = await http.PostAsync($"/{Other}", new StringContent($"after {i}"));
                return (answer.StatusCode, Reply: answer.IsSuccessStatusCode ? await answer.Content.ReadFromJsonAsync<WorkloadReply>() : null);
            })).WaitAsync(Patience);
            output.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} answers: {string.Join(", ", answers.Select(a => $"{(int)a.StatusCode} {a.Reply?.ProcessId}"))}");
            Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.StatusCode));
            Assert.All(answers, a => Assert.NotEqual(victim.ProcessId, a.Reply!.ProcessId));
            Assert.False(await DeclaredDeadAsync(victim), "the new requests were answered only once the frozen worker was declared dead");
        });
    }

    /// <summary>
    /// Whether the cluster's membership table (in Redis, read directly: an Orleans call might go through the frozen
    /// worker) says <paramref name="worker"/>'s incarnation is dead.
    /// </summary>
    private async Task<bool> DeclaredDeadAsync(WorkerProcess worker)
    {
        await using var redis = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(cluster.Redis.ConnectionString);
        var server = redis.GetServer(redis.GetEndPoints()[0]);
        await foreach (var key in server.KeysAsync(pattern: "*/members/*"))
        {
            // Each silo's entry is under its own address ("S127.0.0.1:port:generation"); another's may name it among its suspecters.
            var entry = await redis.GetDatabase().HashGetAsync(key, worker.SiloAddress);
            if (entry.HasValue)
            {
                output.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} membership entry of {worker.Name}: {entry}");
                return System.Text.RegularExpressions.Regex.IsMatch(entry.ToString(), @"^\{""SiloAddress"":\{[^}]*\},""Status"":(6|""Dead"")");
            }
        }
        throw new InvalidOperationException($"no membership entry for {worker.SiloAddress} in Redis");
    }

    [Fact]
    public Task Exchange_RemoteReplicaPullsBodyAndStreamsResponse_ItsChannelCallsTravelOnTheDataPlane() =>
        OnGatewayAsync("dp-streams", Traced, async (gateway, http) =>
        {
            // Over what travels inline in the call: the replica pulls it as it reads.
            var body = new byte[Serve.Forwarding.HttpForwarder.MaxInlineBody * 4];
            Random.Shared.NextBytes(body);
            var uploadId = Guid.NewGuid().ToString("N");
            using var upload = new HttpRequestMessage(HttpMethod.Post, $"/dp-streams?mark={Uri.EscapeDataString(_files.PathOf("mark"))}") { Content = new ByteArrayContent(body) };
            upload.Headers.Add("x-request-id", uploadId);
            using var uploaded = await http.SendAsync(upload).WaitAsync(Patience);
            Assert.Equal(HttpStatusCode.OK, uploaded.StatusCode);
            Assert.EndsWith($" {body.Length}", await uploaded.Content.ReadAsStringAsync());
            await ChannelCallOverDataPlaneAsync(gateway, "Read", uploadId);

            var streamId = Guid.NewGuid().ToString("N");
            using var stream = new HttpRequestMessage(HttpMethod.Get, "/dp-streams?stream=1");
            stream.Headers.Add("x-request-id", streamId);
            using (var streaming = await http.SendAsync(stream, HttpCompletionOption.ResponseHeadersRead).WaitAsync(Patience))
            using (var reader = new StreamReader(await streaming.Content.ReadAsStreamAsync()))
            {
                for (var line = 0; line < 3; line++)
                {
                    Assert.False(string.IsNullOrEmpty(await reader.ReadLineAsync().WaitAsync(Patience)));
                }
            }
            await ChannelCallOverDataPlaneAsync(gateway, "Start", streamId);
            await ChannelCallOverDataPlaneAsync(gateway, "Write", streamId);
        });

    [Fact]
    public async Task WebSocket_ServedByRemoteReplica_ItsMessagesTravelOnTheDataPlane()
    {
        await cluster.EnsureAllRunningAsync();
        var gateway = await cluster.StartGatewayAsync("gateway-dp-ws", Traced);
        try
        {
            await cluster.Serve.RunAsync(Deployment.For<Serve.Tests.Deployments.Http.WebSocketEndpoints>().Options(o => o with { NumReplicas = 1 }).Bind(), "dp-ws", "/dp-ws");
            await gateway.WaitForRouteAsync("/dp-ws", Patience);
            var url = new Uri(gateway.BaseAddress.ToString().Replace("http://", "ws://", StringComparison.Ordinal) + "dp-ws/echo");
            using var deadline = new CancellationTokenSource(Patience);
            // The first connections go through Orleans while the gateway's data-plane connection to the worker opens.
            while (true)
            {
                var requestId = Guid.NewGuid().ToString("N");
                using var socket = new System.Net.WebSockets.ClientWebSocket();
                socket.Options.SetRequestHeader("x-request-id", requestId);
                await socket.ConnectAsync(url, deadline.Token);
                var sent = System.Text.Encoding.UTF8.GetBytes($"hello {requestId}");
                await socket.SendAsync(sent, System.Net.WebSockets.WebSocketMessageType.Text, true, deadline.Token);
                var buffer = new byte[1024];
                var echoed = await socket.ReceiveAsync(buffer, deadline.Token);
                Assert.Equal(sent, buffer[..echoed.Count]);
                await socket.CloseAsync(System.Net.WebSockets.WebSocketCloseStatus.NormalClosure, "done", deadline.Token);
                if (gateway.RecentOutput.Contains($"Data plane: Accept on exchange {requestId}", StringComparison.Ordinal))
                {
                    await ChannelCallOverDataPlaneAsync(gateway, "Receive", requestId);
                    await ChannelCallOverDataPlaneAsync(gateway, "Send", requestId);
                    break;
                }
                await Task.Delay(50, deadline.Token);
            }
        }
        catch
        {
            output.WriteLine($"gateway wrote:{Environment.NewLine}{gateway.RecentOutput}");
            output.WriteLine(cluster.RecentOutputs());
            throw;
        }
        finally
        {
            await DeleteAsync("dp-ws");
            await gateway.KillAsync();
        }
    }

    /// <summary>The gateway took a replica's <paramref name="method"/> call for the exchange over the data plane.</summary>
    private static Task ChannelCallOverDataPlaneAsync(GatewayProcess gateway, string method, string requestId) =>
        gateway.WaitForLineAsync(line => line.Contains($"Data plane: {method} on exchange {requestId}", StringComparison.Ordinal), Patience);

    [Fact]
    public async Task Handle_CallsFromAWorkerToReplicasOnAnother_GoOverTheDataPlane()
    {
        await cluster.EnsureAllRunningAsync();
        // The callee's replicas on both workers (the placer spreads them), so the relay's silo has a replica elsewhere.
        var app = Deployment.For<Relay>().Bind(Deployment.For<Workload>().Options(o => o with { NumReplicas = 2 }).Bind());
        var relay = await cluster.Serve.RunAsync<IRelay>(app, "dp-handle", null);
        try
        {
            // The first calls to the other worker go through Orleans while the relay's silo connects to it.
            var giveUp = DateTime.UtcNow + Patience;
            while ((await relay.Remote.RelayAsync(10).WaitAsync(Patience)).SentOverDataPlane == 0)
            {
                Assert.True(DateTime.UtcNow < giveUp, $"no handle call went over the data plane within {Patience.TotalSeconds:0} s");
                await Task.Delay(50);
            }

            var report = await relay.Remote.RelayAsync(40).WaitAsync(Patience);

            // Each call another process answered went over the data plane, and only those (the relay's own replica answers in
            // process); the handle-call histogram says so with its transport tag.
            Assert.True(report.AnsweredElsewhere > 0, "every call was answered in the relay's own process");
            Assert.Equal(report.AnsweredElsewhere, report.SentOverDataPlane);
            Assert.Equal(report.SentOverDataPlane, report.MeasuredOverDataPlane);
        }
        catch
        {
            output.WriteLine(cluster.RecentOutputs());
            throw;
        }
        finally
        {
            await DeleteAsync("dp-handle");
        }
    }

    [Fact]
    public async Task Handle_CallsFromAnOrleansClient_GoOverTheDataPlaneAndAreMeasuredSo()
    {
        await cluster.EnsureAllRunningAsync();
        using var metrics = new MetricRecorder("dp-client");
        var workload = await cluster.Serve.RunAsync<IWorkload>(Deployment.For<Workload>().Options(o => o with { NumReplicas = 2 }).Bind(), "dp-client", null);
        var exchange = cluster.ClientServices.GetRequiredService<ExchangeClient>();
        try
        {
            // The client's first calls to each worker go through Orleans while it connects to that worker's data plane.
            const int Batch = 20;
            var giveUp = DateTime.UtcNow + Patience;
            while (true)
            {
                var before = exchange.Calls;
                var answered = await Task.WhenAll(Enumerable.Range(0, Batch).Select(_ => workload.Remote.WorkAsync(0))).WaitAsync(Patience);
                if (exchange.Calls - before == Batch && answered.Distinct().Count() == 2)
                {
                    break;
                }
                Assert.True(DateTime.UtcNow < giveUp, $"the client's calls did not all go over the data plane within {Patience.TotalSeconds:0} s");
                await Task.Delay(50);
            }

            var measured = metrics.Of("serve.handle.call.duration").Select(m => m.Tags["serve.call.transport"]).ToList();
            Assert.Contains("data_plane", measured);
            Assert.DoesNotContain("in_process", measured);
        }
        catch
        {
            output.WriteLine(cluster.RecentOutputs());
            throw;
        }
        finally
        {
            await DeleteAsync("dp-client");
        }
    }

    [Fact]
    public async Task Kill_WorkerAReplicaCallsOverTheDataPlane_IdempotentRetriedElsewhereOthersFailUnavailable()
    {
        await cluster.EnsureAllRunningAsync();
        var app = Deployment.For<Relay>().Bind(Deployment.For<Workload>().Options(o => o with { NumReplicas = 4, MaxOngoingRequests = 8 }).Bind());
        var relay = await cluster.Serve.RunAsync<IRelay>(app, "dp-handle-kill", null);
        RelayLoadReport? report = null;
        try
        {
            var relayProcess = await relay.Remote.StartLoadAsync().WaitAsync(Patience);
            var victim = cluster.Workers.Single(w => w.ProcessId != relayProcess);
            // Calls to the victim's replicas in flight on the data plane when it dies: it carried some already.
            var giveUp = DateTime.UtcNow + Patience;
            while ((report = await relay.Remote.LoadReportAsync(stop: false).WaitAsync(Patience)) is not { SentOverDataPlane: > 50, Succeeded: > 200 })
            {
                Assert.True(DateTime.UtcNow < giveUp, "the relay's calls did not go over the data plane");
                await Task.Delay(50);
            }

            await victim.KillAsync();
            var succeededAtKill = report.Succeeded;
            while ((report = await relay.Remote.LoadReportAsync(stop: false).WaitAsync(Patience)).Succeeded < succeededAtKill + 200)
            {
                Assert.True(DateTime.UtcNow < giveUp + Patience, "the relay's calls did not go on after the kill");
                await Task.Delay(50);
            }
            report = await relay.Remote.LoadReportAsync(stop: true).WaitAsync(Patience);

            Assert.Equal(report.Sent, report.Succeeded + report.Failed);
            Assert.Empty(report.IdempotentFailures);
            Assert.All(report.OtherFailures, kind => Assert.Equal(nameof(ReplicaUnavailableException), kind.Key));
        }
        catch
        {
            if (report is not null)
            {
                output.WriteLine($"relay's calls: {report.Sent} sent, {report.Succeeded} succeeded, {report.SentOverDataPlane} over the data plane; failed: "
                    + $"idempotent [{string.Join(", ", report.IdempotentFailures)}], others [{string.Join(", ", report.OtherFailures)}]; first failures:"
                    + $"{Environment.NewLine}{string.Join(Environment.NewLine, report.Samples)}");
            }
            output.WriteLine(cluster.RecentOutputs());
            throw;
        }
        finally
        {
            await DeleteAsync("dp-handle-kill");
            await cluster.EnsureAllRunningAsync();
        }
    }

    /// <summary>
    /// Waits for the gateway's Debug line saying it sent <paramref name="requestId"/> over the data plane: its console
    /// output may come after what the worker wrote to a file, so it is awaited, not read at once.
    /// </summary>
    private static Task SentOverDataPlaneAsync(GatewayProcess gateway, string requestId) =>
        gateway.WaitForLineAsync(line => line.Contains($"Data plane: exchange {requestId}", StringComparison.Ordinal), Patience);

    /// <summary>
    /// Runs <paramref name="body"/> against a gateway of its own in front of <paramref name="application"/> (see
    /// <see cref="StartAsync"/>); on failure writes every process's last lines. Afterwards lets go of what the body held
    /// (<paramref name="releaseHeld"/>), deletes the application while its gateway lives (a silo killed just before holds
    /// part of the grain directory until it is declared dead), kills the gateway and brings back any worker the body killed.
    /// </summary>
    private async Task OnGatewayAsync(
        string application, Dictionary<string, string> settings, Func<GatewayProcess, HttpClient, Task> body, int maxOngoing = 1, Func<Task>? releaseHeld = null,
        string[]? others = null)
    {
        var (gateway, http) = await StartAsync(application, settings, maxOngoing);
        try
        {
            await body(gateway, http);
        }
        catch
        {
            output.WriteLine($"gateway wrote:{Environment.NewLine}{gateway.RecentOutput}");
            output.WriteLine(cluster.RecentOutputs());
            throw;
        }
        finally
        {
            http.Dispose();
            if (releaseHeld is not null)
            {
                await releaseHeld();
            }
            await DeleteAsync(application);
            foreach (var other in others ?? [])
            {
                await DeleteAsync(other);
            }
            await gateway.KillAsync();
            await cluster.EnsureAllRunningAsync();
        }
    }

    /// <summary>
    /// A gateway of its own (settings over the usual ones) in front of a one-replica application on a worker,
    /// once an exchange went over its data plane: the first ones go through Orleans while the connection opens.
    /// </summary>
    private async Task<(GatewayProcess Gateway, HttpClient Http)> StartAsync(string application, Dictionary<string, string> settings, int maxOngoing = 1)
    {
        await cluster.EnsureAllRunningAsync();
        var gateway = await cluster.StartGatewayAsync($"gateway-{application}", settings);
        await cluster.Serve.RunAsync(Deployment.For<WorkloadIngress>().Options(o => o with { NumReplicas = 1, MaxOngoingRequests = maxOngoing }).Bind(), application, $"/{application}");
        await gateway.WaitForRouteAsync($"/{application}", Patience);
        var http = new HttpClient { BaseAddress = gateway.BaseAddress, Timeout = Timeout.InfiniteTimeSpan };
        using var deadline = new CancellationTokenSource(Patience);
        while (true)
        {
            var requestId = Guid.NewGuid().ToString("N");
            using var warm = new HttpRequestMessage(HttpMethod.Get, $"/{application}");
            warm.Headers.Add("x-request-id", requestId);
            using var response = await http.SendAsync(warm, deadline.Token);
            response.EnsureSuccessStatusCode();
            if (gateway.RecentOutput.Contains($"Data plane: exchange {requestId}", StringComparison.Ordinal))
            {
                return (gateway, http);
            }
            await Task.Delay(50, deadline.Token);
        }
    }

    /// <summary>Deletes the application, or fails with every process's last lines when that takes too long.</summary>
    private async Task DeleteAsync(string application)
    {
        try
        {
            await cluster.DeleteIfPresentAsync(application).WaitAsync(Patience);
        }
        catch (TimeoutException)
        {
            output.WriteLine(cluster.RecentOutputs());
            throw;
        }
    }

    public void Dispose() => _files.Dispose();
}
