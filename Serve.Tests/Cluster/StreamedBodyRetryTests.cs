using System.Net;
using Xunit.Abstractions;

namespace Serve.Tests.Cluster;

/// <summary>
/// The retry rule for request bodies that stream from the gateway, with real processes: once a replica has pulled a
/// byte of the body, the request is never run again elsewhere (the bytes it took are gone), whatever its method.
/// </summary>
[Collection(ProcessClusterCollection.Name)]
[Trait("Category", "Cluster")]
public sealed class StreamedBodyRetryTests(ProcessClusterFixture cluster, ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly WorkerFiles _files = new("serve-body-retry-", Patience);

    [Fact]
    public async Task Kill_WorkerAfterItsReplicaPulledTheBody_ClientFailsAndNoOtherReplicaRunsIt()
    {
        await cluster.EnsureAllRunningAsync();
        await cluster.Serve.RunAsync(Deployment.For<WorkloadIngress>().Bind(), "body-crash", "/body-crash");
        await cluster.Gateway.WaitForRouteAsync("/body-crash", Patience);
        var (pulled, progress) = (_files.PathOf("pulled"), _files.PathOf("progress"));
        using var http = new HttpClient { BaseAddress = cluster.Gateway.BaseAddress, Timeout = Timeout.InfiniteTimeSpan };
        try
        {
            // A PUT is idempotent, so the gateway would run it again on another replica were it not for the rule; its body
            // has no Content-Length, so it streams, and its last part waits until the replica that took the rest is dead.
            var content = new HeldContent(firstBytes: 1024, restBytes: 1024, middleBytes: 1024);
            var sending = http.PutAsync($"/body-crash?mark={Uri.EscapeDataString(pulled)}&read={Uri.EscapeDataString(progress)}", content);
            var serving = (await _files.WaitForLinesAsync(pulled, 1))[0];
            var victim = cluster.Workers.Single(w => w.ProcessId.ToString() == serving);
            // The first bytes may travel inside the call, which the gateway still holds and may send again. Bytes sent
            // after the call reach the replica only by its pulling them, which marks the exchange begun before they leave.
            content.SendMiddle();
            await _files.WaitForAsync(progress, lines => lines.Any(line => long.TryParse(line, out var read) && read > 1024));

            await victim.KillAsync();
            content.SendRest();
            var outcome = await OutcomeAsync(sending).WaitAsync(Patience);
            output.WriteLine($"Killed {serving}; the client got {outcome}");

            Assert.StartsWith("HTTP 503", outcome, StringComparison.Ordinal);
            Assert.Contains("could not run again on another replica", outcome, StringComparison.Ordinal);
            Assert.Equal([serving], await File.ReadAllLinesAsync(pulled));
        }
        catch
        {
            output.WriteLine(cluster.RecentOutputs());
            throw;
        }
        finally
        {
            await cluster.EnsureAllRunningAsync();
            await cluster.DeleteIfPresentAsync("body-crash");
        }
    }

    [Fact]
    public async Task Put_ReplicaFullByAnotherRouter_RefusedBeforeAnyPullThenServedWholeByTheOther()
    {
        await cluster.EnsureAllRunningAsync();
        await cluster.Serve.RunAsync(Deployment.For<WorkloadIngress>().Options(o => o with { MaxOngoingRequests = 1 }).Bind(), "body-full", "/body-full");
        // This gateway logs its router's refusals (Debug), so the test knows when the request was refused.
        var gateway = await cluster.StartGatewayAsync("gateway-body-full", new Dictionary<string, string> { ["Logging__LogLevel__Serve.Routing"] = "Debug" });
        var (holds, releaseFirst, releaseSecond, pulled) = (_files.PathOf("holds"), _files.PathOf("release-first"), _files.PathOf("release-second"), _files.PathOf("pulled"));
        try
        {
            await Task.WhenAll(cluster.Gateway.WaitForRouteAsync("/body-full", Patience), gateway.WaitForRouteAsync("/body-full", Patience));
            using var http = new HttpClient { BaseAddress = gateway.BaseAddress, Timeout = Timeout.InfiniteTimeSpan };
            using var other = new HttpClient { BaseAddress = cluster.Gateway.BaseAddress, Timeout = Timeout.InfiniteTimeSpan };
            // One replica's only slot, held through this gateway: its router counts that replica full.
            var first = http.GetAsync($"/body-full?hold={Uri.EscapeDataString(holds)}&release={Uri.EscapeDataString(releaseFirst)}");
            var firstProcess = (await _files.WaitForLinesAsync(holds, 1))[0];
            // The other's, held through another gateway: this one's router does not know, and sends there.
            var second = other.GetAsync($"/body-full?hold={Uri.EscapeDataString(holds)}&release={Uri.EscapeDataString(releaseSecond)}");
            var secondProcess = (await _files.WaitForLinesAsync(holds, 2))[1];
            Assert.NotEqual(firstProcess, secondProcess);

            var requestId = Guid.NewGuid().ToString("N");
            var content = new HeldContent(firstBytes: 64 * 1024, restBytes: 64 * 1024);
            using var put = new HttpRequestMessage(HttpMethod.Put, $"/body-full?mark={Uri.EscapeDataString(pulled)}") { Content = content };
            put.Headers.Add("x-request-id", requestId);
            var sending = http.SendAsync(put);
            await gateway.WaitForLineAsync(line => line.Contains(requestId, StringComparison.Ordinal) && line.Contains("RejectedFull", StringComparison.Ordinal), Patience);
            content.SendRest();
            await File.WriteAllTextAsync(releaseFirst, "");
            var outcome = await OutcomeAsync(sending).WaitAsync(Patience);

            Assert.Equal($"HTTP 200: {firstProcess} {128 * 1024}", outcome);
            Assert.Equal([firstProcess], await File.ReadAllLinesAsync(pulled));
            Assert.Equal(HttpStatusCode.OK, (await first.WaitAsync(Patience)).StatusCode);
            await File.WriteAllTextAsync(releaseSecond, "");
            Assert.Equal(HttpStatusCode.OK, (await second.WaitAsync(Patience)).StatusCode);
        }
        catch
        {
            output.WriteLine(cluster.RecentOutputs());
            throw;
        }
        finally
        {
            await File.WriteAllTextAsync(releaseFirst, "");
            await File.WriteAllTextAsync(releaseSecond, "");
            await gateway.KillAsync();
            await cluster.EnsureAllRunningAsync();
            await cluster.DeleteIfPresentAsync("body-full");
        }
    }

    private static async Task<string> OutcomeAsync(Task<HttpResponseMessage> sending)
    {
        try
        {
            using var response = await sending;
            return $"HTTP {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}";
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            return HttpFailures.Kind(e);
        }
    }

    public void Dispose() => _files.Dispose();

    /// <summary>A body without a Content-Length: its first bytes at once, then its middle (if any) and the rest when the test says.</summary>
    private sealed class HeldContent(int firstBytes, int restBytes, int middleBytes = 0) : HttpContent
    {
        private readonly TaskCompletionSource _middle = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _rest = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void SendMiddle() => _middle.TrySetResult();

        public void SendRest() => _rest.TrySetResult();

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            await stream.WriteAsync(new byte[firstBytes]);
            await stream.FlushAsync();
            if (middleBytes > 0)
            {
                await _middle.Task;
                await stream.WriteAsync(new byte[middleBytes]);
                await stream.FlushAsync();
            }
            await _rest.Task;
            await stream.WriteAsync(new byte[restBytes]);
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
