using Serve.Cluster;

namespace Serve.Benchmarks.Chaos;

/// <summary>The chaos benchmark's command line.</summary>
internal sealed record ChaosSettings
{
    public const string Usage = """
        dotnet run -c Release --project Serve.Benchmarks -- chaos [--liveness fast|default] [--kills <n>] [--fault kill|freeze] [--steady <s>] [--load <fraction>]
            [--window-ms <ms>] [--replicas <n>] [--max-ongoing <n>] [--post-every <n>] [--throughput on|off|only] [--wrk-seconds <s>] [--wrk-rounds <n>] [--timeline on|off]
          --fault freeze: each round stops the worker with kill -STOP instead of kill -9 (a hung machine, or a network that drops its
            packets silently: its connections stay open), and kills it once the round is over
          needs redis-server and wrk (apt-get install redis-server wrk)
        """;

    public LivenessProfile Liveness { get; init; } = LivenessProfile.Fast;

    /// <summary>Workers killed (kill -9), one per round.</summary>
    public int Kills { get; init; } = 5;

    /// <summary>"kill": kill -9; "freeze": kill -STOP, the worker killed once its round is over.</summary>
    public string Fault { get; init; } = "kill";

    /// <summary>Steady load before each kill; the baseline p99 is taken from it.</summary>
    public TimeSpan Steady { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Offered load as a fraction of the measured capacity.</summary>
    public double Load { get; init; } = 0.5;

    /// <summary>Width of the windows p99 is computed in.</summary>
    public TimeSpan Window { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Consecutive windows within 1.5× the baseline p99 that count as recovered.</summary>
    public int RecoveredWindows { get; init; } = 3;

    public int Replicas { get; init; } = 4;

    public int MaxOngoingRequests { get; init; } = 2;

    /// <summary>Every n-th request is a POST without Idempotency-Key; the others are GETs.</summary>
    public int PostEvery { get; init; } = 5;

    public TimeSpan ClientTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Longest a round waits for replicas and p99 to come back before it gives up on them.</summary>
    public TimeSpan RecoveryLimit { get; init; } = TimeSpan.FromSeconds(90);

    /// <summary>on: chaos rounds, then gateway → local against gateway → remote replica throughput; off: rounds only; only: throughput only.</summary>
    public string Throughput { get; init; } = "on";

    /// <summary>Whether each round's window p99s around the kill are printed.</summary>
    public bool Timeline { get; init; }

    public TimeSpan WrkDuration { get; init; } = TimeSpan.FromSeconds(10);

    public int WrkRounds { get; init; } = 2;

    /// <summary>The recovery target of the issue for this liveness profile.</summary>
    public TimeSpan RecoveryTarget => Liveness == LivenessProfile.Fast ? TimeSpan.FromSeconds(5) : TimeSpan.FromSeconds(20);

    /// <summary>Reads the options after the command name; a <see cref="BenchmarkUsageException"/> names what is wrong.</summary>
    public static ChaosSettings Parse(ReadOnlySpan<string> args)
    {
        var read = BenchmarkArguments.Parse(args,
        [
            "--liveness", "--kills", "--fault", "--steady", "--load", "--window-ms", "--replicas", "--max-ongoing", "--post-every", "--throughput",
            "--timeline", "--wrk-seconds", "--wrk-rounds",
        ]);
        var defaults = new ChaosSettings();
        return new ChaosSettings
        {
            Liveness = read.OneOf("--liveness", "fast", "fast", "default") == "fast" ? LivenessProfile.Fast : LivenessProfile.Default,
            Kills = read.Int("--kills", defaults.Kills),
            Fault = read.OneOf("--fault", defaults.Fault, "kill", "freeze"),
            Steady = read.Seconds("--steady", defaults.Steady),
            Load = read.Number("--load", defaults.Load),
            Window = read.Milliseconds("--window-ms", defaults.Window),
            Replicas = read.Int("--replicas", defaults.Replicas),
            MaxOngoingRequests = read.Int("--max-ongoing", defaults.MaxOngoingRequests),
            PostEvery = read.Int("--post-every", defaults.PostEvery),
            Throughput = read.OneOf("--throughput", defaults.Throughput, "on", "off", "only"),
            Timeline = read.OneOf("--timeline", "off", "on", "off") == "on",
            WrkDuration = read.Seconds("--wrk-seconds", defaults.WrkDuration),
            WrkRounds = read.Int("--wrk-rounds", defaults.WrkRounds),
        };
    }
}
