using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Serve.Diagnostics;
using Serve.Grains;
using Serve.Http;

namespace Serve.Routing;

/// <summary>
/// HTTP exchanges: one typed call per exchange that lasts until its last body byte, so the router holds its slot and
/// watches for the replica's loss for all of it, a streamed response included.
/// </summary>
internal sealed partial class DeploymentRouter
{
    /// <summary>The method name HTTP exchanges carry in traces and errors.</summary>
    private const string HttpMethodName = "http";

    /// <summary>
    /// Whether the gRPC method at <paramref name="path"/> (<c>/package.Service/Method</c>) takes a stream from its client
    /// (client streaming, bidirectional), as the deployment's running replicas said when they started; false while the
    /// router has not heard from its deployment yet.
    /// </summary>
    public bool IsGrpcClientStreaming(string path) => TakesGrpcClientStream(path) ?? false;

    /// <summary>
    /// As <see cref="IsGrpcClientStreaming"/>, but null while no running replica has said which methods take a stream
    /// from their client (the router has not heard from its deployment yet, or none runs): then nobody knows.
    /// </summary>
    public bool? TakesGrpcClientStream(string path)
    {
        if (Volatile.Read(ref _set) is not { Replicas.Count: > 0 } set)
        {
            return null;
        }
        foreach (var method in set.GrpcClientStreaming)
        {
            if (string.Equals(method, path, StringComparison.Ordinal))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>
    /// Runs <paramref name="request"/> on a replica. A replica that refused it (full, gone) or could not be reached
    /// leaves it for another; one lost once the exchange has <see cref="IHttpExchange.Begun"/> fails it with a
    /// <see cref="ReplicaUnavailableException"/>, as does one lost before that unless the request is idempotent or never
    /// arrived. Returns the whole response, or, for a response the replica streamed through the exchange, its trailers.
    /// A value task: an exchange with an idle replica of this silo is answered before it returns, without a task.
    /// </summary>
    public async ValueTask<HttpResponseData> HttpAsync(HttpRequestData request, IHttpExchange exchange, CallOptions options, CancellationToken cancellationToken)
    {
        var measured = _metrics.CallDurationEnabled;
        var started = measured ? _time.GetTimestamp() : 0;
        Exception? failure = null;
        // No call envelope per exchange: the HttpCall carries the id and deadline; a trace or an error makes one (Envelope).
        var (requestId, deadlineUtcTicks) = Identify(options);
        var call = new HttpCall
        {
            RequestId = requestId,
            DeadlineUtcTicks = deadlineUtcTicks,
            ModelId = options.MultiplexedModelId,
            Request = request,
            Channel = exchange.Channel,
            ExchangeId = exchange.Id,
            WebSockets = exchange.WebSockets,
        };
        using var activity = ServeActivitySource.Instance.HasListeners() ? StartActivity(Envelope(call)) : null;
        using var deadline = DeadlineScope.Create(call.DeadlineUtcTicks, _time, cancellationToken);
        var token = deadline.Token;
        var backoff = new FullBackoff();
        var transport = CallTransport.None;
        try
        {
            while (true)
            {
                var replica = await AcquireAsync(call.ModelId, token);
                // The exchange also ends once the replica is known lost with its silo: neither its answer nor the rest of its body
                // would come. Unless that silo is this one, which ends with the exchange. On the data plane the loss reaches
                // the call through the exchange client (LostWhileSent); through Orleans, through a linked source.
                CancellationTokenSource? lostOrCancelled = null;
                ReplicaResponse response;
                try
                {
                    ValueTask<ReplicaResponse> sent;
                    if (replica.IsLocal && LocalReplicas?.Find(replica.Id) is { } local)
                    {
                        (transport, sent) = (CallTransport.InProcess, local.HttpAsync(call, token));
                    }
                    else if (replica.Exchange is { } endpoint && Exchange?.TryCall(endpoint, replica.Id, call, token) is { } direct)
                    {
                        LostWhileSent(replica);
                        (transport, sent) = (CallTransport.DataPlane, new ValueTask<ReplicaResponse>(direct));
                    }
                    else
                    {
                        lostOrCancelled = replica.IsLocal ? null : CancellationTokenSource.CreateLinkedTokenSource(token, replica.LostToken);
                        (transport, sent) = (CallTransport.Orleans, replica.Grain.HttpAsync(call, lostOrCancelled?.Token ?? token));
                    }
                    response = await sent;
                }
                catch (Exception e) when (RetryPolicy.Classify(e, replica.IsLost) is { } setback)
                {
                    // Body bytes went one way or the other once the exchange has begun: it cannot start again elsewhere.
                    var decision = RetryPolicy.Decide(setback, options.Idempotent, itemsDelivered: exchange.Begun, deadline.Expired, cancellationToken.IsCancellationRequested);
                    if (decision.Action == RetryAction.GiveUp)
                    {
                        throw;
                    }
                    if (decision.Action == RetryAction.FailTimeout)
                    {
                        throw TimedOut(Envelope(call));
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
                    return response.Outcome == ReplicaOutcome.Completed ? response.Http! : throw Fault(Envelope(call), replica, response);
                }
                // Full on the replica though not by this router's count (another caller holds it), or gone: refused before its
                // handler ran, so it took nothing of a streamed body and goes on elsewhere.
                LogExchangeRefused(_logger, _deployment.Key, replica.Id, call.RequestId, refused);
                var next = RetryPolicy.Decide(refused, options.Idempotent, itemsDelivered: false, deadlinePassed: false, cancelled: false);
                if (next.Action == RetryAction.BackOff)
                {
                    await Task.Delay(backoff.Next(), _time, token);
                }
                else
                {
                    CarryOut(next, replica, error: null);
                }
            }
        }
        catch (OperationCanceledException) when (deadline.Expired && !cancellationToken.IsCancellationRequested)
        {
            failure = new RequestTimeoutException(_deployment.Key, call.RequestId);
            throw failure;
        }
        catch (Exception e)
        {
            failure = e;
            throw;
        }
        finally
        {
            CallEnded(measured ? started : NotMeasured, activity, failure, transport);
        }
    }

    /// <summary>The exchange as the call envelope that traces and errors describe a call by.</summary>
    private static ReplicaRequest Envelope(HttpCall call) => new(HttpMethodName, [], call.RequestId, call.DeadlineUtcTicks, call.ModelId);

    [LoggerMessage(EventId = ServeEvents.ReplicaRefusedExchange, Level = LogLevel.Debug, Message = "Deployment {Deployment}: replica {Replica} refused HTTP exchange {RequestId} ({Setback}); trying again")]
    private static partial void LogExchangeRefused(ILogger logger, string deployment, string replica, string requestId, CallSetback setback);
}
