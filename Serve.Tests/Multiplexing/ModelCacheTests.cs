using Microsoft.Extensions.Time.Testing;
using Serve.Multiplexing;

namespace Serve.Tests.Multiplexing;

/// <summary>The replica's model cache: one load per model, LRU eviction of unused models with dispose, and failures.</summary>
public sealed class ModelCacheTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private readonly List<string> _loads = [];
    private readonly List<string> _disposed = [];

    private ModelCache Create(int capacity, Func<string, Task>? before = null) => new(async (id, _) =>
    {
        lock (_loads)
        {
            _loads.Add(id);
        }
        if (before is not null)
        {
            await before(id);
        }
        return new TrackedModel(id, _disposed);
    }, capacity, new FakeTimeProvider());

    [Fact]
    public async Task AcquireAsync_FullCache_EvictsLeastRecentlyUsedAndDisposesIt()
    {
        var cache = Create(capacity: 2);
        await cache.AcquireAsync("a", null, default);
        await cache.AcquireAsync("b", null, default);
        await cache.AcquireAsync("a", null, default);

        await cache.AcquireAsync("c", null, default);

        Assert.Equal(["a", "b", "c"], _loads);
        Assert.Equal(["b"], _disposed);
        Assert.Equal(["c", "a"], cache.LoadedModels);
    }

    [Fact]
    public async Task AcquireAsync_ConcurrentRequestsForOneModel_LoadItOnce()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var cache = Create(capacity: 2, _ => release.Task);

        var requests = Enumerable.Range(0, 20).Select(_ => cache.AcquireAsync("a", null, default)).ToArray();
        release.SetResult();
        var models = await Task.WhenAll(requests).WaitAsync(Patience);

        Assert.Equal(["a"], _loads);
        Assert.Single(models.Distinct());
    }

    [Fact]
    public async Task AcquireAsync_LoadFails_EveryWaiterGetsTheErrorAndTheNextRequestLoadsAgain()
    {
        var fail = true;
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var cache = Create(capacity: 2, async _ =>
        {
            await release.Task;
            if (fail)
            {
                throw new FileNotFoundException("weights missing");
            }
        });

        var waiters = Enumerable.Range(0, 3).Select(_ => cache.AcquireAsync("a", null, default)).ToArray();
        release.SetResult();
        foreach (var waiter in waiters)
        {
            Assert.Equal("weights missing", (await Assert.ThrowsAsync<FileNotFoundException>(() => waiter.WaitAsync(Patience))).Message);
        }
        fail = false;
        var model = await cache.AcquireAsync("a", null, default).WaitAsync(Patience);

        Assert.Equal("a", ((TrackedModel)model!).Id);
        Assert.Equal(["a", "a"], _loads);
    }

    [Fact]
    public async Task AcquireAsync_EveryModelInUse_WaitsUntilOneIsReleasedThenEvictsIt()
    {
        var cache = Create(capacity: 2);
        var first = new ModelLeases();
        var second = new ModelLeases();
        await cache.AcquireAsync("a", first, default);
        await cache.AcquireAsync("b", second, default);

        var third = cache.AcquireAsync("c", null, default);
        Assert.False(third.IsCompleted);
        Assert.Empty(_disposed);
        second.ReleaseAll();
        await third.WaitAsync(Patience);

        Assert.Equal(["b"], _disposed);
        Assert.Equal(["c", "a"], cache.LoadedModels);
    }

    [Fact]
    public async Task DisposeAsync_LoadedModels_AreDisposed()
    {
        var cache = Create(capacity: 3);
        await cache.AcquireAsync("a", null, default);
        await cache.AcquireAsync("b", null, default);

        await cache.DisposeAsync();

        Assert.Equal(["a", "b"], _disposed.Order());
    }

    private sealed class TrackedModel(string id, List<string> disposed) : IDisposable
    {
        public string Id { get; } = id;

        public void Dispose()
        {
            lock (disposed)
            {
                disposed.Add(Id);
            }
        }
    }
}
