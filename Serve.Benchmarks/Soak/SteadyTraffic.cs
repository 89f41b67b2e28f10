using System.Diagnostics;

namespace Serve.Benchmarks.Soak;

/// <summary>
/// GETs at a fixed rate whatever the server does (open loop: a stall shows as latency, not as fewer requests), counted
/// per window: answered with success, failed (any other status, or no answer within the timeout), and the latency
/// histogram of the successes. Used by the churn and soak runs for the application that must not notice anything.
/// </summary>
internal sealed class SteadyTraffic(HttpClient http, Uri url, double requestsPerSecond, TimeSpan window)
{
    private readonly Lock _lock = new();
    private readonly List<TrafficWindow> _windows = [];
    private long _started;

    public IReadOnlyList<TrafficWindow> Windows
    {
        get
        {
            lock (_lock)
            {
                return [.. _windows];
            }
        }
    }

    /// <summary>Sends until <paramref name="stop"/>, then waits for the requests in flight.</summary>
    public async Task RunAsync(CancellationToken stop)
    {
        _started = Stopwatch.GetTimestamp();
        var inFlight = new List<Task>();
        long sent = 0;
        while (!stop.IsCancellationRequested)
        {
            var due = (long)(Stopwatch.GetElapsedTime(_started).TotalSeconds * requestsPerSecond);
            for (; sent < due; sent++)
            {
                inFlight.Add(SendAsync());
            }
            inFlight.RemoveAll(t => t.IsCompleted);
            try
            {
                await Task.Delay(5, stop);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
        await Task.WhenAll(inFlight);
    }

    private async Task SendAsync()
    {
        var start = Stopwatch.GetTimestamp();
        string? failure;
        try
        {
            using var response = await http.GetAsync(url, HttpCompletionOption.ResponseContentRead);
            failure = response.IsSuccessStatusCode ? null : ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            // TaskCanceledException: no answer within the client's timeout.
            failure = e.GetType().Name;
        }
        var ticks = Stopwatch.GetTimestamp() - start;
        var index = (int)(Stopwatch.GetElapsedTime(_started, start) / window);
        lock (_lock)
        {
            while (_windows.Count <= index)
            {
                _windows.Add(new TrafficWindow());
            }
            _windows[index].Record(failure, ticks);
        }
    }
}
