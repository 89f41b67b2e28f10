using System.Diagnostics;
using System.Runtime.CompilerServices;
using Serve.Diagnostics;
using Serve.Grains;

namespace Serve.Routing;

/// <summary>
/// Streams: started on a replica that accepts them under the same retry rules as other calls, then held there (with
/// its slot) until the last item; a stream whose replica is lost once it started fails, since it cannot go on
/// elsewhere without repeating items.
/// </summary>
internal sealed partial class DeploymentRouter
{
    /// <remarks>
    /// Measured as a unary call is (<c>serve.handle.call.duration</c>), from the call to the stream's end: its last item,
    /// its failure (with <c>error.type</c>), or the caller's leaving it early (its disposal). A failure the caller's token
    /// or the deadline caused counts as a failure too, as it does for a unary call.
    /// </remarks>
    public async IAsyncEnumerable<object?> StreamAsync(string method, object?[] args, CallOptions options, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var started = _metrics.CallDurationEnabled ? _time.GetTimestamp() : NotMeasured;
        var request = CreateRequest(method, args, options);
        // The caller's span lasts the whole stream, as the replica's does: its traceparent goes with the call.
        using var activity = ServeActivitySource.Instance.HasListeners() ? StartActivity(request) : null;
        if (AdmitToCluster(options, out var clusterLost) is { } refused)
        {
            CallEnded(started, activity, refused, CallTransport.None);
            throw refused;
        }
        using var deadline = DeadlineScope.Create(request.DeadlineUtcTicks, _time, cancellationToken, clusterLost);
        OpenStream stream;
        try
        {
            stream = await OpenStreamAsync(request, options, deadline, cancellationToken);
        }
        catch (Exception e)
        {
            // Its start may have reached a replica before the cluster was lost.
            var lost = ClusterLostInstead(e, deadline, cancellationToken, mayHaveRun: true);
            CallEnded(started, activity, lost ?? e, CallTransport.None);
            if (lost is not null)
            {
                throw lost;
            }
            throw;
        }
        // Streams travel as Orleans messages, to a replica of this silo or another's.
        var transport = stream.Replica.IsLocal ? CallTransport.InProcess : CallTransport.Orleans;
        var ended = false;
        try
        {
            while (true)
            {
                StreamItem? item;
                try
                {
                    item = await NextAsync(stream, request, options, deadline, cancellationToken);
                }
                catch (Exception e)
                {
                    ended = true;
                    var lost = ClusterLostInstead(e, deadline, cancellationToken, mayHaveRun: true);
                    CallEnded(started, activity, lost ?? e, transport);
                    if (lost is not null)
                    {
                        throw lost;
                    }
                    throw;
                }
                if (item is not { } next)
                {
                    break;
                }
                yield return next.Value;
            }
        }
        finally
        {
            if (!ended)
            {
                // The last item, or the caller stopped reading: the stream ends here either way.
                CallEnded(started, activity, failure: null, transport);
            }
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
        var backoff = new FullBackoff();
        try
        {
            while (true)
            {
                var replica = await AcquireAsync(request.ModelId, token);
                var lostOrCancelled = CancellationTokenSource.CreateLinkedTokenSource(token, replica.LostToken);
                var enumerator = replica.Grain.StreamAsync(request, lostOrCancelled.Token).GetAsyncEnumerator(lostOrCancelled.Token);
                CallSetback? setback;
                Exception? error = null;
                try
                {
                    var verdict = await enumerator.MoveNextAsync() ? enumerator.Current as ReplicaResponse : ReplicaResponse.Gone;
                    if (verdict is { IsRejected: false })
                    {
                        return new OpenStream(replica, enumerator, lostOrCancelled);
                    }
                    setback = RetryPolicy.Classify(verdict?.Outcome ?? ReplicaOutcome.RejectedGone);
                }
                catch (Exception e)
                {
                    setback = RetryPolicy.Classify(e, replica.IsLost);
                    error = e;
                }
                await enumerator.DisposeAsync();
                lostOrCancelled.Dispose();
                Release(replica);
                if (setback is null)
                {
                    // The replica's own failure, or the caller's cancellation: it goes up as it is.
                    System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(error!);
                }
                var decision = RetryPolicy.Decide(setback.Value, options.Idempotent, itemsDelivered: false, deadline.Expired, cancellationToken.IsCancellationRequested);
                switch (decision.Action)
                {
                    case RetryAction.BackOff:
                        await Task.Delay(backoff.Next(), _time, token);
                        break;
                    case RetryAction.GiveUp:
                        System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(error!);
                        break;
                    case RetryAction.FailTimeout:
                        throw TimedOut(request);
                    default:
                        if (CarryOut(decision, replica, error) is { } failure)
                        {
                            throw failure;
                        }
                        break;
                }
            }
        }
        catch (OperationCanceledException) when (deadline.Expired && !cancellationToken.IsCancellationRequested)
        {
            throw TimedOut(request);
        }
    }

    private async ValueTask<StreamItem?> NextAsync(OpenStream stream, ReplicaRequest request, CallOptions options, DeadlineScope deadline, CancellationToken cancellationToken)
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
            throw TimedOut(request);
        }
        catch (Exception e) when (RetryPolicy.Classify(e, stream.Replica.IsLost) is { } setback)
        {
            var decision = RetryPolicy.Decide(setback, options.Idempotent, itemsDelivered: true, deadline.Expired, cancellationToken.IsCancellationRequested);
            switch (decision.Action)
            {
                case RetryAction.GiveUp:
                    throw;
                case RetryAction.FailTimeout:
                    throw TimedOut(request);
                default:
                    throw CarryOut(decision, stream.Replica, e)!;
            }
        }
        return stream.Enumerator.Current is ReplicaResponse { Outcome: ReplicaOutcome.Faulted } fault
            ? throw Fault(request, stream.Replica, fault)
            : new StreamItem(stream.Enumerator.Current);
    }
}
