using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Serve.Diagnostics;
using Serve.Grains;
using Serve.Watching;

namespace Serve.Routing;

/// <summary>
/// Routes one deployment's calls from this process. It wires together the parts that decide: the replica choice
/// (<see cref="IReplicaChoice"/>: power of two choices on in-flight counts, model-aware for multiplexed models), the
/// admission queue for when every replica is full (<see cref="AdmissionQueue"/>), and the retry rules after a refusal
/// or a lost replica (<see cref="RetryPolicy"/>). Its replica set is pushed by the deployment grain through a long poll.
/// </summary>
internal sealed partial class DeploymentRouter : IAsyncDisposable, IReplicaPool
{
    private readonly DeploymentId _deployment;
    private readonly IGrainFactory _grains;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly RouterMetrics _metrics;
    private readonly Lock _gate = new();
    private readonly AdmissionQueue _queue;
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stopping = new();
    private RoutedReplica[] _replicas = [];
    private readonly List<RoutedReplica> _forgotten = [];
    private VersionedWatch<ReplicaSet>? _replicaWatch;
    private ReplicaSet? _set;
    private readonly Action<DeploymentRouter>? _onGone;
    private int _started;
    private Task _watch = Task.CompletedTask;
    private Task? _disposal;

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
        _queue = new AdmissionQueue(deployment.Key, time, logger);
        Choice = new ModelAwareChoice(PowerOfTwoChoice.Instance, time, () => metrics.ModelSpilled(deployment));
    }

    /// <summary>The deployment's metric tags.</summary>
    public DeploymentTags Tags { get; }

    /// <summary>How a replica is picked for each request; by default model-aware for requests naming a multiplexed model, else power of two choices.</summary>
    public IReplicaChoice Choice { get; init; }

    /// <summary>
    /// The replicas of this router's silo (<see cref="RoutedReplica.IsLocal"/>), called direct while they run
    /// (<see cref="ILocalReplicas.Find"/>); null in an Orleans client.
    /// </summary>
    public ILocalReplicas? LocalReplicas { get; init; }

    /// <summary>The data plane to other silos' replicas (<see cref="Serve.Exchange.ExchangeClient"/>); null in a process without one.</summary>
    public Serve.Exchange.ExchangeClient? Exchange { get; init; }

    /// <summary>Says what exists when a call names a deployment that does not; null: the plain not-found error.</summary>
    public DeploymentNames? Names { get; init; }

    /// <summary>Completes once this process can call its cluster: an external client's connection (<see cref="Serve.Hosting.ClusterConnection"/>); a silo's at once.</summary>
    public Task ClusterConnected { get; init; } = Task.CompletedTask;

    /// <summary>An external client's connection to its cluster, which fails calls fast while it is lost; null in a silo.</summary>
    public Serve.Hosting.ClusterConnection? Connection { get; init; }

    public DeploymentId Deployment => _deployment;

    /// <summary>Requests waiting for a replica right now.</summary>
    public int QueuedRequests => _queue.Count;

    /// <summary>Starts watching the replica set, the first time only.</summary>
    public void EnsureStarted()
    {
        if (Volatile.Read(ref _started) == 0 && Interlocked.Exchange(ref _started, 1) == 0)
        {
            _watch = Task.Run(WatchAsync);
        }
    }

    /// <summary>
    /// Runs one call on a replica, retrying where <see cref="RetryPolicy"/> says so, and hands back its result as
    /// <typeparamref name="TResult"/>: a typed handle's method returns this very task.
    /// </summary>
    /// <exception cref="InvalidCastException">The method returned something that is not a <typeparamref name="TResult"/>.</exception>
    public Task<TResult> InvokeAsync<TResult>(string method, object?[] args, CallOptions options, CancellationToken cancellationToken) =>
        InvokeCoreAsync<TResult>(CreateRequest(method, args, options), options, cancellationToken);

    /// <remarks>
    /// Its state machine is allocated with every call that waits for its replica (all of them), so it keeps few locals
    /// across its awaits: the request rather than its parts, the deadline's token rather than a copy, no failure kept
    /// for a finally block.
    /// <para>
    /// Its awaits do not come back to the caller's grain activation (<c>ConfigureAwait(false)</c>): the router is shared
    /// by every caller of the process, gateway threads included, and touches no grain's state, so resuming on the
    /// activation bought nothing and cost each call a work item queued on it (a task and its contingent properties),
    /// lengthening the caller's single-threaded turn queue by the router's bookkeeping. The caller's own await of the
    /// returned task still resumes on its activation; a retry after the first attempt is sent from the thread pool, as
    /// the gateway's calls are.
    /// </para>
    /// </remarks>
    private async Task<TResult> InvokeCoreAsync<TResult>(ReplicaRequest request, CallOptions options, CancellationToken cancellationToken)
    {
        // Measured only while someone listens: otherwise neither the clock nor the tags are touched.
        var started = _metrics.CallDurationEnabled ? _time.GetTimestamp() : NotMeasured;
        using var activity = ServeActivitySource.Instance.HasListeners() ? StartActivity(request) : null;
        if (AdmitToCluster(options, out var clusterLost) is { } unreachable)
        {
            CallEnded(started, activity, unreachable, CallTransport.None);
            throw unreachable;
        }
        using var deadline = DeadlineScope.Create(request.DeadlineUtcTicks, _time, cancellationToken, clusterLost);
        var backoff = new FullBackoff();
        var transport = CallTransport.None;
        try
        {
            while (true)
            {
                var replica = await AcquireAsync(request.ModelId, deadline.Token).ConfigureAwait(false);
                // The call also ends once the replica is known lost with its silo (its answer would never come), unless
                // that silo is this one. On the data plane the loss reaches the call through the exchange client
                // (LostWhileSent); through Orleans, through the replica's token, linked with the deadline's when it has one.
                CancellationTokenSource? lostOrCancelled = null;
                ReplicaResponse response;
                try
                {
                    ValueTask<ReplicaResponse> sent;
                    if (replica.IsLocal && LocalReplicas?.Find(replica.Id) is { } local)
                    {
                        (transport, sent) = (CallTransport.InProcess, local.InvokeAsync(request, deadline.Token));
                    }
                    else if (replica.Exchange is { } endpoint && Exchange?.TryCall(endpoint, replica.Id, request, deadline.Token) is { } direct)
                    {
                        LostWhileSent(replica);
                        (transport, sent) = (CallTransport.DataPlane, new ValueTask<ReplicaResponse>(direct));
                    }
                    else
                    {
                        lostOrCancelled = deadline.Token.CanBeCanceled && !replica.IsLocal
                            ? CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, replica.LostToken)
                            : null;
                        (transport, sent) = (CallTransport.Orleans, replica.Grain.InvokeAsync(request, replica.IsLocal ? deadline.Token : lostOrCancelled?.Token ?? replica.LostToken));
                    }
                    response = await sent.ConfigureAwait(false);
                }
                catch (Exception e) when (RetryPolicy.Classify(e, replica.IsLost) is { } setback)
                {
                    var decision = RetryPolicy.Decide(setback, options.Idempotent, itemsDelivered: false, deadline.Expired, cancellationToken.IsCancellationRequested);
                    if (decision.Action == RetryAction.GiveUp)
                    {
                        throw;
                    }
                    if (decision.Action == RetryAction.FailTimeout)
                    {
                        throw TimedOut(request);
                    }
                    if (CarryOut(decision, replica, e) is { } lost)
                    {
                        throw lost;
                    }
                    continue;
                }
                finally
                {
                    lostOrCancelled?.Dispose();
                    Release(replica);
                }

                if (RetryPolicy.Classify(response.Outcome) is not { } refused)
                {
                    var result = response.Outcome == ReplicaOutcome.Completed ? As<TResult>(response.Value, request.Method) : throw Fault(request, replica, response);
                    CallEnded(started, activity, failure: null, transport);
                    return result;
                }
                // Full on the replica though not by this router's count (another caller holds it), or gone.
                var next = RetryPolicy.Decide(refused, options.Idempotent, itemsDelivered: false, deadlinePassed: false, cancelled: false);
                if (next.Action == RetryAction.BackOff)
                {
                    await Task.Delay(backoff.Next(), _time, deadline.Token).ConfigureAwait(false);
                }
                else
                {
                    CarryOut(next, replica, error: null);
                }
            }
        }
        catch (OperationCanceledException) when (deadline.Expired && !cancellationToken.IsCancellationRequested)
        {
            var timeout = TimedOut(request);
            CallEnded(started, activity, timeout, transport);
            throw timeout;
        }
        catch (Exception e) when (ClusterLostInstead(e, deadline, cancellationToken, mayHaveRun: transport != CallTransport.None) is { } lost)
        {
            CallEnded(started, activity, lost, transport);
            throw lost;
        }
        catch (Exception e)
        {
            CallEnded(started, activity, e, transport);
            throw;
        }
    }

    /// <summary>
    /// An external client's call, given its link to the cluster (<see cref="Serve.Hosting.ClusterLink.Admit"/>): the error
    /// refusing it while the cluster is unreachable, else null and the token cancelled once the link is lost (none in a
    /// silo, or for a call that waits out an outage).
    /// </summary>
    private ClusterUnreachableException? AdmitToCluster(CallOptions options, out CancellationToken clusterLost)
    {
        clusterLost = CancellationToken.None;
        return Connection is { } connection && connection.Admit(options.WaitForReady, out clusterLost) == Serve.Hosting.ClusterCallVerdict.Refuse
            ? connection.Unreachable(_deployment.Key, mayHaveRun: false)
            : null;
    }

    /// <summary>
    /// The error a call ends with when its client lost the cluster while it ran, in place of what the loss caused (its
    /// token cancelled, its replica unreachable or lost); null when the failure is something else, or its caller's
    /// cancellation or deadline came first.
    /// </summary>
    private ClusterUnreachableException? ClusterLostInstead(Exception error, DeadlineScope deadline, CancellationToken cancellationToken, bool mayHaveRun) =>
        deadline.ClusterLost && !deadline.Expired && !cancellationToken.IsCancellationRequested
        && (error is OperationCanceledException or ReplicaUnavailableException || RetryPolicy.IsUnreachable(error))
            ? Connection!.Unreachable(_deployment.Key, mayHaveRun)
            : null;

    /// <summary>The start of a call nobody measures.</summary>
    private const long NotMeasured = long.MinValue;

    /// <summary>
    /// Records a call's end for whoever listens: its duration and transport (unless <paramref name="started"/> is
    /// <see cref="NotMeasured"/>), and on its span how its last attempt travelled and, when it failed, its status.
    /// </summary>
    private void CallEnded(long started, Activity? activity, Exception? failure, CallTransport transport)
    {
        if (started != NotMeasured)
        {
            _metrics.CallEnded(Tags, _time.GetElapsedTime(started), failure, transport);
        }
        if (activity is null)
        {
            return;
        }
        if (transport != CallTransport.None && activity.IsAllDataRequested)
        {
            activity.SetTag(ServeMeter.TransportTag, RouterMetrics.TransportName(transport));
        }
        if (failure is not null)
        {
            ServeActivitySource.Failed(activity, failure.GetType().FullName);
            ServeActivitySource.RecordException(activity, failure, withStackTrace: false);
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

    /// <summary>
    /// A call's replica became unreachable or was lost before it answered: forgets the replica and returns null when
    /// the call may go to another (it never reached this one, or it is idempotent), else the error to fail it with at
    /// once, since it may have run.
    /// </summary>
    private ReplicaUnavailableException? FailureAfterLoss(RoutedReplica replica, Exception error, CallOptions options)
    {
        var setback = NeverDelivered(error) ? CallSetback.NeverDelivered : CallSetback.Lost;
        var decision = RetryPolicy.Decide(setback, options.Idempotent, itemsDelivered: false, deadlinePassed: false, cancelled: false);
        return CarryOut(decision, replica, error);
    }

    /// <summary>
    /// Carries out the bookkeeping of a <see cref="RetryPolicy"/> decision to retry or to fail unavailable: forgets the
    /// replica (reporting it when it could not be reached) and counts the retry or the failure. Returns the error to
    /// fail the call with, or null to try again.
    /// </summary>
    private ReplicaUnavailableException? CarryOut(RetryDecision decision, RoutedReplica replica, Exception? error)
    {
        switch (decision.Action)
        {
            case RetryAction.RetryNow:
                Forget(replica, decision.Reason == RetryReason.ReplicaGone ? null : error);
                _metrics.Retried(_deployment, decision.Reason!.Value);
                return null;
            case RetryAction.FailUnavailable:
                Forget(replica, error);
                _metrics.ReplicaUnavailable(_deployment);
                return new ReplicaUnavailableException(_deployment.Key, replica.Id, error!);
            default:
                return null;
        }
    }

    private RequestTimeoutException TimedOut(ReplicaRequest request) => new(_deployment.Key, request.RequestId);

    /// <summary>A call's result as its caller's type; null for a reference or nullable type.</summary>
    private TResult As<TResult>(object? value, string method) =>
        value is TResult result ? result
        : value is null && default(TResult) is null ? default!
        : throw new InvalidCastException($"{_deployment}.{method} returned {value?.GetType().FullName ?? "null"}, not {typeof(TResult).FullName}.");

    /// <summary>
    /// The exception for a faulted call. The replica enforces the same deadline on its side and may
    /// notice it first: user code cancelled past the deadline is a timeout, not a user error. A call without a deadline
    /// cannot time out itself: a timeout it answers is one of the replica's own calls, let out by its code, and reaches
    /// the caller as any failure does (an HTTP client gets 504 for it, not the gateway's 408).
    /// </summary>
    private Exception Fault(ReplicaRequest request, RoutedReplica replica, ReplicaResponse response) =>
        (response.ExceptionType == typeof(RequestTimeoutException).FullName && request.DeadlineUtcTicks != 0)
        || (request.DeadlineUtcTicks != 0
            && _time.GetUtcNow().UtcTicks >= request.DeadlineUtcTicks
            && response.ExceptionType is "System.OperationCanceledException" or "System.Threading.Tasks.TaskCanceledException")
            ? new RequestTimeoutException(_deployment.Key, request.RequestId)
            : response.ExceptionType == typeof(TypeNotSerializableException).FullName
            ? new TypeNotSerializableException(response.Message!)
            // Serve's, not the user's: the answer did not fit the data plane's frame (the message names the setting).
            : response.ExceptionType == typeof(MessageTooLargeException).FullName
            ? (response.Value as OversizedMessage)?.ToException() ?? new MessageTooLargeException(response.Message!)
            : new DeploymentCallException(_deployment.Key, replica.Id, request.Method, response.ExceptionType!, response.Message!, response.StackTrace);

    private ReplicaRequest CreateRequest(string method, object?[] args, CallOptions options)
    {
        var (requestId, deadline) = Identify(options);
        return new ReplicaRequest(method, args, requestId, deadline, options.MultiplexedModelId);
    }

    /// <summary>A call's request id and deadline (UTC ticks, 0 for none): its own, else its caller's, else a new id.</summary>
    private (string RequestId, long DeadlineUtcTicks) Identify(CallOptions options)
    {
        var parent = ServeCallContext.Current;
        var requestId = options.RequestId ?? parent?.RequestId ?? RequestIds.Next();
        var deadline = parent?.DeadlineUtcTicks ?? 0;
        if (options.Timeout is { } timeout)
        {
            var now = _time.GetUtcNow().UtcTicks;
            // Saturating: a timeout near TimeSpan.MaxValue would wrap to a deadline long past.
            var own = timeout.Ticks > long.MaxValue - now ? long.MaxValue : now + timeout.Ticks;
            deadline = deadline == 0 ? own : Math.Min(deadline, own);
        }
        return (requestId, deadline);
    }

    /// <summary>Takes a slot on a replica with room, at once when one has it, else through the admission queue.</summary>
    private ValueTask<RoutedReplica> AcquireAsync(string? modelId, CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _set) is { Exists: true } && TryTake(modelId, patienceOver: false) is { } replica)
        {
            return ValueTask.FromResult(replica);
        }
        return WaitForReplicaAsync(modelId, cancellationToken);
    }

    /// <remarks>Off the caller's grain activation, as <see cref="InvokeCoreAsync{TResult}"/> says why: a queued call's wake-ups are the router's.</remarks>
    private async ValueTask<RoutedReplica> WaitForReplicaAsync(string? modelId, CancellationToken cancellationToken)
    {
        await _ready.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await _queue.AdmitAsync(this, modelId, Choice.PatienceFor(modelId), cancellationToken).ConfigureAwait(false);
        }
        catch (DeploymentNotFoundException e) when (!e.Described && Names is { } names)
        {
            // A misspelled name is the usual cause: say what exists (an error path, asked of the controller only here).
            throw await names.NotFoundAsync(_deployment, cancellationToken).ConfigureAwait(false);
        }
    }

    private RoutedReplica? TryTake(string? modelId, bool patienceOver) =>
        Choice.TryTake(Volatile.Read(ref _replicas), Volatile.Read(ref _set)?.MaxOngoingRequests ?? 0, modelId, patienceOver);

    ReplicaSet IReplicaPool.Set => Volatile.Read(ref _set)!;

    RoutedReplica? IReplicaPool.TryTake(string? modelId, bool patienceOver) => TryTake(modelId, patienceOver);

    void IReplicaPool.Queued() => ReportIfNoReplica();

    /// <summary>Gives the slot back, and wakes whom the admission queue says should look again.</summary>
    /// <summary>
    /// A data-plane call was just sent to <paramref name="replica"/>: if the replica was lost meanwhile, the exchange
    /// client's sweep (<see cref="Serve.Exchange.ExchangeClient.ReplicaLost"/>) may have run before the call was in its
    /// table, so it runs again. The sweep follows the loss's mark and the call's table entry is followed by the send's
    /// lock, so one of the two sees the other.
    /// </summary>
    private void LostWhileSent(RoutedReplica replica)
    {
        if (replica.IsLost)
        {
            Exchange?.ReplicaLost(replica.Id);
        }
    }

    private void Release(RoutedReplica replica)
    {
        replica.Release();
        _queue.Released();
    }

    private void Forget(RoutedReplica replica, Exception? error)
    {
        // Calls failing on it at once (every call in flight when its connection broke) forget it, warn and report once.
        if (!replica.TryMarkGone())
        {
            return;
        }
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

    private static bool IsUnreachable(Exception e) => RetryPolicy.IsUnreachable(e);

    /// <inheritdoc cref="RetryPolicy.NeverDelivered"/>
    internal static bool NeverDelivered(Exception e) => RetryPolicy.NeverDelivered(e);

    /// <summary>
    /// Stops the router once it has had its first replica set, at once when it has: the calls waiting for that set are
    /// served rather than left waiting for ever. A router that never gets one stops when it is disposed.
    /// </summary>
    public void StopWhenReady() =>
        _ = _ready.Task.ContinueWith(static (_, router) => _ = ((DeploymentRouter)router!).DisposeAsync().AsTask(), this,
            CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);

    /// <summary>
    /// Stops the router once; every caller waits for that one stop. Its directory disposes it both when the host begins to
    /// stop and when the host's services are disposed, which may overlap: a second stop would cancel a source the first
    /// had disposed.
    /// </summary>
    public ValueTask DisposeAsync()
    {
        if (Volatile.Read(ref _disposal) is { } running)
        {
            return new ValueTask(running);
        }
        var disposal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (Interlocked.CompareExchange(ref _disposal, disposal.Task, null) is { } first)
        {
            return new ValueTask(first);
        }
        _ = StopAsync(disposal);
        return new ValueTask(disposal.Task);
    }

    private async Task StopAsync(TaskCompletionSource disposal)
    {
        try
        {
            StopLoadReporting();
            await _stopping.CancelAsync();
            await _watch.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            _stopping.Dispose();
            disposal.SetResult();
        }
        catch (Exception e)
        {
            disposal.SetException(e);
        }
    }

    [LoggerMessage(EventId = ServeEvents.ReplicaUnreachable, Level = LogLevel.Warning, Message = "Deployment {Deployment}: replica {Replica} unreachable ({Error}); routing around it")]
    private static partial void LogReplicaUnreachable(ILogger logger, string deployment, string replica, string error);
}
