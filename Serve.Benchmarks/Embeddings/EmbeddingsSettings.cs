using Serve.Samples.Embeddings;

namespace Serve.Benchmarks.Embeddings;

/// <summary>The command line of the <c>embeddings</c> benchmark.</summary>
internal sealed record EmbeddingsSettings
{
    public const string Usage = """
        dotnet run -c Release --project Serve.Benchmarks -- embeddings [options]
          --duration <s>        measured seconds per run (default 15)
          --warmup <s>          unmeasured seconds before each run (default 3)
          --jit-warmup <s>      unmeasured seconds of each HTTP scenario before the first round, a third of it per direct one (default 15)
          --rounds <n>          rounds of every scenario, run in turn (default 2)
          --clients <n>         closed-loop HTTP clients through Serve, one sentence per request (default 32)
          --batch-sizes <list>  batch sizes of the model called directly (default 1,8,16,32)
          --direct-callers <list> concurrent callers of the model called directly (default 1,2: one per core)
          --serve-batch <n>     MaxBatchSize of the batched deployment (default 16, its [Batch] attribute's)
          --concurrent-batches <n> MaxConcurrentBatches of the batched deployment (default: its [Batch] attribute's)
          --intra-op-threads <n> ONNX Runtime threads per run of the model (default 0: one per physical core)
          --spinning <on|off>   whether ONNX Runtime's threads spin between steps (default off)
        """;

    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(15);

    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>Once, before the first round, per HTTP scenario (a third of it per direct one): tier-1 code for every path.</summary>
    public TimeSpan JitWarmup { get; init; } = TimeSpan.FromSeconds(15);

    public int Rounds { get; init; } = 2;

    public int Clients { get; init; } = 32;

    public IReadOnlyList<int> BatchSizes { get; init; } = [1, 8, 16, 32];

    public IReadOnlyList<int> DirectCallers { get; init; } = [1, 2];

    public int ServeBatchSize { get; init; } = 16;

    /// <summary>Null: the [Batch] attribute's.</summary>
    public int? MaxConcurrentBatches { get; init; }

    /// <summary>How the model runs in every scenario, direct and through Serve.</summary>
    public EmbedderSettings Model { get; init; } = new();

    /// <summary>Reads the options after the command name; a <see cref="BenchmarkUsageException"/> names what is wrong.</summary>
    public static EmbeddingsSettings Parse(ReadOnlySpan<string> args)
    {
        var read = BenchmarkArguments.Parse(args,
        [
            "--duration", "--warmup", "--jit-warmup", "--rounds", "--clients", "--batch-sizes", "--direct-callers", "--serve-batch",
            "--concurrent-batches", "--intra-op-threads", "--spinning",
        ]);
        var defaults = new EmbeddingsSettings();
        var batchSizes = read.Ints("--batch-sizes", [.. defaults.BatchSizes]);
        if (!batchSizes.Contains(1))
        {
            throw new BenchmarkUsageException($"--batch-sizes: '{read.Text("--batch-sizes")}' must include 1 (the one-at-a-time baseline).");
        }
        var directCallers = read.Ints("--direct-callers", [.. defaults.DirectCallers]);
        if (!directCallers.Contains(1))
        {
            throw new BenchmarkUsageException($"--direct-callers: '{read.Text("--direct-callers")}' must include 1.");
        }
        return new EmbeddingsSettings
        {
            Duration = read.Seconds("--duration", defaults.Duration),
            Warmup = read.Seconds("--warmup", defaults.Warmup),
            JitWarmup = read.Seconds("--jit-warmup", defaults.JitWarmup),
            Rounds = read.Int("--rounds", defaults.Rounds),
            Clients = read.Int("--clients", defaults.Clients),
            BatchSizes = batchSizes,
            DirectCallers = directCallers,
            ServeBatchSize = read.Int("--serve-batch", defaults.ServeBatchSize),
            MaxConcurrentBatches = read.Text("--concurrent-batches") is null ? null : read.Int("--concurrent-batches", 0),
            Model = defaults.Model with
            {
                IntraOpThreads = read.Int("--intra-op-threads", defaults.Model.IntraOpThreads, minimum: 0),
                AllowSpinning = read.OneOf("--spinning", "off", "on", "off") == "on",
            },
        };
    }
}
