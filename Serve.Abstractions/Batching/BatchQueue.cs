using System.Diagnostics;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Serve.Routing;

namespace Serve.Batching;

/// <summary>
/// Gathers single calls of one batched method on one instance into invocations with the list of their inputs.
/// A batch starts when <see cref="BatchSettings.MaxBatchSize"/> inputs wait, or when the oldest has waited
/// <see cref="BatchSettings.BatchWaitTimeout"/>, and at most <see cref="BatchSettings.MaxConcurrentBatches"/> run at once.
/// A caller that leaves before its batch starts is taken out of it; once every caller of a running batch has left,
/// the batch's token is cancelled. When the method throws for a batch of several inputs, each input runs again alone,
/// so one bad input fails only its own caller. Calls for different multiplexed models never share a batch (as Ray splits
/// batches by model id): each model's calls wait and fill batches of their own, and a batch runs with its model as the
/// current one (<see cref="MultiplexedModel.CurrentId"/>), so the method can ask for it with <see cref="MultiplexedModel"/>.
/// </summary>
/// <remarks>
/// Batches run on the thread pool without the callers' execution context: no caller's request id or deadline leaks
/// into a batch that serves many (a batch has a request id of its own), and a CPU-bound model never holds the replica's
/// turn while new calls arrive. When traced, each invocation has a span of its own (<see cref="IBatchObserver.StartBatch"/>),
/// current while the method runs, linked to the span each of its inputs' callers had as it joined the queue.
/// </remarks>
internal sealed class BatchQueue<TIn, TOut> : IBatchQueue, IDisposable
{
    /// <summary>Items buffered per caller of a streaming batch before the batch waits for that caller to read.</summary>
    private const int StreamBuffer = 64;

    private readonly object _target;
    private readonly TimeProvider _time;
    private readonly IBatchObserver? _observer;
    private readonly Lock _gate = new();
    /// <summary>Calls waiting for a batch, by the multiplexed model they name ("" for none), each list oldest first.</summary>
    private readonly Dictionary<string, LinkedList<Entry>> _waiting = new(StringComparer.Ordinal);
    private int _waitingCount;
    private readonly ITimer _timer;
    private readonly Func<object, ValueTask<IReadOnlyList<TOut>?>>? _await;
    private readonly Func<object, CancellationToken, IAsyncEnumerable<IReadOnlyList<TOut>?>>? _steps;
    private BatchSettings _settings;
    private int _running;
    private long _timerDue = long.MaxValue;
    private bool _disposed;

    public BatchQueue(BatchMethod method, object target, BatchSettings settings, TimeProvider time, IBatchObserver? observer)
    {
        Method = method;
        _target = target;
        _settings = settings;
        _time = time;
        _observer = observer;
        // A timer captures the execution context it is created in: this one must not carry the first caller's.
        using (ExecutionContext.SuppressFlow())
        {
            _timer = time.CreateTimer(static s => ((BatchQueue<TIn, TOut>)s!).OnTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }
        var adapter = method.IsStream ? nameof(Steps)
            : method.Method.ReturnType.GetGenericTypeDefinition() == typeof(Task<>) ? nameof(AwaitTask)
            : nameof(AwaitValueTask);
        var generic = typeof(BatchQueue<TIn, TOut>).GetMethod(adapter, BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(method.ResultListType);
        if (method.IsStream)
        {
            _steps = generic.CreateDelegate<Func<object, CancellationToken, IAsyncEnumerable<IReadOnlyList<TOut>?>>>();
        }
        else
        {
            _await = generic.CreateDelegate<Func<object, ValueTask<IReadOnlyList<TOut>?>>>();
        }
    }

    public BatchMethod Method { get; }

    public BatchSettings Settings => _settings;

    /// <summary>Calls waiting for a batch to start.</summary>
    public int Waiting
    {
        get
        {
            lock (_gate)
            {
                return _waitingCount;
            }
        }
    }

    public void Configure(BatchSettings settings)
    {
        lock (_gate)
        {
            _settings = settings;
            _timerDue = long.MaxValue;
        }
        Dispatch();
    }

    public Task<TOut> EnqueueAsync(TIn input, CancellationToken cancellationToken)
    {
        if (Method.IsStream)
        {
            throw new InvalidOperationException($"{Method.Name} streams its results; call it as a stream.");
        }
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<TOut>(cancellationToken);
        }
        var entry = new Entry(this, input, cancellationToken)
        {
            Result = new TaskCompletionSource<TOut>(TaskCreationOptions.RunContinuationsAsynchronously),
        };
        Add(entry);
        return entry.Result.Task;
    }

    public async IAsyncEnumerable<TOut> EnqueueStream(TIn input, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (!Method.IsStream)
        {
            throw new InvalidOperationException($"{Method.Name} does not stream its results; call it with one input and await its result.");
        }
        cancellationToken.ThrowIfCancellationRequested();
        var entry = new Entry(this, input, cancellationToken)
        {
            Items = Channel.CreateBounded<TOut>(new BoundedChannelOptions(StreamBuffer) { SingleReader = true, SingleWriter = true }),
        };
        Add(entry);
        var finished = false;
        try
        {
            await foreach (var item in entry.Items.Reader.ReadAllAsync(cancellationToken))
            {
                yield return item;
            }
            finished = true;
        }
        finally
        {
            if (!finished)
            {
                // Stopped reading: the batch stops writing to this caller.
                Leave(entry);
            }
        }
    }

    async Task<object?> IBatchQueue.EnqueueAsync(object? input, CancellationToken cancellationToken) =>
        await EnqueueAsync(input is null ? default! : (TIn)input, cancellationToken);

    async IAsyncEnumerable<object?> IBatchQueue.EnqueueStream(object? input, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var item in EnqueueStream(input is null ? default! : (TIn)input, cancellationToken))
        {
            yield return item;
        }
    }

    private void Add(Entry entry)
    {
        // Registered first: a cancellation that fires before the entry is queued marks it left, and it is never queued.
        if (entry.Token.CanBeCanceled)
        {
            entry.Registration = entry.Token.UnsafeRegister(static s => { var e = (Entry)s!; e.Queue.Leave(e); }, entry);
        }
        lock (_gate)
        {
            if (_disposed)
            {
                entry.Registration.Dispose();
                throw new ObjectDisposedException(Method.Name, $"{Method.Name} no longer takes calls: its replica stopped.");
            }
            if (entry.Left)
            {
                return;
            }
            var key = entry.ModelId ?? "";
            if (!_waiting.TryGetValue(key, out var group))
            {
                _waiting[key] = group = new LinkedList<Entry>();
            }
            entry.Node = group.AddLast(entry);
            _waitingCount++;
        }
        _observer?.WaitingChanged(Method, +1);
        Dispatch();
    }

    /// <summary>A caller cancelled, passed its deadline, or stopped reading its stream.</summary>
    private void Leave(Entry entry)
    {
        Batch? abandoned = null;
        var wasWaiting = false;
        lock (_gate)
        {
            if (entry.Left)
            {
                return;
            }
            entry.Left = true;
            if (entry.Node is { List: { } group } node)
            {
                group.Remove(node);
                if (group.Count == 0)
                {
                    _waiting.Remove(entry.ModelId ?? "");
                }
                _waitingCount--;
                entry.Node = null;
                wasWaiting = true;
            }
            else if (entry.Batch is { Done: false } batch && --batch.Remaining == 0)
            {
                abandoned = batch;
            }
        }
        if (wasWaiting)
        {
            _observer?.WaitingChanged(Method, -1);
        }
        var cancelled = new OperationCanceledException(entry.Token);
        entry.Result?.TrySetCanceled(entry.Token);
        entry.Items?.Writer.TryComplete(cancelled);
        try
        {
            // Nobody waits for this batch's results any more.
            abandoned?.Cancellation.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // It finished meanwhile.
        }
    }

    private void OnTimer()
    {
        lock (_gate)
        {
            _timerDue = long.MaxValue;
        }
        Dispatch();
    }

    /// <summary>
    /// Starts every batch that is due and has a free slot, the model whose oldest call waited longest first; otherwise
    /// arms the timer for the oldest call.
    /// </summary>
    private void Dispatch()
    {
        List<Batch>? ready = null;
        lock (_gate)
        {
            var settings = _settings;
            while (_running < settings.MaxConcurrentBatches && _waitingCount > 0)
            {
                var now = _time.GetTimestamp();
                LinkedList<Entry>? due = null;
                LinkedList<Entry>? oldest = null;
                foreach (var group in _waiting.Values)
                {
                    var first = group.First!.Value.Enqueued;
                    if ((group.Count >= settings.MaxBatchSize || _time.GetElapsedTime(first, now) >= settings.BatchWaitTimeout)
                        && (due is null || first < due.First!.Value.Enqueued))
                    {
                        due = group;
                    }
                    if (oldest is null || first < oldest.First!.Value.Enqueued)
                    {
                        oldest = group;
                    }
                }
                if (due is null)
                {
                    Arm(now, settings.BatchWaitTimeout - _time.GetElapsedTime(oldest!.First!.Value.Enqueued, now));
                    break;
                }
                var entries = new Entry[Math.Min(due.Count, settings.MaxBatchSize)];
                var batch = new Batch(entries, _time.GetElapsedTime(due.First!.Value.Enqueued, now), due.First.Value.ModelId);
                for (var i = 0; i < entries.Length; i++)
                {
                    var entry = due.First!.Value;
                    due.RemoveFirst();
                    entry.Node = null;
                    entry.Batch = batch;
                    entries[i] = entry;
                }
                if (due.Count == 0)
                {
                    _waiting.Remove(batch.ModelId ?? "");
                }
                _waitingCount -= entries.Length;
                _running++;
                (ready ??= []).Add(batch);
            }
        }
        if (ready is null)
        {
            return;
        }
        foreach (var batch in ready)
        {
            _observer?.WaitingChanged(Method, -batch.Entries.Length);
            ThreadPool.UnsafeQueueUserWorkItem(static s => _ = s.Queue.RunAsync(s.Batch), (Queue: this, Batch: batch), preferLocal: false);
        }
    }

    private void Arm(long now, TimeSpan due)
    {
        var dueAt = now + (long)(due.TotalSeconds * _time.TimestampFrequency);
        if (dueAt == _timerDue)
        {
            return;
        }
        _timerDue = dueAt;
        _timer.Change(due, Timeout.InfiniteTimeSpan);
    }

    private async Task RunAsync(Batch batch)
    {
        var entries = batch.Entries;
        var inputs = new TIn[entries.Length];
        for (var i = 0; i < entries.Length; i++)
        {
            inputs[i] = entries[i].Input;
        }
        var started = _time.GetTimestamp();
        Exception? error = null;
        var recorded = false;
        // A batch runs as a request of its own (its own id, no caller's deadline) for its calls' model, if they name one:
        // MultiplexedModel.GetAsync gets that model, or one named by id, and holds it until the batch ends, so no other
        // request evicts and disposes a model the batch is running.
        var batchId = Guid.NewGuid().ToString("N");
        var span = _observer is { Traces: true } observer
            ? observer.StartBatch(new BatchInvocation(Method, batchId, CallersOf(entries), batch.Waited, batch.ModelId))
            : null;
        var context = new ServeCallContext(batchId, 0, batch.ModelId) { TraceId = span?.TraceId.ToHexString() };
        ServeCallContext.Current = context;
        try
        {
            if (_steps is null)
            {
                IReadOnlyList<TOut>? results;
                try
                {
                    results = await InvokeAsync(inputs, batch.Cancellation.Token);
                }
                catch (Exception e) when (entries.Length > 1 && !batch.Cancellation.IsCancellationRequested)
                {
                    // One bad input must not fail the callers it was batched with: each input runs again alone, so
                    // each caller gets its own input's result or error. The failed batch and each run alone are
                    // invocations of their own, so metrics count them as such.
                    _observer?.BatchCompleted(Method, entries.Length, batch.Waited, _time.GetElapsedTime(started), e);
                    recorded = true;
                    // The failed batch's span ends here; each input run again alone has a span of its own, linked to it.
                    _observer?.BatchFailed(span, e);
                    var failed = span?.Context ?? default;
                    span?.Dispose();
                    span = null;
                    await RunEachAloneAsync(batch, inputs, started, batchId, failed);
                    return;
                }
                if (results is null || results.Count != entries.Length)
                {
                    throw Mismatch(results?.Count, entries.Length);
                }
                // Ended before its callers resume, so it ends within the span of the call it is a child of.
                span?.Stop();
                for (var i = 0; i < entries.Length; i++)
                {
                    entries[i].Result!.TrySetResult(results[i]);
                }
            }
            else
            {
                await StreamAsync(batch, inputs);
            }
        }
        catch (Exception e)
        {
            error = e;
            _observer?.BatchFailed(span, e);
            span?.Stop();
            foreach (var entry in entries)
            {
                entry.Result?.TrySetException(e);
                entry.Items?.Writer.TryComplete(e);
            }
        }
        finally
        {
            span?.Dispose();
            context.ReleaseModels();
            Finish(batch, recorded ? null : (started, error));
        }
    }

    private static Activity?[] CallersOf(Entry[] entries)
    {
        var callers = new Activity?[entries.Length];
        for (var i = 0; i < entries.Length; i++)
        {
            callers[i] = entries[i].Caller;
        }
        return callers;
    }

    private async ValueTask<IReadOnlyList<TOut>?> InvokeAsync(TIn[] inputs, CancellationToken cancellationToken) =>
        await _await!(Method.Invoke(_target, inputs, cancellationToken)
            ?? throw new InvalidOperationException($"{Method.Name} returned a null task."));

    /// <summary>
    /// Runs each input of a failed batch as a batch of one, in order, for the callers still waiting; each run is
    /// observed as an invocation whose wait runs from when its input's batch started (<paramref name="batchStarted"/>),
    /// and traced as a batch of its own linked to the batch that failed (<paramref name="failed"/>).
    /// </summary>
    private async Task RunEachAloneAsync(Batch batch, TIn[] inputs, long batchStarted, string batchId, ActivityContext failed)
    {
        for (var i = 0; i < inputs.Length; i++)
        {
            var entry = batch.Entries[i];
            if (entry.Left)
            {
                continue;
            }
            var started = _time.GetTimestamp();
            var wait = batch.Waited + _time.GetElapsedTime(batchStarted, started);
            Exception? error = null;
            using var span = _observer is { Traces: true } observer
                ? observer.StartBatch(new BatchInvocation(Method, batchId, [entry.Caller], wait, batch.ModelId, failed))
                : null;
            try
            {
                var results = await InvokeAsync([inputs[i]], batch.Cancellation.Token);
                if (results is null || results.Count != 1)
                {
                    throw Mismatch(results?.Count, 1);
                }
                entry.Result!.TrySetResult(results[0]);
            }
            catch (Exception e)
            {
                error = e;
                _observer?.BatchFailed(span, e);
                entry.Result!.TrySetException(e);
            }
            _observer?.BatchCompleted(Method, 1, wait, _time.GetElapsedTime(started), error);
        }
    }

    private async Task StreamAsync(Batch batch, TIn[] inputs)
    {
        var entries = batch.Entries;
        var stream = Method.Invoke(_target, inputs, batch.Cancellation.Token)
            ?? throw new InvalidOperationException($"{Method.Name} returned a null stream.");
        await foreach (var step in _steps!(stream, batch.Cancellation.Token))
        {
            if (step is null || step.Count != entries.Length)
            {
                throw Mismatch(step?.Count, entries.Length);
            }
            var reading = false;
            for (var i = 0; i < entries.Length; i++)
            {
                var entry = entries[i];
                if (entry.Left)
                {
                    continue;
                }
                try
                {
                    // Waits while this caller's buffer is full: a stream goes no faster than its readers.
                    await entry.Items!.Writer.WriteAsync(step[i], entry.Token);
                    reading = true;
                }
                catch (Exception e) when (e is OperationCanceledException or ChannelClosedException)
                {
                    // That caller left.
                }
            }
            if (!reading)
            {
                return;
            }
        }
        foreach (var entry in entries)
        {
            entry.Items!.Writer.TryComplete();
        }
    }

    /// <summary>Ends <paramref name="batch"/>; <paramref name="invocation"/>, when given, is observed as its one invocation.</summary>
    private void Finish(Batch batch, (long Started, Exception? Error)? invocation)
    {
        var duration = invocation is { } ran ? _time.GetElapsedTime(ran.Started) : TimeSpan.Zero;
        lock (_gate)
        {
            batch.Done = true;
            _running--;
        }
        foreach (var entry in batch.Entries)
        {
            entry.Registration.Dispose();
        }
        batch.Cancellation.Dispose();
        if (invocation is { } observed)
        {
            _observer?.BatchCompleted(Method, batch.Entries.Length, batch.Waited, duration, observed.Error);
        }
        Dispatch();
    }

    private InvalidOperationException Mismatch(int? count, int inputs) => new(
        $"{Method.Name} returned {(count is null ? "null" : $"{count} result(s)")} for a batch of {inputs} input(s); "
        + "a [Batch] method must return exactly one result per input, in the order of the inputs. Every caller of this batch failed.");

    public void Dispose()
    {
        Entry[] orphans;
        lock (_gate)
        {
            _disposed = true;
            orphans = [.. _waiting.Values.SelectMany(group => group)];
            _waiting.Clear();
            _waitingCount = 0;
        }
        _timer.Dispose();
        if (orphans.Length > 0)
        {
            _observer?.WaitingChanged(Method, -orphans.Length);
        }
        var stopped = new ObjectDisposedException(Method.Name, $"{Method.Name} no longer takes calls: its replica stopped.");
        foreach (var entry in orphans)
        {
            entry.Node = null;
            entry.Registration.Dispose();
            entry.Result?.TrySetException(stopped);
            entry.Items?.Writer.TryComplete(stopped);
        }
    }

    private static async ValueTask<IReadOnlyList<TOut>?> AwaitTask<TList>(object task) => (IReadOnlyList<TOut>?)(object?)await (Task<TList>)task;

    private static async ValueTask<IReadOnlyList<TOut>?> AwaitValueTask<TList>(object task) => (IReadOnlyList<TOut>?)(object?)await (ValueTask<TList>)task;

    private static async IAsyncEnumerable<IReadOnlyList<TOut>?> Steps<TList>(object stream, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var step in ((IAsyncEnumerable<TList>)stream).WithCancellation(cancellationToken))
        {
            yield return (IReadOnlyList<TOut>?)(object?)step;
        }
    }

    /// <summary>One caller: its input and where its result goes.</summary>
    private sealed class Entry(BatchQueue<TIn, TOut> queue, TIn input, CancellationToken token)
    {
        public BatchQueue<TIn, TOut> Queue { get; } = queue;

        public TIn Input { get; } = input;

        public CancellationToken Token { get; } = token;

        public long Enqueued { get; } = queue._time.GetTimestamp();

        /// <summary>The multiplexed model its request names, if any: only calls for the same model share a batch.</summary>
        public string? ModelId { get; } = ServeCallContext.Current?.ModelId;

        /// <summary>The caller's span as it joined the queue, when traced: its batch links to it and names itself in it.</summary>
        public Activity? Caller { get; } = queue._observer is { Traces: true } ? Activity.Current : null;

        public TaskCompletionSource<TOut>? Result { get; init; }

        public Channel<TOut>? Items { get; init; }

        public CancellationTokenRegistration Registration { get; set; }

        /// <summary>Its place in the queue while it waits.</summary>
        public LinkedListNode<Entry>? Node { get; set; }

        /// <summary>The batch it was taken into.</summary>
        public Batch? Batch { get; set; }

        public bool Left { get; set; }
    }

    private sealed class Batch(Entry[] entries, TimeSpan waited, string? modelId)
    {
        public Entry[] Entries { get; } = entries;

        public TimeSpan Waited { get; } = waited;

        /// <summary>The multiplexed model every one of its calls names; null when they name none.</summary>
        public string? ModelId { get; } = modelId;

        public CancellationTokenSource Cancellation { get; } = new();

        /// <summary>Callers still waiting for its results.</summary>
        public int Remaining { get; set; } = entries.Length;

        public bool Done { get; set; }
    }
}
