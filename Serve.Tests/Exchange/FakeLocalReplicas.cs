using Serve.Grains;
using Serve.Http;
using Serve.Routing;

namespace Serve.Tests.Exchange;

/// <summary>
/// One replica, <see cref="Id"/>, for a data-plane listener to find: it answers 200 with its path, except on
/// <c>/hold</c>, which it holds until its caller's token is cancelled (then <see cref="Cancelled"/> completes).
/// </summary>
internal sealed class FakeLocalReplicas : ILocalReplicas, ILocalReplica
{
    public const string Id = "replica-1";

    public TaskCompletionSource<string> Cancelled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool Contains(string replicaId) => replicaId == Id;

    public ILocalReplica? Find(string replicaId) => replicaId == Id ? this : null;

    public ValueTask<ReplicaResponse> InvokeAsync(ReplicaRequest request, CancellationToken cancellationToken) => throw new NotSupportedException();

    public async ValueTask<ReplicaResponse> HttpAsync(HttpCall call, CancellationToken cancellationToken)
    {
        if (call.Request.Path == "/hold")
        {
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            finally
            {
                Cancelled.TrySetResult(call.RequestId);
            }
        }
        return ReplicaResponse.Answered(new HttpResponseData { StatusCode = 200, Body = System.Text.Encoding.UTF8.GetBytes(call.Request.Path) });
    }
}
