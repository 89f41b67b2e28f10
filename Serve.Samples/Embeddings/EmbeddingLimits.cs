namespace Serve.Samples.Embeddings;

/// <summary>
/// The model the embeddings sample serves and the bounds it puts on a request; a request past any of them is
/// answered 400 naming the bound, so no request can make a batch arbitrarily slow for everyone sharing it.
/// </summary>
public static class EmbeddingLimits
{
    /// <summary>The model's name in requests (<c>model</c>) and responses.</summary>
    public const string ModelName = "all-MiniLM-L6-v2";

    /// <summary>The model's Hugging Face id, accepted as <c>model</c> too.</summary>
    public const string HubModelName = "sentence-transformers/" + ModelName;

    /// <summary>Numbers in one embedding.</summary>
    public const int Dimensions = 384;

    /// <summary>
    /// Most texts in one request (OpenAI's <c>input</c> array, or the documents of <c>/similarity</c>). Each text
    /// is embedded as its own call and shares batches with other requests; 64 texts take about a second on 2 cores.
    /// </summary>
    public const int MaxInputs = 64;

    /// <summary>Longest text, in characters; checked before the text is tokenized.</summary>
    public const int MaxInputCharacters = 4096;

    /// <summary>
    /// Longest text, in the model's word pieces ([CLS] and [SEP] included): the model's <c>max_seq_length</c>. Where
    /// sentence-transformers would cut a longer text silently, this API refuses it; a batch is padded to its
    /// longest text, so one long text would also make every text batched with it slower.
    /// </summary>
    public const int MaxInputTokens = 256;
}
