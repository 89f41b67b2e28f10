using System.Globalization;

namespace Serve.Benchmarks;

/// <summary>The command line of the <c>handles</c> benchmark.</summary>
internal sealed record BenchmarkSettings
{
    public const string Usage = """
        dotnet run -c Release --project Serve.Benchmarks -- handles [options]
          --duration <s>      measured seconds per run (default 10)
          --warmup <s>        unmeasured seconds before each run (default 2)
          --jit-warmup <s>    unmeasured seconds of each scenario before the first round (default 5)
          --callers <n>       concurrent callers, each an async loop (default 64)
          --replicas <n>      replicas of the no-op deployment and plain grains called (default 4)
          --max-ongoing <n>   MaxOngoingRequests per replica (default: callers, so no call waits for a slot)
          --rounds <n>        handle/direct pairs, run alternately (default 2)
        """;

    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Once, before the first round: on two busy cores tier-1 compilation of the whole call path takes
    /// seconds, and a first run without it measured a third of the later ones.
    /// </summary>
    public TimeSpan JitWarmup { get; init; } = TimeSpan.FromSeconds(5);

    public int Callers { get; init; } = 64;

    public int Replicas { get; init; } = 4;

    public int? MaxOngoingRequests { get; init; }

    public int Rounds { get; init; } = 2;

    public int EffectiveMaxOngoingRequests => MaxOngoingRequests ?? Callers;

    /// <summary>Parses the options after the command name; null with <paramref name="error"/> set when they are wrong.</summary>
    public static BenchmarkSettings? Parse(ReadOnlySpan<string> args, out string? error)
    {
        var settings = new BenchmarkSettings();
        error = null;
        for (var i = 0; i < args.Length; i++)
        {
            if (i + 1 >= args.Length)
            {
                error = $"Option '{args[i]}' needs a value.";
                return null;
            }
            var value = args[++i];
            if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) || number <= 0)
            {
                error = $"Option '{args[i - 1]}': '{value}' is not a positive number.";
                return null;
            }
            switch (args[i - 1])
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
                case "--callers":
                    settings = settings with { Callers = (int)number };
                    break;
                case "--replicas":
                    settings = settings with { Replicas = (int)number };
                    break;
                case "--max-ongoing":
                    settings = settings with { MaxOngoingRequests = (int)number };
                    break;
                case "--rounds":
                    settings = settings with { Rounds = (int)number };
                    break;
                default:
                    error = $"Unknown option '{args[i - 1]}'.";
                    return null;
            }
        }
        return settings;
    }
}
