using Serve.Grains;
using Serve.Http;
using Serve.Routing;

namespace Serve.Tests.Exchange;

/// <summary>
/// One replica, <see cref="Id"/>, for a data-plane listener to find: it answers 200 with its path, except on
/// <c>/hold</c>, which it holds until its caller's token is cancelled (then <see cref="Cancelled"/> completes), and
/// <c>/block</c>, which blocks the thread that runs it (<see cref="Blocking"/> completes) until <see cref="Unblock"/> is set,
/// and <c>/gate</c>, which answers once <see cref="Gate"/> completes.
/// A handle call answers its method's name and arguments joined, or holds on the method <c>Hold</c> as <c>/hold</c> does, or
/// answers <c>Big(n)</c> with a string of n characters.
/// </summary>
internal sealed class FakeLocalReplicas : ILocalReplicas, ILocalReplica
{
    public const string Id = "replica-1";

    public TaskCompletionSource<string> Cancelled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource Blocking { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ManualResetEventSlim Unblock { get; } = new();

    /// <summary>Holds calls on <c>/gate</c> (without blocking a thread) until completed.</summary>
    public TaskCompletionSource Gate { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Calls on <c>/hold</c> running now.</summary>
    public int Holding => Volatile.Read(ref _holding);

    private int _holding;

    public bool Contains(string replicaId) => replicaId == Id;

    public ILocalReplica? Find(string replicaId) => replicaId == Id ? this : null;

    public async ValueTask<ReplicaResponse> InvokeAsync(ReplicaRequest request, CancellationToken cancellationToken)
    {
        if (request.Method == "Hold")
        {
            await HoldAsync(request.RequestId, cancellationToken);
        }
        if (request.Method == "Big")
        {
            return ReplicaResponse.Completed(new string('x', (int)request.Args[0]!));
        }
        return ReplicaResponse.Completed($"{request.Method}({string.Join(", ", request.Args)})");
    }

    public async ValueTask<ReplicaResponse> HttpAsync(HttpCall call, CancellationToken cancellationToken)
    {
        if (call.Request.Path == "/block")
        {
            // A handler that does its work synchronously, on the thread that called it.
            Blocking.TrySetResult();
            Unblock.Wait(cancellationToken);
        }
        if (call.Request.Path == "/gate")
        {
            await Gate.Task.WaitAsync(cancellationToken);
        }
        if (call.Request.Path == "/hold")
        {
            await HoldAsync(call.RequestId, cancellationToken);
        }
        return ReplicaResponse.Answered(new HttpResponseData { StatusCode = 200, Body = System.Text.Encoding.UTF8.GetBytes(call.Request.Path) });
    }

    private async Task HoldAsync(string requestId, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _holding);
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        finally
        {
            Interlocked.Decrement(ref _holding);
            Cancelled.TrySetResult(requestId);
        }
    }
}
