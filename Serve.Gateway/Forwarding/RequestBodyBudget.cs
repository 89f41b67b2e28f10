using System.Diagnostics.Metrics;
using Serve.Diagnostics;

namespace Serve.Forwarding;

/// <summary>
/// The bytes of request bodies the gateway may hold at once, every request together
/// (<see cref="Hosting.ServeGatewayOptions.RequestBodyBudget"/>). Only bodies read whole count (inline HTTP bodies of
/// at most <see cref="HttpForwarder.MaxInlineBody"/>, gRPC messages): a streamed body holds one chunk at a time, bounded
/// by the replica's pull, and takes nothing. Bodies take from it as their bytes arrive, never what
/// their Content-Length announces, and give back when their request is done; what does not fit is refused, so slow or
/// many bodies cannot run the gateway out of memory. Published as <c>serve.gateway.request_body.buffered</c>.
/// </summary>
internal sealed class RequestBodyBudget
{
    private long _used;

    public RequestBodyBudget(long limit, IMeterFactory? meters = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        Limit = limit;
        meters?.Create(ServeMeter.Name).CreateObservableUpDownCounter(
            "serve.gateway.request_body.buffered", () => Used, "By", "Bytes of request bodies the gateway holds");
    }

    public long Limit { get; }

    /// <summary>Bytes taken now.</summary>
    public long Used => Volatile.Read(ref _used);

    /// <summary>Takes <paramref name="bytes"/> if they fit; false (and nothing taken) if they do not.</summary>
    public bool TryTake(long bytes)
    {
        if (Interlocked.Add(ref _used, bytes) <= Limit)
        {
            return true;
        }
        Interlocked.Add(ref _used, -bytes);
        return false;
    }

    /// <summary>Takes <paramref name="bytes"/> that exist already, past the limit if need be: a copy of bytes held under another charge.</summary>
    public void Take(long bytes) => Interlocked.Add(ref _used, bytes);

    /// <summary>Gives back what <see cref="TryTake"/> or <see cref="Take"/> took.</summary>
    public void Return(long bytes) => Interlocked.Add(ref _used, -bytes);
}
