namespace Serve.Benchmarks.Http;

/// <summary>Bytes and TCP data segments a process's connections received and sent, summed.</summary>
internal readonly record struct WireCounters(long Received, long Sent, long SegmentsIn, long SegmentsOut)
{
    public static WireCounters operator -(WireCounters after, WireCounters before) =>
        new(after.Received - before.Received, after.Sent - before.Sent, after.SegmentsIn - before.SegmentsIn, after.SegmentsOut - before.SegmentsOut);
}
