namespace Serve.Batching;

/// <summary>One <see cref="BatchAttribute"/> method's queue on one instance, as the replica calls it: inputs and results as objects.</summary>
internal interface IBatchQueue
{
    BatchMethod Method { get; }

    BatchSettings Settings { get; }

    /// <summary>Changes the settings; calls already waiting are batched by the new ones.</summary>
    void Configure(BatchSettings settings);

    /// <summary>Adds one input; completes with its result once its batch ran.</summary>
    Task<object?> EnqueueAsync(object? input, CancellationToken cancellationToken);

    /// <summary>Adds one input of a streaming method; yields its items as the batch produces them.</summary>
    IAsyncEnumerable<object?> EnqueueStream(object? input, CancellationToken cancellationToken);
}
