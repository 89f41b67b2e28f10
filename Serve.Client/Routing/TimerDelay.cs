namespace Serve.Routing;

/// <summary>
/// How long a timer waits for a deadline: what is left of it, down to zero, and at most <see cref="Max"/>, the longest
/// a .NET timer takes (<see cref="Timer"/>, <see cref="CancellationTokenSource"/>: 2^32 - 2 ms, about 49.7 days). A
/// deadline further than that (a gRPC client's <c>grpc-timeout</c> goes up to 99,999,999 hours, a route's timeout to
/// what its config says) fires at <see cref="Max"/>: no call lives that long, and a timer given more throws.
/// </summary>
internal static class TimerDelay
{
    public static readonly TimeSpan Max = TimeSpan.FromMilliseconds(uint.MaxValue - 1);

    public static TimeSpan Of(TimeSpan remaining) =>
        remaining <= TimeSpan.Zero ? TimeSpan.Zero : remaining >= Max ? Max : remaining;
}
