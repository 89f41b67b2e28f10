using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Serve.Diagnostics;
using Serve.Grains;
using Serve.Watching;

namespace Serve.Routing;

/// <summary>
/// Routes one deployment's calls from this process: power of two choices over the RUNNING replicas
/// on in-flight counts, a bounded FIFO-ish queue while every replica is full, and retries of calls a
/// replica never accepted. Its replica set is pushed by the deployment grain through a long poll.
/// </summary>
internal sealed partial class DeploymentRouter : IAsyncDisposable
{
    private static readonly TimeSpan MaxFullBackoff = TimeSpan.FromMilliseconds(100);

    private readonly DeploymentId _deployment;
    private readonly IGrainFactory _grains;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly RouterMetrics _metrics;
    private readonly Lock _gate = new();
    private readonly Lock _placing = new();
    private readonly Queue<TaskCompletionSource> _waiters = new();
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stopping = new();
    private RoutedReplica[] _replicas = [];
    private readonly List<RoutedReplica> _forgotten = [];
    private CancellationTokenSource? _poll;
    private ReplicaSet? _set;
    private readonly Action<DeploymentRouter>? _onGone;
    private int _queued;
    private int _queuedForModel;
    private int _started;
    private Task _watch = Task.CompletedTask;

    /// <param name="deployment">The deployment routed to.</param>
    /// <param name="grains">Reaches its deployment grain and replicas.</param>
    /// <param name="time">The clock of deadlines and backoffs.</param>
    /// <param name="logger">Its log.</param>
    /// <param name="metrics">Its retry counters.</param>
    /// <param name="onGone">Told when the deployment turns out not to exist (deleted, or never run), so the router can be dropped.</param>
    public DeploymentRouter(DeploymentId deployment, IGrainFactory grains, TimeProvider time, ILogger logger, RouterMetrics metrics, Action<DeploymentRouter>? onGone = null)
    {
        _deployment = deployment;
        _grains = grains;
        _time = time;
        _logger = logger;
        _metrics = metrics;
        _onGone = onGone;
        Tags = new DeploymentTags(deployment);
    }

    /// <summary>The deployment's metric tags.</summary>
    public DeploymentTags Tags { get; }

    /// <summary>Whether requests naming a multiplexed model go where it is loaded (true), or by load alone.</summary>
    public bool ModelAware { get; init; } = true;

    public DeploymentId Deployment => _deployment;

    /// <summary>Requests waiting for a replica right now.</summary>
    public int QueuedRequests => Volatile.Read(ref _queued);

    /// <summary>Starts watching the replica set, the first time only.</summary>
    public void EnsureStarted()
    {
        if (Volatile.Read(ref _started) == 0 && Interlocked.Exchange(ref _started, 1) == 0)
        {
            _watch = Task.Run(WatchAsync);
        }
    }

    /// <remarks>Backed by a <see cref="Task{TResult}"/>, so a handle method returning <see cref="Task"/> hands it out as is.</remarks>
    public ValueTask<object?> InvokeAsync(string method, object?[] args, CallOptions options, CancellationToken cancellationToken) =>
        new(InvokeCoreAsync(method, args, options, cancellationToken));

    private async Task<object?> InvokeCoreAsync(string method, object?[] args, CallOptions options, CancellationToken cancellationToken)
    {
        // Measured only while someone listens: otherwise neither the clock nor the tags are touched.
        var measured = _metrics.CallDurationEnabled;
        var started = measured ? _time.GetTimestamp() : 0;
        Exception? failure = null;
        var request = CreateRequest(method, args, options);
        using var activity = ServeActivitySource.Instance.HasListeners() ? StartActivity(request) : null;
        using var deadline = DeadlineScope.Create(request.DeadlineUtcTicks, _time, cancellationToken);
        var token = deadline.Token;
        var backoff = TimeSpan.FromMilliseconds(1);
        try
        {
            while (true)
            {
                var replica = await AcquireAsync(request.ModelId, token);
                // The call also ends once the replica is known lost with its silo: its answer would never come.
                using var lostOrCancelled = token.CanBeCanceled ? CancellationTokenSource.CreateLinkedTokenSource(token, replica.LostToken) : null;
                ReplicaResponse response;
                try
                {
                    response = await replica.Grain.InvokeAsync(request, lostOrCancelled?.Token ?? replica.LostToken);
                }
                catch (Exception e) when ((IsUnreachable(e) || replica.IsLost) && !token.IsCancellationRequested)
                {
                    if (FailureAfterLoss(replica, e, options) is { } lost)
                    {
                        throw lost;
                    }
                    continue;
                }
                finally
                {
                    Release(replica);
                }

                switch (response.Outcome)
                {
                    case ReplicaOutcome.Completed:
                        return response.Value;
                    case ReplicaOutcome.Faulted:
                        throw Fault(request, replica, response);
                    case ReplicaOutcome.RejectedGone:
                        Forget(replica, null);
                        _metrics.Retried(_deployment, RetryReason.ReplicaGone);
                        break;
                    default:
                        // Full on the replica though not by this router's count: another caller holds it. Back off briefly.
                        await Task.Delay(backoff, _time, token);
                        backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxFullBackoff.Ticks));
                        break;
                }
            }
        }
        catch (OperationCanceledException) when (deadline.Expired && !cancellationToken.IsCancellationRequested)
        {
            failure = new RequestTimeoutException(_deployment.Key, request.RequestId);
            throw failure;
        }
        catch (Exception e)
        {
            failure = e;
            throw;
        }
        finally
        {
            if (measured)
            {
                _metrics.CallEnded(Tags, _time.GetElapsedTime(started), failure);
            }
            if (failure is not null)
            {
                activity?.SetStatus(ActivityStatusCode.Error, failure.GetType().FullName);
            }
        }
    }

    /// <summary>
    /// The caller's span of a call, a child of the current one (the replica's, or the gateway's); its <c>traceparent</c>
    /// goes with the call in Orleans' request context, under the key Orleans' own propagation uses.
    /// </summary>
    private Activity? StartActivity(ReplicaRequest request)
    {
        var activity = ServeActivitySource.Instance.StartActivity(ServeActivitySource.CallSpan, ActivityKind.Client);
        if (activity is null)
        {
            return null;
        }
        RequestContext.Set(ServeActivitySource.TraceParentKey, activity.Id!);
        if (activity.IsAllDataRequested)
        {
            activity.DisplayName = $"{ServeActivitySource.CallSpan} {_deployment.Key}";
            activity.SetTag(ServeMeter.ApplicationTag, _deployment.Application);
            activity.SetTag(ServeMeter.DeploymentTag, _deployment.Name);
            activity.SetTag(ServeActivitySource.MethodTag, request.Method);
            activity.SetTag(ServeActivitySource.RequestIdTag, request.RequestId);
        }
        return activity;
    }

    public async IAsyncEnumerable<object?> StreamAsync(string method, object?[] args, CallOptions options, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var request = CreateRequest(method, args, options);
        using var deadline = DeadlineScope.Create(request.DeadlineUtcTicks, _time, cancellationToken);
        var stream = await OpenStreamAsync(request, options, deadline, cancellationToken);
        try
        {
            while (await NextAsync(stream, request, deadline, cancellationToken) is { } item)
            {
                yield return item.Value;
            }
        }
        finally
        {
            await stream.Enumerator.DisposeAsync();
            stream.LostOrCancelled.Dispose();
            Release(stream.Replica);
        }
    }

    /// <summary>A stream a replica accepted.</summary>
    /// <param name="Replica">The replica running it.</param>
    /// <param name="Enumerator">Its items.</param>
    /// <param name="LostOrCancelled">The caller's token, cancelled also once the replica is lost with its silo: its next item would never come.</param>
    private sealed record OpenStream(RoutedReplica Replica, IAsyncEnumerator<object?> Enumerator, CancellationTokenSource LostOrCancelled);

    private readonly record struct StreamItem(object? Value);

    /// <summary>
    /// Starts the stream on a replica that accepts it. A replica lost before it answered is left for another only
    /// when the call cannot have reached it or is idempotent, as for other calls: a stream is never started twice.
    /// </summary>
    private async ValueTask<OpenStream> OpenStreamAsync(ReplicaRequest request, CallOptions options, DeadlineScope deadline, CancellationToken cancellationToken)
    {
        var token = deadline.Token;
        try
        {
            while (true)
            {
                var replica = await AcquireAsync(request.ModelId, token);
                var lostOrCancelled = CancellationTokenSource.CreateLinkedTokenSource(token, replica.LostToken);
                var enumerator = replica.Grain.StreamAsync(request, lostOrCancelled.Token).GetAsyncEnumerator(lostOrCancelled.Token);
                ReplicaResponse? verdict;
                try
                {
                    verdict = await enumerator.MoveNextAsync() ? enumerator.Current as ReplicaResponse : ReplicaResponse.Gone;
                }
                catch (Exception e)
                {
                    await enumerator.DisposeAsync();
                    lostOrCancelled.Dispose();
                    Release(replica);
                    if ((IsUnreachable(e) || replica.IsLost) && !token.IsCancellationRequested)
                    {
                        if (FailureAfterLoss(replica, e, options) is { } failure)
                        {
                            throw failure;
                        }
                        continue;
                    }
                    throw;
                }
                if (verdict is { IsRejected: false })
                {
                    return new OpenStream(replica, enumerator, lostOrCancelled);
                }
                await enumerator.DisposeAsync();
                lostOrCancelled.Dispose();
                Release(replica);
                if (verdict?.Outcome == ReplicaOutcome.RejectedFull)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(5), _time, token);
                }
                else
                {
                    Forget(replica, null);
                    _metrics.Retried(_deployment, RetryReason.ReplicaGone);
                }
            }
        }
        catch (OperationCanceledException) when (deadline.Expired && !cancellationToken.IsCancellationRequested)
        {
            throw new RequestTimeoutException(_deployment.Key, request.RequestId);
        }
    }

    private async ValueTask<StreamItem?> NextAsync(OpenStream stream, ReplicaRequest request, DeadlineScope deadline, CancellationToken cancellationToken)
    {
        try
        {
            if (!await stream.Enumerator.MoveNextAsync())
            {
                return null;
            }
        }
        catch (OperationCanceledException) when (deadline.Expired && !cancellationToken.IsCancellationRequested)
        {
            throw new RequestTimeoutException(_deployment.Key, request.RequestId);
        }
        catch (Exception e) when ((IsUnreachable(e) || stream.Replica.IsLost) && !deadline.Token.IsCancellationRequested)
        {
            // Items were delivered already: the stream cannot go on elsewhere without repeating them.
            Forget(stream.Replica, e);
            _metrics.ReplicaUnavailable(_deployment);
            throw new ReplicaUnavailableException(_deployment.Key, stream.Replica.Id, e);
        }
        return stream.Enumerator.Current is ReplicaResponse { Outcome: ReplicaOutcome.Faulted } fault
            ? throw Fault(request, stream.Replica, fault)
            : new StreamItem(stream.Enumerator.Current);
    }

    /// <summary>
    /// A call's replica became unreachable or was lost before it answered: forgets the replica and returns null when
    /// the call may go to another (it never reached this one, or it is idempotent), else the error to fail it with at
    /// once, since it may have run.
    /// </summary>
    private ReplicaUnavailableException? FailureAfterLoss(RoutedReplica replica, Exception error, CallOptions options)
    {
        Forget(replica, error);
        if (NeverDelivered(error) || options.Idempotent)
        {
            _metrics.Retried(_deployment, NeverDelivered(error) ? RetryReason.NeverDelivered : RetryReason.IdempotentReplay);
            return null;
        }
        _metrics.ReplicaUnavailable(_deployment);
        return new ReplicaUnavailableException(_deployment.Key, replica.Id, error);
    }

    /// <summary>
    /// The exception for a faulted call. The replica enforces the same deadline on its side and may
    /// notice it first: user code cancelled past the deadline is a timeout, not a user error.
    /// </summary>
    private Exception Fault(ReplicaRequest request, RoutedReplica replica, ReplicaResponse response) =>
        response.ExceptionType == typeof(RequestTimeoutException).FullName
        || (request.DeadlineUtcTicks != 0
            && _time.GetUtcNow().UtcTicks >= request.DeadlineUtcTicks
            && response.ExceptionType is "System.OperationCanceledException" or "System.Threading.Tasks.TaskCanceledException")
            ? new RequestTimeoutException(_deployment.Key, request.RequestId)
            : response.ExceptionType == typeof(TypeNotSerializableException).FullName
            ? new TypeNotSerializableException(response.Message!)
            : new DeploymentCallException(_deployment.Key, replica.Id, request.Method, response.ExceptionType!, response.Message!, response.StackTrace);

    private ReplicaRequest CreateRequest(string method, object?[] args, CallOptions options)
    {
        var parent = ServeCallContext.Current;
        var requestId = options.RequestId ?? parent?.RequestId ?? RequestIds.Next();
        var deadline = parent?.DeadlineUtcTicks ?? 0;
        if (options.Timeout is { } timeout)
        {
            var own = _time.GetUtcNow().UtcTicks + timeout.Ticks;
            deadline = deadline == 0 ? own : Math.Min(deadline, own);
        }
        return new ReplicaRequest(method, args, requestId, deadline, options.MultiplexedModelId);
    }

    private ValueTask<RoutedReplica> AcquireAsync(string? modelId, CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _set) is { Exists: true } && TryAcquire(modelId, allowSpill: false) is { } replica)
        {
            return ValueTask.FromResult(replica);
        }
        return WaitForReplicaAsync(modelId, cancellationToken);
    }

    private async ValueTask<RoutedReplica> WaitForReplicaAsync(string? modelId, CancellationToken cancellationToken)
    {
        await _ready.Task.WaitAsync(cancellationToken);
        var set = Volatile.Read(ref _set)!;
        if (!set.Exists)
        {
            throw new DeploymentNotFoundException(_deployment.Key);
        }
        // A request for a model waits for a replica that holds it, and loads it elsewhere only once it has waited this long.
        var matching = modelId is not null && ModelAware;
        var spillAt = matching ? _time.GetTimestamp() + (long)(ModelAwareChoice.SpillAfter.TotalSeconds * _time.TimestampFrequency) : 0;
        lock (_gate)
        {
            if (TryAcquire(modelId, allowSpill: false) is { } replica)
            {
                return replica;
            }
            ThrowIfNothingToWaitFor(set);
            if (set.MaxQueuedRequests >= 0 && _queued >= set.MaxQueuedRequests)
            {
                LogBackPressure(_logger, _deployment.Key, _queued);
                throw new BackPressureException(_deployment.Key, set.MaxQueuedRequests);
            }
            _queued++;
            _queuedForModel += matching ? 1 : 0;
        }
        ReportIfNoReplica();
        try
        {
            while (true)
            {
                TaskCompletionSource waiter;
                var patience = Timeout.InfiniteTimeSpan;
                lock (_gate)
                {
                    var current = Volatile.Read(ref _set)!;
                    if (!current.Exists)
                    {
                        throw new DeploymentNotFoundException(_deployment.Key);
                    }
                    var now = _time.GetTimestamp();
                    if (TryAcquire(modelId, allowSpill: now >= spillAt) is { } replica)
                    {
                        return replica;
                    }
                    ThrowIfNothingToWaitFor(current);
                    if (now < spillAt)
                    {
                        patience = _time.GetElapsedTime(now, spillAt);
                    }
                    waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    _waiters.Enqueue(waiter);
                }
                try
                {
                    await waiter.Task.WaitAsync(patience, _time, cancellationToken);
                }
                catch (TimeoutException)
                {
                    // Waited long enough for a replica holding the model: the next try may load it on another.
                    if (!waiter.TrySetCanceled())
                    {
                        WakeOne();
                    }
                }
                catch (OperationCanceledException)
                {
                    // If a release already chose this waiter, hand its wake-up on so no other waiter is stranded.
                    if (!waiter.TrySetCanceled())
                    {
                        WakeOne();
                    }
                    throw;
                }
            }
        }
        finally
        {
            lock (_gate)
            {
                _queued--;
                _queuedForModel -= matching ? 1 : 0;
            }
        }
    }

    /// <summary>
    /// A request waits for a replica only while one is starting (bounded by its timeout); with none running and none
    /// coming it fails now, naming the deployment's state, instead of hanging.
    /// </summary>
    private void ThrowIfNothingToWaitFor(ReplicaSet set)
    {
        if (set.Replicas.Count == 0 && !set.MayServeSoon)
        {
            if (set.State is null)
            {
                // Being deleted: as good as gone.
                throw new DeploymentNotFoundException(_deployment.Key);
            }
            LogUnavailable(_logger, _deployment.Key, set.State.Value.ToString());
            throw new DeploymentUnavailableException(_deployment.Key, set.State.Value, set.Message);
        }
    }

    private RoutedReplica? TryAcquire(string? modelId, bool allowSpill)
    {
        var replicas = Volatile.Read(ref _replicas);
        var limit = Volatile.Read(ref _set)?.MaxOngoingRequests ?? 0;
        var count = replicas.Length;
        if (count == 0)
        {
            return null;
        }
        if (modelId is not null && ModelAware)
        {
            var chosen = ModelAwareChoice.Choose(replicas, limit, modelId, _time, allowSpill, out var spilled, _placing);
            if (spilled)
            {
                _metrics.ModelSpilled(_deployment);
            }
            return chosen;
        }
        if (count == 1)
        {
            return replicas[0].TryTake(limit) ? replicas[0] : null;
        }
        var a = Random.Shared.Next(count);
        var b = Random.Shared.Next(count - 1);
        if (b >= a)
        {
            b++;
        }
        var (first, second) = replicas[a].InFlight <= replicas[b].InFlight ? (replicas[a], replicas[b]) : (replicas[b], replicas[a]);
        if (first.TryTake(limit))
        {
            return first;
        }
        if (second.TryTake(limit))
        {
            return second;
        }
        // Both sampled replicas are full; take any other with room rather than queue while capacity exists.
        for (var i = 0; i < count; i++)
        {
            var candidate = replicas[(a + i) % count];
            if (candidate.TryTake(limit))
            {
                return candidate;
            }
        }
        return null;
    }

    private void Release(RoutedReplica replica)
    {
        replica.Release();
        if (Volatile.Read(ref _queuedForModel) > 0)
        {
            // A request waiting for its model's replica may not fit the slot freed, and another may: all look again.
            WakeAll();
        }
        else if (Volatile.Read(ref _queued) > 0)
        {
            WakeOne();
        }
    }

    private void WakeOne()
    {
        lock (_gate)
        {
            while (_waiters.TryDequeue(out var waiter))
            {
                if (waiter.TrySetResult())
                {
                    return;
                }
            }
        }
    }

    private void WakeAll()
    {
        lock (_gate)
        {
            while (_waiters.TryDequeue(out var waiter))
            {
                waiter.TrySetResult();
            }
        }
    }

    private void Forget(RoutedReplica replica, Exception? error)
    {
        if (replica.Gone)
        {
            return;
        }
        replica.Gone = true;
        lock (_gate)
        {
            _replicas = Array.FindAll(_replicas, r => r != replica);
            // Kept while calls are in flight on it, so that they still end if it turns out lost with its silo.
            _forgotten.RemoveAll(r => r.InFlight == 0);
            _forgotten.Add(replica);
        }
        if (error is not null)
        {
            LogReplicaUnreachable(_logger, _deployment.Key, replica.Id, ErrorText.Of(error));
            _ = _grains.GetGrain<IDeploymentGrain>(_deployment.Key).ReportUnreachableAsync(replica.Id);
        }
        // Unreachable or gone, the set is changing: fetch it now rather than trust a poll that may be stuck
        // behind the same failure (an Orleans client's call through a gateway that died is never answered).
        RepollNow();
    }

    private void RepollNow()
    {
        try
        {
            Volatile.Read(ref _poll)?.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // That poll already ended; the next one is current.
        }
    }

    internal void Apply(ReplicaSet set)
    {
        var lost = new List<RoutedReplica>();
        lock (_gate)
        {
            var known = _replicas.ToDictionary(r => r.Id);
            _replicas = set.Replicas
                .Select(id => known.TryGetValue(id, out var existing) ? existing : new RoutedReplica(id, _grains.GetGrain<IReplicaGrain>(id)))
                .ToArray();
            foreach (var replica in _replicas)
            {
                replica.SetModels(set.Models.TryGetValue(replica.Id, out var models) ? models : []);
            }
            if (set.Lost.Count > 0)
            {
                var ids = set.Lost.ToHashSet();
                lost.AddRange(_replicas.Concat(_forgotten).Where(r => ids.Contains(r.Id) && !r.IsLost));
                _replicas = Array.FindAll(_replicas, r => !ids.Contains(r.Id));
                _forgotten.RemoveAll(r => ids.Contains(r.Id) || r.InFlight == 0);
            }
            Volatile.Write(ref _set, set);
        }
        UpdateLoadReporting(set);
        // Outside the lock: ending the calls runs their continuations.
        foreach (var replica in lost)
        {
            replica.MarkLost();
        }
        LogReplicaSet(_logger, _deployment.Key, set.Version, set.Replicas.Count);
        _ready.TrySetResult();
        WakeAll();
        if (!set.Exists)
        {
            // Deleted (or never run): nothing to route to, nothing to poll for. A later call makes a new router.
            _onGone?.Invoke(this);
        }
    }

    private async Task WatchAsync()
    {
        var grain = _grains.GetGrain<IDeploymentGrain>(_deployment.Key);
        var watch = new VersionedWatch<ReplicaSet>(
            (version, token) => grain.WatchReplicasAsync(version, token),
            set => set.Version,
            WatchBackoff.Forever,
            _time,
            (error, delay) => LogWatchFailed(_logger, _deployment.Key, delay, ErrorText.Of(error)));
        while (!_stopping.IsCancellationRequested)
        {
            using var poll = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
            Volatile.Write(ref _poll, poll);
            try
            {
                Apply(await watch.NextAsync(poll.Token));
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
            {
                return;
            }
            catch (OperationCanceledException) when (poll.IsCancellationRequested)
            {
                // RepollNow: ask again at once.
            }
        }
    }

    private static bool IsUnreachable(Exception e) =>
        e is SiloUnavailableException or OrleansMessageRejectionException or Orleans.Runtime.Messaging.ConnectionFailedException or TimeoutException;

    /// <summary>
    /// The message never reached a replica, so the call cannot have run and may go elsewhere. Not a
    /// <see cref="SiloUnavailableException"/>, though Orleans derives it from <see cref="OrleansMessageRejectionException"/>:
    /// Orleans fails with it the calls already sent to a silo once that silo is declared dead, so the call may have run.
    /// </summary>
    internal static bool NeverDelivered(Exception e) =>
        e is OrleansMessageRejectionException and not SiloUnavailableException or Orleans.Runtime.Messaging.ConnectionFailedException;

    public async ValueTask DisposeAsync()
    {
        StopLoadReporting();
        await _stopping.CancelAsync();
        await _watch.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stopping.Dispose();
    }

    [LoggerMessage(EventId = ServeEvents.BackPressure, Level = LogLevel.Debug, Message = "Deployment {Deployment}: queue full ({Queued} waiting); request refused with back-pressure")]
    private static partial void LogBackPressure(ILogger logger, string deployment, int queued);

    [LoggerMessage(EventId = ServeEvents.ReplicaUnreachable, Level = LogLevel.Warning, Message = "Deployment {Deployment}: replica {Replica} unreachable ({Error}); routing around it")]
    private static partial void LogReplicaUnreachable(ILogger logger, string deployment, string replica, string error);

    [LoggerMessage(EventId = ServeEvents.ReplicaSetChanged, Level = LogLevel.Debug, Message = "Deployment {Deployment}: replica set v{Version} with {Count} replica(s)")]
    private static partial void LogReplicaSet(ILogger logger, string deployment, long version, int count);

    [LoggerMessage(EventId = ServeEvents.WatchFailed, Level = LogLevel.Warning, Message = "Deployment {Deployment}: watching the replica set failed ({Error}); retrying in {Delay}")]
    private static partial void LogWatchFailed(ILogger logger, string deployment, TimeSpan delay, string error);

    [LoggerMessage(EventId = ServeEvents.DeploymentUnavailable, Level = LogLevel.Debug, Message = "Deployment {Deployment}: no replica running or starting ({State}); request refused")]
    private static partial void LogUnavailable(ILogger logger, string deployment, string state);
}
