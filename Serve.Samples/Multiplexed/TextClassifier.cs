namespace Serve.Samples.Multiplexed;

/// <summary>
/// A multinomial naive Bayes text classifier, trained from labelled examples when it is loaded: a small real model the
/// sample builds itself, so loading costs work and every model id answers differently.
/// </summary>
public sealed class TextClassifier
{
    private readonly Dictionary<string, Dictionary<string, double>> _wordLogLikelihood = [];
    private readonly Dictionary<string, double> _unknownLogLikelihood = [];
    private readonly Dictionary<string, double> _logPrior = [];

    private TextClassifier(string task) => Task = task;

    /// <summary>The model id it was trained for.</summary>
    public string Task { get; }

    /// <summary>When it was trained (loaded).</summary>
    public DateTimeOffset LoadedAt { get; } = DateTimeOffset.UtcNow;

    /// <summary>Trains on <paramref name="examples"/> (text, label) with add-one smoothing.</summary>
    public static TextClassifier Train(string task, IReadOnlyList<(string Text, string Label)> examples)
    {
        var classifier = new TextClassifier(task);
        var vocabulary = examples.SelectMany(e => Words(e.Text)).ToHashSet();
        foreach (var group in examples.GroupBy(e => e.Label))
        {
            var counts = group.SelectMany(e => Words(e.Text)).GroupBy(w => w).ToDictionary(g => g.Key, g => g.Count());
            var total = counts.Values.Sum() + vocabulary.Count;
            classifier._logPrior[group.Key] = Math.Log(group.Count() / (double)examples.Count);
            classifier._wordLogLikelihood[group.Key] = vocabulary.ToDictionary(w => w, w => Math.Log((counts.GetValueOrDefault(w) + 1) / (double)total));
            classifier._unknownLogLikelihood[group.Key] = Math.Log(1 / (double)total);
        }
        return classifier;
    }

    /// <summary>Each label's probability for <paramref name="text"/>, most likely first.</summary>
    public IReadOnlyList<KeyValuePair<string, double>> Classify(string text)
    {
        var words = Words(text).ToArray();
        var scores = _logPrior.ToDictionary(p => p.Key, p => p.Value + words.Sum(w =>
            _wordLogLikelihood[p.Key].TryGetValue(w, out var likelihood) ? likelihood : _unknownLogLikelihood[p.Key]));
        var max = scores.Values.Max();
        var sum = scores.Values.Sum(s => Math.Exp(s - max));
        return scores.Select(s => KeyValuePair.Create(s.Key, Math.Round(Math.Exp(s.Value - max) / sum, 4))).OrderByDescending(s => s.Value).ToArray();
    }

    private static IEnumerable<string> Words(string text) =>
        text.ToLowerInvariant().Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Select(w => new string(w.Where(char.IsLetter).ToArray())).Where(w => w.Length > 0);
}
