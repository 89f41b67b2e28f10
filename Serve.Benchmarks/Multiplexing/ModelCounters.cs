using System.Diagnostics.Metrics;

namespace Serve.Benchmarks.Multiplexing;

/// <summary>Counts one application's model requests (hit or not) and loads from the <c>Serve</c> meter, as an exporter would see them.</summary>
internal sealed class ModelCounters : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly string _application;
    private long _hits;
    private long _misses;
    private long _loads;
    private long _spills;

    public ModelCounters(string application)
    {
        _application = application;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "Serve" && instrument.Name is "serve.multiplexed.model_requests" or "serve.multiplexed.model_loads" or "serve.router.multiplexed_spills")
            {
                listener.EnableMeasurementEvents(instrument, this);
            }
        };
        _listener.SetMeasurementEventCallback<long>(static (instrument, value, tags, state) => ((ModelCounters)state!).Record(instrument.Name, value, tags));
        _listener.Start();
    }

    public long Hits => Interlocked.Read(ref _hits);

    public long Requests => Interlocked.Read(ref _hits) + Interlocked.Read(ref _misses);

    public long Loads => Interlocked.Read(ref _loads);

    /// <summary>Requests routers sent to a replica without their model because its holders stayed busy.</summary>
    public long Spills => Interlocked.Read(ref _spills);

    private void Record(string instrument, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var application = false;
        var hit = false;
        foreach (var tag in tags)
        {
            application |= tag.Key == "serve.application" && (string?)tag.Value == _application;
            hit |= tag.Key == "serve.model.hit" && tag.Value is true;
        }
        if (!application)
        {
            return;
        }
        if (instrument == "serve.multiplexed.model_loads")
        {
            Interlocked.Add(ref _loads, value);
        }
        else if (instrument == "serve.router.multiplexed_spills")
        {
            Interlocked.Add(ref _spills, value);
        }
        else
        {
            Interlocked.Add(ref hit ? ref _hits : ref _misses, value);
        }
    }

    public void Dispose() => _listener.Dispose();
}
