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

    /// <summary>Reads the options after the command name; a <see cref="BenchmarkUsageException"/> names what is wrong.</summary>
    public static BenchmarkSettings Parse(ReadOnlySpan<string> args)
    {
        var read = BenchmarkArguments.Parse(args, ["--duration", "--warmup", "--jit-warmup", "--callers", "--replicas", "--max-ongoing", "--rounds"]);
        var defaults = new BenchmarkSettings();
        return new BenchmarkSettings
        {
            Duration = read.Seconds("--duration", defaults.Duration),
            Warmup = read.Seconds("--warmup", defaults.Warmup),
            JitWarmup = read.Seconds("--jit-warmup", defaults.JitWarmup),
            Callers = read.Int("--callers", defaults.Callers),
            Replicas = read.Int("--replicas", defaults.Replicas),
            MaxOngoingRequests = read.Text("--max-ongoing") is null ? null : read.Int("--max-ongoing", 0),
            Rounds = read.Int("--rounds", defaults.Rounds),
        };
    }
}
