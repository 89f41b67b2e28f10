using Serve.Batching;

namespace Serve;

/// <summary>
/// Calls and tunes <see cref="BatchAttribute"/> methods from the deployment's own code, like calling a Ray
/// <c>@serve.batch</c> method with one item: <c>var vector = await Batched.CallAsync(EmbedAsync, text, ct);</c>
/// joins the same batches as calls that arrive through handles.
/// </summary>
public static class Batched
{
    /// <summary>Adds one input to the next batch of <paramref name="batchMethod"/> and returns its result.</summary>
    /// <param name="batchMethod">A <see cref="BatchAttribute"/> method of a deployment instance, e.g. <c>EmbedAsync</c>.</param>
    /// <param name="input">One input.</param>
    /// <param name="cancellationToken">Cancels this call; before its batch starts, it leaves the batch.</param>
    /// <exception cref="ArgumentException">The method is not an instance method marked [Batch], or its signature cannot be batched.</exception>
    public static Task<TOut> CallAsync<TIn, TOut>(
        Func<IReadOnlyList<TIn>, CancellationToken, Task<IReadOnlyList<TOut>>> batchMethod, TIn input, CancellationToken cancellationToken = default) =>
        Call<TIn, TOut>(batchMethod, input, cancellationToken);

    /// <inheritdoc cref="CallAsync{TIn, TOut}(Func{IReadOnlyList{TIn}, CancellationToken, Task{IReadOnlyList{TOut}}}, TIn, CancellationToken)"/>
    public static Task<TOut> CallAsync<TIn, TOut>(
        Func<IReadOnlyList<TIn>, Task<IReadOnlyList<TOut>>> batchMethod, TIn input, CancellationToken cancellationToken = default) =>
        Call<TIn, TOut>(batchMethod, input, cancellationToken);

    /// <summary>Adds one input to the next batch of a streaming <paramref name="batchMethod"/> and yields its items.</summary>
    /// <param name="batchMethod">A streaming <see cref="BatchAttribute"/> method of a deployment instance.</param>
    /// <param name="input">One input.</param>
    /// <param name="cancellationToken">Cancels this caller's stream; the batch goes on for the others.</param>
    public static IAsyncEnumerable<TOut> StreamAsync<TIn, TOut>(
        Func<IReadOnlyList<TIn>, CancellationToken, IAsyncEnumerable<IReadOnlyList<TOut>>> batchMethod, TIn input, CancellationToken cancellationToken = default)
    {
        var queue = QueueOf(batchMethod);
        return queue as BatchQueue<TIn, TOut> is { } typed
            ? typed.EnqueueStream(input, cancellationToken)
            : throw Mismatch(queue.Method);
    }

    /// <summary>
    /// Changes a batched method's settings on this instance at run time, like Ray's <c>set_max_batch_size</c>; settings
    /// left null keep their value. Settings from the deployment's options or config file (<see cref="DeploymentOptions.Batching"/>)
    /// take precedence over these.
    /// </summary>
    /// <param name="batchMethod">A <see cref="BatchAttribute"/> method of a deployment instance, e.g. <c>EmbedAsync</c>.</param>
    /// <param name="options">The settings to change.</param>
    public static void Configure(Delegate batchMethod, BatchOptions options)
    {
        ArgumentNullException.ThrowIfNull(batchMethod);
        ArgumentNullException.ThrowIfNull(options);
        InstanceBatches.For(TargetOf(batchMethod)).Configure(batchMethod.Method, options);
    }

    /// <summary>The settings a batched method of this instance runs with now.</summary>
    public static BatchOptions GetSettings(Delegate batchMethod)
    {
        var settings = QueueOf(batchMethod).Settings;
        return new BatchOptions
        {
            MaxBatchSize = settings.MaxBatchSize,
            BatchWaitTimeout = settings.BatchWaitTimeout,
            MaxConcurrentBatches = settings.MaxConcurrentBatches,
        };
    }

    private static Task<TOut> Call<TIn, TOut>(Delegate batchMethod, TIn input, CancellationToken cancellationToken)
    {
        var queue = QueueOf(batchMethod);
        return queue as BatchQueue<TIn, TOut> is { } typed
            ? typed.EnqueueAsync(input, cancellationToken)
            : throw Mismatch(queue.Method);
    }

    private static IBatchQueue QueueOf(Delegate batchMethod)
    {
        ArgumentNullException.ThrowIfNull(batchMethod);
        try
        {
            return InstanceBatches.For(TargetOf(batchMethod)).Queue(batchMethod.Method);
        }
        catch (InvalidOperationException e)
        {
            throw new ArgumentException(e.Message, nameof(batchMethod), e);
        }
    }

    private static object TargetOf(Delegate batchMethod) =>
        batchMethod.Target ?? throw new ArgumentException(
            $"{batchMethod.Method.Name} is static; pass an instance method marked [Batch] (e.g. this.{batchMethod.Method.Name}).", nameof(batchMethod));

    private static ArgumentException Mismatch(BatchMethod method) => new(
        $"{method.Name} batches {BatchMethod.TypeName(method.InputType)} inputs into {BatchMethod.TypeName(method.OutputType)} results; call it with those types.");
}
