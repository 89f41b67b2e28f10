namespace Serve.Tests.Deployments.Composition;

/// <summary>The contract of <see cref="Stage"/>: one stage of a pipeline, which hands the order to the next one or carries it out.</summary>
public interface IStage
{
    /// <summary>Hands the order down the pipeline; the last stage carries it out. Answers the stages' names, outermost first.</summary>
    Task<string> RunAsync(StageOrder order, CancellationToken cancellationToken = default);

    /// <summary>Hands the chain down the pipeline; the last stage answers its length.</summary>
    Task<int> LengthAsync(GraphNode chain, CancellationToken cancellationToken = default);

    /// <summary>Streams what the last stage produces for the order, through every stage.</summary>
    IAsyncEnumerable<int> CountAsync(StageOrder order, CancellationToken cancellationToken = default);

    /// <summary>
    /// Streams 32 items of <see cref="StageOrder.Size"/> bytes from the last stage, through every stage, item i filled
    /// with the byte i; none waits for anything, so the producer runs as far ahead as its stream lets it.
    /// </summary>
    IAsyncEnumerable<byte[]> ChunksAsync(StageOrder order, CancellationToken cancellationToken = default);
}
