namespace Serve.Tests.Cluster;

/// <summary>The deployment <see cref="TracedFront"/> calls, on whichever silo it runs: answers, fails and streams.</summary>
[Deployment]
public sealed class TracedBack : ITracedBack
{
    public Task<string> EchoAsync(string word, bool fail, CancellationToken cancellationToken = default) =>
        fail ? throw new InvalidOperationException($"back failed on '{word}' on purpose") : Task.FromResult($"{word} {Environment.ProcessId}");

    public async IAsyncEnumerable<int> CountAsync(int count, bool fail,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        for (var i = 0; i < count; i++)
        {
            await Task.Yield();
            yield return i;
        }
        if (fail)
        {
            throw new InvalidOperationException("back's stream failed on purpose");
        }
    }
}
