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
/// </summary>
internal sealed class InProcessReplica : ILocalReplica
{
    private readonly ReplicaGrain _grain;
    private readonly IWorkItemScheduler _scheduler;
    private readonly DeepCopier _copier;
    private long _calls;

    public InProcessReplica(ReplicaGrain grain, IGrainContext activation, DeepCopier copier)
    {
        _grain = grain;
        Activation = activation;
        _scheduler = activation.Scheduler;
        _copier = copier;
    }

    /// <summary>The grain's activation, whose turns the calls run as.</summary>
    public IGrainContext Activation { get; }

    /// <summary>Calls that came this way rather than through Orleans.</summary>
    public long Calls => Interlocked.Read(ref _calls);

    public ValueTask<ReplicaResponse> InvokeAsync(ReplicaRequest request, CancellationToken cancellationToken) =>
        Queue(new Turn(_grain, request, http: null, cancellationToken, RequestContextExtensions.Export(_copier)));

    public ValueTask<ReplicaResponse> HttpAsync(HttpCall call, CancellationToken cancellationToken) =>
        Queue(new Turn(_grain, request: null, call, cancellationToken, RequestContextExtensions.Export(_copier)));

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
    /// One call as a turn of the activation. Its answer wakes the caller on the thread pool, not inline: the caller's code
    /// must not go on inside the replica's turn, on its scheduler and as its grain.
    /// </summary>
    private sealed class Turn(ReplicaGrain grain, ReplicaRequest? request, HttpCall? http, CancellationToken cancellationToken, Dictionary<string, object>? context)
        : TaskCompletionSource<ReplicaResponse>(TaskCreationOptions.RunContinuationsAsynchronously)
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
                TrySetResult(_call.GetResult());
            }
            catch (Exception e)
            {
                TrySetException(e);
            }
        }
    }
}
