using System.Globalization;

namespace Serve.Benchmarks.Churn;

/// <summary>
/// Whether churn grows a process's memory. The first round is warm-up, not a leak: it compiles code the steady state never
/// ran (tier-0, then tier-1 code for deploying and deleting) and lets the GC and the native allocator commit and touch
/// what they keep. Measured, that warm-up can take a second round too (a worker's native memory rose 40 MiB in round 2,
/// then 1-3 MiB a round). So growth is the least-squares slope per round over the later half of the rounds (rounds 3..5
/// of five, 2..3 of three; never round 1), each measured once the round's grains are gone and after full collections: a
/// leak keeps its slope there, a plateau does not. A slope within noise (<see cref="NoiseBytes"/>, or
/// <see cref="NoiseShare"/> of the value) is flat. Every round's value is printed, so the reader sees the steps.
/// </summary>
internal static class ChurnVerdict
{
    /// <summary>Growth per round below this is noise: a GC budget's or an arena's rounding, a thread's stack.</summary>
    public const double NoiseBytes = 4 * 1048576;

    /// <summary>Growth per round below this share of the value is noise.</summary>
    public const double NoiseShare = 0.02;

    /// <summary>The table of every process's memory per round and one verdict line; <paramref name="grows"/> when any series grows past noise.</summary>
    public static IReadOnlyList<string> Describe(ChurnMeasure before, IReadOnlyList<ChurnMeasure> rounds, out bool grows)
    {
        grows = false;
        var lines = new List<string> { "memory after each round (MiB; every process after full collections, once the round's grains were gone; growth judged over the later half of the rounds):" };
        var growing = new List<string>();
        for (var p = 0; p < before.Memory.Length; p++)
        {
            var index = p;
            var series = new (string Name, Func<ChurnMeasure, double?> Read)[]
            {
                ("RSS", m => m.Memory[index].RssBytes),
                ("anonymous", m => m.Memory[index].RssAnonBytes),
                ("GC committed", m => m.Memory[index].GcCommittedBytes),
                ("live heap", m => index == 0 ? m.Self.GcHeapBytes : m.Workers[index - 1].GcHeapBytes),
            };
            foreach (var (name, read) in series)
            {
                if (read(before) is not { } start || rounds.Any(r => read(r) is null))
                {
                    continue;
                }
                var values = rounds.Select(r => read(r)!.Value).ToArray();
                var line = string.Create(CultureInfo.InvariantCulture,
                    $"  {before.Memory[p].Process,-13} {name,-13} before {Mib(start),4:F0} | after rounds {string.Join(" ", values.Select(v => $"{Mib(v),4:F0}"))}");
                if (values.Length >= 2)
                {
                    var from = Math.Min(values.Length - 2, Math.Max(1, values.Length / 2));
                    var slope = Slope(values[from..]);
                    var noise = Math.Max(NoiseBytes, NoiseShare * values[from]);
                    var grew = slope > noise;
                    // Anonymous pages only say where RSS is; RSS and the GC's series judge.
                    if (grew && name is "RSS" or "GC committed" or "live heap")
                    {
                        grows = true;
                        growing.Add(string.Create(CultureInfo.InvariantCulture, $"{before.Memory[p].Process} {name} +{Mib(slope):F1} MiB per round over rounds {from + 1}..{values.Length}"));
                    }
                    line += string.Create(CultureInfo.InvariantCulture, $" | per round over rounds {from + 1}..{values.Length} {(slope >= 0 ? "+" : "")}{Mib(slope):F1} (noise {Mib(noise):F1}) {(grew ? "GROWS" : "flat")}");
                }
                lines.Add(line);
            }
        }
        lines.Add(rounds.Count < 2
            ? "verdict: one round is warm-up only; run --rounds 3 or more (5 to see a plateau) to see whether memory grows per round"
            : grows
                ? $"verdict: GROWS past warm-up: {string.Join("; ", growing)}"
                : $"verdict: flat past warm-up: no process's RSS, GC committed memory or live heap grew per round beyond noise over the later rounds (what the first rounds added is warm-up)");
        return lines;
    }

    /// <summary>Least-squares slope of <paramref name="values"/> against their index.</summary>
    private static double Slope(double[] values)
    {
        var meanX = (values.Length - 1) / 2.0;
        var meanY = values.Average();
        double covariance = 0, variance = 0;
        for (var i = 0; i < values.Length; i++)
        {
            covariance += (i - meanX) * (values[i] - meanY);
            variance += (i - meanX) * (i - meanX);
        }
        return covariance / variance;
    }

    private static double Mib(double bytes) => bytes / 1048576;
}
