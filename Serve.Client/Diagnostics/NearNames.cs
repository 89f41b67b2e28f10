namespace Serve.Diagnostics;

/// <summary>
/// The names that exist near one that does not (a misspelled deployment, application or route prefix), for an error to
/// suggest: compared case-insensitively by edit distance (insertions, deletions, substitutions and swaps of two
/// neighbours each count one), within a third of the asked name's length (at least one, at most three).
/// </summary>
internal static class NearNames
{
    /// <summary>At most this many suggestions: more is a list, not a guess.</summary>
    internal const int MaxSuggestions = 3;

    /// <summary>At most this many names listed after the suggestion.</summary>
    internal const int MaxListed = 20;

    /// <summary>The known names near <paramref name="asked"/>, nearest first (then in ordinal order); empty when none is.</summary>
    public static IReadOnlyList<string> Find(string asked, IEnumerable<string> known)
    {
        ArgumentNullException.ThrowIfNull(asked);
        ArgumentNullException.ThrowIfNull(known);
        var limit = Math.Clamp(asked.Length / 3, 1, 3);
        return [.. known.Distinct(StringComparer.Ordinal)
            .Where(name => !string.Equals(name, asked, StringComparison.Ordinal))
            .Select(name => (Name: name, Distance: Distance(asked, name, limit)))
            .Where(c => c.Distance <= limit)
            .OrderBy(c => c.Distance).ThenBy(c => c.Name, StringComparer.Ordinal)
            .Take(MaxSuggestions)
            .Select(c => c.Name)];
    }

    /// <summary>
    /// The route prefixes that <paramref name="path"/> nearly begins with (<c>/shpo/items</c> for <c>/shop</c>), nearest
    /// first: each prefix is compared with as many of the path's leading segments as it has. The root prefix is never
    /// near (it would have matched).
    /// </summary>
    public static IReadOnlyList<string> FindPrefixes(string path, IEnumerable<string> prefixes)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(prefixes);
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        return [.. prefixes.Distinct(StringComparer.Ordinal)
            .Select(prefix => (Prefix: prefix, Trimmed: prefix.Trim('/')))
            .Where(p => p.Trimmed.Length > 0)
            .Select(p =>
            {
                var head = string.Join('/', segments.Take(p.Trimmed.Split('/').Length));
                var limit = Math.Clamp(p.Trimmed.Length / 3, 1, 3);
                return (p.Prefix, Limit: limit, Distance: Distance(head, p.Trimmed, limit));
            })
            .Where(c => c.Distance <= c.Limit)
            .OrderBy(c => c.Distance).ThenBy(c => c.Prefix, StringComparer.Ordinal)
            .Take(MaxSuggestions)
            .Select(c => c.Prefix)];
    }

    /// <summary>
    /// <c>did you mean 'X'? {label}: A, B.</c>, or <c>{label}: A, B.</c> when nothing is near, or <c>there are no
    /// {none}.</c> when nothing exists at all: the end of a sentence that said what was not found.
    /// </summary>
    public static string Suggest(string asked, IReadOnlyCollection<string> known, string label, string none)
    {
        if (known.Count == 0)
        {
            return $"there are no {none}.";
        }
        var near = Find(asked, known);
        var sorted = known.Order(StringComparer.Ordinal).ToList();
        var listed = string.Join(", ", sorted.Take(MaxListed)) + (sorted.Count > MaxListed ? $", and {sorted.Count - MaxListed} more" : "");
        var guess = near.Count == 0 ? "" : $"did you mean {string.Join(" or ", near.Select(n => $"'{n}'"))}? ";
        return $"{guess}{label}: {listed}.";
    }

    /// <summary>
    /// Case-insensitive optimal-string-alignment distance, or <paramref name="limit"/> + 1 when it exceeds that (names are short:
    /// the whole table is computed).
    /// </summary>
    internal static int Distance(string a, string b, int limit)
    {
        if (Math.Abs(a.Length - b.Length) > limit)
        {
            return limit + 1;
        }
        var previous2 = new int[b.Length + 1];
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = char.ToUpperInvariant(a[i - 1]) == char.ToUpperInvariant(b[j - 1]) ? 0 : 1;
                var best = Math.Min(Math.Min(previous[j] + 1, current[j - 1] + 1), previous[j - 1] + cost);
                if (i > 1 && j > 1 && char.ToUpperInvariant(a[i - 1]) == char.ToUpperInvariant(b[j - 2])
                    && char.ToUpperInvariant(a[i - 2]) == char.ToUpperInvariant(b[j - 1]))
                {
                    best = Math.Min(best, previous2[j - 2] + 1);
                }
                current[j] = best;
            }
            (previous2, previous, current) = (previous, current, previous2);
        }
        return Math.Min(previous[b.Length], limit + 1);
    }
}
