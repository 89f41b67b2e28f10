using Microsoft.AspNetCore.Http;

namespace Serve.Tests.Batching;

/// <summary>An HTTP ingress whose handler sends each request's word through its own batched method.</summary>
[Deployment(MaxOngoingRequests = 16)]
public sealed class BatchedIngress(string key) : IHttpIngress
{
    [Batch(MaxBatchSize = 4, BatchWaitTimeoutMs = 10_000)]
    public Task<IReadOnlyList<string>> UpperAsync(IReadOnlyList<string> words, CancellationToken cancellationToken)
    {
        BatchRecorder.Get(key).Record(words);
        return Task.FromResult<IReadOnlyList<string>>(words.Select(w => w.ToUpperInvariant()).ToArray());
    }

    public async Task<object?> HandleAsync(HttpRequest request, CancellationToken cancellationToken) =>
        await Batched.CallAsync(UpperAsync, request.Query["word"].ToString(), cancellationToken);
}
