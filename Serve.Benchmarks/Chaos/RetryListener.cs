using System.Diagnostics.Metrics;

namespace Serve.Benchmarks.Chaos;

/// <summary>Reads the <c>serve.router.retries</c> and <c>serve.router.replica_unavailable</c> counters of one host's <c>Serve</c> meter.</summary>
internal sealed class RetryListener : IDisposable
{
    private readonly MeterListener _listener = new();
    private long _neverDelivered;
    private long _idempotentReplay;
    private long _replicaGone;
    private long _replicaUnavailable;

    /// <param name="scope">The host's <see cref="IMeterFactory"/>: only its meter is read, not another host's in this process.</param>
    public RetryListener(IMeterFactory scope)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "Serve" && instrument.Meter.Scope == scope
                && instrument.Name is "serve.router.retries" or "serve.router.replica_unavailable")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            if (instrument.Name == "serve.router.replica_unavailable")
            {
                Interlocked.Add(ref _replicaUnavailable, value);
                return;
            }
            foreach (var tag in tags)
            {
                if (tag.Key != "serve.retry.reason")
                {
                    continue;
                }
                switch (tag.Value as string)
                {
                    case "never_delivered":
                        Interlocked.Add(ref _neverDelivered, value);
                        break;
                    case "idempotent_replay":
                        Interlocked.Add(ref _idempotentReplay, value);
                        break;
                    default:
                        Interlocked.Add(ref _replicaGone, value);
                        break;
                }
            }
        });
        _listener.Start();
    }

    public RetryCounts Read() => new(
        Interlocked.Read(ref _neverDelivered), Interlocked.Read(ref _idempotentReplay), Interlocked.Read(ref _replicaGone), Interlocked.Read(ref _replicaUnavailable));

    public void Dispose() => _listener.Dispose();
}
