using Microsoft.Extensions.Logging;
using Serve.Grains;

namespace Serve.Routing;

/// <summary>
/// The requests of one router waiting for a replica with room: at most <see cref="ReplicaSet.MaxQueuedRequests"/> of
/// them (one more is refused with a <see cref="BackPressureException"/>), woken oldest first, one per freed slot — or all
/// of them while some wait for a particular replica (a request for a multiplexed model waits for one holding it, up to
/// its patience). A request fails at once when there is nothing to wait for: no replica running and none starting.
/// </summary>
/// <remarks>
/// A wake-up is never lost between a request's failed try and its going to sleep: every wake-up is counted, and a
/// request sleeps only if none came since it read the count before its try. A woken request tries again and may find
/// its slot taken by a request that just arrived, then waits again at the back (FIFO-ish, as before any queue).
/// </remarks>
internal sealed partial class AdmissionQueue(string deployment, TimeProvider time, ILogger logger)
{
    private readonly Lock _gate = new();
    private readonly Queue<TaskCompletionSource> _waiters = new();
    private int _count;
    private int _patient;
    private long _wakeUps;

    /// <summary>Requests waiting now.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Waits for a replica of <paramref name="pool"/> with room and takes a slot on it.</summary>
    /// <param name="pool">The replicas.</param>
    /// <param name="modelId">The request's multiplexed model, if any.</param>
    /// <param name="patience">How long the request waits for a replica its choice prefers before any will do (<see cref="IReplicaChoice.PatienceFor"/>).</param>
    /// <param name="cancellationToken">The request's token (its deadline included).</param>
    public async ValueTask<RoutedReplica> AdmitAsync(IReplicaPool pool, string? modelId, TimeSpan patience, CancellationToken cancellationToken)
    {
        var seen = Volatile.Read(ref _wakeUps);
        if (TryTake(pool, modelId, patienceOver: false) is { } replica)
        {
            return replica;
        }
        var patient = patience > TimeSpan.Zero;
        var patientUntil = patient ? time.GetTimestamp() + (long)(patience.TotalSeconds * time.TimestampFrequency) : 0;
        Enter(pool.Set.MaxQueuedRequests, patient);
        try
        {
            pool.Queued();
            while (true)
            {
                // Read before the try: a slot freed after the try bumps it, and the wait below then returns at once.
                seen = Volatile.Read(ref _wakeUps);
                var now = time.GetTimestamp();
                if (TryTake(pool, modelId, patienceOver: now >= patientUntil) is { } taken)
                {
                    return taken;
                }
                await WaitAsync(seen, now < patientUntil ? time.GetElapsedTime(now, patientUntil) : Timeout.InfiniteTimeSpan, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            Leave(patient);
        }
    }

    /// <summary>A slot was freed: wakes the oldest waiter, or all while some wait for a particular replica.</summary>
    public void Released()
    {
        if (Volatile.Read(ref _patient) > 0)
        {
            WakeAll();
        }
        else if (Volatile.Read(ref _count) > 0)
        {
            WakeOne();
        }
    }

    public void WakeOne()
    {
        lock (_gate)
        {
            _wakeUps++;
            while (_waiters.TryDequeue(out var waiter))
            {
                if (waiter.TrySetResult())
                {
                    return;
                }
            }
        }
    }

    /// <summary>Wakes every waiter: the replica set changed.</summary>
    public void WakeAll()
    {
        lock (_gate)
        {
            _wakeUps++;
            while (_waiters.TryDequeue(out var waiter))
            {
                waiter.TrySetResult();
            }
        }
    }

    /// <summary>
    /// The error a request gets at once instead of waiting: the deployment deleted or never run, or with no replica
    /// running and none starting (naming its state); null when it may wait.
    /// </summary>
    internal static ServeException? NothingToWaitFor(ReplicaSet set, string deployment) =>
        !set.Exists || (set.Replicas.Count == 0 && !set.MayServeSoon && set.State is null)
            ? new DeploymentNotFoundException(deployment)
            : set.Replicas.Count == 0 && !set.MayServeSoon
            ? new DeploymentUnavailableException(deployment, set.State!.Value, set.Message)
            : null;

    private RoutedReplica? TryTake(IReplicaPool pool, string? modelId, bool patienceOver)
    {
        var set = pool.Set;
        if (!set.Exists)
        {
            throw new DeploymentNotFoundException(deployment);
        }
        if (pool.TryTake(modelId, patienceOver) is { } replica)
        {
            return replica;
        }
        if (NothingToWaitFor(set, deployment) is { } refusal)
        {
            if (refusal is DeploymentUnavailableException)
            {
                LogUnavailable(logger, deployment, set.State!.Value.ToString());
            }
            throw refusal;
        }
        return null;
    }

    private void Enter(int maxQueued, bool patient)
    {
        lock (_gate)
        {
            if (maxQueued >= 0 && _count >= maxQueued)
            {
                LogBackPressure(logger, deployment, _count);
                throw new BackPressureException(deployment, maxQueued);
            }
            // Interlocked, a full fence: a release that frees a slot after this request's next try must see it counted.
            Interlocked.Increment(ref _count);
            _patient += patient ? 1 : 0;
        }
    }

    private void Leave(bool patient)
    {
        lock (_gate)
        {
            Interlocked.Decrement(ref _count);
            _patient -= patient ? 1 : 0;
        }
    }

    /// <summary>Sleeps until a wake-up after <paramref name="seen"/>, or until <paramref name="patience"/> runs out.</summary>
    private async ValueTask WaitAsync(long seen, TimeSpan patience, CancellationToken cancellationToken)
    {
        TaskCompletionSource waiter;
        lock (_gate)
        {
            if (_wakeUps != seen)
            {
                return;
            }
            waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Enqueue(waiter);
        }
        try
        {
            await waiter.Task.WaitAsync(patience, time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // Waited long enough for a preferred replica: the next try takes any. A wake-up chosen meanwhile goes on.
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

    [LoggerMessage(EventId = ServeEvents.BackPressure, Level = LogLevel.Debug, Message = "Deployment {Deployment}: queue full ({Queued} waiting); request refused with back-pressure")]
    private static partial void LogBackPressure(ILogger logger, string deployment, int queued);

    [LoggerMessage(EventId = ServeEvents.DeploymentUnavailable, Level = LogLevel.Debug, Message = "Deployment {Deployment}: no replica running or starting ({State}); request refused")]
    private static partial void LogUnavailable(ILogger logger, string deployment, string state);
}
