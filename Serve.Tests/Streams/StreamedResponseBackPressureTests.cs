using System.Net;
using Serve.Replicas;
using Serve.Tests.Deployments.Http;
using Serve.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Serve.Tests.Streams;

/// <summary>
/// A streamed HTTP response of large chunks to a client that stops reading: the handler is made to wait once the replica
/// holds about <see cref="StreamBufferLimit.DefaultBytes"/> of them, not 64 chunks whatever their size, and the client
/// still gets every byte once it reads on.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class StreamedResponseBackPressureTests(GatewayFixture fixture, ITestOutputHelper output)
{
    private const int ChunkBytes = 4 * 1024 * 1024;
    private const int Chunks = 24;

    /// <summary>
    /// Chunks a handler may write before one waits: those the replica holds (the limit, or one chunk alone when larger),
    /// the one on its way to the gateway, and those the loopback connection's kernel buffers take while the client does not read.
    /// </summary>
    private const int Bound = 12;

    [Fact]
    public async Task Forward_ClientStopsReadingLargeChunks_HandlerWaitsWithinTheByteLimitAndEveryByteArrives()
    {
        await fixture.Serve.RunAsync(Deployment.For<LargeChunksIngress>().Bind(), new RunOptions { Name = "large-chunks", RoutePrefix = "/large-chunks" });
        await fixture.WaitForRoutesAsync(r => r.GetValueOrDefault("/large-chunks") == "large-chunks");
        var gate = Gate.Create($"large-chunks-{Guid.NewGuid():N}");

        using var response = await fixture.Http.GetAsync(
            $"/large-chunks/chunks?gate={gate.Name}&size={ChunkBytes}&count={Chunks}&pause=true", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        // The head came: the response streams. The handler now writes as fast as it can, and the client reads nothing.
        gate.Open();
        using (var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            while (!LargeChunksIngress.FirstWait.ContainsKey(gate.Name) && LargeChunksIngress.Written.GetValueOrDefault(gate.Name) <= Bound)
            {
                await Task.Delay(10, deadline.Token);
            }
        }
        Assert.True(LargeChunksIngress.FirstWait.TryGetValue(gate.Name, out var waitedAt),
            $"the handler wrote {LargeChunksIngress.Written[gate.Name]} chunks of 4 MiB without waiting for its client");
        output.WriteLine($"the handler first waited at chunk {waitedAt} of 4 MiB (bound {Bound})");
        Assert.InRange(waitedAt, 1, Bound);

        await ReadEveryChunkAsync(response);
        await fixture.Serve.DeleteAsync("large-chunks");
    }

    [Fact]
    public async Task Forward_HandlerNeverWaitsOfItsOwn_StreamedWithinTheByteLimitNotGatheredWhole()
    {
        await fixture.Serve.RunAsync(Deployment.For<LargeChunksIngress>().Bind(), new RunOptions { Name = "eager-chunks", RoutePrefix = "/eager-chunks" });
        await fixture.WaitForRoutesAsync(r => r.GetValueOrDefault("/eager-chunks") == "eager-chunks");
        var key = $"eager-chunks-{Guid.NewGuid():N}";

        // Every write of the handler completes at once until something makes it wait: gathered before the replica chose to
        // stream, the whole response (96 MiB) would be held, then sent as one answer.
        using var response = await fixture.Http.GetAsync(
            $"/eager-chunks/chunks?gate={key}&size={ChunkBytes}&count={Chunks}&pause=false", HttpCompletionOption.ResponseHeadersRead);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(LargeChunksIngress.FirstWait.TryGetValue(key, out var waitedAt),
            $"the handler wrote {LargeChunksIngress.Written.GetValueOrDefault(key)} chunks of 4 MiB without waiting for its client");
        output.WriteLine($"the handler first waited at chunk {waitedAt} of 4 MiB (bound {Bound})");
        Assert.InRange(waitedAt, 0, Bound);
        await ReadEveryChunkAsync(response);
        await fixture.Serve.DeleteAsync("eager-chunks");
    }

    /// <summary>Reads the whole body: every chunk whole and in order (chunk i is all bytes i), then its end.</summary>
    private static async Task ReadEveryChunkAsync(HttpResponseMessage response)
    {
        await using var body = await response.Content.ReadAsStreamAsync();
        var chunk = new byte[ChunkBytes];
        for (var i = 0; i < Chunks; i++)
        {
            await body.ReadExactlyAsync(chunk);
            Assert.True(chunk.All(b => b == i), $"chunk {i}");
        }
        Assert.Equal(0, await body.ReadAsync(chunk));
    }
}
