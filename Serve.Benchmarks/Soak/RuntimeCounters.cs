using System.Collections.Concurrent;
using System.Diagnostics.Tracing;
using System.Globalization;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Tracing;

namespace Serve.Benchmarks.Soak;

/// <summary>
/// Another .NET process's runtime counters (<c>System.Runtime</c>: GC heap, Gen2 collections, working set, thread pool
/// threads), read over its diagnostics port as <c>dotnet-counters</c> does, once a second, latest values kept. Gen2
/// collections are summed from the start.
/// </summary>
internal sealed class RuntimeCounters : IDisposable
{
    private readonly ConcurrentDictionary<string, double> _latest = new(StringComparer.Ordinal);
    private readonly EventPipeSession _session;
    private readonly EventPipeEventSource _source;
    private readonly Task _reading;
    private double _gen2;

    private RuntimeCounters(EventPipeSession session)
    {
        _session = session;
        _source = new EventPipeEventSource(session.EventStream);
        _source.Dynamic.All += OnEvent;
        _reading = Task.Run(() =>
        {
            try
            {
                _source.Process();
            }
            catch (Exception)
            {
                // The process exited, or the session stopped: the last values stay.
            }
        });
    }

    /// <summary>Managed heap in bytes (the runtime's gc-heap-size); null until the first counters arrived.</summary>
    public double? GcHeapBytes => _latest.TryGetValue("gc-heap-size", out var mb) ? mb * 1_000_000 : null;

    public double Gen2Collections => Volatile.Read(ref _gen2);

    /// <summary>Memory the GC holds committed in bytes (the runtime's gc-committed); null until the first counters arrived.</summary>
    public double? GcCommittedBytes => _latest.TryGetValue("gc-committed", out var mb) ? mb * 1_000_000 : null;

    public double? ThreadPoolThreads => _latest.TryGetValue("threadpool-thread-count", out var count) ? count : null;

    public static RuntimeCounters Start(int processId)
    {
        var provider = new EventPipeProvider("System.Runtime", EventLevel.Informational, (long)EventKeywords.None,
            new Dictionary<string, string> { ["EventCounterIntervalSec"] = "1" });
        var session = new DiagnosticsClient(processId).StartEventPipeSession([provider], requestRundown: false, circularBufferMB: 16);
        return new RuntimeCounters(session);
    }

    /// <summary>
    /// Makes the process run a full blocking collection, as <c>dotnet-gcdump</c> does (the runtime provider's GCHeapCollect
    /// keyword), and returns its heap right after that collection (the runtime's GCHeapStats event, summed over the
    /// generations): what is live, not the garbage a busy process allocates before its next counters. Null when no full
    /// collection was seen.
    /// </summary>
    public static async Task<double?> CollectGarbageAsync(int processId)
    {
        const long GcKeyword = 0x1;
        const long GcHeapCollectKeyword = 0x800000;
        var provider = new EventPipeProvider("Microsoft-Windows-DotNETRuntime", EventLevel.Informational, GcKeyword | GcHeapCollectKeyword);
        using var session = new DiagnosticsClient(processId).StartEventPipeSession([provider], requestRundown: false, circularBufferMB: 16);
        using var source = new EventPipeEventSource(session.EventStream);
        var depth = -1;
        double? live = null;
        source.Clr.GCStart += start => depth = start.Depth;
        source.Clr.GCHeapStats += stats =>
        {
            if (depth == 2)
            {
                live = stats.TotalHeapSize;
            }
        };
        var reading = Task.Run(() =>
        {
            try
            {
                source.Process();
            }
            catch (Exception)
            {
                // The session stopped or the process exited: what was seen stays.
            }
        });
        await Task.Delay(TimeSpan.FromSeconds(1));
        session.Stop();
        await reading.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        return live;
    }

    private void OnEvent(TraceEvent data)
    {
        if (data.EventName != "EventCounters"
            || data.PayloadValue(0) is not IDictionary<string, object> envelope
            || envelope["Payload"] is not IDictionary<string, object> payload
            || payload["Name"] is not string name)
        {
            return;
        }
        var value = Convert.ToDouble(payload.TryGetValue("Mean", out var mean) ? mean : payload["Increment"], CultureInfo.InvariantCulture);
        _latest[name] = value;
        if (name == "gen-2-gc-count")
        {
            // Written by this one reader thread only.
            Volatile.Write(ref _gen2, _gen2 + value);
        }
    }

    public void Dispose()
    {
        try
        {
            _session.Stop();
        }
        catch (Exception)
        {
            // The process is gone: nothing to stop.
        }
        _reading.Wait(TimeSpan.FromSeconds(5));
        _source.Dispose();
        _session.Dispose();
    }
}
