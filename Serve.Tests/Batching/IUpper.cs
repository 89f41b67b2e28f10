namespace Serve.Tests.Batching;

/// <summary>
/// The one-input form of <see cref="BatchedUpper"/>'s batched methods: a typed handle calls them with one input each,
/// though the class does not implement this interface.
/// </summary>
public interface IUpper
{
    Task<string> UpperAsync(string input, CancellationToken cancellationToken = default);

    IAsyncEnumerable<string> SpellAsync(string word, CancellationToken cancellationToken = default);

    Task<string> WhoAsync(CancellationToken cancellationToken = default);
}
