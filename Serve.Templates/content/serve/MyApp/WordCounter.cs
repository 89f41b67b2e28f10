using Serve;

namespace MyApp;

/// <summary>A deployment composed by <see cref="Api"/>: a plain class, two replicas, at most 8 calls at once each.</summary>
[Deployment(NumReplicas = 2, MaxOngoingRequests = 8)]
public sealed class WordCounter : IWordCounter
{
    /// <inheritdoc />
    public Task<int> CountAsync(string text, CancellationToken cancellationToken = default) =>
        Task.FromResult(text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length);
}
