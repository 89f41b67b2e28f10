using System.Globalization;

namespace Serve.Benchmarks.Embeddings;

/// <summary>The command line of the <c>embeddings</c> benchmark.</summary>
internal sealed record EmbeddingsSettings
{
    public const string Usage = """
        dotnet run -c Release --project Serve.Benchmarks -- embeddings [options]
          --duration <s>        measured seconds per run (default 15)
          --warmup <s>          unmeasured seconds before each run (default 3)
          --rounds <n>          rounds of every scenario, run in turn (default 2)
          --clients <n>         closed-loop HTTP clients through Serve, one sentence per request (default 32)
          --batch-sizes <list>  batch sizes of the model called directly (default 1,4,8,16,32)
          --serve-batch <n>     MaxBatchSize of the batched deployment (default 16, its [Batch] attribute's)
        """;

    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(15);

    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(3);

    public int Rounds { get; init; } = 2;

    public int Clients { get; init; } = 32;

    public IReadOnlyList<int> BatchSizes { get; init; } = [1, 4, 8, 16, 32];

    public int ServeBatchSize { get; init; } = 16;

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
                case "--rounds":
                    settings = settings with { Rounds = (int)number };
                    break;
                case "--clients":
                    settings = settings with { Clients = (int)number };
                    break;
                case "--serve-batch":
                    settings = settings with { ServeBatchSize = (int)number };
                    break;
                default:
                    error = $"Unknown option '{name}'.";
                    return null;
            }
        }
        return settings;
    }
}
