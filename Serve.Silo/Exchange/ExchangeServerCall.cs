using Serve.Grains;
using Serve.Routing;

namespace Serve.Exchange;

/// <summary>
/// One call a router sent over the data plane, run on the thread pool as the in-process call a router of this silo would
/// make (<see cref="ILocalReplica.HttpAsync"/> for an HTTP exchange, <see cref="ILocalReplica.InvokeAsync"/> for a
/// handle's method call): the same admission, turns, handler and answers. A replica not running
/// here answers as its grain would once gone, so the router tries another.
/// </summary>
internal sealed class ExchangeServerCall(ExchangeServerConnection connection, long callId, ExchangeCall call) : IThreadPoolWorkItem
{
    private readonly CancellationTokenSource _cancellation = new();

    public long CallId { get; } = callId;

    /// <summary>The HTTP exchange it carries (its channels those of the data plane when the router asked); null for a handle call.</summary>
    public Http.HttpCall? Http => call.Call;

    public void Cancel() => _cancellation.Cancel();

    void IThreadPoolWorkItem.Execute() => _ = RunAsync();

    private async Task RunAsync()
    {
        ReplicaResponse? response;
        try
        {
            response = await Start();
        }
        catch (OperationCanceledException) when (_cancellation.IsCancellationRequested)
        {
            // Its caller stopped waiting and was told so; nobody reads an answer.
            response = null;
        }
        catch (Exception e)
        {
            response = ReplicaResponse.Faulted(e);
        }
        // Its source is not disposed: it holds no timer, and a cancel frame or the connection's end may still come for it.
        connection.Ended(this, response);
    }

    private ValueTask<ReplicaResponse> Start()
    {
        if (connection.Replicas.Find(call.ReplicaId) is not { } replica)
        {
            return ValueTask.FromResult(ReplicaResponse.Gone);
        }
        // The caller's request context (its traceparent), as an Orleans message brings it to the replica's turn.
        if (call.Context is { Count: > 0 } context)
        {
            RequestContextExtensions.Import(context);
        }
        try
        {
            return call.Call is { } http ? replica.HttpAsync(http, _cancellation.Token) : replica.InvokeAsync(call.Request!, _cancellation.Token);
        }
        finally
        {
            RequestContext.Clear();
        }
    }
}
