namespace Serve.Samples.Embeddings;

/// <summary>
/// How each <see cref="SentenceEmbedder"/> replica runs ONNX Runtime, bound at deploy time
/// (<c>Deployment.For&lt;SentenceEmbedder&gt;().Bind(new EmbedderSettings { ... })</c>); the defaults suit a small shared machine.
/// </summary>
public sealed record EmbedderSettings
{
    /// <summary>Threads one run of the model uses; 0 lets ONNX Runtime take one per physical core. Default is 0.</summary>
    public int IntraOpThreads { get; init; }

    /// <summary>
    /// Whether ONNX Runtime's threads spin between the model's steps instead of sleeping. Default is false: measured
    /// on 2 shared cores, spinning doubled the CPU time per sentence and took it from the gateway and other processes.
    /// </summary>
    public bool AllowSpinning { get; init; }
}
