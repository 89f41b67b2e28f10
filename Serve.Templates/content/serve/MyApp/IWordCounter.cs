namespace MyApp;

/// <summary>What callers of <see cref="WordCounter"/> see through a <c>DeploymentHandle&lt;IWordCounter&gt;</c>.</summary>
public interface IWordCounter
{
    /// <summary>Counts the words of <paramref name="text"/>.</summary>
    Task<int> CountAsync(string text, CancellationToken cancellationToken = default);
}
