using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Serve.Batching;
using Serve.Replicas;
using Serve.Routing;
using Serve.Tests.Diagnostics;
using Serve.Tests.Infrastructure;
using Serve.Tests.Multiplexing;

namespace Serve.Tests.Batching;

/// <summary>The batch queue on a fake clock: when batches start, what each caller gets, and what failures do.</summary>
public sealed class BatchQueueTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private static readonly Dictionary<string, BatchOptions> NoOptions = [];
    private readonly FakeTimeProvider _time = new();

    private (Echoes Echoes, BatchRecorder Recorder) Create(string key, Func<IReadOnlyList<string>, IReadOnlyList<string>>? answer = null, Dictionary<string, BatchOptions>? options = null)
    {
        var recorder = BatchRecorder.Create(key);
        var echoes = new Echoes(key, answer);
        InstanceBatches.Attach(echoes, _time, null, options ?? NoOptions);
        return (echoes, recorder);
    }

    [Fact]
    public async Task CallAsync_TenConcurrentCalls_RunAsCeilingOfTenOverMaxBatchSizeInvocationsInCallerOrder()
    {
        var (echoes, recorder) = Create(nameof(CallAsync_TenConcurrentCalls_RunAsCeilingOfTenOverMaxBatchSizeInvocationsInCallerOrder));
        var inputs = Enumerable.Range(0, 10).Select(i => $"word{i}").ToArray();

        var calls = inputs.Select(i => Batched.CallAsync(echoes.UpperAsync, i)).ToArray();
        // Two full batches run at once; the last two wait for the timeout.
        await Task.WhenAll(calls.Take(8)).WaitAsync(Patience);
        Assert.False(calls[8].IsCompleted);
        _time.Advance(TimeSpan.FromMilliseconds(100));
        var results = await Task.WhenAll(calls).WaitAsync(Patience);

        Assert.Equal(inputs.Select(i => i.ToUpperInvariant()), results);
        Assert.Equal([4, 4, 2], recorder.Batches.Select(b => b.Count));
        Assert.Equal(inputs, recorder.Batches.SelectMany(b => b));
    }

    [Fact]
    public async Task CallAsync_LoneCall_RunsOnlyOnceBatchWaitTimeoutPassed()
    {
        var (echoes, recorder) = Create(nameof(CallAsync_LoneCall_RunsOnlyOnceBatchWaitTimeoutPassed));

        var call = Batched.CallAsync(echoes.UpperAsync, "alone");
        _time.Advance(TimeSpan.FromMilliseconds(99));
        Assert.Empty(recorder.Batches);
        Assert.False(call.IsCompleted);
        _time.Advance(TimeSpan.FromMilliseconds(1));

        Assert.Equal("ALONE", await call.WaitAsync(Patience));
        Assert.Equal([["alone"]], recorder.Batches);
    }

    [Fact]
    public async Task CallAsync_WrongNumberOfResults_FailsEveryCallerOfThatBatchAndNextBatchServes()
    {
        var wrong = true;
        var (echoes, _) = Create(nameof(CallAsync_WrongNumberOfResults_FailsEveryCallerOfThatBatchAndNextBatchServes),
            inputs => wrong ? inputs.Skip(1).ToArray() : inputs.ToArray());

        var calls = Enumerable.Range(0, 4).Select(i => Batched.CallAsync(echoes.UpperAsync, $"w{i}")).ToArray();
        var errors = await Task.WhenAll(calls.Select(c => Assert.ThrowsAsync<InvalidOperationException>(() => c.WaitAsync(Patience))));
        wrong = false;
        var next = await Task.WhenAll(Enumerable.Range(0, 4).Select(i => Batched.CallAsync(echoes.UpperAsync, $"n{i}"))).WaitAsync(Patience);

        Assert.All(errors, e => Assert.Contains("returned 3 result(s) for a batch of 4 input(s)", e.Message));
        Assert.Equal(["n0", "n1", "n2", "n3"], next);
    }

    [Fact]
    public async Task CallAsync_MethodThrowsForEveryInput_EveryCallerGetsTheException()
    {
        var (echoes, _) = Create(nameof(CallAsync_MethodThrowsForEveryInput_EveryCallerGetsTheException),
            _ => throw new FormatException("tokenizer broke"));

        var calls = Enumerable.Range(0, 4).Select(i => Batched.CallAsync(echoes.UpperAsync, $"w{i}")).ToArray();

        foreach (var call in calls)
        {
            var error = await Assert.ThrowsAsync<FormatException>(() => call.WaitAsync(Patience));
            Assert.Equal("tokenizer broke", error.Message);
        }
    }

    [Fact]
    public async Task CallAsync_OneInputMakesTheMethodThrow_OnlyThatCallerFailsAndTheOthersGetTheirResults()
    {
        var (echoes, recorder) = Create(nameof(CallAsync_OneInputMakesTheMethodThrow_OnlyThatCallerFailsAndTheOthersGetTheirResults),
            inputs => inputs.Contains("bad") ? throw new FormatException("cannot read 'bad'") : inputs.Select(i => i.ToUpperInvariant()).ToArray());

        var calls = new[] { "a", "bad", "c", "d" }.Select(w => Batched.CallAsync(echoes.UpperAsync, w)).ToArray();

        var error = await Assert.ThrowsAsync<FormatException>(() => calls[1].WaitAsync(Patience));
        Assert.Equal("cannot read 'bad'", error.Message);
        Assert.Equal(["A", "C", "D"], await Task.WhenAll(calls[0], calls[2], calls[3]).WaitAsync(Patience));
        // The batch failed, then each of its inputs ran alone.
        Assert.Equal([["a", "bad", "c", "d"], ["a"], ["bad"], ["c"], ["d"]], recorder.Batches);
    }

    [Fact]
    public async Task CallAsync_OneInputMakesTheMethodThrow_MetricsCountTheFailedBatchAndEachRunAlone()
    {
        const string application = "batch-metrics-rerun";
        using var services = new ServiceCollection().AddMetrics().AddLogging().BuildServiceProvider();
        var metrics = new ReplicaMetrics(services.GetRequiredService<IMeterFactory>(), NullLogger<ReplicaMetrics>.Instance);
        using var recorder = new MetricRecorder(application);
        var key = nameof(CallAsync_OneInputMakesTheMethodThrow_MetricsCountTheFailedBatchAndEachRunAlone);
        BatchRecorder.Create(key);
        var echoes = new Echoes(key, inputs => inputs.Contains("bad") ? throw new FormatException("cannot read 'bad'") : inputs.Select(i => i.ToUpperInvariant()).ToArray());
        InstanceBatches.Attach(echoes, _time, metrics.For(new DeploymentId(application, "Echoes"), "replica-1"), NoOptions);

        var calls = new[] { "a", "bad", "c", "d" }.Select(w => Batched.CallAsync(echoes.UpperAsync, w)).ToArray();
        await Assert.ThrowsAsync<FormatException>(() => calls[1].WaitAsync(Patience));
        await Task.WhenAll(calls[0], calls[2], calls[3]).WaitAsync(Patience);

        // Five invocations: the batch of four, which threw, then each input alone, of which the bad one threw again.
        var error = typeof(FormatException).FullName;
        (double, object?)[] invocations = [(4, error), (1, null), (1, error), (1, null), (1, null)];
        Assert.Equal(invocations, recorder.Of("serve.batch.size").Select(m => (m.Value, m.Tags.GetValueOrDefault("error.type"))));
        Assert.Equal(invocations.Select(i => i.Item2), recorder.Of("serve.batch.duration").Select(m => m.Tags.GetValueOrDefault("error.type")));
        Assert.Equal(invocations.Select(i => i.Item2), recorder.Of("serve.batch.wait_time").Select(m => m.Tags.GetValueOrDefault("error.type")));
    }

    [Fact]
    public async Task CallAsync_CallsForTwoMultiplexedModels_NeverShareABatchAndEachBatchRunsWithItsModel()
    {
        var (echoes, recorder) = Create(nameof(CallAsync_CallsForTwoMultiplexedModels_NeverShareABatchAndEachBatchRunsWithItsModel),
            inputs => inputs.Select(i => $"{MultiplexedModel.CurrentId}:{i}").ToArray());

        // As requests for models a and b arrive at a replica, interleaved: a's four fill a batch, b's two wait for the timeout.
        var calls = new[] { ("a", "a1"), ("b", "b1"), ("a", "a2"), ("b", "b2"), ("a", "a3"), ("a", "a4") }
            .Select(c => CallFor(c.Item1, () => Batched.CallAsync(echoes.UpperAsync, c.Item2))).ToArray();
        await Task.WhenAll(calls[0], calls[2], calls[4], calls[5]).WaitAsync(Patience);
        Assert.False(calls[1].IsCompleted);
        _time.Advance(TimeSpan.FromMilliseconds(100));
        var results = await Task.WhenAll(calls).WaitAsync(Patience);

        Assert.Equal(["a:a1", "b:b1", "a:a2", "b:b2", "a:a3", "a:a4"], results);
        Assert.Equal([["a1", "a2", "a3", "a4"], ["b1", "b2"]], recorder.Batches);
        Assert.Null(ServeCallContext.Current);
    }

    [Fact]
    public async Task CallAsync_BatchGetsAModelByItsId_ModelNotEvictedUntilTheBatchEnds()
    {
        var key = nameof(CallAsync_BatchGetsAModelByItsId_ModelNotEvictedUntilTheBatchEnds);
        var ledger = ZooLedger.Create(key);
        var models = new BatchedModels(key);
        InstanceBatches.Attach(models, _time, null, NoOptions);

        var batch = Batched.CallAsync(models.PredictAsync, "m1:x");
        await WaitForAsync(() => ledger.Loads.Count == 1);
        // Another request wants the one room for its model while the batch uses m1: it waits for the batch to end.
        var other = CallFor("m2", () => MultiplexedModel.GetAsync(models.LoadModelAsync, CancellationToken.None));
        Assert.False(other.IsCompleted);
        models.Hold.SetResult();

        Assert.Equal("m1:m1:x", await batch.WaitAsync(Patience));
        Assert.Equal("m2", (await other.WaitAsync(Patience)).Id);
        Assert.Equal([(key, "m1")], ledger.Disposed);
    }

    /// <summary>Calls <paramref name="call"/> as a request for <paramref name="model"/> would.</summary>
    private static Task<T> CallFor<T>(string model, Func<Task<T>> call)
    {
        ServeCallContext.Current = new ServeCallContext($"request-{Guid.NewGuid():N}", 0, model);
        try
        {
            return call();
        }
        finally
        {
            ServeCallContext.Current = null;
        }
    }

    [Fact]
    public async Task CallAsync_CallerCancelledBeforeItsBatchStarts_LeavesTheBatchAndIsCancelled()
    {
        var (echoes, recorder) = Create(nameof(CallAsync_CallerCancelledBeforeItsBatchStarts_LeavesTheBatchAndIsCancelled));
        using var cancel = new CancellationTokenSource();

        var first = Batched.CallAsync(echoes.UpperAsync, "first");
        var leaving = Batched.CallAsync(echoes.UpperAsync, "leaving", cancel.Token);
        var last = Batched.CallAsync(echoes.UpperAsync, "last");
        cancel.Cancel();
        _time.Advance(TimeSpan.FromMilliseconds(100));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => leaving.WaitAsync(Patience));
        Assert.Equal(["FIRST", "LAST"], await Task.WhenAll(first, last).WaitAsync(Patience));
        Assert.Equal([["first", "last"]], recorder.Batches);
    }

    [Fact]
    public async Task CallAsync_OneBatchRunning_NextWaitsForItUnlessMaxConcurrentBatchesAllowsMore()
    {
        var key = nameof(CallAsync_OneBatchRunning_NextWaitsForItUnlessMaxConcurrentBatchesAllowsMore);
        var (echoes, recorder) = Create(key);
        echoes.Hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var firstBatch = Enumerable.Range(0, 4).Select(i => Batched.CallAsync(echoes.UpperAsync, $"a{i}")).ToArray();
        await WaitForAsync(() => recorder.Batches.Count == 1);
        var secondBatch = Enumerable.Range(0, 4).Select(i => Batched.CallAsync(echoes.UpperAsync, $"b{i}")).ToArray();
        Assert.Single(recorder.Batches);

        Batched.Configure(echoes.UpperAsync, new BatchOptions { MaxConcurrentBatches = 2 });
        await WaitForAsync(() => recorder.Batches.Count == 2);
        echoes.Hold.SetResult();

        await Task.WhenAll(firstBatch.Concat(secondBatch)).WaitAsync(Patience);
        Assert.Equal(2, Batched.GetSettings(echoes.UpperAsync).MaxConcurrentBatches);
    }

    [Fact]
    public async Task Configure_MaxBatchSizeChangedAtRunTime_NextBatchesUseIt()
    {
        var (echoes, recorder) = Create(nameof(Configure_MaxBatchSizeChangedAtRunTime_NextBatchesUseIt));

        Batched.Configure(echoes.UpperAsync, new BatchOptions { MaxBatchSize = 2 });
        await Task.WhenAll(Enumerable.Range(0, 4).Select(i => Batched.CallAsync(echoes.UpperAsync, $"w{i}"))).WaitAsync(Patience);

        Assert.Equal([2, 2], recorder.Batches.Select(b => b.Count));
    }

    [Fact]
    public async Task Apply_ConfigOptions_TakePrecedenceOverCodeAndApplyToWaitingCalls()
    {
        var (echoes, recorder) = Create(nameof(Apply_ConfigOptions_TakePrecedenceOverCodeAndApplyToWaitingCalls));
        Batched.Configure(echoes.UpperAsync, new BatchOptions { MaxBatchSize = 3 });

        var calls = Enumerable.Range(0, 2).Select(i => Batched.CallAsync(echoes.UpperAsync, $"w{i}")).ToArray();
        Assert.Empty(recorder.Batches);
        // The config file says 2, by the method's short name: the two waiting calls make a full batch now.
        InstanceBatches.For(echoes).Apply(new Dictionary<string, BatchOptions> { ["Upper"] = new() { MaxBatchSize = 2 } });
        await Task.WhenAll(calls).WaitAsync(Patience);

        Assert.Equal([2], recorder.Batches.Select(b => b.Count));
        Assert.Equal(2, Batched.GetSettings(echoes.UpperAsync).MaxBatchSize);
    }

    [Fact]
    public async Task StreamAsync_StreamingBatch_EachCallerGetsItsOwnItemsInOrder()
    {
        var (echoes, recorder) = Create(nameof(StreamAsync_StreamingBatch_EachCallerGetsItsOwnItemsInOrder));

        var streams = new[] { "ab", "cde", "f" }.Select(w => Collect(Batched.StreamAsync(echoes.SpellAsync, w))).ToArray();
        var letters = await Task.WhenAll(streams).WaitAsync(Patience);

        Assert.Equal(["a", "b", ""], letters[0]);
        Assert.Equal(["c", "d", "e"], letters[1]);
        Assert.Equal(["f", "", ""], letters[2]);
        Assert.Single(recorder.Batches);
    }

    [Fact]
    public async Task StreamAsync_OneCallerStopsReading_OthersGetEveryItem()
    {
        var (echoes, _) = Create(nameof(StreamAsync_OneCallerStopsReading_OthersGetEveryItem));
        using var cancel = new CancellationTokenSource();

        var quitter = Task.Run(async () =>
        {
            await foreach (var _ in Batched.StreamAsync(echoes.SpellAsync, "xyz", cancel.Token))
            {
                await cancel.CancelAsync();
            }
        });
        var stayers = new[] { "abc", "def" }.Select(w => Collect(Batched.StreamAsync(echoes.SpellAsync, w))).ToArray();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => quitter.WaitAsync(Patience));
        var letters = await Task.WhenAll(stayers).WaitAsync(Patience);
        Assert.Equal(["a", "b", "c"], letters[0]);
        Assert.Equal(["d", "e", "f"], letters[1]);
    }

    [Fact]
    public void For_SignatureThatCannotBeBatched_ErrorNamesTheMethodAndTheFix()
    {
        var error = BatchMethod.Check(typeof(BadBatches).GetMethod(nameof(BadBatches.OneAtATimeAsync))!);

        Assert.NotNull(error);
        Assert.Contains("BadBatches.OneAtATimeAsync takes String, not a list of inputs", error);
        Assert.Contains("Fix: declare it as Task<IReadOnlyList<TOut>> OneAtATimeAsync(IReadOnlyList<TIn> inputs", error);
        Assert.Contains("returns Task<String>", BatchMethod.Check(typeof(BadBatches).GetMethod(nameof(BadBatches.NotAListAsync))!));
    }

    private static async Task<List<string>> Collect(IAsyncEnumerable<string> items)
    {
        var collected = new List<string>();
        await foreach (var item in items)
        {
            collected.Add(item);
        }
        return collected;
    }

    private static Task WaitForAsync(Func<bool> condition) => Poll.UntilAsync(condition, Patience);

    public sealed class BadBatches
    {
        [Batch]
        public Task<string> OneAtATimeAsync(string input) => Task.FromResult(input);

        [Batch]
        public Task<string> NotAListAsync(IReadOnlyList<string> inputs) => Task.FromResult(inputs[0]);
    }
}
