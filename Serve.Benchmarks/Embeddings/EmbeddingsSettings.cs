using System.Globalization;
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

    /// <summary>Parses the options after the command name; null with <paramref name="error"/> set when they are wrong.</summary>
    public static EmbeddingsSettings? Parse(ReadOnlySpan<string> args, out string? error)
    {
        var settings = new EmbeddingsSettings();
        error = null;
        for (var i = 0; i < args.Length; i += 2)
        {
            if (i + 1 >= args.Length)
            {
                error = $"Option '{args[i]}' needs a value.";
                return null;
            }
            var (name, value) = (args[i], args[i + 1]);
            if (name == "--direct-callers")
            {
                var callers = value.Split(',').Select(v => int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : 0).ToArray();
                if (callers.Contains(0) || !callers.Contains(1))
                {
                    error = $"Option '--direct-callers': '{value}' must be positive whole numbers, separated by commas, including 1.";
                    return null;
                }
                settings = settings with { DirectCallers = callers };
                continue;
            }
            if (name == "--batch-sizes")
            {
                var sizes = value.Split(',').Select(v => int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : 0).ToArray();
                if (sizes.Contains(0) || !sizes.Contains(1))
                {
                    error = $"Option '--batch-sizes': '{value}' must be positive whole numbers, separated by commas, including 1 (the one-at-a-time baseline).";
                    return null;
                }
                settings = settings with { BatchSizes = sizes };
                continue;
            }
            if (name == "--spinning")
            {
                if (value is not ("on" or "off"))
                {
                    error = $"Option '--spinning': '{value}' must be on or off.";
                    return null;
                }
                settings = settings with { Model = settings.Model with { AllowSpinning = value == "on" } };
                continue;
            }
            if (name == "--intra-op-threads")
            {
                if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var threads))
                {
                    error = $"Option '--intra-op-threads': '{value}' is not a whole number (0: one per physical core).";
                    return null;
                }
                settings = settings with { Model = settings.Model with { IntraOpThreads = threads } };
                continue;
            }
            if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) || number <= 0)
            {
                error = $"Option '{name}': '{value}' is not a positive number.";
                return null;
            }
            switch (name)
            {
                case "--duration":
                    settings = settings with { Duration = TimeSpan.FromSeconds(number) };
                    break;
                case "--warmup":
                    settings = settings with { Warmup = TimeSpan.FromSeconds(number) };
                    break;
                case "--jit-warmup":
                    settings = settings with { JitWarmup = TimeSpan.FromSeconds(number) };
                    break;
                case "--rounds":
                    settings = settings with { Rounds = (int)number };
                    break;
                case "--clients":
                    settings = settings with { Clients = (int)number };
                    break;
                case "--serve-batch":
                    settings = settings with { ServeBatchSize = (int)number };
                    break;
                case "--concurrent-batches":
                    settings = settings with { MaxConcurrentBatches = (int)number };
                    break;
                default:
                    error = $"Unknown option '{name}'.";
                    return null;
            }
        }
        return settings;
    }
}
