using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Concurrency;
using Orleans.GrainDirectory;
using Orleans.Serialization;
using Serve.Diagnostics;
using Serve.Grains;
using Serve.Hosting;
using Serve.Http;
using Serve.Placement;
using Serve.Routing;
using Serve.Serialization;

namespace Serve.Replicas;

/// <summary>
/// One replica: hosts one instance of the user's class, runs at most MaxOngoingRequests calls at
/// once (answering "full" past that), and drains before it stops. The user's code runs as pieces of the replica's
/// <see cref="ReplicaTurns"/>, whoever calls (an Orleans message, a router in this silo), unless its class is
/// <see cref="ThreadSafeAttribute"/>; the grain's own bookkeeping around it (admission, metrics, tracing, deadlines) is
/// safe from any thread.
/// </summary>
[Reentrant, KeepAlive, ReplicaPlacement]
[GrainDirectory(GrainDirectoryName = ServeGrainDirectory.Name)]
internal sealed partial class ReplicaGrain : Grain, IReplicaGrain
{
    /// <summary>The method name of HTTP exchanges in traces and logs.</summary>
    private const string HttpMethodName = "http";

    private readonly IServiceProvider _services;
    private readonly ReplicaDirectory _handles;
    private readonly TimeProvider _time;
    private readonly ILogger<ReplicaGrain> _logger;
    private readonly SiloResourceLedger _ledger;
    private readonly ReplicaMetrics _metrics;
    private readonly LocalReplicas _local;
    private readonly string _silo;
    private readonly ReplicaTurns _turns;
    private bool _threadSafe;
    private ReplicaInstance? _instance;
    private ReplicaMetrics.Observer? _observer;
    private ReplicaHttpHost? _http;
    private Task<ReplicaInstance>? _starting;

    /// <summary>
    /// How long a start waits past its call-off, or past InitializationTimeout, for user code that holds its thread before it
    /// gives up on it: code that heeds its token ends well within it.
    /// </summary>
    private static readonly TimeSpan StartGrace = TimeSpan.FromSeconds(1);

    /// <summary>Completes once the instance being started is past its constructor and InitializeAsync.</summary>
    private TaskCompletionSource? _initialized;
    private CancellationTokenSource? _calledOff;
    private bool _startCalledOff;
    private readonly ReplicaAdmission _admission = new();
    private string? _replicaId;
    private WireValues? _wire;
    private StreamBufferLimit? _streamLimit;
    private HandlerFaultLog? _faults;

    public ReplicaGrain(
        IServiceProvider services, ReplicaDirectory handles, TimeProvider time, ILocalSiloDetails silo, SiloResourceLedger ledger, ReplicaMetrics metrics,
        LocalReplicas local, ILogger<ReplicaGrain> logger)
    {
        _local = local;
        _ledger = ledger;
        _metrics = metrics;
        _silo = silo.SiloAddress.ToString();
        _services = services;
        _handles = handles;
        _time = time;
        _logger = logger;
        // A continuation may run on the thread it became ready on, unless that thread runs as another grain's turn.
        _turns = new ReplicaTurns(() => CurrentGrain.NoneOr(GrainContext));
    }

    /// <summary>Copies results as they would cross between silos, whether the caller is here or not.</summary>
    private WireValues Wire => _wire ??= _services.GetRequiredService<WireValues>();

    private StreamBufferLimit StreamLimit => _streamLimit ??= StreamBufferLimit.From(_services);

    /// <summary>The replica's failures so far, by kind: the first of each is a Warning.</summary>
    private HandlerFaultLog Faults => _faults ??= new HandlerFaultLog(_logger, ReplicaId);

    /// <summary>A call's method in the failures logged when the replica has no such method: one kind, whatever the caller named.</summary>
    private const string UnknownMethod = "(unknown method)";

    // Cached: the key is stored as UTF-8 and decoded on each ask, and every HTTP response carries it.
    private string ReplicaId => _replicaId ??= this.GetPrimaryKeyString();

    public async Task<ReplicaStarted> StartAsync(DeploymentSpec spec, CancellationToken cancellationToken)
    {
        if (_admission.Stopping)
        {
            // The replica's line, as for every start it answers with a failure: its deployment's says it at Information.
            var stopping = $"Replica {ReplicaId} is stopping and cannot start again.";
            LogStartRefused(_logger, ReplicaId, stopping);
            throw new ServeException(stopping);
        }
        spec = await AcceptedSpecAsync(spec);
        if (_startCalledOff)
        {
            // Called off while the spec was being accepted: nothing was built, nothing is held.
            DeactivateOnIdle();
            throw new OperationCanceledException($"Replica {ReplicaId}'s start was called off: its deployment no longer wants it.");
        }
        // Its share of the silo first: another deployment may have taken the room since this silo was chosen.
        if (!_ledger.TryTake(ReplicaId, spec.Id.Key, spec.Options.Resources, out var shortage))
        {
            DeactivateOnIdle();
            throw new SiloFullException(_silo, shortage);
        }
        // A retried start joins the first one instead of building a second instance.
        _observer ??= _metrics.For(spec.Id, ReplicaId);
        var observer = _observer;
        // The user's constructor, InitializeAsync, and the ingress's services and endpoints run on its turns, as its calls do.
        // Cancelled by its caller, or called off (CancelStartAsync): the one the instance is built with.
        var calledOff = _calledOff ??= CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (_starting is null)
        {
            // On a thread of its own: a constructor that loads a model for minutes holds no pool thread, and can be left behind.
            var initialized = _initialized = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _starting = _turns.RunOnOwnThread(
                () => ReplicaInstance.CreateAsync(spec, _services, _handles, _time, observer, calledOff.Token, initialized), $"Serve start {ReplicaId}");
        }
        var starting = _starting;
        try
        {
            var instance = await BuiltAsync(starting, _initialized!.Task, spec, calledOff);
            try
            {
                _http ??= await _turns.RunAsync(() => ReplicaHttpHost.CreateAsync(instance.Target, _services, calledOff.Token, Faults));
            }
            catch (Exception failure) when (ReferenceEquals(_starting, starting))
            {
                // The instance started but will never serve (its ingress did not): nobody else will dispose it. Once, by the
                // start that made it, on its turns, as a stopped replica's.
                _starting = null;
                await _turns.RunAsync(() => instance.DisposeAfterFailedStartAsync(failure));
                throw;
            }
            _instance = instance;
        }
        catch (Exception e)
        {
            _starting = null;
            _initialized = null;
            _calledOff = null;
            _ledger.Release(ReplicaId);
            DeactivateOnIdle();
            if (calledOff.IsCancellationRequested)
            {
                // Its deployment no longer wants it (deleted, scaled down, replaced mid-start): not a failure of its code.
                LogStartCancelled(_logger, ReplicaId);
                throw new OperationCanceledException($"Replica {ReplicaId}'s start was called off: its deployment no longer wants it.", e);
            }
            if (e.GetType() == typeof(ServeException))
            {
                // Serve's own diagnosis (a parameter neither bound nor registered, an assembly not loaded, a start past its
                // timeout) already says what is wrong and what to do: its stack, Serve's, would only bury that sentence.
                // What the deployment's code threw (a subtype included: a failed call of its own) keeps its stack.
                LogStartRefused(_logger, ReplicaId, e.Message);
            }
            else
            {
                LogStartFailed(_logger, e, ReplicaId);
            }
            var failure = e as ServeException ?? new ServeException(UserFrame.Of(e) is { } frame ? $"{e.GetType().FullName}: {e.Message} (at {frame})" : $"{e.GetType().FullName}: {e.Message}");
            // Works on one worker, fails on this one: the deployment's status says when this silo runs another build.
            throw OtherBuildNote(spec, failure.Message) is { } note ? new ServeException($"{failure.Message} {note}") : failure;
        }
        _admission.MaxOngoing = spec.Options.MaxOngoingRequests;
        _admission.Open();
        UpdateLoadReporting(spec);
        PublishModels(spec, _instance);
        var admission = _admission;
        _observer.TrackOngoing(() => admission.InFlight);
        // Before the deployment hears of it: this silo's routers then know it is theirs, and call it direct, from its first call.
        _threadSafe = _instance.Target.GetType().IsDefined(typeof(ThreadSafeAttribute), inherit: false);
        _local.Add(ReplicaId, new InProcessReplica(this, GrainContext, _turns, _services.GetRequiredService<DeepCopier>(), _threadSafe));
        LogStarted(_logger, ReplicaId, _silo);
        if (DeploymentBuild.Mismatch(spec, _instance.Target.GetType(), ThisProcess.Description) is { } otherBuild)
        {
            // It serves, but not the code its deployment was deployed with: a rollout that reached the workers and not the gateway.
            LogOtherBuild(_logger, ReplicaId, otherBuild);
        }
        return new ReplicaStarted(_silo) { GrpcClientStreaming = _http?.GrpcClientStreaming ?? [], Exchange = _services.GetService<Exchange.ExchangeListener>()?.Endpoint, Build = DeploymentBuild.Of(_instance.Target.GetType()) };
    }

    /// <summary>
    /// What a failed start adds when this silo loaded another build of the deployment's assembly than the one it was
    /// deployed with, naming both, this silo and the fix; null when the builds are the same, unknown, or the failure says so already.
    /// </summary>
    private string? OtherBuildNote(DeploymentSpec spec, string failure)
    {
        if (_services.GetService<DeploymentTypeAdmission>()?.DeploymentAssembly(spec.TypeName) is not { } assembly
            || DeploymentBuild.Mismatch(spec, assembly, ThisProcess.Description) is not { } mismatch)
        {
            return null;
        }
        return failure.Contains(mismatch, StringComparison.Ordinal)
            ? null
            : $"It failed on silo {_silo}, which runs another build than its deployment's: {DeploymentBuild.Mismatch(spec, assembly, $"its {ThisProcess.Description}")}";
    }

    /// <summary>
    /// The instance being started, once built. User code that gives its thread back ends when its token fires (the start
    /// called off, or <see cref="DeploymentOptions.InitializationTimeout"/> inside <see cref="ReplicaInstance.CreateAsync"/>).
    /// User code that holds its thread (a model loaded in a constructor) cannot be ended: once called off and given
    /// <see cref="StartGrace"/> to unwind, or still initializing <see cref="StartGrace"/> past the timeout, the start gives
    /// up on it, leaving it to finish alone on its own thread (<see cref="ReplicaTurns.RunOnOwnThread"/>); the instance it
    /// makes then is disposed. Its deployment goes on (a delete, a scale-down, a retried start) without waiting for it.
    /// </summary>
    private async Task<ReplicaInstance> BuiltAsync(Task<ReplicaInstance> starting, Task initialized, DeploymentSpec spec, CancellationTokenSource calledOff)
    {
        // The waits are on Task.WhenAny, which never faults: a TimeoutException here is the wait's, never the start's own.
        try
        {
            await Task.WhenAny(starting, initialized).WaitAsync(spec.Options.InitializationTimeout + StartGrace, _time, calledOff.Token);
            await Task.WhenAny(starting).WaitAsync(calledOff.Token);
        }
        catch (TimeoutException)
        {
            // Its own timeout has fired inside CreateAsync: once its code gives the thread back, the start ends there too.
            LeaveBehind(starting);
            throw new ServeException(ReplicaInstance.InitializationTimedOutHoldingThread(spec));
        }
        catch (OperationCanceledException) when (calledOff.IsCancellationRequested)
        {
            try
            {
                await Task.WhenAny(starting).WaitAsync(StartGrace, _time);
            }
            catch (TimeoutException)
            {
                LeaveBehind(starting);
                throw new OperationCanceledException($"Replica {ReplicaId}'s start was called off while its constructor or InitializeAsync still held its thread; it was left to finish alone.", calledOff.Token);
            }
        }
        return await starting;
    }

    /// <summary>A start given up on while its user code still runs: whatever it ends with is observed, an instance it makes disposed.</summary>
    private void LeaveBehind(Task<ReplicaInstance> starting)
    {
        LogStartLeftBehind(_logger, ReplicaId);
        var turns = _turns;
        var replica = ReplicaId;
        _ = starting.ContinueWith(
            static (done, state) =>
            {
                var (turns, replica) = ((ReplicaTurns, string))state!;
                if (done.IsCompletedSuccessfully)
                {
                    var instance = done.Result;
                    _ = turns.RunAsync(() => instance.DisposeAfterFailedStartAsync(new OperationCanceledException($"Replica {replica}'s start was given up on before its instance was built.")));
                }
                else
                {
                    _ = done.Exception;
                }
            },
            (turns, replica),
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    public Task CancelStartAsync()
    {
        if (_instance is not null)
        {
            // Started already: it is stopped as any other replica.
            return Task.CompletedTask;
        }
        _startCalledOff = true;
        if (_calledOff is { } calledOff)
        {
            calledOff.Cancel();
        }
        else if (_starting is null)
        {
            // Reached before its start began building (or after a failed one): this activation holds nothing.
            DeactivateOnIdle();
        }
        return Task.CompletedTask;
    }

    /// <summary>A call as an Orleans message: on the replica's turns (here, in this turn, when they are free), unless thread-safe.</summary>
    public ValueTask<ReplicaResponse> InvokeAsync(ReplicaRequest request, CancellationToken cancellationToken) =>
        _threadSafe ? InvokeCoreAsync(request, cancellationToken) : _turns.RunAsync(RunInvoke, new MessageCall(this, request, null, cancellationToken), lend: true);

    /// <summary>An HTTP exchange as an Orleans message: on the replica's turns, unless thread-safe.</summary>
    public ValueTask<ReplicaResponse> HttpAsync(HttpCall call, CancellationToken cancellationToken) =>
        _threadSafe ? HttpCoreAsync(call, cancellationToken) : _turns.RunAsync(RunHttp, new MessageCall(this, null, call, cancellationToken), lend: true);

    /// <summary>A stream as an Orleans message: each step of it on the replica's turns, unless thread-safe.</summary>
    public IAsyncEnumerable<object?> StreamAsync(ReplicaRequest request, CancellationToken cancellationToken) =>
        _threadSafe ? StreamCoreAsync(request, cancellationToken) : new TurnsStream<object?>(_turns, StreamCoreAsync(request, cancellationToken));

    private static readonly Func<object?, ValueTask<ReplicaResponse>> RunInvoke =
        static state =>
        {
            var call = (MessageCall)state!;
            return call.Grain.InvokeCoreAsync(call.Request!, call.CancellationToken);
        };

    private static readonly Func<object?, ValueTask<ReplicaResponse>> RunHttp =
        static state =>
        {
            var call = (MessageCall)state!;
            return call.Grain.HttpCoreAsync(call.Http!, call.CancellationToken);
        };

    private sealed record MessageCall(ReplicaGrain Grain, ReplicaRequest? Request, HttpCall? Http, CancellationToken CancellationToken);

    /// <summary>Runs a lifecycle hook of the user's instance on its turns, or, thread-safe, as it is.</summary>
    private Task InTurns(Func<Task> hook) => _threadSafe ? hook() : _turns.RunAsync(hook);

    /// <summary>A call: the grain's bookkeeping around the user's method. Runs on the replica's turns, or on any thread when thread-safe.</summary>
    internal async ValueTask<ReplicaResponse> InvokeCoreAsync(ReplicaRequest request, CancellationToken cancellationToken)
    {
        if (Admit() is { } rejection)
        {
            return rejection;
        }
        using var activity = ServeActivitySource.Instance.HasListeners() ? StartActivity(request.Method, request.RequestId) : null;
        var measured = _metrics.RequestDurationEnabled;
        var started = measured ? _time.GetTimestamp() : 0;
        string? error = null;
        using var deadline = DeadlineScope.Create(request.DeadlineUtcTicks, _time, cancellationToken);
        var context = CallContext(request.RequestId, request.DeadlineUtcTicks, request.ModelId, activity);
        MethodInvoker? method = null;
        try
        {
            ServeCallContext.Current = context;
            method = _instance!.Find(request.Method, request.Args.Length);
            var result = await method.InvokeAsync(_instance.Target, request.Args, deadline.Token);
            return ReplicaResponse.Completed(Wire.CopyResult(result, request.Method, ReplicaId));
        }
        catch (OperationCanceledException) when (deadline.Expired)
        {
            // Said as such: the caller's clock may not have reached the deadline yet when this answer arrives.
            error = ReplicaMetrics.TimeoutError;
            return ReplicaResponse.TimedOut;
        }
        catch (Exception e)
        {
            error = e.GetType().FullName;
            Faults.Failed(method is null ? UnknownMethod : request.Method, e, status: null, request.RequestId, cancellationToken.IsCancellationRequested);
            ServeActivitySource.RecordException(activity, e, withStackTrace: true);
            return ReplicaResponse.Faulted(e);
        }
        finally
        {
            if (measured)
            {
                _observer?.RequestServed(_time.GetElapsedTime(started), error);
            }
            if (error is not null)
            {
                ServeActivitySource.Failed(activity, error);
            }
            context.ReleaseModels();
            Leave();
        }
    }

    /// <summary>An HTTP exchange: the grain's bookkeeping around the user's handler, as <see cref="InvokeCoreAsync"/>.</summary>
    internal async ValueTask<ReplicaResponse> HttpCoreAsync(HttpCall call, CancellationToken cancellationToken)
    {
        if (Admit() is { } rejection)
        {
            return rejection;
        }
        using var activity = ServeActivitySource.Instance.HasListeners() ? StartActivity(HttpMethodName, call.RequestId) : null;
        var measured = _metrics.RequestDurationEnabled;
        var started = measured ? _time.GetTimestamp() : 0;
        string? error = null;
        using var deadline = DeadlineScope.Create(call.DeadlineUtcTicks, _time, cancellationToken);
        var context = CallContext(call.RequestId, call.DeadlineUtcTicks, call.ModelId, activity);
        try
        {
            ServeCallContext.Current = context;
            var http = _http ?? throw new InvalidOperationException(
                $"{_instance!.Target.GetType().Name} is not an HTTP ingress. Fix: implement IHttpIngress or IHttpEndpoints, or run the application without a route prefix.");
            // The whole exchange, a streamed body included: the request is in flight here, and holds its models, until it ends.
            return ReplicaResponse.Answered(await http.ExchangeAsync(call, deadline.Token));
        }
        catch (OperationCanceledException) when (deadline.Expired)
        {
            error = ReplicaMetrics.TimeoutError;
            return ReplicaResponse.TimedOut;
        }
        catch (Exception e)
        {
            error = e.GetType().FullName;
            if (_http is null)
            {
                // Not an HTTP ingress at all; an exchange's own failures the host logged, knowing the handler and its status.
                Faults.Failed(HttpMethodName, e, Microsoft.AspNetCore.Http.StatusCodes.Status500InternalServerError, call.RequestId, cancellationToken.IsCancellationRequested);
            }
            ServeActivitySource.RecordException(activity, e, withStackTrace: true);
            return ReplicaResponse.Faulted(e);
        }
        finally
        {
            if (measured)
            {
                _observer?.RequestServed(_time.GetElapsedTime(started), error);
            }
            if (error is not null)
            {
                ServeActivitySource.Failed(activity, error);
            }
            context.ReleaseModels();
            Leave();
        }
    }

    /// <summary>
    /// The replica's span of a call: a child of the caller's, whose <c>traceparent</c> came in Orleans' request context
    /// (or of Orleans' own span of the call, when Orleans' activity propagation is on and traced).
    /// </summary>
    private Activity? StartActivity(string method, string requestId)
    {
        var activity = Activity.Current is null && RequestContext.Get(ServeActivitySource.TraceParentKey) is string traceParent
            && ActivityContext.TryParse(traceParent, null, isRemote: true, out var parent)
                ? ServeActivitySource.Instance.StartActivity(ServeActivitySource.ReplicaSpan, ActivityKind.Server, parent)
                : ServeActivitySource.Instance.StartActivity(ServeActivitySource.ReplicaSpan, ActivityKind.Server);
        if (activity is { IsAllDataRequested: true })
        {
            // Named as the caller's span is: serve.replica <application>/<deployment>.
            activity.DisplayName = $"{ServeActivitySource.ReplicaSpan} {_observer?.Application.Value}/{_observer?.Deployment.Value}";
            if (_observer is { } observer)
            {
                activity.SetTag(observer.Application.Key, observer.Application.Value);
                activity.SetTag(observer.Deployment.Key, observer.Deployment.Value);
            }
            activity.SetTag(ServeMeter.ReplicaTag, ReplicaId);
            activity.SetTag(ServeActivitySource.MethodTag, method);
            activity.SetTag(ServeActivitySource.RequestIdTag, requestId);
        }
        return activity;
    }

    /// <summary>
    /// The call as its code and its log lines see it (<see cref="ServeCallScopeProvider"/> shows it as the scope of every line
    /// written during the call): the trace id is the replica's span's, or else that of the caller's span when it traced and
    /// this silo does not, parsed only if a line is written.
    /// </summary>
    private static ServeCallContext CallContext(string requestId, long deadlineUtcTicks, string? modelId, Activity? activity) =>
        new(requestId, deadlineUtcTicks, modelId)
        {
            TraceId = activity?.TraceId.ToHexString(),
            CallerTraceParent = activity is null ? RequestContext.Get(ServeActivitySource.TraceParentKey) as string : null,
        };

    private async IAsyncEnumerable<object?> StreamCoreAsync(ReplicaRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (Admit() is { } rejection)
        {
            yield return rejection;
            yield break;
        }
        // The replica's span lasts the whole stream; the user's enumerator runs under it.
        using var activity = ServeActivitySource.Instance.HasListeners() ? StartActivity(request.Method, request.RequestId) : null;
        var measured = _metrics.RequestDurationEnabled;
        var started = measured ? _time.GetTimestamp() : 0;
        string? error = null;
        var context = CallContext(request.RequestId, request.DeadlineUtcTicks, request.ModelId, activity);
        try
        {
            yield return ReplicaResponse.CompletedEmpty;
            using var deadline = DeadlineScope.Create(request.DeadlineUtcTicks, _time, cancellationToken);
            IAsyncEnumerator<object?>? items = null;
            ReplicaResponse? fault = null;
            try
            {
                // An async iterator's locals of the execution context last one step: the replica's span, set before the
                // first, is set again for the user's stream, so its spans (and a batch it joins) find it.
                ServeCallContext.Current = context;
                SetCurrent(activity);
                items = _instance!.Find(request.Method, request.Args.Length)
                    .Stream(_instance.Target, request.Args, deadline.Token)
                    .GetAsyncEnumerator(deadline.Token);
            }
            catch (Exception e)
            {
                ServeActivitySource.RecordException(activity, e, withStackTrace: true);
                fault = ReplicaResponse.Faulted(e);
            }
            if (items is not null)
            {
                // Orleans gathers the items a stream has ready at once into one batch for its consumer, up to 100 of them,
                // whatever their size: the bytes handed over since the consumer last had to wait are bounded as well, a
                // step that would pass the limit ending the batch (it waits a turn, and its item goes in the next one).
                var limit = StreamLimit;
                var held = 0L;
                await using (items)
                {
                    while (true)
                    {
                        bool more;
                        object? item;
                        var waited = false;
                        try
                        {
                            ServeCallContext.Current = context;
                            SetCurrent(activity);
                            var next = items.MoveNextAsync();
                            waited = !next.IsCompleted;
                            more = await next;
                            item = more ? Wire.CopyResult(items.Current, request.Method, ReplicaId) : null;
                        }
                        catch (Exception e)
                        {
                            Faults.Failed(request.Method, e, status: null, request.RequestId, deadline.Token.IsCancellationRequested);
                            ServeActivitySource.RecordException(activity, e, withStackTrace: true);
                            fault = ReplicaResponse.Faulted(e);
                            more = false;
                            item = null;
                        }
                        if (!more)
                        {
                            break;
                        }
                        var size = StreamItemSize.Of(item);
                        if (waited)
                        {
                            // The producer's own wait ended the batch: its consumer has what was held.
                            held = 0;
                        }
                        else if (!limit.Admits(held, size))
                        {
                            await Task.Yield();
                            held = 0;
                        }
                        held += size;
                        yield return item;
                    }
                }
            }
            if (fault is not null)
            {
                error = fault.ExceptionType;
                ServeActivitySource.Failed(activity, error);
                yield return fault;
            }
        }
        finally
        {
            if (measured)
            {
                _observer?.RequestServed(_time.GetElapsedTime(started), error);
            }
            context.ReleaseModels();
            Leave();
        }
    }

    private static void SetCurrent(Activity? activity)
    {
        if (activity is not null)
        {
            Activity.Current = activity;
        }
    }

    /// <summary>Takes a slot, or says why not. May run on a caller's thread (a thread-safe replica's call from its own silo).</summary>
    private ReplicaResponse? Admit()
    {
        switch (_admission.TryEnter())
        {
            case CallAdmission.Admitted:
                return null;
            case CallAdmission.Full:
                return ReplicaResponse.Full;
            default:
                // Only a message reaches an activation nobody started (its silo died, say), so this runs as its turn. A direct
                // call finds only a started replica.
                LeaveIfNeverStarted();
                return ReplicaResponse.Gone;
        }
    }

    /// <summary>
    /// An activation that a late message made after its replica stopped (a call, a health check, a reconfiguration) or that
    /// nobody started must not linger: replicas are kept alive, so it would stay for good, as a replica of nothing.
    /// </summary>
    private void LeaveIfNeverStarted()
    {
        if (!_admission.Opened && !_admission.Stopping && _starting is null)
        {
            DeactivateOnIdle();
        }
    }

    /// <summary>The instance of a running replica; a replica not running says so (and goes, if nobody started it).</summary>
    private ReplicaInstance RunningInstance()
    {
        if (_instance is { } instance)
        {
            return instance;
        }
        LeaveIfNeverStarted();
        throw new ReplicaNotRunningException(ReplicaId);
    }

    private void Leave() => _admission.Leave();

    public async Task ReconfigureAsync(DeploymentSpec spec, CancellationToken cancellationToken)
    {
        var instance = RunningInstance();
        _admission.MaxOngoing = spec.Options.MaxOngoingRequests;
        UpdateLoadReporting(spec);
        var userConfigApplied = false;
        await InTurns(async () => userConfigApplied = await instance.ReconfigureAsync(spec, cancellationToken));
        // Every change of the deployment's options reaches each running replica (a new num_replicas too): only a new
        // user_config, which ran the deployment's own ReconfigureAsync, is news for the replica's line.
        if (userConfigApplied)
        {
            LogReconfigured(_logger, ReplicaId);
        }
        else
        {
            LogOptionsTaken(_logger, ReplicaId);
        }
    }

    public async Task CheckHealthAsync(CancellationToken cancellationToken)
    {
        var instance = RunningInstance();
        try
        {
            await InTurns(() => instance.CheckHealthAsync(cancellationToken));
        }
        catch (Exception e) when (e is not ServeException)
        {
            throw new ServeException($"Health check of replica {ReplicaId} failed: {e.GetType().FullName}: {e.Message}");
        }
    }

    public async Task StopAsync(TimeSpan gracefulTimeout, CancellationToken cancellationToken)
    {
        // This silo's routers stop calling direct first: a call already queued as a turn finds it stopping, as a message would.
        _local.Remove(ReplicaId);
        var drained = _admission.StopAsync();
        if (!drained.IsCompleted)
        {
            try
            {
                await drained.WaitAsync(gracefulTimeout, _time, cancellationToken);
            }
            catch (TimeoutException)
            {
                LogDrainTimedOut(_logger, ReplicaId, _admission.InFlight, gracefulTimeout);
            }
        }
        await DisposeInstanceAsync();
        _observer?.StopTracking();
        _ledger.Release(ReplicaId);
        LogStopped(_logger, ReplicaId);
        DeactivateOnIdle();
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // Deactivated by the runtime without a stop (its silo stopped past its drain): the instance is disposed all the same.
        _local.Remove(ReplicaId);
        // Orleans waited for its own calls to end, but not for this silo's direct ones (InProcessReplica): they still use
        // the instance.
        var drained = _admission.StopAsync();
        if (!drained.IsCompleted)
        {
            await drained.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ContinueOnCapturedContext);
        }
        await DisposeInstanceAsync();
        // However it ends (stopped, failed, or deactivated by the runtime), its room is free again.
        _observer?.StopTracking();
        _ledger.Release(ReplicaId);
        await base.OnDeactivateAsync(reason, cancellationToken);
    }

    /// <summary>The ingress's host, then the user's instance, each disposed once, on the replica's turns.</summary>
    private async Task DisposeInstanceAsync()
    {
        if (_http is { } http)
        {
            _http = null;
            await InTurns(() => http.DisposeAsync().AsTask());
        }
        if (_instance is { } instance)
        {
            _instance = null;
            await InTurns(() => instance.DisposeAsync().AsTask());
        }
    }

    [LoggerMessage(EventId = ServeEvents.ReplicaStarted, Level = LogLevel.Information, Message = "Replica {Replica} started on {Silo}")]
    private static partial void LogStarted(ILogger logger, string replica, string silo);

    [LoggerMessage(EventId = ServeEvents.ReplicaOtherBuild, Level = LogLevel.Warning, Message = "Replica {Replica} runs another build than its deployment's: {Detail}")]
    private static partial void LogOtherBuild(ILogger logger, string replica, string detail);

    [LoggerMessage(EventId = ServeEvents.ReplicaStartFailed, Level = LogLevel.Warning, Message = "Replica {Replica} failed to start")]
    private static partial void LogStartFailed(ILogger logger, Exception error, string replica);

    [LoggerMessage(EventId = ServeEvents.ReplicaStartFailed, Level = LogLevel.Warning, Message = "Replica {Replica} failed to start: {Reason}")]
    private static partial void LogStartRefused(ILogger logger, string replica, string reason);

    [LoggerMessage(EventId = ServeEvents.ReplicaStartCancelled, Level = LogLevel.Information, Message = "Replica {Replica}'s start was called off: its deployment no longer wants it")]
    private static partial void LogStartCancelled(ILogger logger, string replica);

    [LoggerMessage(EventId = ServeEvents.ReplicaStartLeftBehind, Level = LogLevel.Warning, Message = "Replica {Replica}: its constructor or InitializeAsync still holds its thread after its start was called off or timed out; it is left to finish alone, and the instance it makes will be disposed. Until then it holds what it loaded, outside the silo's resource accounting")]
    private static partial void LogStartLeftBehind(ILogger logger, string replica);

    [LoggerMessage(EventId = ServeEvents.ReplicaStopped, Level = LogLevel.Information, Message = "Replica {Replica} stopped")]
    private static partial void LogStopped(ILogger logger, string replica);

    [LoggerMessage(EventId = ServeEvents.ReplicaReconfigured, Level = LogLevel.Information, Message = "Replica {Replica} reconfigured")]
    private static partial void LogReconfigured(ILogger logger, string replica);

    [LoggerMessage(EventId = ServeEvents.ReplicaReconfigured, Level = LogLevel.Debug, Message = "Replica {Replica} took its deployment's new options; its user_config is unchanged")]
    private static partial void LogOptionsTaken(ILogger logger, string replica);

    [LoggerMessage(EventId = ServeEvents.ReplicaDrainTimedOut, Level = LogLevel.Warning, Message = "Replica {Replica} stopped with {InFlight} call(s) still running after the graceful timeout of {Timeout}")]
    private static partial void LogDrainTimedOut(ILogger logger, string replica, int inFlight, TimeSpan timeout);
}
