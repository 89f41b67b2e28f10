using System.Runtime.CompilerServices;
using Orleans.Serialization;
using Serve.Grains;
using Serve.Http;
using Serve.Routing;

namespace Serve.Replicas;

/// <summary>
/// A replica's calls from routers in its own silo, without an Orleans message: each runs the grain's own method as a turn
/// of its activation, where an Orleans call would run it, so user code keeps the grain's threading (calls interleave at
/// awaits, never run at once), and admission, drain, metrics, tracing and faults are the grain's. What it saves is
/// Orleans' part of a call: the request and response messages, the callback and its registration, the invokable, and the
/// cancellation plumbing of a <see cref="CancellationToken"/> parameter (the caller's token reaches the method as it is).
/// A <see cref="ThreadSafeAttribute"/> replica's calls skip the turn too: they run on the caller's thread, or on the
/// thread pool when that thread is not free to lend (<see cref="LocalCallThreading"/>), concurrently.
/// </summary>
internal sealed class InProcessReplica : ILocalReplica
{
    /// <summary>What a thread starts with: no async-local value, the context a turn or a thread-pool item runs in.</summary>
    private static readonly ExecutionContext Empty = CaptureOnNewThread();

    private readonly ReplicaGrain _grain;
    private readonly IWorkItemScheduler _scheduler;
    private readonly DeepCopier _copier;
    private readonly bool _threadSafe;
    private long _calls;

    public InProcessReplica(ReplicaGrain grain, IGrainContext activation, DeepCopier copier, bool threadSafe)
    {
        _grain = grain;
        Activation = activation;
        _scheduler = activation.Scheduler;
        _copier = copier;
        _threadSafe = threadSafe;
    }

    /// <summary>The grain's activation, whose turns the calls run as.</summary>
    public IGrainContext Activation { get; }

    /// <summary>Calls that came this way rather than through Orleans.</summary>
    public long Calls => Interlocked.Read(ref _calls);

    /// <summary>Whether its class is <see cref="ThreadSafeAttribute"/>: its calls from here run concurrently, without a turn.</summary>
    public bool ThreadSafe => _threadSafe;

    public ValueTask<ReplicaResponse> InvokeAsync(ReplicaRequest request, CancellationToken cancellationToken) =>
        _threadSafe ? RunConcurrently(request, http: null, cancellationToken)
        : Queue(new Turn(_grain, request, http: null, cancellationToken, RequestContextExtensions.Export(_copier)));

    public ValueTask<ReplicaResponse> HttpAsync(HttpCall call, CancellationToken cancellationToken) =>
        _threadSafe ? RunConcurrently(request: null, call, cancellationToken)
        : Queue(new Turn(_grain, request: null, call, cancellationToken, RequestContextExtensions.Export(_copier)));

    /// <summary>A thread-safe replica's call: on the caller's thread when it is free to lend, else on the thread pool.</summary>
    private ValueTask<ReplicaResponse> RunConcurrently(ReplicaRequest? request, HttpCall? http, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<ReplicaResponse>(cancellationToken);
        }
        var context = RequestContextExtensions.Export(_copier);
        var thread = LocalCallThreading.Choose(
            threadSafe: true, LocalCallThreading.CallerScheduled(), ExecutionContext.IsFlowSuppressed(), RuntimeHelpers.TryEnsureSufficientExecutionStack());
        if (thread == LocalCallThread.Caller)
        {
            return RunOnCaller(request, http, cancellationToken, context);
        }
        Interlocked.Increment(ref _calls);
        var turn = new Turn(_grain, request, http, cancellationToken, context);
        turn.WatchCancellation();
        // Unsafe: a thread-pool item that captures nothing starts in the empty context, as a message's turn does.
        ThreadPool.UnsafeQueueUserWorkItem(turn, preferLocal: false);
        return new ValueTask<ReplicaResponse>(turn.Task);
    }

    /// <summary>
    /// Runs the grain's method on this thread, in the empty execution context with the caller's request context, and puts
    /// the caller's context back as it was (the same object, no copy). A call that completes here is answered without a
    /// hop or an allocation of this type's own; one that awaits is followed as a turn's is.
    /// </summary>
    private ValueTask<ReplicaResponse> RunOnCaller(ReplicaRequest? request, HttpCall? http, CancellationToken cancellationToken, Dictionary<string, object>? context)
    {
        Interlocked.Increment(ref _calls);
        // Not suppressed (LocalCallThreading): the caller's own context, or the empty one when it has none.
        var caller = ExecutionContext.Capture()!;
        ValueTask<ReplicaResponse> call;
        ExecutionContext.Restore(Empty);
        try
        {
            if (context is not null)
            {
                RequestContextExtensions.Import(context);
            }
            call = request is not null ? _grain.InvokeAsync(request, cancellationToken) : _grain.HttpAsync(http!, cancellationToken);
        }
        catch (Exception e)
        {
            call = ValueTask.FromException<ReplicaResponse>(e);
        }
        finally
        {
            ExecutionContext.Restore(caller);
        }
        if (call.IsCompleted)
        {
            return cancellationToken.IsCancellationRequested ? CancelledAfter(call, cancellationToken) : call;
        }
        // As an Orleans call: the caller's wait ends when it cancels, and it wakes on the thread pool, not inside the method.
        var pending = new Turn(_grain, request, http, cancellationToken, context);
        pending.WatchCancellation();
        pending.Follow(call);
        return new ValueTask<ReplicaResponse>(pending.Task);
    }

    /// <summary>
    /// A call its caller cancelled while it ran here (the method may see the cancellation and answer with it before this
    /// thread looks): as an Orleans caller's, the wait ends cancelled, whatever the method answered, which is observed.
    /// </summary>
    private static ValueTask<ReplicaResponse> CancelledAfter(ValueTask<ReplicaResponse> call, CancellationToken cancellationToken)
    {
        if (!call.IsCompletedSuccessfully)
        {
            _ = call.AsTask().Exception;
        }
        return ValueTask.FromCanceled<ReplicaResponse>(cancellationToken);
    }

    private static ExecutionContext CaptureOnNewThread()
    {
        ExecutionContext? empty = null;
        // Unsafe: the new thread does not take this one's context; it has none, and its capture is the empty context.
        var thread = new Thread(() => empty = ExecutionContext.Capture()) { IsBackground = true, Name = "Serve empty context" };
        thread.UnsafeStart();
        thread.Join();
        return empty ?? throw new InvalidOperationException("A new thread captured no execution context.");
    }

    private ValueTask<ReplicaResponse> Queue(Turn turn)
    {
        if (turn.CancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<ReplicaResponse>(turn.CancellationToken);
        }
        Interlocked.Increment(ref _calls);
        // As an Orleans call: the caller's wait ends when it cancels; the method, told by the same token, ends in its own time.
        turn.WatchCancellation();
        // Without the caller's execution context, as a message's turn starts: neither the gateway's log scopes, activity and
        // HttpContext nor a calling replica's call context leak into this replica. Its request context travels, as in a message.
        // Orleans' QueueAction suppresses the flow too, but undoes it by RestoreFlow, which copies the caller's context again;
        // suppressed here first, it leaves the flow alone, and the captured context is put back as it was, without a copy.
        // No context captured: the caller suppressed the flow itself, and the turn captures nothing already.
        if (ExecutionContext.Capture() is not { } caller)
        {
            _scheduler.QueueAction(Turn.Start, turn);
            return new ValueTask<ReplicaResponse>(turn.Task);
        }
        _ = ExecutionContext.SuppressFlow();
        try
        {
            _scheduler.QueueAction(Turn.Start, turn);
        }
        finally
        {
            ExecutionContext.Restore(caller);
        }
        return new ValueTask<ReplicaResponse>(turn.Task);
    }

    /// <summary>
    /// One call as a turn of the activation (or, for a thread-safe replica, as a thread-pool item, or followed after it ran
    /// on its caller's thread). Its answer wakes the caller on the thread pool, not inline: the caller's code must not go
    /// on inside the replica's turn, on its scheduler and as its grain.
    /// </summary>
    private sealed class Turn(ReplicaGrain grain, ReplicaRequest? request, HttpCall? http, CancellationToken cancellationToken, Dictionary<string, object>? context)
        : TaskCompletionSource<ReplicaResponse>(TaskCreationOptions.RunContinuationsAsynchronously), IThreadPoolWorkItem
    {
        public static readonly Action<object> Start = static state => ((Turn)state).Run();

        private ConfiguredValueTaskAwaitable<ReplicaResponse>.ConfiguredValueTaskAwaiter _call;
        private CancellationTokenRegistration _cancellation;

        public CancellationToken CancellationToken => cancellationToken;

        public void WatchCancellation()
        {
            if (cancellationToken.CanBeCanceled)
            {
                _cancellation = cancellationToken.UnsafeRegister(static (state, token) => ((Turn)state!).TrySetCanceled(token), this);
            }
        }

        void IThreadPoolWorkItem.Execute() => Run();

        /// <summary>Answers with <paramref name="call"/>, which its caller's thread started.</summary>
        public void Follow(ValueTask<ReplicaResponse> call)
        {
            _call = call.ConfigureAwait(false).GetAwaiter();
            _call.UnsafeOnCompleted(Complete);
        }

        private void Run()
        {
            // Importing an empty context would still write the async-local (an execution context, its map and the boxed
            // value on each call); clearing writes only when the thread has one, and leaves the same empty request context.
            if (context is null)
            {
                RequestContext.Clear();
            }
            else
            {
                RequestContextExtensions.Import(context);
            }
            try
            {
                var call = request is not null ? grain.InvokeAsync(request, cancellationToken) : grain.HttpAsync(http!, cancellationToken);
                _call = call.ConfigureAwait(false).GetAwaiter();
                if (_call.IsCompleted)
                {
                    Complete();
                }
                else
                {
                    _call.UnsafeOnCompleted(Complete);
                }
            }
            catch (Exception e)
            {
                _cancellation.Unregister();
                TrySetException(e);
            }
            finally
            {
                // The call's own flow keeps its copy; the scheduler's thread goes on without it.
                RequestContext.Clear();
            }
        }

        private void Complete()
        {
            _cancellation.Unregister();
            try
            {
                var response = _call.GetResult();
                if (!EndedByCaller())
                {
                    TrySetResult(response);
                }
            }
            catch (Exception e)
            {
                if (!EndedByCaller())
                {
                    TrySetException(e);
                }
            }
        }

        /// <summary>
        /// As an Orleans call: once its caller cancelled, the caller's wait ends cancelled, whatever the method answered. The
        /// method may see the same cancellation first and answer with it (a fault), and a token tells its callbacks in no
        /// set order, so the answer alone would make the caller's outcome a race.
        /// </summary>
        private bool EndedByCaller()
        {
            if (!cancellationToken.IsCancellationRequested)
            {
                return false;
            }
            TrySetCanceled(cancellationToken);
            return true;
        }
    }
}
