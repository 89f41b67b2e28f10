using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Serve.Replicas;

/// <summary>
/// A replica's turns: the scheduler its user code runs on, one piece at a time, so a replica whose class is not
/// <see cref="ThreadSafeAttribute"/> never runs on two threads at once, whoever calls it and from whichever thread. Queued
/// pieces run in order on the thread pool. A caller free to lend its thread runs its piece on it, at once, when nobody holds
/// the turn (not even itself: a call that comes back to a replica from inside its own synchronous part waits for that part
/// to end) and its stack has room: a same-silo call to an idle replica whose method completes synchronously takes no hop.
/// While a piece runs, <see cref="TaskScheduler.Current"/> is these turns, so its awaits resume here: calls interleave at
/// their awaits, as in an Orleans <c>[Reentrant]</c> activation, and only there.
/// </summary>
internal sealed class ReplicaTurns : TaskScheduler, IThreadPoolWorkItem
{
    /// <summary>The most pieces one thread-pool item runs before it gives its thread back (and queues itself again).</summary>
    private const int DrainBatch = 32;

    /// <summary>
    /// How long a caller free to lend its thread waits, spinning, for a turn held by a piece running on another thread with
    /// nothing queued behind it, before it queues its own. A replica answering at once holds its turn for a few microseconds;
    /// a call that waits that long and runs inline saves a queued piece's thread hops, which cost more than the wait. Past it
    /// (a long method), the spin costs the call about as much as one hop.
    /// </summary>
    internal static readonly long SpinTicks = Math.Max(1, Stopwatch.Frequency / 500_000);

    private readonly Lock _gate = new();
    private readonly Queue<Task> _queue = new();
    private readonly Func<bool> _threadFree;

    /// <summary>A thread holds the turn, or a thread-pool item is queued to take it: nobody else may start a piece.</summary>
    private bool _busy;

    /// <summary>The managed id of the thread running a piece while it holds the turn; 0 while none does (free, or a drain on its way).</summary>
    private int _holder;

    /// <summary>The turns whose piece this thread is about to run inline, having taken the turn itself.</summary>
    [ThreadStatic]
    private static ReplicaTurns? _lending;

    /// <param name="threadFree">
    /// Whether the current thread may run a piece it did not start (a continuation that became ready on it): not one that
    /// runs as some grain's turn, whose code the piece would run as.
    /// </param>
    public ReplicaTurns(Func<bool> threadFree) => _threadFree = threadFree;

    public override int MaximumConcurrencyLevel => 1;

    /// <summary>
    /// Runs <paramref name="body"/> as a piece: now, on this thread, when <paramref name="lend"/> says it is free to lend,
    /// nobody holds the turn and the stack has room; else queued. The piece runs in the execution context current here
    /// (<see cref="ExecutionContext.Capture"/>), or in its thread's when the flow is suppressed. An answer that is not
    /// complete on return completes on these turns: a caller that must not go on here wakes elsewhere itself.
    /// </summary>
    public ValueTask<T> RunAsync<T>(Func<object?, ValueTask<T>> body, object? state, bool lend) =>
        RunAsync(body, state, lend, CancellationToken.None, out _);

    /// <summary>
    /// Runs <paramref name="body"/> as a piece, as <see cref="RunAsync{T}(Func{object?, ValueTask{T}}, object?, bool)"/>
    /// does. A piece that was <paramref name="queued"/> answers as its caller expects of a call (<see cref="QueuedPiece{T}"/>):
    /// it wakes the caller off the turns, and ends cancelled at once when <paramref name="abandon"/> fires. One that ran
    /// here and awaits completes on these turns, as above.
    /// </summary>
    public ValueTask<T> RunAsync<T>(Func<object?, ValueTask<T>> body, object? state, bool lend, CancellationToken abandon, out bool queued)
    {
        if (lend && RuntimeHelpers.TryEnsureSufficientExecutionStack() && (TryTake() || TryTakeSoon()))
        {
            queued = false;
            var piece = new Task<ValueTask<T>>(body, state);
            _lending = this;
            try
            {
                piece.RunSynchronously(this);
            }
            finally
            {
                _lending = null;
            }
            return piece.IsCompletedSuccessfully ? piece.Result : ValueTask.FromException<T>(piece.Exception!.InnerException!);
        }
        queued = true;
        var waiting = new QueuedPiece<T>(body, state, abandon);
        waiting.Piece.Start(this);
        return waiting.Answer;
    }

    /// <summary>Runs <paramref name="body"/> as a piece queued on these turns: for the rare entries (start, checks, stop).</summary>
    public Task RunAsync(Func<Task> body) =>
        Task.Factory.StartNew(body, CancellationToken.None, TaskCreationOptions.DenyChildAttach, this).Unwrap();

    /// <summary>Runs <paramref name="body"/> as a piece queued on these turns, and answers with its result.</summary>
    public Task<T> RunAsync<T>(Func<Task<T>> body) =>
        Task.Factory.StartNew(body, CancellationToken.None, TaskCreationOptions.DenyChildAttach, this).Unwrap();

    /// <summary>
    /// Runs <paramref name="body"/> as a piece whose synchronous part runs on a thread of its own (named
    /// <paramref name="threadName"/>), for the start of a replica: user code that holds its thread there (a model loaded in a
    /// constructor, or in an <c>InitializeAsync</c> that never yields) holds no thread-pool thread, and whoever waits for it
    /// can stop waiting (see <see cref="ReplicaGrain"/>'s start) and leave it to finish alone. Its awaits resume on these
    /// turns, as any piece's. When the turn is held meanwhile (it is not, before a replica starts), the piece queues instead.
    /// </summary>
    public Task<T> RunOnOwnThread<T>(Func<Task<T>> body, string threadName)
    {
        var started = new TaskCompletionSource<Task<T>>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(static state =>
        {
            var (turns, body, started) = ((ReplicaTurns, Func<Task<T>>, TaskCompletionSource<Task<T>>))state!;
            try
            {
                started.SetResult(turns.RunAsync(static b => new ValueTask<T>(((Func<Task<T>>)b!)()), body, lend: true).AsTask());
            }
            catch (Exception e)
            {
                started.SetException(e);
            }
        })
        {
            IsBackground = true,
            Name = threadName,
        };
        // Started with the caller's execution context, as a piece queued here would run in it.
        thread.Start((this, body, started));
        return started.Task.Unwrap();
    }

    protected override void QueueTask(Task task)
    {
        if (_lending == this)
        {
            // RunAsync took the turn for it, and the runtime would not run it inline after all: it runs here all the same.
            _lending = null;
            RunHeld(task);
            return;
        }
        lock (_gate)
        {
            _queue.Enqueue(task);
            if (_busy)
            {
                return;
            }
            _busy = true;
        }
        ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
    }

    protected override bool TryExecuteTaskInline(Task task, bool taskWasPreviouslyQueued)
    {
        if (_lending == this)
        {
            // RunAsync took the turn for it.
            _lending = null;
            RunHeld(task);
            return true;
        }
        // A continuation that became ready on this thread: run here only when the turn is free; a queued piece waits its turn.
        if (taskWasPreviouslyQueued || !RuntimeHelpers.TryEnsureSufficientExecutionStack() || !_threadFree() || !TryTake())
        {
            return false;
        }
        RunHeld(task);
        return true;
    }

    protected override IEnumerable<Task> GetScheduledTasks()
    {
        lock (_gate)
        {
            return [.. _queue];
        }
    }

    /// <summary>Takes the turn when nobody holds it (and nothing waits: a queued piece means a holder or a drain on its way).</summary>
    private bool TryTake()
    {
        lock (_gate)
        {
            if (_busy)
            {
                return false;
            }
            _busy = true;
            _holder = Environment.CurrentManagedThreadId;
            return true;
        }
    }

    /// <summary>
    /// Spins for at most <see cref="SpinTicks"/> while the turn is held by a piece running on another thread and nothing is
    /// queued, and takes the turn once it is free. False, having taken nothing, when it stays held, when pieces are queued
    /// (they go first), when no thread runs a piece (a drain is on its way) or when this thread holds it (a piece calling its
    /// own replica waits for its own end). Not from a piece of any replica's turns (a composed call): it would spin holding
    /// its own replica's turn, and that replica's callers would wait behind the spin.
    /// </summary>
    private bool TryTakeSoon()
    {
        if (TaskScheduler.Current is ReplicaTurns)
        {
            return false;
        }
        long deadline = 0;
        var me = Environment.CurrentManagedThreadId;
        while (true)
        {
            if (!Volatile.Read(ref _busy))
            {
                if (TryTake())
                {
                    return true;
                }
            }
            else if (Volatile.Read(ref _holder) is var holder && (holder == 0 || holder == me) || _queue.Count > 0)
            {
                return false;
            }
            var now = Stopwatch.GetTimestamp();
            if (deadline == 0)
            {
                deadline = now + SpinTicks;
            }
            else if (now > deadline)
            {
                return false;
            }
            Thread.SpinWait(4);
        }
    }

    private void RunHeld(Task task)
    {
        try
        {
            TryExecuteTask(task);
        }
        finally
        {
            Release();
        }
    }

    /// <summary>A holder is done: the turn is free, or passes to the pieces queued meanwhile, on the thread pool.</summary>
    private void Release()
    {
        lock (_gate)
        {
            _holder = 0;
            if (_queue.Count == 0)
            {
                _busy = false;
                return;
            }
        }
        ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
    }

    /// <summary>Runs the queued pieces in order, holding the turn, a batch at a time.</summary>
    void IThreadPoolWorkItem.Execute()
    {
        Volatile.Write(ref _holder, Environment.CurrentManagedThreadId);
        for (var i = 0; i < DrainBatch; i++)
        {
            Task? next;
            lock (_gate)
            {
                if (!_queue.TryDequeue(out next))
                {
                    _holder = 0;
                    _busy = false;
                    return;
                }
            }
            TryExecuteTask(next);
        }
        // Others' work waits on this thread pool too: the rest goes on as a new item.
        Volatile.Write(ref _holder, 0);
        ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
    }
}
