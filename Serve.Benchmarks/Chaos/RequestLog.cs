namespace Serve.Benchmarks.Chaos;

/// <summary>
/// Every request of an open-loop run by its sequence number: request <c>i</c> was due at <c>i × period</c>,
/// so a time window is an index range. Latency counts from when the request was due, not from when it was
/// sent, so a stalled sender shows as latency (no coordinated omission). Each slot is written by one request only.
/// </summary>
internal sealed class RequestLog(TimeSpan period)
{
    private const int ChunkBits = 16;
    private const int ChunkSize = 1 << ChunkBits;
    private readonly Lock _gate = new();
    private Entry[][] _chunks = [];
    private long _count;

    private struct Entry
    {
        public long LatencyTicks;
        public RequestOutcome Outcome;
    }

    public TimeSpan Period { get; } = period;

    /// <summary>Requests sent so far.</summary>
    public long Count => Volatile.Read(ref _count);

    public TimeSpan DueAt(long index) => Period * index;

    /// <summary>The first request due at or after <paramref name="time"/>.</summary>
    public long IndexAt(TimeSpan time) => time <= TimeSpan.Zero ? 0 : (long)Math.Ceiling(time.Ticks / (double)Period.Ticks);

    public long Add()
    {
        var index = Volatile.Read(ref _count);
        if ((index >> ChunkBits) >= _chunks.Length)
        {
            lock (_gate)
            {
                var grown = new Entry[_chunks.Length + 1][];
                _chunks.CopyTo(grown, 0);
                grown[^1] = new Entry[ChunkSize];
                Volatile.Write(ref _chunks, grown);
            }
        }
        // Only the sending loop adds, so the count needs no compare-exchange.
        Volatile.Write(ref _count, index + 1);
        return index;
    }

    public void Complete(long index, RequestOutcome outcome, TimeSpan latency)
    {
        ref var entry = ref Volatile.Read(ref _chunks)[index >> ChunkBits][index & (ChunkSize - 1)];
        entry.Outcome = outcome;
        Volatile.Write(ref entry.LatencyTicks, Math.Max(latency.Ticks, 1));
    }

    /// <summary>The request's outcome and latency, or <see cref="RequestOutcome.Pending"/> while it runs.</summary>
    public (RequestOutcome Outcome, TimeSpan Latency) Read(long index)
    {
        ref var entry = ref Volatile.Read(ref _chunks)[index >> ChunkBits][index & (ChunkSize - 1)];
        var latency = Volatile.Read(ref entry.LatencyTicks);
        return latency == 0 ? (RequestOutcome.Pending, TimeSpan.Zero) : (entry.Outcome, TimeSpan.FromTicks(latency));
    }
}
