using System.Runtime.CompilerServices;
using Serve.Tests.Infrastructure;

namespace Serve.Tests.Deployments.Composition;

/// <summary>
/// One stage of a pipeline (preprocessor, model, postprocessor): it hands every order to the next stage, and the last
/// one carries it out (throws in various ways, waits on a gate, answers a large result, streams).
/// </summary>
[Deployment(MaxOngoingRequests = 8)]
public sealed class Stage(string name, DeploymentHandle<IStage>? next, IServeClient serve) : IStage
{
    /// <summary>Items the last stage of a stream produced, by the order's gate name (how far a producer ran ahead).</summary>
    public static readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> Produced = new();

    /// <summary>How the last stage's stream ended (completed, disposed, cancelled), by the order's gate name.</summary>
    public static readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> Ended = new();

    public async Task<string> RunAsync(StageOrder order, CancellationToken cancellationToken = default)
    {
        if (next is not null)
        {
            return $"{name}>{await next.Remote.RunAsync(order, cancellationToken)}";
        }
        switch (order.Action)
        {
            case "ok":
                return name;
            case "throw":
                throw new InvalidOperationException("the model is sad");
            case "inner":
                throw new InvalidOperationException("could not load the model", new FileNotFoundException("weights.bin is missing"));
            case "custom":
                throw new StageFault("a fault of the application's own type");
            case "huge":
                throw new InvalidOperationException(new string('x', order.Size));
            case "control":
                throw new InvalidOperationException("line one\r\nX-Injected: yes\u001b[2J\0end");
            case "oce":
                throw new OperationCanceledException("the model gave up by itself");
            case "hold":
                await Gate.Get(order.Gate!).PassAsync(cancellationToken);
                return name;
            case "big":
                return new string('x', order.Size);
            case "missing":
                return await serve.GetDeploymentHandle<IStage>("NeverDeployed", "nowhere").Remote.RunAsync(order, cancellationToken);
            default:
                throw new ArgumentException($"unknown action '{order.Action}'", nameof(order));
        }
    }

    public async Task<int> LengthAsync(GraphNode chain, CancellationToken cancellationToken = default) =>
        next is null ? chain.Length() : await next.Remote.LengthAsync(chain, cancellationToken);

    /// <summary>How many items <see cref="ChunksAsync"/> streams.</summary>
    public const int ChunkCount = 32;

    public async IAsyncEnumerable<byte[]> ChunksAsync(StageOrder order, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (next is not null)
        {
            await foreach (var item in next.Remote.ChunksAsync(order, cancellationToken))
            {
                yield return item;
            }
            yield break;
        }
        await Task.CompletedTask;
        for (var i = 0; i < ChunkCount; i++)
        {
            var chunk = new byte[order.Size];
            Array.Fill(chunk, (byte)i);
            if (order.Gate is not null)
            {
                Produced.AddOrUpdate(order.Gate, 1, (_, n) => n + 1);
            }
            yield return chunk;
        }
    }

    public async IAsyncEnumerable<int> CountAsync(StageOrder order, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (next is not null)
        {
            await foreach (var item in next.Remote.CountAsync(order, cancellationToken))
            {
                yield return item;
            }
            yield break;
        }
        var ended = "disposed";
        try
        {
            for (var i = 0; order.Action is "endless" or "never" || i < order.Size; i++)
            {
                if (order.Action == "throw" && i == 3)
                {
                    throw new InvalidOperationException("the stream broke at item 3");
                }
                if (order.Action == "never" || (order.Action == "hold" && i == 1))
                {
                    await Gate.Get(order.Gate!).PassAsync(cancellationToken);
                }
                if (order.Gate is not null)
                {
                    Produced.AddOrUpdate(order.Gate, 1, (_, n) => n + 1);
                }
                yield return i;
                cancellationToken.ThrowIfCancellationRequested();
            }
            ended = "completed";
        }
        finally
        {
            if (order.Gate is not null)
            {
                Ended[order.Gate] = cancellationToken.IsCancellationRequested ? "cancelled" : ended;
            }
        }
    }
}
