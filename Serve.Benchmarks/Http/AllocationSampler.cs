using System.Collections.Concurrent;
using System.Diagnostics.Tracing;

namespace Serve.Benchmarks.Http;

/// <summary>
/// Where a scenario's bytes go, by type: the runtime's allocation ticks (one per ~100 KB allocated, naming the type whose
/// allocation crossed the mark), so a type's share of the ticks is its share of the bytes. On with SERVE_BENCH_ALLOCATIONS=1.
/// </summary>
internal sealed class AllocationSampler : EventListener
{
    private const int AllocationTickId = 10;
    private readonly ConcurrentDictionary<string, long> _bytes = new();
    private volatile bool _recording;

    public static AllocationSampler? StartIfAsked() =>
        Environment.GetEnvironmentVariable("SERVE_BENCH_ALLOCATIONS") == "1" ? new AllocationSampler() : null;

    public void Begin()
    {
        _bytes.Clear();
        _recording = true;
    }

    /// <summary>The top types of the window, as bytes per request.</summary>
    public string End(double requests, int top = 60)
    {
        _recording = false;
        var total = _bytes.Values.Sum();
        return string.Join(Environment.NewLine, _bytes.OrderByDescending(p => p.Value).Take(top)
            .Select(p => FormattableString.Invariant($"      {p.Value / requests,7:N0} B/req {100.0 * p.Value / total,5:N1} %  {p.Key}")));
    }

    protected override void OnEventSourceCreated(EventSource source)
    {
        if (source.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(source, EventLevel.Verbose, (EventKeywords)0x1);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        if (!_recording || e.EventId != AllocationTickId || e.Payload is null || e.PayloadNames is null)
        {
            return;
        }
        var type = e.Payload[e.PayloadNames.IndexOf("TypeName")] as string ?? "?";
        var amount = Convert.ToInt64(e.Payload[e.PayloadNames.IndexOf("AllocationAmount64")], System.Globalization.CultureInfo.InvariantCulture);
        _bytes.AddOrUpdate(type, amount, (_, v) => v + amount);
    }
}
