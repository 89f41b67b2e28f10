using System.Diagnostics;

namespace Serve.Benchmarks.Chaos;

/// <summary>The deployment's capacity as measured: closed-loop GETs from twice as many callers as it has slots, so every slot stays busy.</summary>
internal static class CapacityProbe
{
    public static async Task<double> MeasureAsync(HttpClient http, Uri url, int callers, TimeSpan warmup, TimeSpan duration, CancellationToken cancellationToken)
    {
        long counted = 0;
        var measuring = false;
        var started = Stopwatch.GetTimestamp();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var loops = Enumerable.Range(0, callers).Select(async _ =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var response = await http.GetAsync(url, CancellationToken.None);
                if (response.IsSuccessStatusCode && Volatile.Read(ref measuring))
                {
                    Interlocked.Increment(ref counted);
                }
            }
        }).ToArray();
        await Task.Delay(warmup, cancellationToken);
        Volatile.Write(ref measuring, true);
        started = Stopwatch.GetTimestamp();
        await Task.Delay(duration, cancellationToken);
        var rate = Interlocked.Read(ref counted) / Stopwatch.GetElapsedTime(started).TotalSeconds;
        await stop.CancelAsync();
        await Task.WhenAll(loops);
        return rate;
    }
}
