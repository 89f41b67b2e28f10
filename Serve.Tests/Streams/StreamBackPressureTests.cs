using Serve.Replicas;
using Serve.Tests.Deployments.Composition;
using Serve.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Serve.Tests.Streams;

/// <summary>
/// A slow consumer of a stream of large items: its producer runs ahead of it by about <see cref="StreamBufferLimit.DefaultBytes"/>
/// at most, not by Orleans' batch of 100 items, and every item still arrives, in order.
/// </summary>
[Collection(SingleSiloCollection.Name)]
public sealed class StreamBackPressureTests(SingleSiloFixture fixture, ITestOutputHelper output)
{
    private const int ItemBytes = 1024 * 1024;

    [Fact]
    public async Task StreamAsync_LargeItemsReadySooner_ProducerHeldWithinTheByteLimitAndNothingLost()
    {
        var stage = await fixture.Serve.RunAsync<IStage>(
            Deployment.For<Stage>().Options(o => o with { Name = "pre" }).Bind("pre",
                Deployment.For<Stage>().Options(o => o with { Name = "model" }).Bind("model", null)), "large-items", null);
        var key = $"large-items-{Guid.NewGuid():N}";

        var received = new List<byte[]>();
        await using (var items = stage.Remote.ChunksAsync(new StageOrder("chunks", key, ItemBytes)).GetAsyncEnumerator())
        {
            // Two items taken, and the consumer reads no further for now: what the producer made so far is what its
            // stream holds ahead (each hop holds its batch, and the step it had ready when the batch ended).
            Assert.True(await items.MoveNextAsync());
            received.Add(items.Current);
            Assert.True(await items.MoveNextAsync());
            received.Add(items.Current);
            var ahead = Stage.Produced[key] - received.Count;
            var bound = 2 * ((int)(StreamBufferLimit.DefaultBytes / ItemBytes) + 2);
            output.WriteLine($"the producer ran {ahead} item(s) of 1 MiB ahead of its consumer (bound {bound})");
            Assert.True(ahead <= bound, $"the producer ran {ahead} items ({ahead} MiB) ahead of its consumer; at most {bound} expected");

            while (await items.MoveNextAsync())
            {
                received.Add(items.Current);
            }
        }

        Assert.Equal(Stage.ChunkCount, received.Count);
        Assert.All(received.Select((item, i) => (item, i)), r => Assert.True(r.item.Length == ItemBytes && r.item.All(b => b == r.i), $"item {r.i}"));
        await fixture.Serve.DeleteAsync("large-items");
    }
}
