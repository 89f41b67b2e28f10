namespace Serve.Tests.Serialization;

[Deployment]
public sealed class WordCounter(ILocalSiloDetails silo) : IWordCounter
{
    public Task<CountResult> CountAsync(CountRequest request, CancellationToken cancellationToken = default)
    {
        var comparer = request.Options.CaseSensitive ? StringComparer.Ordinal : StringComparer.OrdinalIgnoreCase;
        var stop = new HashSet<string>(request.StopWords, comparer);
        var words = request.Text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Where(w => !stop.Contains(w)).ToList();
        var counts = words.GroupBy(w => request.Options.CaseSensitive ? w : w.ToLowerInvariant()).ToDictionary(g => g.Key, g => g.Count());
        return Task.FromResult(new CountResult
        {
            Total = words.Count,
            Counts = counts,
            Top = [.. counts.OrderByDescending(c => c.Value).ThenBy(c => c.Key, StringComparer.Ordinal).Take(request.Options.Top).Select(c => new WordStat(c.Key, c.Value))],
            Silo = silo.SiloAddress.ToString(),
        });
    }

    public Task<object?> EchoAsync(object? value, CancellationToken cancellationToken = default) => Task.FromResult(value);

    public Task<int> TotalLengthAsync(IReadOnlyList<string> words, CancellationToken cancellationToken = default) => Task.FromResult(words.Sum(w => w.Length));

    public Task<object> MakeOpaqueAsync(int secret, CancellationToken cancellationToken = default) => Task.FromResult<object>(new Opaque(secret));
}
