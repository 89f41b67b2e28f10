using System.Globalization;
using Serve.Cluster;

namespace Serve.Benchmarks.Chaos;

/// <summary>The chaos benchmark's command line.</summary>
internal sealed record ChaosSettings
{
    public const string Usage = """
        dotnet run -c Release --project Serve.Benchmarks -- chaos [--liveness fast|default] [--kills <n>] [--steady <s>] [--load <fraction>]
            [--window-ms <ms>] [--replicas <n>] [--max-ongoing <n>] [--post-every <n>] [--throughput on|off|only] [--wrk-seconds <s>] [--wrk-rounds <n>] [--timeline on]
          needs redis-server and wrk (apt-get install redis-server wrk)
        """;

    public LivenessProfile Liveness { get; init; } = LivenessProfile.Fast;

    /// <summary>Workers killed (kill -9), one per round.</summary>
    public int Kills { get; init; } = 5;

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

    public static ChaosSettings? Parse(ReadOnlySpan<string> args, out string? error)
    {
        var settings = new ChaosSettings();
        error = null;
        for (var i = 0; i < args.Length; i += 2)
        {
            if (i + 1 >= args.Length)
            {
                error = $"Option '{args[i]}' needs a value.";
                return null;
            }
            var value = args[i + 1];
            try
            {
                settings = args[i] switch
                {
                    "--liveness" => settings with { Liveness = Enum.Parse<LivenessProfile>(value, ignoreCase: true) },
                    "--kills" => settings with { Kills = Positive(value) },
                    "--steady" => settings with { Steady = TimeSpan.FromSeconds(Positive(value)) },
                    "--load" => settings with { Load = double.Parse(value, CultureInfo.InvariantCulture) },
                    "--window-ms" => settings with { Window = TimeSpan.FromMilliseconds(Positive(value)) },
                    "--replicas" => settings with { Replicas = Positive(value) },
                    "--max-ongoing" => settings with { MaxOngoingRequests = Positive(value) },
                    "--post-every" => settings with { PostEvery = Positive(value) },
                    "--throughput" when value is "on" or "off" or "only" => settings with { Throughput = value },
                    "--timeline" => settings with { Timeline = value is "on" or "true" },
                    "--wrk-seconds" => settings with { WrkDuration = TimeSpan.FromSeconds(Positive(value)) },
                    "--wrk-rounds" => settings with { WrkRounds = Positive(value) },
                    _ => throw new FormatException($"Unknown option or value: {args[i]} {value}."),
                };
            }
            catch (Exception e) when (e is FormatException or ArgumentException or OverflowException)
            {
                error = $"{args[i]} {value}: {e.Message}";
                return null;
            }
        }
        return settings;
    }

    private static int Positive(string value) =>
        int.Parse(value, CultureInfo.InvariantCulture) is > 0 and var n ? n : throw new FormatException("must be a positive whole number.");
}
