namespace Serve.Watching;

/// <summary>How a <see cref="VersionedWatch{T}"/> retries failed polls: exponential from <see cref="FirstDelay"/> up to <see cref="MaxDelay"/>, jittered.</summary>
/// <param name="FirstDelay">The delay after the first failure (before jitter).</param>
/// <param name="MaxDelay">The longest delay.</param>
/// <param name="MaxAttempts">Retries in a row before the failure is thrown.</param>
internal sealed record WatchBackoff(TimeSpan FirstDelay, TimeSpan MaxDelay, int MaxAttempts)
{
    /// <summary>For a watch that lives as long as its process (routers, gateways): it never gives up.</summary>
    public static readonly WatchBackoff Forever = new(TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(2), int.MaxValue);

    /// <summary>For a caller waiting on a result: rides out a silo restart or a controller moving (about 15 s), then fails.</summary>
    public static readonly WatchBackoff Caller = new(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(2), 10);

    /// <summary>The delay before the <paramref name="failures"/>-th try in a row: doubling from <see cref="FirstDelay"/>, at most <see cref="MaxDelay"/>.</summary>
    public TimeSpan DelayAfter(int failures) =>
        TimeSpan.FromTicks(Math.Min(MaxDelay.Ticks, FirstDelay.Ticks << Math.Clamp(failures - 1, 0, 20)));
}
