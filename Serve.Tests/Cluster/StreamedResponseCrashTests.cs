using System.Diagnostics;
using Xunit.Abstractions;

namespace Serve.Tests.Cluster;

[Collection(ProcessClusterCollection.Name)]
[Trait("Category", "Cluster")]
public sealed class StreamedResponseCrashTests(ProcessClusterFixture cluster, ITestOutputHelper output)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Kill_WorkerMidStreamedResponse_ClientSeesCutBodyAndGatewayServesOn()
    {
        await cluster.EnsureAllRunningAsync();
        await cluster.Serve.RunAsync(Deployment.For<WorkloadIngress>().Options(o => o with { NumReplicas = 1 }).Bind(), "stream-crash", "/stream-crash");
        await cluster.Gateway.WaitForRouteAsync("/stream-crash", Patience);
        using var http = new HttpClient { BaseAddress = cluster.Gateway.BaseAddress, Timeout = Timeout.InfiniteTimeSpan };
        try
        {
            using var response = await http.GetAsync("/stream-crash?stream=1", HttpCompletionOption.ResponseHeadersRead).WaitAsync(Patience);
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
            var serving = int.Parse((await reader.ReadLineAsync().WaitAsync(Patience))!, System.Globalization.CultureInfo.InvariantCulture);
            var victim = cluster.Workers.Single(w => w.ProcessId == serving);

            await victim.KillAsync();
            var sinceKill = Stopwatch.StartNew();
            var cut = await ReadUntilCutAsync(reader).WaitAsync(Patience);
            output.WriteLine($"The body ended {sinceKill.Elapsed.TotalSeconds:F1} s after the kill: {cut}.");

            Assert.NotNull(cut);
            var after = await GetWhenServedAsync(http, "/stream-crash");
            Assert.NotEqual(serving, after.ProcessId);
        }
        catch
        {
            output.WriteLine(cluster.RecentOutputs());
            throw;
        }
        finally
        {
            await cluster.EnsureAllRunningAsync();
            await cluster.Serve.DeleteAsync("stream-crash");
        }
    }

    /// <summary>Reads to the end; the error that cut the body, or null when it ended as if complete.</summary>
    private static async Task<string?> ReadUntilCutAsync(StreamReader reader)
    {
        try
        {
            while (await reader.ReadLineAsync() is not null)
            {
            }
            return null;
        }
        catch (Exception e) when (e is IOException or HttpRequestException)
        {
            return e.GetType().Name;
        }
    }

    /// <summary>GETs until the gateway answers 200: the replica comes back on the survivor a little after the kill.</summary>
    private static async Task<WorkloadReply> GetWhenServedAsync(HttpClient http, string path)
    {
        using var deadline = new CancellationTokenSource(Patience);
        while (true)
        {
            try
            {
                return await http.GetReplyAsync(path);
            }
            catch (HttpRequestException)
            {
                await Task.Delay(100, deadline.Token);
            }
        }
    }
}
