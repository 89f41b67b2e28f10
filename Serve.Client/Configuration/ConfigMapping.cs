using System.Globalization;

namespace Serve.Configuration;

/// <summary>
/// Reads the values of one mapping of a config file by key, reporting each unknown key, wrong type and value out
/// of range with its path, and carrying on so that every problem is reported at once.
/// A key whose value is null counts as not given, except where a reader says otherwise.
/// </summary>
internal sealed class ConfigMapping
{
    private readonly ConfigNode _node;
    private readonly ConfigProblems _problems;

    private ConfigMapping(ConfigNode node, string path, ConfigProblems problems)
    {
        _node = node;
        Path = path;
        _problems = problems;
    }

    public string Path { get; }

    /// <summary>Where the problems of this mapping, and of mappings opened inside it, are reported.</summary>
    public ConfigProblems Problems => _problems;

    /// <summary>The mapping at <paramref name="path"/>, or null (reported) when <paramref name="node"/> is something else.</summary>
    public static ConfigMapping? Open(ConfigNode node, string path, ConfigProblems problems, string what)
    {
        if (node.Kind == ConfigNodeKind.Mapping)
        {
            return new ConfigMapping(node, path, problems);
        }
        problems.Add(path, $"must be {what} (got {node.Describe()}).");
        return null;
    }

    public string PathOf(string key) => ConfigProblems.Child(Path, key);

    /// <summary>Reports a problem with the value of <paramref name="key"/>.</summary>
    public void Report(string key, string message) => _problems.Add(PathOf(key), message);

    /// <summary>The mapping under <paramref name="key"/>, or null (reported) when the value is something else.</summary>
    public ConfigMapping? Open(string key, string what) =>
        Node(key) is { } node ? Open(node, PathOf(key), _problems, what) : null;

    /// <summary>The value under <paramref name="key"/>, null when absent.</summary>
    public ConfigNode? Node(string key) => _node.Get(key);

    /// <summary>Whether <paramref name="key"/> is given with a value other than null.</summary>
    public bool Has(string key) => _node.Get(key) is { Kind: not ConfigNodeKind.Null };

    /// <summary>Reports every key not in <paramref name="known"/>, with a hint or the nearest known key.</summary>
    public void RejectUnknownKeys(IReadOnlyList<string> known, IReadOnlyDictionary<string, string>? hints = null)
    {
        foreach (var (key, _) in _node.Entries)
        {
            if (known.Contains(key))
            {
                continue;
            }
            var advice = hints?.GetValueOrDefault(key)
                ?? (Nearest(key, known) is { } nearest ? $"Did you mean '{nearest}'?" : $"Known keys: {string.Join(", ", known)}.");
            _problems.Add(PathOf(key), $"unknown key. {advice}");
        }
    }

    public string? String(string key)
    {
        var node = Node(key);
        if (node is null || node.Kind == ConfigNodeKind.Null)
        {
            return null;
        }
        if (node.Kind == ConfigNodeKind.String)
        {
            return node.String;
        }
        _problems.Add(PathOf(key), $"must be a string (got {node.Describe()}).");
        return null;
    }

    public int? Int(string key, int min, string? rangeMessage = null)
    {
        var node = Node(key);
        if (node is null || node.Kind == ConfigNodeKind.Null)
        {
            return null;
        }
        if (node.Kind != ConfigNodeKind.Integer || node.Integer is > int.MaxValue or < int.MinValue)
        {
            _problems.Add(PathOf(key), $"must be an integer (got {node.Describe()}).");
            return null;
        }
        var value = (int)node.Integer;
        if (value < min)
        {
            _problems.Add(PathOf(key), $"{rangeMessage ?? $"must be ≥ {min}"} (got {value}).");
            return null;
        }
        return value;
    }

    public long? Long(string key, long min)
    {
        var node = Node(key);
        if (node is null || node.Kind == ConfigNodeKind.Null)
        {
            return null;
        }
        if (node.Kind != ConfigNodeKind.Integer)
        {
            _problems.Add(PathOf(key), $"must be an integer (got {node.Describe()}).");
            return null;
        }
        if (node.Integer < min)
        {
            _problems.Add(PathOf(key), $"must be ≥ {min} (got {node.Integer}).");
            return null;
        }
        return node.Integer;
    }

    /// <summary>A finite number, at least <paramref name="min"/> (above it when <paramref name="exclusive"/>).</summary>
    public double? Number(string key, double min, bool exclusive = false)
    {
        var node = Node(key);
        if (node is null || node.Kind == ConfigNodeKind.Null)
        {
            return null;
        }
        if (!node.IsNumber || !double.IsFinite(node.Number))
        {
            _problems.Add(PathOf(key), $"must be a finite number (got {node.Describe()}).");
            return null;
        }
        var value = node.Number;
        if (exclusive ? value <= min : value < min)
        {
            _problems.Add(PathOf(key), $"must be {(exclusive ? ">" : "≥")} {min.ToString(CultureInfo.InvariantCulture)} (got {value.ToString(CultureInfo.InvariantCulture)}).");
            return null;
        }
        return value;
    }

    /// <summary>The nearest known key within two edits, for "did you mean".</summary>
    private static string? Nearest(string key, IReadOnlyList<string> known) =>
        known.Select(k => (k, d: Distance(key, k))).Where(x => x.d <= 2 || (key.Length >= 4 && (x.k.Contains(key, StringComparison.Ordinal) || key.Contains(x.k, StringComparison.Ordinal))))
            .OrderBy(x => x.d).Select(x => x.k).FirstOrDefault();

    private static int Distance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }
            previous = current;
        }
        return previous[b.Length];
    }
}
