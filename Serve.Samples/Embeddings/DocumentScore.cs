namespace Serve.Samples.Embeddings;

/// <summary>A document's similarity to a query, as the ranking deployment returns it.</summary>
/// <param name="Index">The document's position in the list ranked.</param>
/// <param name="Score">Cosine similarity, from -1 to 1.</param>
[GenerateSerializer, Immutable, Alias("serve.samples.document-score")]
public sealed record DocumentScore([property: Id(0)] int Index, [property: Id(1)] float Score);
