using System.Diagnostics.Metrics;

namespace Serve.Benchmarks.Embeddings;

/// <summary>
/// Reads the <c>serve.batch.size</c> and <c>serve.batch.duration</c> histograms of one host's <c>Serve</c> meter:
/// inputs, invocations and time in [Batch] methods per application, between <see cref="Start"/> and <see cref="Stop"/>.
/// </summary>
internal sealed class BatchListener : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Counted> _byApplication = [];
    private volatile bool _recording;

    /// <param name="scope">The host's <see cref="IMeterFactory"/>: only its meter is read.</param>
    public BatchListener(IMeterFactory scope)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "Serve" && instrument.Meter.Scope == scope && instrument.Name is "serve.batch.size" or "serve.batch.duration")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<int>((_, size, tags, _) => Record(tags, c => c with { Inputs = c.Inputs + size, Batches = c.Batches + 1 }));
        _listener.SetMeasurementEventCallback<double>((_, seconds, tags, _) => Record(tags, c => c with { Seconds = c.Seconds + seconds }));
        _listener.Start();
    }

    /// <summary>Forgets what was counted and counts from now on.</summary>
    public void Start()
    {
        lock (_gate)
        {
            _byApplication.Clear();
        }
        _recording = true;
    }

    public void Stop() => _recording = false;

    /// <summary>Inputs per invocation in <paramref name="application"/> while counting; NaN when none ran.</summary>
    public double MeanBatchSize(string application) => Read(application, c => (double)c.Inputs / c.Batches);

    /// <summary>How long one invocation ran on average in <paramref name="application"/> while counting.</summary>
    public TimeSpan MeanBatchDuration(string application) => TimeSpan.FromSeconds(Read(application, c => c.Seconds / c.Batches) is var s && double.IsNaN(s) ? 0 : s);

    public void Dispose() => _listener.Dispose();

    private void Record(ReadOnlySpan<KeyValuePair<string, object?>> tags, Func<Counted, Counted> add)
    {
        if (!_recording)
        {
            return;
        }
        foreach (var tag in tags)
        {
            if (tag.Key == "serve.application" && tag.Value is string application)
            {
                lock (_gate)
                {
                    _byApplication[application] = add(_byApplication.GetValueOrDefault(application));
                }
            }
        }
    }

    private double Read(string application, Func<Counted, double> measure)
    {
        lock (_gate)
        {
            return _byApplication.TryGetValue(application, out var counted) && counted.Batches > 0 ? measure(counted) : double.NaN;
        }
    }

    private readonly record struct Counted(long Inputs, long Batches, double Seconds);
}
