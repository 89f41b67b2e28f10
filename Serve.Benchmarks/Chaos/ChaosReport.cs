using System.Globalization;
using Serve.Benchmarks.Http;

namespace Serve.Benchmarks.Chaos;

/// <summary>The rounds' table, the totals, the issue's targets (met or not) and one machine-readable line.</summary>
internal sealed class ChaosReport(ChaosSettings settings)
{
    private readonly List<ChaosRound> _rounds = [];

    public double Capacity { get; set; }

    public double Rate { get; set; }

    public OpenLoopLoad? Load { get; set; }

    public RetryCounts Totals { get; set; }

    public void Add(ChaosRound round) => _rounds.Add(round);

    /// <summary>Final figures per round, once the load has ended and every request has an outcome.</summary>
    public void Analyse(LatencyWindows windows)
    {
        var log = Load!.Log;
        for (var i = 0; i < _rounds.Count; i++)
        {
            var round = _rounds[i];
            var baseline = windows.MedianP99(round.KilledAt - settings.Steady, round.KilledAt - settings.Window, settings.Window, null);
            var recovered = windows.RecoveredAfter(round.KilledAt, settings.Window, 1.5 * baseline, settings.RecoveredWindows, settings.RecoveryLimit, null);
            var end = i + 1 < _rounds.Count ? log.IndexAt(_rounds[i + 1].Started) : log.Count;
            _rounds[i] = round with
            {
                BaselineP99 = baseline,
                RecoveredAfter = recovered,
                PeakP99 = windows.PeakP99(round.KilledAt - settings.Window, round.KilledAt + (recovered ?? settings.RecoveryLimit) + settings.Window * settings.RecoveredWindows, settings.Window),
                Outcomes = OutcomeTally.Of(Load, log.IndexAt(round.Started), end),
            };
        }
    }

    /// <summary>Prints everything; true when every target is met.</summary>
    public bool Print(IReadOnlyList<WrkResult> throughput)
    {
        var met = true;
        var result = new List<string> { "RESULT chaos", $"liveness={settings.Liveness}", $"kills={_rounds.Count}" };
        if (Load is not null)
        {
            met = PrintRounds(result);
        }
        if (throughput.Count > 0)
        {
            var local = Median(throughput.Where(r => r.Scenario == ThroughputComparison.Local).Select(r => r.RequestsPerSecond));
            var remote = Median(throughput.Where(r => r.Scenario == ThroughputComparison.Remote).Select(r => r.RequestsPerSecond));
            Console.WriteLine();
            Console.WriteLine($"Throughput (medians, wrk -c64): gateway → local replica {local:N0} req/s, gateway → remote replica {remote:N0} req/s: remote is {remote / local:P0} of local");
            result.Add(FormattableString.Invariant($"local_rps={local:F0} remote_rps={remote:F0} remote_local_ratio={remote / local:F3}"));
        }
        Console.WriteLine(string.Join(' ', result));
        return met;
    }

    private bool PrintRounds(List<string> result)
    {
        var all = OutcomeTally.Of(Load!, 0, Load!.Log.Count);
        Console.WriteLine();
        Console.WriteLine($"Rounds: {Rate:N0} req/s offered ({settings.Load:P0} of {Capacity:N0} req/s measured), {(settings.Fault == "freeze" ? "kill -STOP" : "kill -9")} of the worker holding most replicas; " +
            $"p99 in {settings.Window.TotalMilliseconds:0} ms windows of due time; baseline = median window p99 of the steady period; recovered = {settings.RecoveredWindows} windows in a row within 1.5× of it");
        Console.WriteLine($"{"round",5} {"victim",-9} {"killed",6} {"base p99",9} {"peak p99",9} {"replicas",9} {"p99 back",9} {"retried",8} {"(never/replay/gone)",19} {"sent",7} {"ok",7} {"fail GET",8} {"fail POST",9} {"lost",5}");
        foreach (var r in _rounds)
        {
            Console.WriteLine($"{r.Number,5} {r.Victim,-9} {$"{r.ReplicasKilled}/{settings.Replicas}",6} {Ms(r.BaselineP99),9} {Ms(r.PeakP99),9} {Seconds(r.ReplicasBackAfter),9} {Seconds(r.RecoveredAfter),9} " +
                $"{r.Retries.Retries,8} {$"{r.Retries.NeverDelivered}/{r.Retries.IdempotentReplay}/{r.Retries.ReplicaGone}",19} {r.Outcomes.Sent,7} {r.Outcomes.Succeeded,7} {r.Outcomes.Failed(true),8} {r.Outcomes.Failed(false),9} {r.Outcomes.Lost,5}");
        }
        if (settings.Timeline)
        {
            PrintTimeline();
        }
        var recoveries = _rounds.Select(r => r.RecoveredAfter ?? TimeSpan.MaxValue).ToArray();
        var back = _rounds.Where(r => r.ReplicasBackAfter is not null).Select(r => r.ReplicasBackAfter!.Value.TotalSeconds).ToArray();
        var medianRecovery = Median(recoveries.Select(r => r == TimeSpan.MaxValue ? double.PositiveInfinity : r.TotalSeconds));
        var maxRecovery = recoveries.Max();
        Console.WriteLine();
        Console.WriteLine($"Requests: sent {all.Sent:N0}, succeeded {all.Succeeded:N0}, retried {Totals.Retries:N0} (never delivered {Totals.NeverDelivered}, idempotent replay {Totals.IdempotentReplay}, replica gone {Totals.ReplicaGone}), " +
            $"failed {all.Failed(true) + all.Failed(false):N0} (idempotent GET: {all.Describe(true)}; non-idempotent POST: {all.Describe(false)}), lost {all.Lost:N0}; " +
            $"{Totals.ReplicaUnavailable} failed fast by the routers as not idempotent");

        var nonIdempotentFailFast = all.Failures(false).All(f => f.Outcome == RequestOutcome.ReplicaUnavailable);
        var checks = new (string Target, bool Met, string Value)[]
        {
            ("0 lost", all.Lost == 0, $"{all.Lost}"),
            ("0 failed idempotent (GET)", all.Failed(true) == 0, all.Describe(true)),
            ("non-idempotent (POST) failures only fail-fast 503 for a lost replica", nonIdempotentFailFast, all.Describe(false)),
            ($"p99 back within 1.5× in ≤ {settings.RecoveryTarget.TotalSeconds:0} s ({settings.Liveness} liveness), every round",
                maxRecovery <= settings.RecoveryTarget, $"median {Seconds(medianRecovery)}, max {(maxRecovery == TimeSpan.MaxValue ? "not recovered" : Seconds(maxRecovery))}"),
        };
        Console.WriteLine("Targets:");
        foreach (var (target, met, value) in checks)
        {
            Console.WriteLine($"  {target}: {(met ? "MET" : "NOT MET")} ({value})");
        }
        result.Add(string.Create(CultureInfo.InvariantCulture,
            $"rate={Rate:F0} capacity={Capacity:F0} sent={all.Sent} succeeded={all.Succeeded} retried={Totals.Retries} retried_never_delivered={Totals.NeverDelivered} retried_idempotent={Totals.IdempotentReplay} retried_gone={Totals.ReplicaGone} " +
            $"failed_idempotent={all.Failed(true)} failed_non_idempotent={all.Failed(false)} lost={all.Lost} recovery_median_s={medianRecovery:F2} recovery_max_s={(maxRecovery == TimeSpan.MaxValue ? double.PositiveInfinity : maxRecovery.TotalSeconds):F2} " +
            $"replicas_back_median_s={Median(back):F2} baseline_p99_ms={Median(_rounds.Select(r => r.BaselineP99.TotalMilliseconds)):F1} peak_p99_ms={Median(_rounds.Select(r => r.PeakP99.TotalMilliseconds)):F0}"));
        return checks.All(c => c.Met);
    }

    private void PrintTimeline()
    {
        var windows = new LatencyWindows(Load!.Log, settings.ClientTimeout);
        Console.WriteLine($"Window p99s in ms from the start of each steady period ('|' marks the kill), up to 2 windows after recovery:");
        foreach (var r in _rounds)
        {
            var end = r.KilledAt + (r.RecoveredAfter ?? settings.RecoveryLimit) + settings.Window * (settings.RecoveredWindows + 2);
            var cells = new List<string>();
            for (var at = r.KilledAt - settings.Steady; at < end; at += settings.Window)
            {
                cells.Add((at == r.KilledAt ? "| " : "") + windows.P99(at, at + settings.Window, null).P99.TotalMilliseconds.ToString("F0", CultureInfo.InvariantCulture));
            }
            Console.WriteLine($"  round {r.Number}: {string.Join(' ', cells)}");
        }
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN
            : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2]
            : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static string Ms(TimeSpan value) => $"{value.TotalMilliseconds:N1} ms";

    private static string Seconds(TimeSpan? value) => value is { } v ? $"{v.TotalSeconds:N1} s" : "-";

    private static string Seconds(double value) => double.IsFinite(value) ? $"{value:N1} s" : "-";
}
