using System.Runtime.CompilerServices;
using System.Threading.Tasks.Sources;

namespace Serve.Replicas;

/// <summary>
/// A piece queued on a replica's <see cref="ReplicaTurns"/> and its caller's wait for the answer, as one object: the task
/// the turns run (<see cref="Piece"/>) and the source of the <see cref="ValueTask{TResult}"/> the caller awaits
/// (<see cref="Answer"/>). A queued call used to cost a task for the piece, an async state machine awaiting it, and a
/// completion source with its task to wake the caller: four objects where this is two. The answer wakes its caller off
/// the turns (on the scheduler it awaited on, else the thread pool), never inline in the turn that produced it. When the
/// caller's token fires first, the wait ends cancelled at once, as an Orleans caller's does; the piece, told by the same
/// token, ends in its own time, and once the token fired the answer is the cancellation whatever the piece returned.
/// </summary>
/// <remarks>Not pooled: each queued call has its own, and its answer is awaited once.</remarks>
internal sealed class QueuedPiece<T> : IValueTaskSource<T>
{
    private static readonly Action<object?> RunBody = static self => ((QueuedPiece<T>)self!).Run();

    private readonly Func<object?, ValueTask<T>> _body;
    private readonly object? _state;
    private readonly CancellationToken _abandon;
    private ManualResetValueTaskSourceCore<T> _answer;
    private ConfiguredValueTaskAwaitable<T>.ConfiguredValueTaskAwaiter _running;
    private CancellationTokenRegistration _abandoned;
    private int _answered;

    /// <param name="body">The piece's work, run on the turns.</param>
    /// <param name="state">What <paramref name="body"/> is handed.</param>
    /// <param name="abandon">The caller's token: when it fires, the caller stops waiting.</param>
    public QueuedPiece(Func<object?, ValueTask<T>> body, object? state, CancellationToken abandon)
    {
        _body = body;
        _state = state;
        _abandon = abandon;
        _answer.RunContinuationsAsynchronously = true;
        // Made here, so it runs in the execution context current now, as any task started on the turns does.
        Piece = new Task(RunBody, this);
        if (abandon.CanBeCanceled)
        {
            _abandoned = abandon.UnsafeRegister(static (self, token) => ((QueuedPiece<T>)self!).Settle(default!, new OperationCanceledException(token)), this);
        }
    }

    /// <summary>The task the turns run: the body, and, once its answer is ready, the caller's wake-up.</summary>
    public Task Piece { get; }

    /// <summary>What the caller awaits, once.</summary>
    public ValueTask<T> Answer => new(this, _answer.Version);

    private void Run()
    {
        ValueTask<T> call;
        try
        {
            call = _body(_state);
        }
        catch (Exception e)
        {
            Settle(default!, e);
            return;
        }
        _running = call.ConfigureAwait(false).GetAwaiter();
        if (_running.IsCompleted)
        {
            Complete();
        }
        else
        {
            _running.UnsafeOnCompleted(Complete);
        }
    }

    private void Complete()
    {
        T result;
        try
        {
            result = _running.GetResult();
        }
        catch (Exception e)
        {
            Settle(default!, e);
            return;
        }
        finally
        {
            _running = default;
        }
        Settle(result, null);
    }

    /// <summary>Answers once: the first of the piece's end and the caller's cancellation wins.</summary>
    private void Settle(T result, Exception? error)
    {
        if (Interlocked.Exchange(ref _answered, 1) != 0)
        {
            return;
        }
        // Not Dispose: this may run inside the registration's own callback.
        _abandoned.Unregister();
        if (_abandon.IsCancellationRequested && error is not OperationCanceledException)
        {
            // The caller cancelled while the piece ended: the method may have seen it first and answered anyway.
            error = new OperationCanceledException(_abandon);
        }
        if (error is null)
        {
            _answer.SetResult(result);
        }
        else
        {
            _answer.SetException(error);
        }
    }

    public T GetResult(short token) => _answer.GetResult(token);

    public ValueTaskSourceStatus GetStatus(short token) => _answer.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _answer.OnCompleted(continuation, state, token, flags);
}
