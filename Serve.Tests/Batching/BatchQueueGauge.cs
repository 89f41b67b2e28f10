using System.Diagnostics.Metrics;
using Serve.Tests.Infrastructure;

namespace Serve.Tests.Batching;

/// <summary>One application's <c>serve.batch.queue_length</c>, summed from the <c>Serve</c> meter as an exporter would.</summary>
public sealed class BatchQueueGauge : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly string _application;
    private int _length;

    public BatchQueueGauge(string application)
    {
        _application = application;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "Serve" && instrument.Name == "serve.batch.queue_length")
            {
                listener.EnableMeasurementEvents(instrument, this);
            }
        };
        _listener.SetMeasurementEventCallback<int>(static (_, delta, tags, state) => ((BatchQueueGauge)state!).Record(delta, tags));
        _listener.Start();
    }

    public int Length => Volatile.Read(ref _length);

    public Task WaitForAsync(int length) => Poll.UntilAsync(() => Length == length, TimeSpan.FromSeconds(30));

    private void Record(int delta, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        foreach (var tag in tags)
        {
            if (tag.Key == "serve.application" && (string?)tag.Value == _application)
            {
                Interlocked.Add(ref _length, delta);
                return;
            }
        }
    }

    public void Dispose() => _listener.Dispose();
}
