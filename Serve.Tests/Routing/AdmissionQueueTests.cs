using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Serve.Grains;
using Serve.Routing;

namespace Serve.Tests.Routing;

public sealed class AdmissionQueueTests
{
    private static readonly TimeSpan Patient = TimeSpan.FromSeconds(1);
    private readonly FakeTimeProvider _time = new();
    private readonly AdmissionQueue _queue;

    public AdmissionQueueTests() => _queue = new AdmissionQueue("shop/Model", _time, NullLogger.Instance);

    private static FakeReplicaPool Pool(int maxOngoing, params string[] ids) => new(PowerOfTwoChoice.Instance, maxOngoing, ids);

    /// <summary>Takes every slot of the pool's replicas.</summary>
    private static void Fill(FakeReplicaPool pool)
    {
        foreach (var replica in pool.Replicas)
        {
            while (replica.TryTake(pool.Set.MaxOngoingRequests))
            {
            }
        }
    }

    /// <summary>Polls, with a deadline, until <paramref name="count"/> requests wait.</summary>
    private async Task UntilQueuedAsync(int count)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (_queue.Count != count)
        {
            Assert.True(DateTime.UtcNow < deadline, $"{_queue.Count} request(s) queued, expected {count}");
            await Task.Delay(5);
        }
    }

    [Fact]
    public async Task AdmitAsync_ReplicaWithRoom_TakesItWithoutQueuing()
    {
        var pool = Pool(1, "r0");

        var replica = await _queue.AdmitAsync(pool, null, TimeSpan.Zero, CancellationToken.None);

        Assert.Equal(("r0", 1, 0, 0), (replica.Id, replica.InFlight, _queue.Count, pool.QueuedCalls));
    }

    [Fact]
    public async Task AdmitAsync_QueueHoldsMaxQueuedRequests_RefusesTheNextWithBackPressure()
    {
        var pool = Pool(1, "r0");
        pool.Set = pool.Set with { MaxQueuedRequests = 2 };
        Fill(pool);
        var first = _queue.AdmitAsync(pool, null, TimeSpan.Zero, CancellationToken.None).AsTask();
        var second = _queue.AdmitAsync(pool, null, TimeSpan.Zero, CancellationToken.None).AsTask();
        await UntilQueuedAsync(2);

        var refused = await Assert.ThrowsAsync<BackPressureException>(() => _queue.AdmitAsync(pool, null, TimeSpan.Zero, CancellationToken.None).AsTask());

        Assert.Equal((2, 2), (refused.MaxQueuedRequests, _queue.Count));
        Assert.False(first.IsCompleted || second.IsCompleted);
        pool.Replicas[0].Release();
        _queue.Released();
        Assert.Equal("r0", (await first).Id);
    }

    [Fact]
    public async Task AdmitAsync_MaxQueuedZeroAndAllFull_RefusesAtOnce()
    {
        var pool = Pool(1, "r0", "r1");
        pool.Set = pool.Set with { MaxQueuedRequests = 0 };
        Fill(pool);

        await Assert.ThrowsAsync<BackPressureException>(() => _queue.AdmitAsync(pool, null, TimeSpan.Zero, CancellationToken.None).AsTask());
        Assert.Equal(0, _queue.Count);
    }

    [Fact]
    public async Task Released_OneSlotManyWaiting_WakesTheOldestOnly()
    {
        var pool = Pool(1, "r0");
        Fill(pool);
        var waiting = new List<Task<RoutedReplica>>();
        for (var i = 0; i < 3; i++)
        {
            waiting.Add(_queue.AdmitAsync(pool, null, TimeSpan.Zero, CancellationToken.None).AsTask());
            await UntilQueuedAsync(i + 1);
        }

        pool.Replicas[0].Release();
        _queue.Released();
        var admitted = await Task.WhenAny(waiting);

        Assert.Same(waiting[0], admitted);
        await UntilQueuedAsync(2);
        Assert.False(waiting[1].IsCompleted || waiting[2].IsCompleted);
        pool.Replicas[0].Release();
        _queue.Released();
        Assert.Same(waiting[1], await Task.WhenAny(waiting.Skip(1)));
    }

    [Fact]
    public async Task AdmitAsync_WaiterCancelled_LeavesTheQueueAndTheNextGetsTheSlot()
    {
        var pool = Pool(1, "r0");
        Fill(pool);
        using var cancel = new CancellationTokenSource();
        var cancelled = _queue.AdmitAsync(pool, null, TimeSpan.Zero, cancel.Token).AsTask();
        await UntilQueuedAsync(1);
        var next = _queue.AdmitAsync(pool, null, TimeSpan.Zero, CancellationToken.None).AsTask();
        await UntilQueuedAsync(2);

        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        pool.Replicas[0].Release();
        _queue.Released();

        Assert.Equal("r0", (await next).Id);
        Assert.Equal(0, _queue.Count);
    }

    [Fact]
    public async Task AdmitAsync_SlotFreedBetweenTryAndSleep_DoesNotSleepThroughIt()
    {
        var pool = Pool(1, "r0");
        Fill(pool);
        // The slot frees while the queued request is in its try, after the choice found nothing: no one sleeps yet to be woken.
        var released = false;
        var admitting = _queue.AdmitAsync(new ReleasingPool(pool, () =>
        {
            if (!released && _queue.Count == 1)
            {
                released = true;
                pool.Replicas[0].Release();
                _queue.Released();
            }
        }), null, TimeSpan.Zero, CancellationToken.None).AsTask();

        Assert.Equal("r0", (await admitting.WaitAsync(TimeSpan.FromSeconds(10))).Id);
        Assert.True(released);
    }

    [Fact]
    public async Task AdmitAsync_NoReplicaAndNoneStarting_FailsAtOnceNamingTheState()
    {
        var pool = Pool(1);
        pool.Set = pool.Set with { State = DeploymentState.Unhealthy, Message = "replica crashed" };

        var refused = await Assert.ThrowsAsync<DeploymentUnavailableException>(() => _queue.AdmitAsync(pool, null, TimeSpan.Zero, CancellationToken.None).AsTask());

        Assert.Contains("replica crashed", refused.Message);
        Assert.Equal(0, _queue.Count);
    }

    [Fact]
    public async Task AdmitAsync_DeploymentDeleted_NotFound()
    {
        var pool = Pool(1, "r0");
        pool.Set = pool.Set with { Exists = false };

        await Assert.ThrowsAsync<DeploymentNotFoundException>(() => _queue.AdmitAsync(pool, null, TimeSpan.Zero, CancellationToken.None).AsTask());
    }

    [Fact]
    public async Task AdmitAsync_ReplicaStarting_WaitsForItThenTakesIt()
    {
        var pool = Pool(1);
        pool.Set = pool.Set with { Starting = 1, State = DeploymentState.Updating };
        var waiting = _queue.AdmitAsync(pool, null, TimeSpan.Zero, CancellationToken.None).AsTask();
        await UntilQueuedAsync(1);
        Assert.Equal(1, pool.QueuedCalls);

        pool.Replicas = [new RoutedReplica("r0", null!)];
        pool.Set = pool.Set with { Replicas = ["r0"], Starting = 0, State = DeploymentState.Healthy };
        _queue.WakeAll();

        Assert.Equal("r0", (await waiting).Id);
    }

    [Fact]
    public async Task AdmitAsync_LastReplicaStopsWhileWaiting_FailsTheWaiter()
    {
        var pool = Pool(1, "r0");
        Fill(pool);
        var waiting = _queue.AdmitAsync(pool, null, TimeSpan.Zero, CancellationToken.None).AsTask();
        await UntilQueuedAsync(1);

        pool.Replicas = [];
        pool.Set = pool.Set with { Replicas = [], State = DeploymentState.Unhealthy };
        _queue.WakeAll();

        await Assert.ThrowsAsync<DeploymentUnavailableException>(() => waiting);
        Assert.Equal(0, _queue.Count);
    }

    [Fact]
    public async Task AdmitAsync_ModelHeldOnBusyReplica_WaitsItsPatienceThenLoadsItElsewhere()
    {
        var spills = 0;
        var pool = new FakeReplicaPool(new ModelAwareChoice(PowerOfTwoChoice.Instance, _time, () => spills++), 1, "r0", "r1");
        pool.Replicas[0].SetModels(["m"]);
        pool.Replicas[0].TryTake(1);

        var waiting = _queue.AdmitAsync(pool, "m", Patient, CancellationToken.None).AsTask();
        await UntilQueuedAsync(1);
        _time.Advance(Patient - TimeSpan.FromMilliseconds(1));
        Assert.False(waiting.IsCompleted);
        _time.Advance(TimeSpan.FromMilliseconds(1));

        Assert.Equal("r1", (await waiting.WaitAsync(TimeSpan.FromSeconds(10))).Id);
        Assert.Equal(1, spills);
    }

    [Fact]
    public async Task Released_SomeWaitForAParticularReplica_WakesEveryWaiter()
    {
        var pool = new FakeReplicaPool(new ModelAwareChoice(PowerOfTwoChoice.Instance, _time), 1, "r0", "r1");
        pool.Replicas[0].SetModels(["a"]);
        pool.Replicas[1].SetModels(["b"]);
        Fill(pool);
        var forA = _queue.AdmitAsync(pool, "a", Patient, CancellationToken.None).AsTask();
        await UntilQueuedAsync(1);
        var forB = _queue.AdmitAsync(pool, "b", Patient, CancellationToken.None).AsTask();
        await UntilQueuedAsync(2);

        // The slot freed is the one the second waiter waits for: waking the oldest alone would leave it asleep.
        pool.Replicas[1].Release();
        _queue.Released();

        Assert.Equal("r1", (await forB.WaitAsync(TimeSpan.FromSeconds(10))).Id);
        Assert.False(forA.IsCompleted);
    }

    /// <summary>Frees a slot inside the try once the request is queued, after its choice found none: the race a sleep could miss.</summary>
    private sealed class ReleasingPool(FakeReplicaPool inner, Action afterChoice) : IReplicaPool
    {
        public ReplicaSet Set => inner.Set;

        public RoutedReplica? TryTake(string? modelId, bool patienceOver)
        {
            var taken = inner.TryTake(modelId, patienceOver);
            if (taken is null)
            {
                afterChoice();
            }
            return taken;
        }

        public void Queued() => inner.Queued();
    }
}
