namespace Serve.Benchmarks.Embeddings;

/// <summary>
/// 64 different sentences of 9 to 11 words (12 to 14 word pieces with [CLS] and [SEP]), like search queries or
/// short passages: similar lengths, so a batch pads little and every scenario embeds the same kind of text.
/// </summary>
internal static class Sentences
{
    private static readonly string[] Subjects = ["The old fisherman", "A young engineer", "My neighbour's cat", "The city council", "An elderly teacher", "The delivery driver", "A curious student", "The night nurse"];

    private static readonly string[] Predicates =
    [
        "repaired the broken bicycle in the garage yesterday",
        "walked slowly along the river after dinner",
        "wrote a long letter about the summer festival",
        "found an old map hidden under the floor",
        "cooked a spicy soup for the whole family",
        "painted the front door a bright shade of green",
        "argued about the price of fresh vegetables today",
        "listened to the rain while reading a novel",
    ];

    /// <summary>Every sentence, in a fixed order.</summary>
    public static IReadOnlyList<string> All { get; } = [.. Subjects.SelectMany(s => Predicates.Select(p => $"{s} {p}."))];

    /// <summary><paramref name="count"/> sentences starting at <paramref name="start"/>, wrapping around.</summary>
    public static string[] Take(int start, int count) => [.. Enumerable.Range(start, count).Select(i => All[i % All.Count])];
}
