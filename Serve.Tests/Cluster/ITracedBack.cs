namespace Serve.Tests.Cluster;

/// <summary>The contract of <see cref="TracedBack"/>.</summary>
public interface ITracedBack
{
    /// <summary>Answers <paramref name="word"/> and the id of the process that ran it, or throws when <paramref name="fail"/>.</summary>
    Task<string> EchoAsync(string word, bool fail, CancellationToken cancellationToken = default);

    /// <summary>Yields 0 to <paramref name="count"/> - 1 (then throws when <paramref name="fail"/>).</summary>
    IAsyncEnumerable<int> CountAsync(int count, bool fail, CancellationToken cancellationToken = default);
}
