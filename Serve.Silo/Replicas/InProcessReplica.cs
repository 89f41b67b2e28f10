using System.Runtime.CompilerServices;
using Orleans.Serialization;
using Serve.Grains;
using Serve.Http;
using Serve.Routing;

namespace Serve.Replicas;

/// <summary>
/// A replica's calls from routers in its own silo, without an Orleans message: each runs the grain's own method, so
/// admission, drain, metrics, tracing and faults are the grain's, as a piece of the replica's <see cref="ReplicaTurns"/>,
/// which an Orleans call would run it as too, so user code keeps its threading (calls interleave at awaits, never run at
/// once). The piece runs on the caller's thread when the replica's turn is free and that thread is free to lend
/// (<see cref="LocalCallThreading"/>): a method that completes synchronously costs no hop. What it saves is Orleans' part of
/// a call: the request and response messages, the callback and its registration, the invokable, the hops into and out of
/// the grain's activation, and the cancellation plumbing of a <see cref="CancellationToken"/> parameter (the caller's token
/// reaches the method as it is). A <see cref="ThreadSafeAttribute"/> replica's calls skip the turns: they run on the
/// caller's thread, or on the thread pool when that thread is not free to lend, concurrently.
/// </summary>
internal sealed class InProcessReplica : ILocalReplica
{
    /// <summary>What a thread starts with: no async-local value, the context a turn or a thread-pool item runs in.</summary>
    private static readonly ExecutionContext Empty = CaptureOnNewThread();

    private static readonly Func<object?, ValueTask<ReplicaResponse>> RunPiece = static state => ((Piece)state!).Run();

    private readonly ReplicaGrain _grain;
    private readonly ReplicaTurns _turns;
    private readonly DeepCopier _copier;
    private readonly bool _threadSafe;
    private long _calls;

    public InProcessReplica(ReplicaGrain grain, IGrainContext activation, ReplicaTurns turns, DeepCopier copier, bool threadSafe)
    {
        _grain = grain;
        Activation = activation;
        _turns = turns;
        _copier = copier;
        _threadSafe = threadSafe;
    }

    /// <summary>The grain's activation, which Orleans' calls to the replica come through.</summary>
    public IGrainContext Activation { get; }

    /// <summary>Calls that came this way rather than through Orleans.</summary>
    public long Calls => Interlocked.Read(ref _calls);

    /// <summary>Whether its class is <see cref="ThreadSafeAttribute"/>: its calls from here run concurrently, without its turns.</summary>
    public bool ThreadSafe => _threadSafe;

    public ValueTask<ReplicaResponse> InvokeAsync(ReplicaRequest request, CancellationToken cancellationToken) =>
        _threadSafe ? RunConcurrently(request, http: null, cancellationToken) : RunInTurns(request, http: null, cancellationToken);

    public ValueTask<ReplicaResponse> HttpAsync(HttpCall call, CancellationToken cancellationToken) =>
        _threadSafe ? RunConcurrently(request: null, call, cancellationToken) : RunInTurns(request: null, call, cancellationToken);

    /// <summary>Where the caller's thread may run a call (<see cref="LocalCallThreading"/>).</summary>
    private LocalCallThread ChooseThread() => LocalCallThreading.Choose(
        _threadSafe, LocalCallThreading.CallerScheduled(), LocalCallThreading.CallerInTurns(), CurrentGrain.Running,
        ExecutionContext.IsFlowSuppressed(), RuntimeHelpers.TryEnsureSufficientExecutionStack());

    /// <summary>
    /// A call as a piece of the replica's turns: on the caller's thread when it may lend it and the turn is free, else
    /// queued. Either way the piece starts in the empty execution context with the caller's request context, as a message's
    /// turn does: neither the gateway's log scopes, activity and HttpContext nor a calling replica's call context leak into
    /// this replica; the caller's context is put back as it was (the same object, no copy). A call that completes here is
    /// answered at once; one that awaits wakes its caller on the thread pool, not inside the replica's turn.
    /// </summary>
    private ValueTask<ReplicaResponse> RunInTurns(ReplicaRequest? request, HttpCall? http, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<ReplicaResponse>(cancellationToken);
        }
        Interlocked.Increment(ref _calls);
        var context = RequestContextExtensions.Export(_copier);
        var lend = ChooseThread() == LocalCallThread.Caller;
        ValueTask<ReplicaResponse> call;
        bool queued;
        // Null when the caller suppressed the flow: the piece then captures nothing, and runs in its thread's (empty) context.
        var caller = ExecutionContext.Capture();
        if (caller is not null)
        {
            ExecutionContext.Restore(Empty);
        }
        try
        {
            call = _turns.RunAsync(RunPiece, new Piece(_grain, request, http, cancellationToken, context), lend, cancellationToken, out queued);
        }
        finally
        {
            if (caller is not null)
            {
                ExecutionContext.Restore(caller);
            }
        }
        if (call.IsCompleted)
        {
            return cancellationToken.IsCancellationRequested ? CancelledAfter(call, cancellationToken) : call;
        }
        if (queued)
        {
            // Its answer already wakes the caller off the turns and ends the wait when the caller cancels (QueuedPiece).
            return call;
        }
        // As an Orleans call: the caller's wait ends when it cancels; the method, told by the same token, ends in its own time.
        var turn = new Turn(_grain, request, http, cancellationToken, context);
        turn.WatchCancellation();
        turn.Follow(call);
        return new ValueTask<ReplicaResponse>(turn.Task);
    }

    /// <summary>A thread-safe replica's call: on the caller's thread when it is free to lend, else on the thread pool.</summary>
    private ValueTask<ReplicaResponse> RunConcurrently(ReplicaRequest? request, HttpCall? http, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<ReplicaResponse>(cancellationToken);
        }
        var context = RequestContextExtensions.Export(_copier);
        if (ChooseThread() == LocalCallThread.Caller)
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
            call = request is not null ? _grain.InvokeCoreAsync(request, cancellationToken) : _grain.HttpCoreAsync(http!, cancellationToken);
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

    /// <summary>A call run as a piece of the replica's turns, in the caller's request context.</summary>
    private sealed class Piece(ReplicaGrain grain, ReplicaRequest? request, HttpCall? http, CancellationToken cancellationToken, Dictionary<string, object>? context)
    {
        public ValueTask<ReplicaResponse> Run()
        {
            Turn.ImportContext(context);
            try
            {
                return request is not null ? grain.InvokeCoreAsync(request, cancellationToken) : grain.HttpCoreAsync(http!, cancellationToken);
            }
            catch (Exception e)
            {
                return ValueTask.FromException<ReplicaResponse>(e);
            }
            finally
            {
                // The call's own flow keeps its copy; the thread goes on without it.
                RequestContext.Clear();
            }
        }
    }

    /// <summary>
    /// One call of a thread-safe replica as a thread-pool item, or a call followed after it began on its caller's thread or
    /// on the replica's turns. Its answer wakes the caller on the thread pool, not inline: the caller's code must not go on
    /// inside the replica's turn, on its scheduler.
    /// </summary>
    private sealed class Turn(ReplicaGrain grain, ReplicaRequest? request, HttpCall? http, CancellationToken cancellationToken, Dictionary<string, object>? context)
        : TaskCompletionSource<ReplicaResponse>(TaskCreationOptions.RunContinuationsAsynchronously), IThreadPoolWorkItem
    {
        private ConfiguredValueTaskAwaitable<ReplicaResponse>.ConfiguredValueTaskAwaiter _call;
        private CancellationTokenRegistration _cancellation;

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

        /// <summary>Puts the caller's request context on this thread.</summary>
        public static void ImportContext(Dictionary<string, object>? context)
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
        }

        private void Run()
        {
            ImportContext(context);
            try
            {
                var call = request is not null ? grain.InvokeCoreAsync(request, cancellationToken) : grain.HttpCoreAsync(http!, cancellationToken);
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
