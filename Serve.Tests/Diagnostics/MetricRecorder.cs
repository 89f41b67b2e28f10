using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Serve.Tests.Diagnostics;

/// <summary>Keeps every measurement of the <c>Serve</c> meter tagged with one application, for tests that check metric values.</summary>
public sealed class MetricRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly string _application;

    public MetricRecorder(string application)
    {
        _application = application;
        _listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "Serve")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<double>((i, v, t, _) => Keep(i, v, t));
        _listener.SetMeasurementEventCallback<long>((i, v, t, _) => Keep(i, v, t));
        _listener.SetMeasurementEventCallback<int>((i, v, t, _) => Keep(i, v, t));
        _listener.Start();
    }

    /// <summary>Measurements of the instruments that record as things happen.</summary>
    public ConcurrentQueue<Recorded> Measurements { get; } = new();

    /// <summary>Measurements of the observable instruments (gauges) at the last <see cref="Observe"/>.</summary>
    public ConcurrentQueue<Recorded> Observed { get; } = new();

    /// <summary>Reads every observable instrument, as a collector would.</summary>
    public void Observe()
    {
        Observed.Clear();
        _listener.RecordObservableInstruments();
    }

    /// <summary>Measurements of <paramref name="instrument"/>: recorded so far, or at the last <see cref="Observe"/> for gauges.</summary>
    public Recorded[] Of(string instrument) =>
        Measurements.Concat(Observed).Where(m => m.Instrument == instrument).ToArray();

    private void Keep(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var map = tags.ToArray().ToDictionary(t => t.Key, t => t.Value);
        if (map.GetValueOrDefault("serve.application") as string == _application)
        {
            (instrument.IsObservable ? Observed : Measurements).Enqueue(new Recorded(instrument.Name, value, map));
        }
    }

    public void Dispose() => _listener.Dispose();

    public sealed record Recorded(string Instrument, double Value, Dictionary<string, object?> Tags);
}
