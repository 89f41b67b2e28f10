using Polly;
using Polly.Retry;

namespace Serve.Watching;

/// <summary>
/// One versioned long poll, the shape every watcher of the control plane shares (routers watching replica sets, gateways
/// watching routes, clients waiting for a status): ask for the value newer than the version last seen, hand each new one
/// on, ask again. A failed ask (the watched grain moving to another silo, a silo starting or dying) is retried after an
/// exponential backoff with full jitter, so watchers that failed together do not come back together; the backoff starts
/// over after a success.
/// </summary>
/// <typeparam name="T">The watched value.</typeparam>
internal sealed class VersionedWatch<T>
{
    private readonly Func<long, CancellationToken, Task<T>> _poll;
    private readonly Func<T, long> _versionOf;
    private readonly ResiliencePipeline _retry;
    private readonly WatchBackoff _backoff;
    private readonly TimeProvider _time;
    private readonly Action? _onRecovered;
    private CancellationTokenSource? _inFlight;
    private bool _failing;

    /// <param name="poll">Asks for the value newer than the version given (-1: any), or the same one after a while unchanged.</param>
    /// <param name="versionOf">The version of a value.</param>
    /// <param name="backoff">How failed polls are retried.</param>
    /// <param name="time">The clock of the backoff.</param>
    /// <param name="onRetry">Told of each failure and the delay before the next poll (for logging).</param>
    /// <param name="onRecovered">Told when a poll succeeds after failures (for logging the end of a streak).</param>
    public VersionedWatch(
        Func<long, CancellationToken, Task<T>> poll, Func<T, long> versionOf, WatchBackoff backoff, TimeProvider time,
        Action<Exception, TimeSpan>? onRetry = null, Action? onRecovered = null)
    {
        _onRecovered = onRecovered;
        _poll = poll;
        _versionOf = versionOf;
        _backoff = backoff;
        _time = time;
        _retry = new ResiliencePipelineBuilder { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions
            {
                // A poll the caller cancelled is not a failure.
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is not null && !args.Context.CancellationToken.IsCancellationRequested),
                MaxRetryAttempts = backoff.MaxAttempts,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = backoff.FirstDelay,
                MaxDelay = backoff.MaxDelay,
                OnRetry = args =>
                {
                    _failing = true;
                    onRetry?.Invoke(args.Outcome.Exception!, args.RetryDelay);
                    return default;
                },
            })
            .Build();
    }

    /// <summary>The version of the last value handed on; -1 before the first.</summary>
    public long Version { get; private set; } = -1;

    /// <summary>
    /// The next value whose version differs from the last one handed on. Failed polls are retried with backoff;
    /// past the backoff's attempts the last failure is thrown. Once <paramref name="cancellationToken"/> is cancelled
    /// this throws an <see cref="OperationCanceledException"/>, whatever the poll in flight ended with.
    /// </summary>
    public async Task<T> NextAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            T value;
            try
            {
                value = await _retry.ExecuteAsync(
                    static async (state, token) => await state.Self._poll(state.Known, token),
                    (Self: this, Known: Version),
                    cancellationToken);
                if (_failing)
                {
                    _failing = false;
                    _onRecovered?.Invoke();
                }
            }
            catch (Exception e) when (e is not OperationCanceledException && cancellationToken.IsCancellationRequested)
            {
                // The caller cancelled while the poll failed for a reason of its own (the watched grain's silo died at that
                // moment): not retried, and a cancellation all the same, as the caller asked.
                throw new OperationCanceledException("The watch was cancelled; its last poll failed meanwhile.", e, cancellationToken);
            }
            var version = _versionOf(value);
            if (version != Version)
            {
                Version = version;
                return value;
            }
        }
    }

    /// <summary>
    /// Hands each new value to <paramref name="apply"/> until <paramref name="stoppingToken"/> is cancelled, then returns.
    /// Nothing else ends it: a watcher that stopped for good would leave its process with a stale view for as long as it
    /// lives (a router's queued requests waiting forever for a replica set that never comes). A value that
    /// <paramref name="apply"/> failed on is told to <paramref name="onApplyFailed"/>, and, after the backoff, asked for
    /// and applied again (the version before it still counts as the last seen), so a failure that passes heals by itself
    /// and one that does not is seen in the log. <see cref="RepollNow"/> abandons the poll in flight and asks again at once.
    /// </summary>
    /// <param name="apply">Takes in a new value; called from one poll at a time.</param>
    /// <param name="onApplyFailed">Told of each failure to apply a value, or to poll past the backoff's attempts, and the delay before asking again.</param>
    /// <param name="stoppingToken">Ends the watch.</param>
    public async Task RunAsync(Action<T> apply, Action<Exception, TimeSpan> onApplyFailed, CancellationToken stoppingToken)
    {
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            using var poll = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            Volatile.Write(ref _inFlight, poll);
            var known = Version;
            try
            {
                apply(await NextAsync(poll.Token).ConfigureAwait(false));
                failures = 0;
                continue;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (OperationCanceledException) when (poll.IsCancellationRequested)
            {
                // RepollNow: ask again at once.
                continue;
            }
            catch (Exception e)
            {
                Version = known;
                var delay = _backoff.DelayAfter(++failures);
                onApplyFailed(e, delay);
                try
                {
                    await Task.Delay(delay, _time, stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>Abandons the poll <see cref="RunAsync"/> has in flight, if any, and asks again at once.</summary>
    public void RepollNow()
    {
        try
        {
            Volatile.Read(ref _inFlight)?.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // That poll already ended; the next one is current.
        }
    }
}
